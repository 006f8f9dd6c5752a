"""Community (共建) in the demo street (demo.community, communityledger, communitylists) on a
small street: the calibration, 双报到 with its commitments and service, a year of the points
ledger, the three lists, projects in every state with pledges signed, the demo logins' queues,
and a reset that leaves nothing."""

from collections import Counter, defaultdict
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.db.models import Sum

from gongzhi.cases.models import CaseEvent
from gongzhi.community import matching, places, pledges, projects, registrations, selectors, statements
from gongzhi.community.choices import AppealState, ClaimState, Direction, EntryKind
from gongzhi.community.member_types import treatment
from gongzhi.community.models import (
    Appeal,
    Commitment,
    ContactPair,
    Match,
    MatchState,
    Need,
    NeedSource,
    PledgeSide,
    PledgeState,
    PointClaim,
    PointEntry,
    PointRule,
    Project,
    ProjectState,
    RegistrationEvent,
    Resource,
    ServiceRecord,
)
from gongzhi.core import clock, signing
from gongzhi.core.contributions import ServiceFact, on_service_facts
from gongzhi.demo import calibration as cal
from gongzhi.demo.reset import reset_demo
from gongzhi.demo.tests.street.shared import NOW, rolled_back
from gongzhi.geo.models import Node
from gongzhi.meetings.facts import announce_attendance
from gongzhi.meetings.models import Meeting
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Unit
from gongzhi.orgs.roles import MemberType, UnitKind

TODAY = date(2026, 11, 20)
pytestmark = pytest.mark.django_db
State = DualRegistration.State


@pytest.fixture(autouse=True)
def media(settings, street):  # type: ignore[no-untyped-def]
    settings.DEBUG = True


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return lambda name: get_user_model().objects.get(username=name)


def test_co_building_units_and_party_branches_are_calibrated_on_changzhi(street) -> None:
    units = Unit.objects.filter(code__startswith="FL-U-")
    assert units.filter(kind=UnitKind.CO_BUILDING).count() == cal.CO_BUILDING_PUBLIC == 26
    non_public = (UnitKind.LAW_FIRM, UnitKind.SOCIAL_ORG, UnitKind.ENTERPRISE)
    assert units.filter(kind__in=non_public).count() == cal.CO_BUILDING_NON_PUBLIC == 15
    top = PartyOrg.objects.get(code="FL-DGW")
    of_units = PartyOrg.objects.filter(parent=top, kind="branch")
    public = of_units.filter(code__startswith="FL-U-GJ")
    assert of_units.count() - public.count() == cal.NON_PUBLIC_PARTY_BRANCHES == 6
    for unit in units.filter(kind=UnitKind.CO_BUILDING):
        assert public.filter(code=f"{unit.code}-DZB", node=unit.node).exists()
    for area in Node.objects.filter(code__regex=r"^FL-R\d\d$"):  # the units' orgs changed no area's
        org = places.area_party_org(area)
        assert org is not None and org.code == f"{area.code}-DW"
    registered = set(DualRegistration.objects.filter(state=State.CONFIRMED).values_list("unit_id", flat=True))
    joining = units.filter(kind__in=(UnitKind.CO_BUILDING, *non_public)).exclude(name="安康大药房枫林店")
    assert set(joining.values_list("pk", flat=True)) <= registered
    assert street.counts["community_units_added"] == 18


def test_registrations_carry_commitments_and_a_year_of_service() -> None:
    confirmed = DualRegistration.objects.filter(state__in=(State.CONFIRMED, State.ENDED))
    assert confirmed.count() >= 100
    assert not confirmed.filter(commitments__isnull=True).exists()
    kinds = set(Commitment.objects.values_list("kind", flat=True))
    assert kinds == {"post", "service", "venue", "funds", "hours"}
    assert {"楼组长", "志愿者"} <= set(Commitment.objects.filter(kind="post").values_list("title", flat=True))
    for c in Commitment.objects.select_related("registration")[:300]:
        line = registrations.CommitmentIn(c.kind, c.title, c.per_year, c.unit)
        assert registrations._commitments([line])[0]["per_year"] == c.per_year
        for r in c.records.all():
            assert c.registration.registered_on <= r.done_on <= TODAY
            assert c.registration.ended_on is None or r.done_on <= c.registration.ended_on
    assert (
        ServiceRecord.objects.filter(quantity__lt=0).exclude(note="").count()
        == ServiceRecord.objects.filter(quantity__lt=0).count()
    )
    serve = RegistrationEvent.objects.filter(action="serve").count()
    assert serve == ServiceRecord.objects.count() > 0
    assert DualRegistration.objects.filter(state=State.ENDED, events__action="end").exists()


def test_the_secretary_has_applications_claims_and_an_appeal_waiting(login) -> None:
    secretary = login("secretary")
    queue = list(selectors.confirm_queue(user=secretary))
    assert len(queue) >= 3 and {r.node.code for r in queue} == {"FL-R01"}
    assert any(r.unit_id for r in queue) and all(r.commitments.exists() for r in queue)
    for r in queue:
        assert list(r.events.values_list("action", flat=True)) == ["apply"]
    assert selectors.pending_claims(user=secretary).count() >= 3
    assert selectors.open_appeals(user=secretary).count() >= 1
    declined = DualRegistration.objects.filter(state=State.DECLINED)
    assert declined.exists()
    for r in declined:
        decision = r.events.get(action="decline")
        assert decision.note and decision.from_state == State.APPLIED


def test_the_member_login_sees_their_own_ledger(login, client) -> None:
    user = login("member")
    member = selectors.my_member(user=user)
    assert member is not None and member.member_type == MemberType.IN_SERVICE
    assert places.current_registration(member).node.code == "FL-R01"
    mine = selectors.entries(user=user)
    assert mine.count() >= 5 and set(mine.values_list("member_id", flat=True)) == {member.pk}
    deduction = mine.filter(points__lt=0, kind=EntryKind.MANUAL).first()
    assert deduction is not None and not Appeal.objects.filter(entry=deduction).exists()
    client.force_login(user)
    assert client.get("/community/ledger/").status_code == 200


def test_ledger_totals_are_the_sums_of_entries() -> None:
    entries = list(PointEntry.objects.values_list("member_id", "year", "points"))
    sums: dict[tuple[int, int], int] = defaultdict(int)
    for member, year, points in entries:
        sums[(member, year)] += points
    for member in PartyMember.objects.filter(point_entries__isnull=False).distinct()[:200]:
        for year in (2025, 2026):
            assert statements.year_total(member, year) == sums.get((member.pk, year), 0)
    assessed = {r["member"]: r["points"] for r in statements.assessment("/SFQ/FL/", "FL", 2026)}
    assert all(assessed.get(m, 0) == p for (m, y), p in sums.items() if y == 2026)
    total = PointEntry.objects.aggregate(s=Sum("points"))["s"]
    assert total == sum(p for _m, _y, p in entries) > 0


def test_the_ledger_keeps_the_services_rules() -> None:
    rules = {r.pk: r for r in PointRule.objects.all()}
    assert {r.code for r in rules.values()} >= {"A01", "A02", "A10", "D01"}
    net: Counter[tuple[int, int, int]] = Counter()
    keeps: dict[int, tuple[int, str] | None] = {}  # member -> (branch, its path), read once
    for e in PointEntry.objects.select_related("member", "reverses", "claim"):
        rule = rules[e.rule_id]
        net[(e.member_id, e.rule_id, e.year)] += e.points
        assert e.member_type == e.member.member_type and e.member_type in rule.member_types
        if e.member_id not in keeps:
            branch = places.branch_of(e.member)
            keeps[e.member_id] = (branch.pk, branch.node.path) if branch is not None else None
        assert keeps[e.member_id] is not None and (e.branch_id, e.node_path) == keeps[e.member_id]
        if e.kind == EntryKind.REVERSAL:
            assert e.reverses is not None and e.points == -e.reverses.points and e.reason
        elif e.kind == EntryKind.MANUAL:
            assert e.claim is not None and e.claim.state == ClaimState.APPROVED
            assert e.recorded_by_id == e.claim.decided_by_id
        else:
            assert e.source_key and e.source_key.endswith(f":r{rule.pk}") and e.recorded_by_id is None
    for (_member, rule_id, _year), points in net.items():
        cap = rules[rule_id].yearly_cap
        assert cap is None or abs(points) <= cap
    needing = PointClaim.objects.filter(rule__evidence_required=True)
    assert needing.exists() and not needing.filter(evidence="").exists()
    assert PointClaim.objects.filter(state=ClaimState.PENDING, entry__isnull=True).exists()
    assert Appeal.objects.filter(state=AppealState.UPHELD).exists()
    for appeal in Appeal.objects.filter(state=AppealState.OVERTURNED):
        assert PointEntry.objects.filter(reverses=appeal.entry).exists()
    kinds = Counter(PointEntry.objects.values_list("kind", flat=True))
    assert kinds[EntryKind.AUTO] and kinds[EntryKind.MANUAL] > 500 and kinds[EntryKind.REVERSAL]


def test_no_deduction_falls_on_a_member_in_difficulty() -> None:
    assert not treatment(MemberType.IN_DIFFICULTY).deductible
    helped = PointEntry.objects.filter(member_type=MemberType.IN_DIFFICULTY)
    assert helped.exists() and not helped.filter(points__lt=0).exists()
    assert not PointClaim.objects.filter(
        member__member_type=MemberType.IN_DIFFICULTY, rule__direction=Direction.DEDUCT
    ).exists()
    types = set(PointEntry.objects.values_list("member_type", flat=True))
    assert types == set(MemberType.values)


def test_automatic_points_are_awarded_once_per_fact() -> None:
    entry = PointEntry.objects.filter(kind=EntryKind.AUTO, source_key__startswith="meeting:").first()
    assert entry is not None
    meeting_id, participant_id = (int(x) for x in entry.source_key.split(":")[1:4:2])
    before = PointEntry.objects.count()
    with clock.freeze(NOW):
        announce_attendance(Meeting.objects.get(pk=meeting_id), [participant_id])
    assert PointEntry.objects.count() == before
    slip = PointEntry.objects.filter(kind=EntryKind.AUTO, source_key__startswith="slip:").first()
    if slip is not None:  # a slip's fact, announced again, awards nothing either
        _slip, slip_id, _party, party_id, _rule = slip.source_key.split(":")
        fact = ServiceFact(
            kind="slip_done",
            source_key=f"slip:{slip_id}:party:{party_id}",
            person_id=slip.member.person_id,
            occurred_on=slip.occurred_on,
            node_path=slip.node_path,
            detail="lead",
        )
        with clock.freeze(NOW):
            on_service_facts.announce([fact])
        assert PointEntry.objects.count() == before


def test_needs_resources_and_matches_come_from_the_street() -> None:
    sources = set(Need.objects.values_list("source", flat=True))
    assert {NeedSource.CASE, NeedSource.TOPIC, NeedSource.SURVEY, NeedSource.STAFF} <= sources
    for need in Need.objects.filter(source=NeedSource.CASE).select_related("case"):
        event = CaseEvent.objects.get(case=need.case, action="list_need")
        assert event.data == {"need": need.pk} and event.seq == need.case.version
    assert len(
        set(CaseEvent.objects.filter(case__in=Need.objects.values("case")).values_list("case_id", "seq"))
    ) == (CaseEvent.objects.filter(case__in=Need.objects.values("case")).count())
    assert Resource.objects.filter(member__isnull=False).exists() and Resource.objects.filter(
        unit__isnull=False
    )
    levels = matching.levels_of(
        list(Need.objects.values_list("node_path", flat=True)),
        list(Resource.objects.values_list("node_path", flat=True)),
    )
    pool = list(Resource.objects.all())
    for match in Match.objects.select_related("need", "resource")[:100]:
        proposed = {p.resource.pk: p.rank for p in matching.propose(match.need, pool, levels, TODAY)}
        assert proposed.get(match.resource_id) == match.rank
    assert Match.objects.filter(state=MatchState.REJECTED).exists()


def test_projects_in_every_state_with_pledges_signed() -> None:
    rows = Project.objects.all()
    assert 20 <= rows.count() <= 40
    assert set(rows.values_list("state", flat=True)) == set(ProjectState.values)
    for project in rows.select_related("node"):
        assert project.seq == project.events.count() >= 1
        assert projects.validate_steps(
            [projects.Step(m.title, m.due) for m in project.milestones.all()],
            project.starts_on,
            project.ends_on,
        )
        if project.state in (ProjectState.DRAFT, ProjectState.OPEN, ProjectState.CANCELLED):
            assert not hasattr(project, "pledge") or project.claimed_by_id is None
            continue
        pledge = project.pledge
        assert pledge.unit_id == project.claimed_by_id
        current = pledges.current_version(pledge)
        assert current.content == pledges.content(project, pledge, pledges.commitments_of(pledge))
        for version in pledge.versions.all():
            assert version.content_hash == signing.content_hash(version.content)
        for s in pledge.signatures.all():
            text = pledge.versions.get(number=s.version)
            assert s.content_hash == text.content_hash
            if s.side == PledgeSide.UNIT:
                assert s.signer_post.unit_id == pledge.unit_id
        valid = {
            s.side
            for s in pledge.signatures.all()
            if signing.is_current(
                signed_version=s.version,
                signed_hash=s.content_hash,
                version=pledge.version,
                current_hash=current.content_hash,
            )
        }
        if project.state in (ProjectState.ACTIVE, ProjectState.DONE):
            assert pledge.state == PledgeState.IN_FORCE and valid == set(PledgeSide.values)
        else:
            assert pledge.state == PledgeState.SIGNING and valid != set(PledgeSide.values)
    revised = [p for p in Project.objects.filter(state=ProjectState.CLAIMED) if p.pledge.version > 1]
    assert revised and any(p.pledge.signatures.filter(version__lt=p.pledge.version).exists() for p in revised)
    done = Project.objects.filter(state=ProjectState.DONE)
    assert not Project.objects.filter(state=ProjectState.DONE, milestones__done_at__isnull=True).exists()
    assert all(p.evaluations.count() >= 10 for p in done)
    with clock.freeze(NOW):
        late = list(projects.late_milestones())
    assert late and all(m.reminded_at is not None for m in late)


def test_the_partner_works_for_a_unit_that_claimed_projects(login, client) -> None:
    partner = login("partner")
    mine = selectors.projects(partner).filter(claimed_by__isnull=False)
    assert mine.filter(state=ProjectState.ACTIVE).exists()
    waiting = mine.get(state=ProjectState.CLAIMED)
    assert pledges.signable_sides(partner, waiting.pledge) == [PledgeSide.UNIT]
    client.force_login(partner)
    assert client.get(f"/community/projects/{waiting.pk}/").status_code == 200
    signed = mine.get(state=ProjectState.ACTIVE, node__code="FL-R01").pledge.signatures
    assert signed.filter(signer=partner).exists() and signed.filter(signer=login("secretary")).exists()


def test_contact_pairs_have_their_visits() -> None:
    pairs = ContactPair.objects.all()
    assert pairs.filter(until__isnull=True).count() >= 20 and pairs.filter(until__isnull=False).exists()
    for pair in pairs:
        for visit in pair.visits.all():
            assert pair.since <= visit.on <= (pair.until or TODAY)


def test_reset_leaves_no_community_row_nor_evidence_file() -> None:
    files = set(PointClaim.objects.exclude(evidence="").values_list("evidence", flat=True))
    assert files and all(default_storage.exists(f) for f in files)
    with rolled_back():
        reset_demo()
        for model in (PointEntry, PointClaim, PointRule, Appeal, Need, Resource, Project, ContactPair, Commitment,
                      ServiceRecord, RegistrationEvent, DualRegistration, Match):  # fmt: skip
            assert not model.objects.exists(), model.__name__
        assert not any(default_storage.exists(f) for f in files)
