"""The whole loop at the service level: problem → topic → Party approval → meeting with quorum →
decision → slip → countersign by every unit → cases handled → slip done → evaluation; and
each refusal on the way changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source, State
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.meetings import services, slips
from gongzhi.meetings.kinds import Attendance, Business, MeetingKind
from gongzhi.meetings.models import (
    EvaluationSource,
    MeetingEvent,
    MeetingState,
    PartyRole,
    Rating,
    Signature,
    Slip,
    SlipState,
    Topic,
    TopicSource,
    TopicState,
    Verdict,
)
from gongzhi.meetings.services import TopicDraft
from gongzhi.meetings.slips import NewCase, PartySpec, SlipDraft
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.orgs.models import Category


def problem(mworld, text="3号楼楼道堆满旧家具，多次清理又堆回来") -> Case:
    with clock.freeze(NOW):
        return case_create(
            actor=mworld.users["jwh"],
            intake=Intake(
                node=mworld.tree.b1, text=text, source=Source.PATROL, category=mworld.cases.category
            ),
        )


def topic_on_agenda(mworld, case: Case) -> Topic:
    with clock.freeze(NOW):
        return services.topic_propose(
            actor=mworld.users["jwh"],
            node=mworld.tree.r1,
            draft=TopicDraft(
                title="3号楼楼道堆物反复回潮",
                business=Business.BOTTLENECK,
                source=TopicSource.CASES,
                cases=[case],
            ),
        )


def meeting_held(mworld, present=("secretary", "jwh", "ywh", "wy", "mj", "cg")):
    with clock.freeze(NOW):
        meeting = services.meeting_create(
            actor=mworld.users["jwh"],
            kind=MeetingKind.JUWUHUI,
            node=mworld.tree.r1,
            starts_at=NOW + timedelta(days=2),
            place="居委会议室",
        )
        marks = {}
        for p in meeting.participants.select_related("post"):
            username = next(
                (u for u, user in mworld.users.items() if p.person and p.person.user_id == user.pk), ""
            )
            marks[p.pk] = (Attendance.PRESENT if username in present else Attendance.ABSENT, "")
        services.attendance_record(actor=mworld.users["jwh"], meeting=meeting, marks=marks)
        return meeting


def hold(mworld, meeting):
    with clock.freeze(NOW + timedelta(days=2)):
        return services.meeting_hold(actor=mworld.users["jwh"], meeting=meeting)


def close_case(mworld, case: Case) -> Case:
    world = mworld.cases
    for user, action, kw in [
        (world.dispatcher, "register", {}),
        (world.dispatcher, "dispatch", {}),
        (world.handler, "accept", {}),
        (world.handler, "submit", {"note": "已清理", "files": [photo()]}),
        (world.dispatcher, "verify", {"files": [photo()]}),
    ]:
        case.refresh_from_db()
        if case.state == State.CLOSED:
            break
        if action == "register" and case.state != State.RECEIVED:
            continue
        if action == "dispatch" and case.state != State.REGISTERED:
            continue  # a slip's own cases come dispatched
        case = case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))
    return case


def test_the_whole_loop(mworld):
    users = mworld.users
    case = problem(mworld)
    topic = topic_on_agenda(mworld, case)
    assert topic.state == TopicState.PROPOSED
    assert OutboxMessage.objects.filter(kind="topic.to_vet", recipient=users["secretary"]).exists()

    # 议题由党组织把关: only the area's Party organisation vets
    with pytest.raises(PermissionDeniedError):
        services.topic_vet(actor=users["jwh"], topic=topic, approve=True)
    with pytest.raises(PermissionDeniedError):
        services.topic_vet(actor=mworld.block_secretary, topic=topic, approve=True)  # not the block's topic
    topic = services.topic_vet(actor=users["secretary"], topic=topic, approve=True)
    assert topic.state == TopicState.APPROVED

    meeting = meeting_held(mworld)
    seats = set(meeting.participants.values_list("seat", flat=True))
    assert {"party_org", "residents_committee", "property", "police", "housing", "street_liaison"} <= seats
    assert meeting.chair is not None and meeting.chair.person.user == users["secretary"]
    services.topic_schedule(actor=users["jwh"], topic=topic, meeting=meeting)
    meeting = hold(mworld, meeting)
    assert meeting.state == MeetingState.HELD and meeting.quorum_met is True

    # the meeting counts as the recorded local attempt on its cases
    topic = services.topic_discuss(
        actor=users["jwh"], topic=topic, text="物业牵头清理，城管执法配合，居委宣传"
    )
    attempt = CaseEvent.objects.get(case=case, action="record_attempt")
    assert attempt.data["meeting"] == meeting.pk and attempt.data["rung"] == 3 and attempt.actor is None

    wj = Category.objects.get(code="WJ01")
    with clock.freeze(NOW + timedelta(days=2)):
        slip = slips.slip_create(
            actor=users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="一周内清理3号楼楼道堆物并建立巡查机制",
                due=date(2026, 12, 15),
                parties=[
                    PartySpec(mworld.units["wy"], PartyRole.LEAD, task="清理"),
                    PartySpec(mworld.units["cg"], PartyRole.ASSIST, task="执法"),
                ],
                cases=[case],
                new_cases=[NewCase(wj, mworld.tree.b1, "3号楼底层私搭棚屋一处，会议决定拆除")],
            ),
        )
        slip = slips.slip_issue(actor=users["jwh"], slip=slip)
    assert slip.state == SlipState.SIGNING
    assert OutboxMessage.objects.filter(kind="slip.to_sign", recipient=users["cg"]).exists()

    # someone not named on the slip may not sign
    with pytest.raises(PermissionDeniedError):
        slips.slip_sign(actor=users["mj"], slip=slip, verdict=Verdict.AGREE, version=1)
    # an objection sends it back to the chair
    with clock.freeze(NOW + timedelta(days=2, hours=1)):
        objection = slips.slip_sign(
            actor=users["cg"], slip=slip, verdict=Verdict.OBJECT, version=1, reason="执法需先由房管认定"
        )
    slip.refresh_from_db()
    assert slip.state == SlipState.RETURNED
    assert OutboxMessage.objects.filter(kind="slip.objected", recipient=users["secretary"]).exists()

    # the chair revises: version 2, the objection stays on record but is superseded
    with clock.freeze(NOW + timedelta(days=2, hours=2)):
        slip = slips.slip_revise(
            actor=users["secretary"],
            slip=slip,
            note="增加房管办认定",
            draft=SlipDraft(
                action="一周内清理3号楼楼道堆物；房管办先行认定违建",
                due=date(2026, 12, 15),
                parties=[
                    PartySpec(mworld.units["wy"], PartyRole.LEAD),
                    PartySpec(mworld.units["cg"], PartyRole.ASSIST),
                    PartySpec(mworld.units["fg"], PartyRole.ASSIST, task="认定"),
                ],
                cases=[case],
                new_cases=[NewCase(wj, mworld.tree.b1, "3号楼底层私搭棚屋一处，会议决定拆除")],
            ),
        )
    assert slip.version == 2 and slip.state == SlipState.SIGNING
    assert Signature.objects.get(pk=objection.pk).slip_version == 1  # kept, not valid for v2

    # a signer who read version 1 is told to read version 2
    with pytest.raises(ConflictError):
        slips.slip_sign(actor=users["wy"], slip=slip, verdict=Verdict.AGREE, version=1)
    with clock.freeze(NOW + timedelta(days=3)):
        for name in ("wy", "cg"):
            slips.slip_sign(actor=users[name], slip=slip, verdict=Verdict.AGREE, version=2)
        slip.refresh_from_db()
        assert slip.state == SlipState.SIGNING  # 房管办 has not signed
        with pytest.raises(ConflictError):  # one signature per unit and version
            slips.slip_sign(actor=users["wy"], slip=slip, verdict=Verdict.AGREE, version=2)
        slips.slip_sign(actor=users["fg"], slip=slip, verdict=Verdict.AGREE, version=2)
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING and slip.bound_at is not None
    signatures = slip.signatures.filter(slip_version=2)
    assert signatures.count() == 3 and len({s.content_hash for s in signatures}) == 1
    assert signatures.first().content_hash == slips.content_hash(slip)
    created = slip.cases.exclude(pk=case.pk).get()
    assert created.source == Source.MEETING and created.category == wj
    # the decision dispatches it: the lead unit's post for the place leads (主办), the
    # assisting units' posts assist (协办)
    assert created.state == State.DISPATCHED and created.post == mworld.cases.post
    assert {p.unit_id for p in created.assisting_posts.all()} == {
        mworld.units["cg"].pk,
        mworld.units["fg"].pk,
    }

    # the first case closing leaves the slip binding; the last one completes it at once
    assert slips.slips_follow_up(NOW + timedelta(days=3)).done == 0
    close_case(mworld, case)
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    close_case(mworld, Case.objects.get(pk=created.pk))
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE and slip.done_at is not None
    assert slips.slips_follow_up(NOW + timedelta(days=4)).done == 0  # nothing left for the sweep
    assert OutboxMessage.objects.filter(kind="slip.done", recipient=users["secretary"]).exists()

    # 结果由党组织评议
    with pytest.raises(PermissionDeniedError):
        slips.slip_evaluate(actor=users["wy"], slip=slip, rating=Rating.GOOD)
    slips.slip_evaluate(actor=users["secretary"], slip=slip, rating=Rating.GOOD, note="居民反映良好")
    assert slip.evaluations.get().source == EvaluationSource.PARTY
    with pytest.raises(ConflictError):  # the Party organisation evaluates once
        slips.slip_evaluate(actor=users["secretary"], slip=slip, rating=Rating.POOR)
    assert slip.evaluations.count() == 1

    # the record replays: every slip state change is an event
    states = list(MeetingEvent.objects.filter(slip=slip).order_by("id").values_list("to_state", flat=True))
    assert states[-1] == SlipState.DONE
    assert "binding" in states and "returned" in states


def test_a_meeting_without_quorum_decides_nothing_binding(mworld):
    case = problem(mworld)
    topic = topic_on_agenda(mworld, case)
    services.topic_vet(actor=mworld.users["secretary"], topic=topic, approve=True)
    meeting = meeting_held(mworld, present=("secretary", "jwh", "ywh"))  # Party + 2 of 8
    services.topic_schedule(actor=mworld.users["jwh"], topic=topic, meeting=meeting)
    meeting = hold(mworld, meeting)
    assert meeting.quorum_met is False and not meeting.binding
    assert "不具约束力" in meeting.events.get(action="hold").note
    topic = services.topic_discuss(actor=mworld.users["jwh"], topic=topic, text="讨论")
    with pytest.raises(ConflictError, match="法定出席"):
        slips.slip_create(
            actor=mworld.users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="清理", due=date(2026, 12, 1), parties=[PartySpec(mworld.units["wy"], PartyRole.LEAD)]
            ),
        )
    assert not Slip.objects.exists()


def test_without_the_party_organisation_there_is_no_quorum(mworld):
    meeting = meeting_held(mworld, present=("jwh", "ywh", "wy", "mj", "cg", "sc", "fg", "lly"))
    assert hold(mworld, meeting).quorum_met is False


def test_unapproved_topic_cannot_be_discussed(mworld):
    topic = topic_on_agenda(mworld, problem(mworld))
    meeting = meeting_held(mworld)
    services.topic_schedule(actor=mworld.users["jwh"], topic=topic, meeting=meeting)
    hold(mworld, meeting)
    with pytest.raises(ConflictError, match="党组织审核"):
        services.topic_discuss(actor=mworld.users["jwh"], topic=topic, text="讨论")
    topic.refresh_from_db()
    assert topic.state == TopicState.PROPOSED and topic.discussion == ""
    rejected = services.topic_vet(
        actor=mworld.users["secretary"], topic=topic, approve=False, reason="属物业日常"
    )
    assert rejected.state == TopicState.REJECTED and rejected.vet_reason == "属物业日常"


def test_rejection_needs_a_reason(mworld):
    topic = topic_on_agenda(mworld, problem(mworld))
    with pytest.raises(ValidationError):
        services.topic_vet(actor=mworld.users["secretary"], topic=topic, approve=False, reason=" ")
    topic.refresh_from_db()
    assert topic.state == TopicState.PROPOSED


@pytest.fixture
def discussed(mworld):
    case = problem(mworld)
    topic = topic_on_agenda(mworld, case)
    services.topic_vet(actor=mworld.users["secretary"], topic=topic, approve=True)
    meeting = meeting_held(mworld)
    services.topic_schedule(actor=mworld.users["jwh"], topic=topic, meeting=meeting)
    hold(mworld, meeting)
    return services.topic_discuss(actor=mworld.users["jwh"], topic=topic, text="物业牵头")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parties": []}, "parties"),
        ({"due": None}, "due"),
        ({"action": "  "}, "action"),
        ({"due": date(2020, 1, 1)}, "due"),
    ],
)
def test_a_bad_slip_is_refused_and_nothing_is_written(mworld, discussed, change, field):
    values = {
        "action": "清理",
        "due": date(2026, 12, 1),
        "parties": [PartySpec(mworld.units["wy"], PartyRole.LEAD)],
        **change,
    }
    with clock.freeze(NOW + timedelta(days=2)), pytest.raises(ValidationError) as caught:
        slips.slip_create(actor=mworld.users["jwh"], topic=discussed, draft=SlipDraft(**values))
    assert field in caught.value.message_dict
    assert not Slip.objects.exists()


def test_two_leads_or_a_post_of_another_unit_are_refused(mworld, discussed):
    wy, cg = mworld.units["wy"], mworld.units["cg"]
    for parties in (
        [PartySpec(wy, PartyRole.LEAD), PartySpec(cg, PartyRole.LEAD)],
        [
            PartySpec(wy, PartyRole.LEAD, post=mworld.cases.post),
            PartySpec(cg, PartyRole.ASSIST, post=mworld.cases.post),
        ],
    ):
        with clock.freeze(NOW + timedelta(days=2)), pytest.raises(ValidationError):
            slips.slip_create(
                actor=mworld.users["jwh"],
                topic=discussed,
                draft=SlipDraft(action="清理", due=date(2026, 12, 1), parties=parties),
            )
    assert not Slip.objects.exists()


def test_final_minutes_change_only_as_a_new_version(mworld, discussed):
    meeting = discussed.meeting
    services.minutes_write(actor=mworld.users["jwh"], meeting=meeting, text="纪要草稿")
    with pytest.raises(PermissionDeniedError):  # the chair finalises
        services.minutes_finalise(actor=mworld.users["jwh"], meeting=meeting)
    first = services.minutes_finalise(actor=mworld.users["secretary"], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.FINAL and first.final
    with pytest.raises(ConflictError):
        services.minutes_write(actor=mworld.users["jwh"], meeting=meeting, text="改一下")
    with pytest.raises(ValidationError):
        services.minutes_amend(actor=mworld.users["secretary"], meeting=meeting, text="改一下", reason="")
    second = services.minutes_amend(
        actor=mworld.users["secretary"], meeting=meeting, text="更正出席人", reason="漏记"
    )
    first.refresh_from_db()
    assert first.text == "纪要草稿" and second.number == 2 and second.final and second.reason == "漏记"


def test_referral_goes_one_rung_up_and_is_vetted_again(mworld, discussed):
    with pytest.raises(ValidationError, match="越级"):
        services.topic_refer(
            actor=mworld.users["jwh"], topic=discussed, kind=MeetingKind.THEMATIC, note="解决不了"
        )
    higher = services.topic_refer(
        actor=mworld.users["jwh"], topic=discussed, kind=MeetingKind.BLOCK, note="跨居民区"
    )
    discussed.refresh_from_db()
    assert discussed.state == TopicState.REFERRED
    assert (
        higher.node == mworld.tree.k1 and higher.state == TopicState.PROPOSED and higher.origin == discussed
    )
    assert list(higher.cases.all()) == list(discussed.cases.all())
    # the block's Party working group vets it, not the area's secretary
    with pytest.raises(PermissionDeniedError):
        services.topic_vet(actor=mworld.users["secretary"], topic=higher, approve=True)
    assert (
        services.topic_vet(actor=mworld.block_secretary, topic=higher, approve=True).state
        == TopicState.APPROVED
    )


def test_an_unfinished_item_comes_onto_the_next_agenda_by_itself(mworld, discussed):
    with clock.freeze(NOW + timedelta(days=2)):
        slip = slips.slip_create(
            actor=mworld.users["jwh"],
            topic=discussed,
            draft=SlipDraft(
                action="清理", due=date(2026, 12, 1), parties=[PartySpec(mworld.units["wy"], PartyRole.LEAD)]
            ),
        )
    with clock.freeze(NOW + timedelta(days=3)):
        later = services.meeting_create(
            actor=mworld.users["jwh"],
            kind=MeetingKind.JUWUHUI,
            node=mworld.tree.r1,
            starts_at=NOW + timedelta(days=30),
        )
    carried = later.topics.get()
    assert carried.source == TopicSource.CARRIED and carried.origin == discussed
    assert carried.state == TopicState.APPROVED  # already vetted
    discussed.refresh_from_db()
    assert discussed.state == TopicState.CARRIED
    assert slip.topic == discussed


def test_joint_meeting_needs_adjacent_areas(mworld):
    tree = mworld.tree
    with pytest.raises(ValidationError, match="同属一个块区"):
        services.meeting_create(
            actor=mworld.cases.street,
            kind=MeetingKind.JOINT,
            node=tree.r1,
            starts_at=NOW,
            joint_nodes=[tree.r3],
        )
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=mworld.users["jwh"], kind=MeetingKind.JUWUHUI, node=tree.k1, starts_at=NOW
        )
    joint = services.meeting_create(
        actor=mworld.cases.street, kind=MeetingKind.JOINT, node=tree.r1, starts_at=NOW, joint_nodes=[tree.r2]
    )
    assert list(joint.joint_nodes.all()) == [tree.r2]


def test_only_conveners_of_the_node_call_meetings(mworld):
    with pytest.raises(PermissionDeniedError):
        services.meeting_create(
            actor=mworld.cases.outsider, kind=MeetingKind.JUWUHUI, node=mworld.tree.r1, starts_at=NOW
        )
    with pytest.raises(PermissionDeniedError):
        services.meeting_create(
            actor=mworld.users["wy"], kind=MeetingKind.JUWUHUI, node=mworld.tree.r1, starts_at=NOW
        )
