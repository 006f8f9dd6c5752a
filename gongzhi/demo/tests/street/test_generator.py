"""The demo street at a small scale: structure, calibration, personal data, determinism, logins."""

import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings

from gongzhi.cases import classify, contact, coverage, routing, sla
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.states import Rung, State
from gongzhi.cases.workflow import NOTES, TRANSITIONS, replay
from gongzhi.community.member_types import treatment
from gongzhi.core import pii
from gongzhi.core.models import PiiAccessLog
from gongzhi.demo import sealing
from gongzhi.demo.calibration import AS_OF, plan_totals
from gongzhi.demo.generator import DemoExistsError, generate
from gongzhi.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from gongzhi.demo.numbers import id_check_digit
from gongzhi.demo.people import age_on
from gongzhi.demo.reset import reset_demo
from gongzhi.demo.roster import DEPARTMENT_CATEGORIES
from gongzhi.demo.tests.street.shared import NOW, SCALE, SEED, rolled_back
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.kinds import FIXED_SEATS
from gongzhi.meetings.models import Evaluation, Meeting, Participant, Signature, Slip, SlipParty, Topic
from gongzhi.meetings.services import quorum
from gongzhi.meetings.slips import content_hash
from gongzhi.mobilisation.models import DirectReport
from gongzhi.orders.models import Order
from gongzhi.orgs.models import Category, DualRegistration, PartyMember, PartyOrg, Person, Post, Unit
from gongzhi.orgs.roles import THE_EIGHT, THE_ONE, MeetingRole, MemberType, PartyOrgKind, PostRole, UnitKind
from gongzhi.orgs.services import person_reveal
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):  # type: ignore[no-untyped-def]
    """The generator runs only with DEBUG on (pytest-django turns it off for tests)."""
    settings.DEBUG = True


def residents():  # type: ignore[no-untyped-def]
    return Person.objects.filter(code__startswith="FL-P")


def test_calibration_adds_up_to_fenglin() -> None:
    totals = plan_totals(1.0)
    assert totals["residents"] == pytest.approx(105_000, rel=0.01)
    assert totals["aged_60_plus"] == pytest.approx(39_700, rel=0.01)
    assert totals["aged_80_plus"] == pytest.approx(8_400, rel=0.01)
    assert totals["aged_80_alone"] > 800


def test_tree_has_fenglins_shape() -> None:
    by_level = Counter(Node.objects.filter(path__startswith="/SFQ/FL/").values_list("level", flat=True))
    assert by_level[Level.STREET] == 1
    assert by_level[Level.BLOCK] == 5
    assert by_level[Level.AREA] == 31
    assert by_level[Level.ESTATE] == 94
    assert by_level[Level.GRID] >= 94 * 2
    assert by_level[Level.HOUSEHOLD] == residents().values("home").distinct().count()
    for node in Node.objects.filter(path__startswith="/SFQ/FL/", level__lte=Level.BUILDING):
        assert node.path == (node.parent.path if node.parent else "/") + node.code + "/"
    kinds = dict(
        Node.objects.filter(level__in=[Level.AREA, Level.ESTATE, Level.BUILDING])
        .values_list("level")
        .annotate(n=Count("id"))
    )
    assert kinds[Level.AREA] == 31
    shapes = {
        (n.level, (n.geometry or {}).get("type")) for n in Node.objects.filter(level__lte=Level.BUILDING)
    }
    assert (Level.AREA, "Polygon") in shapes and (Level.ESTATE, "Polygon") in shapes
    assert (Level.BUILDING, "Point") in shapes
    lon, lat = Node.objects.filter(level=Level.BUILDING).first().geometry["coordinates"]  # type: ignore[union-attr]
    assert 121.43 < lon < 121.47 and 31.18 < lat < 31.20


def test_addresses_look_like_shanghai_lanes() -> None:
    home = Node.objects.filter(level=Level.HOUSEHOLD).first()
    assert home is not None
    road, lane, number, room = home.address.split(" ")
    assert road.endswith("路") and lane.endswith("弄") and number.endswith("号") and room.endswith("室")


def test_age_structure_matches_the_field_figures() -> None:
    people = list(residents().values_list("birth_date", "lives_alone", "home_id"))
    ages = [age_on(born, AS_OF) for born, _alone, _home in people]
    n = len(ages)
    assert n == pytest.approx(105_000 * SCALE, rel=0.05)
    assert sum(a >= 60 for a in ages) / n == pytest.approx(39_700 / 105_000, abs=0.03)
    assert sum(a >= 80 for a in ages) / n == pytest.approx(8_400 / 105_000, abs=0.015)
    household_size = Counter(home for _born, _alone, home in people)
    alone_80 = [home for (born, alone, home), age in zip(people, ages, strict=True) if alone and age >= 80]
    assert alone_80, "80+ living alone must exist (the care alerts watch them)"
    assert all(household_size[home] == 1 for home in alone_80)
    # lives_alone means exactly: the only person of the household.
    assert all(alone == (household_size[home] == 1) for _born, alone, home in people)


def test_every_area_has_the_full_one_plus_eight_plus_x() -> None:
    for area in Node.objects.filter(level=Level.AREA, path__startswith="/SFQ/FL/"):
        seats = set(
            Post.objects.filter(node=area).exclude(meeting_role="").values_list("meeting_role", flat=True)
        )
        assert THE_ONE in seats, area.name
        assert set(THE_EIGHT) <= seats, (area.name, set(THE_EIGHT) - seats)
        assert len(seats - {THE_ONE, *THE_EIGHT}) >= 3  # a few X seats
    units = {
        role: set(Post.objects.filter(meeting_role=role).values_list("unit__kind", flat=True))
        for role in (MeetingRole.POLICE, MeetingRole.URBAN_MANAGEMENT, MeetingRole.HOUSING)
    }
    assert units[MeetingRole.POLICE] == {UnitKind.POLICE}
    assert units[MeetingRole.URBAN_MANAGEMENT] == {UnitKind.URBAN_MANAGEMENT}
    assert units[MeetingRole.HOUSING] == {UnitKind.HOUSING}


def test_roster_covers_every_grid_and_level() -> None:
    grids = Node.objects.filter(level=Level.GRID, path__startswith="/SFQ/FL/")
    staffed = set(Post.objects.filter(role=PostRole.GRID_WORKER).values_list("node_id", flat=True))
    assert set(grids.values_list("pk", flat=True)) <= staffed
    roles = Counter(Post.objects.values_list("role", flat=True))
    assert roles[PostRole.STREET_ADMIN] == 1 and roles[PostRole.AUDITOR] == 1
    assert roles[PostRole.BLOCK_CADRE] >= 5 and roles[PostRole.PARTY_SECRETARY] == 31
    chengguan = Post.objects.get(code="FL-POST-CG")
    assert (
        set(chengguan.categories.values_list("code", flat=True))
        == set(DEPARTMENT_CATEGORIES[UnitKind.URBAN_MANAGEMENT])
        >= {"JY01", "JY02", "JY03", "WJ01", "SG01"}
    )
    assert chengguan.deputy is not None
    assert Post.objects.filter(deputy__isnull=False).count() > 100  # AB岗
    estates_with_property = Unit.objects.filter(kind=UnitKind.PROPERTY).values("node").distinct().count()
    assert estates_with_property == 94 - 8


def test_every_category_routes_at_every_residential_area() -> None:
    """Issue 13: no gap in the demo's routing coverage (cases.coverage, the page's own read). An
    area covered is covered at every place below it (the rule reads the place's ancestry)."""
    admin = UserFactory(is_superuser=True)
    categories = coverage.categories()
    assert len(categories) >= 60
    assert all(c.policy.lead_unit_kind for c in categories)  # the fallback names a unit for each
    areas = coverage.coverage(user=admin, under=Node.objects.get(code="FL"))
    assert len(areas) == 31
    gaps = [(a.area.name, c.category.name) for a in areas for c in a.gaps]
    assert gaps == []
    rules = Counter(c.route.rule for a in areas for c in a.cells)
    assert rules[routing.LOCAL] and rules[routing.LEAD_UNIT]  # both rules at work
    # 楼道堆物 at an estate with a property company goes to that company's manager.
    estate = Unit.objects.filter(kind=UnitKind.PROPERTY).select_related("node").first().node
    lead = routing.route(category=Category.objects.get(code="LD01"), node=estate).post
    assert lead is not None and lead.node == estate and lead.unit.kind == UnitKind.PROPERTY


def test_the_roster_and_the_categories_carry_their_english() -> None:
    """English mode shows every demo post's title and duty and every category in English."""
    posts = Post.objects.filter(code__startswith="FL-")
    assert posts.count() > 300
    assert not list(posts.filter(title_en="").values_list("title", flat=True).distinct())
    assert not list(posts.exclude(duty="").filter(duty_en="").values_list("duty", flat=True).distinct())
    assert posts.exclude(duty="").count() > 100
    assert not Category.objects.filter(name_en="").exists()
    secretary = posts.filter(role=PostRole.PARTY_SECRETARY).first()
    assert secretary is not None and secretary.title_en == "Party secretary of the residential area"
    lawyer = posts.filter(meeting_role=MeetingRole.LAWYER).first()
    assert lawyer is not None and lawyer.title_en == "Retained lawyer"


def test_party_side() -> None:
    kinds = set(PartyOrg.objects.values_list("kind", flat=True))
    assert {PartyOrgKind.WORKING_COMMITTEE, PartyOrgKind.BLOCK_GROUP, PartyOrgKind.BRANCH} <= kinds
    assert kinds & {PartyOrgKind.COMMITTEE, PartyOrgKind.GENERAL_BRANCH}
    for org in PartyOrg.objects.exclude(kind=PartyOrgKind.WORKING_COMMITTEE).select_related("parent", "node"):
        assert org.parent is not None and org.node.path.startswith(org.parent.node.path)
    assert set(PartyMember.objects.values_list("member_type", flat=True)) == set(MemberType.values)
    registrations = DualRegistration.objects.all()
    assert registrations.filter(unit__isnull=False).exists()
    members = registrations.filter(member__isnull=False)
    assert members.exists()
    # the roster's are in-service members; the community demo's applications add the other
    # types that register (mobile, new organisations), never the retired or those in difficulty
    types = set(members.values_list("member__member_type", flat=True))
    assert MemberType.IN_SERVICE in types
    assert types <= {t for t in MemberType.values if treatment(t).registers}
    assert set(registrations.values_list("node__level", flat=True)) == {Level.AREA}


def test_personal_data_is_fictitious_and_sealed() -> None:
    people = list(Person.objects.filter(code__startswith="FL-"))
    assert all(p.phone_masked.startswith("100") for p in people)
    for person in people[:: max(1, len(people) // 200)]:
        phone = pii.decrypt(person.phone_enc)
        number = pii.decrypt(person.id_enc)
        assert phone.startswith("100") and len(phone) == 11 and pii.PHONE_RE.match(phone)
        assert person.phone_hash == pii.lookup_hash(phone) and person.phone_masked == pii.mask_phone(phone)
        assert number.startswith("990000") and number[-1] == id_check_digit(number[:17])
        assert number[6:14] == person.birth_date.strftime("%Y%m%d")  # type: ignore[union-attr]
        assert int(number[16]) % 2 == (1 if person.gender == "M" else 0)
    assert len({p.phone_hash for p in people}) == len(people)


def test_id_check_digit_follows_gb_11643() -> None:
    assert id_check_digit("11010519491231002") == "X"  # the standard's own example


# --- the year of history: cases ---------------------------------------------------------------


def _sample(qs, n: int = 150):  # type: ignore[no-untyped-def]
    ids = list(qs.values_list("pk", flat=True))
    return list(qs.filter(pk__in=ids[:: max(1, len(ids) // n)]))


def test_a_year_of_cases_scaled_over_the_street() -> None:
    # The year's intake, without the cases the demo's orders and 直报 were converted into through
    # the services (demo.orders, demo.direct: TO_CASE of the 直报 are): not part of the mix.
    converted = Order.objects.filter(case__isnull=False).values("case")
    reported = DirectReport.objects.filter(case__isnull=False).values("case")
    cases = (
        Case.objects.filter(node_path__startswith="/SFQ/FL/")
        .exclude(pk__in=converted)
        .exclude(pk__in=reported)
    )
    assert cases.count() == round(100_000 * SCALE)
    first, last = cases.order_by("created_at").first(), cases.order_by("created_at").last()
    assert first is not None and last is not None
    assert 330 <= (NOW - first.created_at).days <= 366 and last.created_at < NOW
    by_code = Counter(cases.values_list("category__code", flat=True))
    assert by_code["HJ01"] > by_code["WJ01"] > by_code["WJ03"] > 0  # rubbish over structures
    assert {"LD01", "JY05", "AQ01", "FW01", "WJ01"} <= set(by_code)
    assert set(cases.values_list("source", flat=True)) >= {"resident", "patrol", "hotline", "api"}
    assert set(cases.values_list("node__level", flat=True)) == {Level.ESTATE, Level.BUILDING}
    assert cases.values("node__path").distinct().count() > 200
    states = Counter(cases.values_list("state", flat=True))
    assert states["closed"] > 0.85 * cases.count()
    assert states["void"]
    open_ = [s for s in states if s not in ("closed", "void", "merged")]
    assert len(open_) >= 2, states  # a backlog of recent cases
    # old cases are settled; the open ones are recent or long-running (parked, escalated)
    old_open = cases.filter(created_at__lt=NOW - timedelta(days=120)).exclude(
        state__in=["closed", "void", "merged", "parked", "escalated", "in_progress", "dispatched"]
    )
    assert not old_open.exists()
    assert (
        cases.filter(reporter__isnull=False).exists()
        and cases.filter(contact_phone_masked__startswith="100").exists()
    )


def test_case_states_replay_from_their_events() -> None:
    for case in _sample(Case.objects.filter(node_path__startswith="/SFQ/FL/")):
        events = list(case.events.order_by("seq"))
        assert [e.seq for e in events] == list(range(1, case.version + 1)), case.pk
        assert replay([e.to_state for e in events]) == case.state
        assert events[0].action == "create" and events[0].at == case.created_at
        assert events[-1].at == case.updated_at
        assert all(a.at <= b.at for a, b in pairwise(events))
        for before, after in pairwise(events):
            assert after.from_state == before.to_state
            if after.action in NOTES:
                assert after.to_state == after.from_state, after.action
            else:
                assert TRANSITIONS[(State(after.from_state), after.action)].to == after.to_state
        actions = [e.action for e in events]
        assert case.rework_count == actions.count("reject") + actions.count("reopen")
        assert (case.closed_at is not None) == (case.state == "closed")
        assert bool(case.satisfaction) == ("rate" in actions)
        if case.state == "merged":
            assert case.master is not None and case.master.created_at <= case.created_at


def test_cases_are_routed_and_timed_as_the_services_would() -> None:
    checked = 0
    for case in _sample(
        Case.objects.filter(node_path__startswith="/SFQ/FL/").select_related("category", "node")
    ):
        create = case.events.get(seq=1)
        lead, assisting, _rule = routing.route(category=case.category, node=case.node)
        assert create.data["post"] == (lead.code if lead else None)
        assert sorted(case.assisting_posts.values_list("code", flat=True)) == sorted(
            p.code for p in assisting
        )
        assert case.dispatch_due == sla.dispatch_due(case.created_at)
        dispatch = case.events.filter(action="dispatch").order_by("-seq").first()
        if dispatch is not None:
            assert case.post is not None and case.post.code == dispatch.data["post"]
            extended = case.events.filter(action="decide_extension", data__approved=True).exists()
            if not extended:
                assert case.handle_due == sla.handle_due(dispatch.at, case.category)
                checked += 1
    assert checked > 50


def test_escalations_come_after_an_attempt_at_the_rung_below() -> None:
    escalations = CaseEvent.objects.filter(action="escalate", case__node_path__startswith="/SFQ/FL/")
    assert escalations.exists()
    for event in escalations.select_related("case"):
        below = Rung.AREA if event.data["rung"] == Rung.BLOCK else Rung.BLOCK
        tried = event.case.events.filter(action="record_attempt", seq__lt=event.seq, data__rung=below)
        assert tried.exists(), event.case_id
        assert event.case.category.policy.local_only is False
    escalated = Case.objects.filter(events__action__in=["escalate", "pull"]).distinct()
    assert all(c.rung < Rung.AREA for c in escalated)


def test_the_sweep_reminders_are_there_where_deadlines_ran_out() -> None:
    reminders = CaseEvent.objects.filter(action="remind", data__deadline="handle", data__expired=True)
    assert reminders.exists()
    for event in reminders.select_related("case")[:50]:
        assert event.at >= datetime.fromisoformat(event.data["due"])
        assert event.actor_id is None


# --- the year of history: meetings -----------------------------------------------------------


def test_meetings_follow_fenglins_figures() -> None:
    meetings = Meeting.objects.filter(node_path__startswith="/SFQ/FL/")
    held = meetings.exclude(state="planned")
    area_kinds = ["juwuhui", "joint", "evaluation"]
    assert held.filter(kind__in=area_kinds).count() == 176
    per_area = Counter(held.filter(kind__in=area_kinds).values_list("node__code", flat=True))
    assert len(per_area) == 31 and min(per_area.values()) >= 3 and max(per_area.values()) <= 10
    kinds = Counter(held.values_list("kind", flat=True))
    assert kinds["juwuhui"] > 140 and kinds["joint"] and kinds["evaluation"]
    assert kinds["block"] and kinds["thematic"] and kinds["case_talk"] == 5
    assert meetings.filter(state="planned", starts_at__gt=NOW).exists()  # the coming ones
    for meeting in held.filter(kind="juwuhui")[:40]:
        seats = set(meeting.participants.filter(standing=True).values_list("seat", flat=True))
        assert seats == {"party_org", *FIXED_SEATS}
        assert meeting.minutes.filter(final=True).exists() == (meeting.state == "final")
    # a joint meeting invites each person once; the block's officers represent every joined area
    joint = meetings.filter(kind="joint")
    for meeting in joint:
        persons = list(meeting.participants.exclude(person=None).values_list("person_id", flat=True))
        assert len(persons) == len(set(persons)), meeting.pk
    assert Participant.also_posts.through.objects.filter(participant__meeting__in=joint).exists()


def test_quorate_meetings_decide_by_slips() -> None:
    held = Meeting.objects.filter(kind__in=["juwuhui", "joint"]).exclude(state="planned")
    assert held.filter(quorum_met=False).exists()
    for meeting in held:
        assert meeting.quorum_met == quorum(meeting), meeting.pk
        if meeting.quorum_met:
            assert meeting.slips.exists(), meeting.pk
        else:
            assert not meeting.slips.exists()


def test_signatures_vouch_for_the_slips_content() -> None:
    signatures = Signature.objects.select_related("slip__node", "signer_post__person", "signer__person")
    assert signatures.count() > 100
    # a slip has several signatures: its content hash and its parties are read once
    hashes: dict[int, str] = {}
    parties: dict[int, set[int]] = defaultdict(set)
    for slip_id, unit_id in SlipParty.objects.values_list("slip_id", "unit_id"):
        parties[slip_id].add(unit_id)
    for signature in signatures:
        if signature.slip_id not in hashes:
            hashes[signature.slip_id] = content_hash(signature.slip)
        assert signature.content_hash == hashes[signature.slip_id]
        assert signature.signer.person == signature.signer_post.person  # type: ignore[attr-defined]
        assert signature.unit_id in parties[signature.slip_id]


def test_slips_replay_and_done_ones_have_their_cases_finished() -> None:
    states = Counter(Slip.objects.values_list("state", flat=True))
    assert states["done"] > states["binding"] > 0
    for slip in Slip.objects.all():
        events = list(slip.events.order_by("at", "id"))
        assert len(events) == slip.seq and events[0].action == "create"
        assert events[-1].to_state == slip.state
        leads = slip.parties.filter(role="lead").count()
        assert leads == 1
        if slip.state == "done":
            cases = list(slip.cases.values_list("state", flat=True))
            assert cases and set(cases) <= {"closed", "merged", "void"} and "closed" in cases
            assert slip.done_at is not None and slip.bound_at is not None
        if slip.state in ("binding", "done"):
            signed = set(slip.signatures.values_list("unit_id", flat=True))
            assert signed == set(slip.parties.values_list("unit_id", flat=True))
    assert Evaluation.objects.filter(source="party", slip__state="done").exists()


def test_meetings_and_topics_replay_from_their_events() -> None:
    for meeting in Meeting.objects.all():
        events = meeting.events.filter(topic__isnull=True, slip__isnull=True).order_by("at", "id")
        assert events.last().to_state == meeting.state  # type: ignore[union-attr]
    for topic in Topic.objects.all():
        events = topic.events.filter(slip__isnull=True).order_by("at", "id")
        assert events.last().to_state == topic.state, topic.pk  # type: ignore[union-attr]
    attempts = CaseEvent.objects.filter(action="record_attempt", data__has_key="meeting")
    for event in attempts[:30]:
        topic = Topic.objects.get(pk=event.data["topic"])
        assert topic.cases.filter(pk=event.case_id).exists()
        assert topic.meeting_id == event.data["meeting"]


def test_demo_users_see_cases_and_meetings() -> None:
    from django.contrib.auth import get_user_model

    from gongzhi.meetings.selectors import meeting_q
    from gongzhi.orgs.access import cases_q

    users = get_user_model().objects
    for username in ("committee", "secretary", "street_cadre", "grid", "police"):
        user = users.get(username=username)
        assert Case.objects.filter(cases_q(user)).exists(), username
    for username in ("committee", "secretary", "street_cadre", "liaison"):
        user = users.get(username=username)
        assert Meeting.objects.filter(meeting_q(user)).exists(), username


ORDER_NUMBER = re.compile(r"D\d{14,}")


def _without_order_ids(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A case converted from a demo order names the order's number, which holds its database id
    (different on PostgreSQL once the table was used before)."""
    return (*row[:2], ORDER_NUMBER.sub("D…", row[2]), *row[3:])


def _fingerprint() -> list[tuple[str, ...]]:
    people = Person.objects.filter(code__startswith="FL-").order_by("code")
    nodes = Node.objects.filter(path__startswith="/SFQ/FL/").order_by("path")
    posts = Post.objects.filter(code__startswith="FL-").order_by("code")
    return [
        *people.values_list("code", "name", "gender", "birth_date", "phone_masked", "phone_hash", "id_hash"),
        *nodes.values_list("code", "name", "path", "address", "geometry"),
        *posts.values_list("code", "title", "person__code", "meeting_role"),
        *(
            _without_order_ids(row)
            for row in Case.objects.order_by("created_at", "text").values_list(
                "node__code",
                "category__code",
                "text",
                "source",
                "state",
                "version",
                "created_at",
                "handle_due",
            )
        ),
        *Meeting.objects.order_by("starts_at", "title").values_list("kind", "title", "state", "quorum_met"),
        *Slip.objects.order_by("created_at", "action").values_list("action", "due", "state", "seq"),
    ]


def test_same_seed_same_street_other_seed_other_street() -> None:
    first = _fingerprint()
    with rolled_back():
        reset_demo()
        assert not Node.objects.filter(path__startswith="/SFQ/FL/").exists()
        assert not Case.objects.exists() and not Meeting.objects.exists()
        empty = transaction.savepoint()
        generate(seed=SEED, scale=SCALE, now=NOW)
        assert _fingerprint() == first
        # back to the empty database by rolling the second street back, not by deleting it row
        # by row (reset_demo is checked above and by the package's teardown)
        transaction.savepoint_rollback(empty)
        generate(seed=SEED + 1, scale=SCALE, now=NOW)
        assert _fingerprint() != first


def test_sealing_in_a_pool_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sealing, "PARALLEL_FROM", 1)
    monkeypatch.setattr(sealing, "CHUNK", 3)
    pairs = [(f"100{i:08d}", "99000019500101001X") for i in range(10)]
    with sealing.sealing(pairs, workers=2) as collect:
        sealed = collect(lambda n: None)
    assert [s["phone_hash"] for s in sealed] == [pii.lookup_hash(p) for p, _id in pairs]


def test_second_run_refuses_and_if_empty_skips() -> None:
    with pytest.raises(DemoExistsError):
        generate(seed=SEED, scale=SCALE)
    out = StringIO()
    call_command("demo", "--if-empty", "--classifier-texts", "0", stdout=out)
    assert "跳过" in out.getvalue()


def test_demo_command_trains_the_classifier_when_none_is_saved(settings, tmp_path) -> None:
    """`make demo` suggests categories with a trained model, not the keyword rules."""
    settings.VAR_DIR = tmp_path
    classify._cache.clear()
    out = StringIO()
    call_command("demo", "--if-empty", "--classifier-texts", "6", stdout=out)
    info = classify.model_info()
    classify._cache.clear()
    assert info is not None and info["source"] == "demo"
    assert "分类建议模型已训练" in out.getvalue()


def test_refuses_without_debug() -> None:
    with rolled_back():
        reset_demo()
        with override_settings(DEBUG=False), pytest.raises(ImproperlyConfigured):
            generate(seed=SEED, scale=SCALE)


def test_demo_logins_prints_every_role() -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for login in DEMO_LOGINS:
        assert login.username in text
    for role in PostRole:
        assert str(role.label) in text, role
    assert "超级管理员" in text


def test_demo_users_have_the_password_and_see_their_scope() -> None:
    from django.contrib.auth import get_user_model

    from gongzhi.orgs import access

    grid_user = get_user_model().objects.get(username="grid")
    assert grid_user.check_password(DEMO_PASSWORD)
    assert Person.objects.get(posts__code="FL-R01-E1-G1-WG").user == grid_user
    visible = Person.objects.filter(access.people_q(grid_user), code__startswith="FL-P")
    assert 0 < visible.count() < residents().count()
    # Their own grid, and the grid they stand in for (AB岗), both in their residential area.
    assert all(p.home.path.startswith("/SFQ/FL/FL-K1/FL-R01/") for p in visible.select_related("home"))


def test_disclosures_follow_decided_repairs_and_replay_from_their_events() -> None:
    from decimal import Decimal

    from gongzhi.meetings.models import Disclosure

    rows = list(Disclosure.objects.select_related("slip").prefetch_related("events"))
    assert 0 < len(rows) <= 12 and {d.state for d in rows} == {"planned", "done"}
    for d in rows:
        assert d.slip is not None and d.slip.state in ("binding", "done") and d.node_path == d.slip.node_path
        assert d.plan_at > d.slip.bound_at and d.plan_amount > 0 and d.plan_unit
        events = sorted(d.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].action == "publish_plan" and Decimal(events[0].data["amount"]) == d.plan_amount
        shown = {"plan": d.plan_amount, "result": d.result_amount}
        replayed: dict[str, Decimal | None] = {"plan": Decimal(events[0].data["amount"]), "result": None}
        for e in events[1:]:
            if e.action == "publish_result":
                replayed["result"] = Decimal(e.data["amount"])
            else:
                assert e.action == "amend" and e.reason
                replayed[e.data["stage"]] = Decimal(e.data["after"]["amount"])
        assert replayed == shown and d.amendments == sum(e.action == "amend" for e in events)
        if d.state == "done":
            assert d.slip.state == "done" and d.result_at > d.plan_at <= NOW
    assert sum(d.amendments for d in rows) == 1


def test_reset_removes_the_access_log_of_its_people_and_cases() -> None:
    """Reveals by someone outside the demo (a superuser) go with the demo person or case."""
    admin = UserFactory(username="outside-admin", is_superuser=True)
    case = Case.objects.exclude(contact_phone_enc="").first()
    assert case is not None
    contact.case_contact_reveal(actor=admin, case=case, purpose="电话回访")
    person_reveal(actor=admin, person=residents().first(), field="phone", purpose="上门走访")
    assert PiiAccessLog.objects.filter(actor=admin).count() == 2
    reset_demo()
    connection.check_constraints()  # what the commit checks (the other tests' resets roll back)
    assert not PiiAccessLog.objects.filter(actor=admin).exists()
