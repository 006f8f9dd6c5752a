"""Projects, claims and pledges: claiming twice refused, a superseded pledge refusing
signatures, immutable signatures, a late milestone reminding its unit through the outbox and
showing on the committee's board, residents evaluating once; needs from a case and a topic."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.community import evaluations, needs, pledges, projects, selectors
from gongzhi.community.models import (
    NeedSource,
    Pledge,
    PledgeSide,
    PledgeSignature,
    PledgeState,
    Project,
    ProjectState,
    Rating,
    ServiceField,
)
from gongzhi.community.tests.lists.conftest import SH, CommunityWorld, claimed_and_signed, open_project
from gongzhi.core import clock, signing
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.core.signing import ImmutableError

pytestmark = pytest.mark.django_db


def test_a_project_is_claimed_once(world: CommunityWorld) -> None:
    w = world
    project = open_project(w)
    pledge = pledges.project_claim(
        actor=w.users["logistics"], project=project, unit=w.unit("logistics"), commitments="提供车辆"
    )
    assert Project.objects.get(pk=project.pk).state == ProjectState.CLAIMED
    assert OutboxMessage.objects.filter(kind="community.claimed", recipient=w.users["committee"]).exists()

    with pytest.raises(ConflictError):
        pledges.project_claim(
            actor=w.users["hospital"], project=project, unit=w.unit("hospital"), commitments="派医生"
        )
    assert Pledge.objects.count() == 1 and Project.objects.get(pk=project.pk).claimed_by == pledge.unit


def test_a_unit_claims_only_for_itself(world: CommunityWorld) -> None:
    w = world
    project = open_project(w)
    with pytest.raises(PermissionDeniedError):
        pledges.project_claim(
            actor=w.users["logistics"], project=project, unit=w.unit("hospital"), commitments="代人认领"
        )
    with pytest.raises(ValidationError) as refused:
        pledges.project_claim(
            actor=w.users["logistics"], project=project, unit=w.unit("logistics"), commitments=""
        )
    assert "commitments" in refused.value.message_dict
    assert Project.objects.get(pk=project.pk).state == ProjectState.OPEN and not Pledge.objects.exists()


def test_both_sides_sign_and_a_superseded_version_is_refused(world: CommunityWorld) -> None:
    w = world
    project = open_project(w)
    pledge = pledges.project_claim(
        actor=w.users["logistics"], project=project, unit=w.unit("logistics"), commitments="提供车辆"
    )
    first = pledges.pledge_sign(actor=w.users["logistics"], pledge=pledge, version=1)
    assert first.side == PledgeSide.UNIT
    assert first.content_hash == signing.content_hash(pledges.current_version(pledge).content)

    pledges.pledge_revise(
        actor=w.users["committee"], pledge=pledge, commitments="提供车辆和6名志愿者", note="补充志愿者人数"
    )
    pledge.refresh_from_db()
    assert pledge.version == 2
    # the committee read version 1: refused, nothing written
    with pytest.raises(ConflictError) as superseded:
        pledges.pledge_sign(actor=w.users["secretary"], pledge=pledge, version=1)
    assert "第2版" in str(superseded.value)
    assert PledgeSignature.objects.count() == 1  # the unit's v1 signature stays, superseded
    assert pledges.signable_sides(w.users["logistics"], pledge) == [PledgeSide.UNIT]

    pledges.pledge_sign(actor=w.users["secretary"], pledge=pledge, version=2)
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.SIGNING  # the unit has not re-signed
    with pytest.raises(ConflictError):  # the community side twice
        pledges.pledge_sign(actor=w.users["committee"], pledge=pledge, version=2)
    pledges.pledge_sign(actor=w.users["logistics"], pledge=pledge, version=2)

    pledge.refresh_from_db()
    assert pledge.state == PledgeState.IN_FORCE
    assert Project.objects.get(pk=project.pk).state == ProjectState.ACTIVE
    current = PledgeSignature.objects.filter(version=2)
    assert {s.side for s in current} == {PledgeSide.UNIT, PledgeSide.COMMUNITY}
    assert {s.content_hash for s in current} == {pledges.current_version(pledge).content_hash}
    with pytest.raises(ConflictError):  # in force: no more revisions
        pledges.pledge_revise(actor=w.users["committee"], pledge=pledge, commitments="改", note="改")


def test_signatures_and_versions_are_immutable(world: CommunityWorld) -> None:
    w = world
    project = claimed_and_signed(w, open_project(w))
    signature = PledgeSignature.objects.filter(pledge__project=project).first()
    assert signature is not None
    signature.content_hash = "0" * 64
    with pytest.raises(ImmutableError):
        signature.save()
    with pytest.raises(ImmutableError):
        signature.delete()
    with pytest.raises(ImmutableError):
        pledges.current_version(project.pledge).delete()


def test_only_the_sides_sign(world: CommunityWorld) -> None:
    w = world
    project = open_project(w)
    pledge = pledges.project_claim(
        actor=w.users["logistics"], project=project, unit=w.unit("logistics"), commitments="提供车辆"
    )
    for outsider in ("hospital", "committee_r3", "grid"):
        with pytest.raises(PermissionDeniedError):
            pledges.pledge_sign(actor=w.users[outsider], pledge=pledge, version=1)
    assert not PledgeSignature.objects.exists()


def test_a_late_milestone_reminds_the_unit_once_a_day_and_shows_on_the_board(world: CommunityWorld) -> None:
    w = world
    project = claimed_and_signed(w, open_project(w))
    first, second = project.milestones.order_by("seq")
    projects.milestone_done(actor=w.users["logistics"], milestone=second, evidence="4月已安装12处扶手")

    on_time = datetime(2026, 3, 20, 18, 0, tzinfo=SH)
    assert projects.follow_up(on_time) == 0
    late = datetime(2026, 3, 21, 9, 0, tzinfo=SH)
    with clock.freeze(late):
        assert [m.pk for m in selectors.late(w.users["committee"])] == [first.pk]
        assert list(selectors.late(w.users["committee_r3"])) == []  # another area's board
        assert projects.follow_up() == 1
        assert projects.follow_up() == 0  # once a day
    to_unit = OutboxMessage.objects.filter(kind="community.milestone_late", recipient=w.users["logistics"])
    assert to_unit.count() == 1 and first.title in to_unit.get().body
    assert OutboxMessage.objects.filter(kind="community.milestone_late", node_path=w.tree.r1.path).exists()
    with clock.freeze(late + timedelta(days=1)):
        assert projects.follow_up() == 1
        projects.milestone_done(actor=w.users["committee"], milestone=first, evidence="3月底补装完成")
    with clock.freeze(late + timedelta(days=2)):
        assert projects.follow_up() == 0 and list(selectors.late(w.users["committee"])) == []


def test_finishing_needs_every_milestone_and_residents_evaluate_once(world: CommunityWorld) -> None:
    w = world
    project = claimed_and_signed(w, open_project(w, steps=1))
    with pytest.raises(ConflictError):  # not finished yet
        evaluations.evaluate(project=project, rating=Rating.GOOD, voter=evaluations.voter_key(device="d1"))
    with pytest.raises(ValidationError):
        projects.project_finish(actor=w.users["committee"], project=project)
    with pytest.raises(ValidationError):
        projects.milestone_done(actor=w.users["logistics"], milestone=project.milestones.get(), evidence=" ")
    projects.milestone_done(actor=w.users["logistics"], milestone=project.milestones.get(), evidence="已完成")
    with pytest.raises(PermissionDeniedError):  # the unit does not finish its own project
        projects.project_finish(actor=w.users["logistics"], project=project)
    projects.project_finish(actor=w.users["committee"], project=project)

    device = evaluations.voter_key(device="device-1")
    resident = evaluations.voter_key(user_id=w.users["grid"].pk)
    evaluations.evaluate(project=project, rating=Rating.GOOD, voter=device, comment="扶手很结实")
    evaluations.evaluate(project=project, rating=Rating.POOR, voter=resident)
    with pytest.raises(ConflictError):
        evaluations.evaluate(project=project, rating=Rating.GOOD, voter=device)
    with pytest.raises(ValidationError):
        evaluations.evaluate(project=project, rating="great", voter=evaluations.voter_key(device="device-2"))
    summary = evaluations.summary([project.pk])[project.pk]
    assert summary == {"good": 1, "fair": 0, "poor": 1, "total": 2, "satisfied": 50}


def test_a_case_listed_as_a_need_gets_an_event_once(world: CommunityWorld) -> None:
    w = world
    case = case_create(
        actor=w.users["committee"],
        intake=Intake(
            node=w.tree.b1,
            text="楼里老人多，希望有助餐点",
            source=Source.RESIDENT,
            data={"channel": "suggestion"},
        ),
    )
    draft = needs.NeedDraft(
        title="老人助餐点",
        field=ServiceField.ELDERLY,
        node=None,
        beneficiaries="楼内老人",
        beneficiary_count=8,
    )
    need = needs.need_from_case(actor=w.users["committee"], case=case, draft=draft)
    assert need.source == NeedSource.SUGGESTION and need.node == w.tree.b1 and need.case == case
    event = CaseEvent.objects.filter(case=case, action="list_need").get()
    assert event.data == {"need": need.pk} and event.actor == w.users["committee"]
    assert Case.objects.get(pk=case.pk).state == case.state  # a note: the case's state is unchanged
    with pytest.raises(ConflictError):
        needs.need_from_case(actor=w.users["committee"], case=case, draft=draft)
    with pytest.raises(ValidationError):  # a case the other area cannot see
        needs.need_from_case(actor=w.users["committee_r3"], case=case, draft=draft)


def test_a_topic_becomes_a_need_once(world: CommunityWorld) -> None:
    w = world
    topic = needs.TopicRef(pk=41, title="东安一村加装电梯意向", node=w.tree.r1)
    draft = needs.NeedDraft(
        title="加装电梯", field=ServiceField.FACILITIES, node=None, beneficiaries="高层住户"
    )
    need = needs.need_from_topic(actor=w.users["secretary"], topic=topic, draft=draft)
    assert (need.source, need.source_ref, need.source_label) == (NeedSource.TOPIC, 41, topic.title)
    with pytest.raises(ConflictError):
        needs.need_from_topic(actor=w.users["secretary"], topic=topic, draft=draft)
    elsewhere = needs.NeedDraft(
        title="加装电梯", field=ServiceField.FACILITIES, node=w.tree.r3, beneficiaries="高层住户"
    )
    with pytest.raises(ValidationError):
        needs.need_from_topic(
            actor=w.users["street_admin"], topic=needs.TopicRef(42, "x", w.tree.r1), draft=elsewhere
        )


def test_access_by_place_and_by_unit(world: CommunityWorld) -> None:
    w = world
    mine = claimed_and_signed(w, open_project(w, title="东安项目"))
    other = projects.project_create(
        actor=w.users["committee_r3"],
        draft=projects.ProjectDraft(
            title="南丹项目",
            summary="南丹",
            field=ServiceField.CULTURE,
            node=w.tree.r3,
            starts_on=date(2026, 3, 5),
            ends_on=date(2026, 4, 30),
            milestones=[projects.Step("办活动", date(2026, 4, 1))],
        ),
    )
    titles = lambda key: sorted(p.title for p in selectors.projects(w.users[key]))  # noqa: E731
    assert titles("committee") == ["东安项目"]
    assert titles("committee_r3") == ["南丹项目"]
    assert titles("street_admin") == ["东安项目", "南丹项目"]
    assert titles("logistics") == ["东安项目"]  # its own claim
    assert titles("hospital") == []  # nothing open, nothing claimed
    with pytest.raises(PermissionDeniedError):  # another area's committee
        projects.project_publish(actor=w.users["committee"], project=other)
    projects.project_publish(actor=w.users["committee_r3"], project=other)
    assert titles("hospital") == ["南丹项目"]  # open for claiming
    assert mine.state == ProjectState.ACTIVE
