"""A 联合居务会 of two areas of one block: each person is invited once however many of the
joined areas they serve (showing what they represent), a second invitation of a seated person
changes nothing, the figures count people and add up, and the meeting's decisions show on
every joined area's lists and on the public board."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.meetings import documents, seating, selectors, services, slips
from gongzhi.meetings.kinds import Attendance, Business, MeetingKind
from gongzhi.meetings.models import Participant, PartyRole, SlipState, Verdict
from gongzhi.meetings.services import TopicDraft
from gongzhi.meetings.slips import PartySpec, SlipDraft
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.meetings.tests.test_flow import problem, topic_on_agenda
from gongzhi.orgs.models import Person, Post
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import make_staff


def second_post(mworld, username: str, seat: str) -> Post:
    """The same person (and unit) answering for area R2 as well."""
    first = Post.objects.get(code=f"POST-{username}")
    return Post.objects.create(
        code=f"POST-{username}-R2",
        unit=first.unit,
        node=mworld.tree.r2,
        title=first.title,
        person=first.person,
        role=first.role,
        meeting_role=seat,
        active_from=date(2020, 1, 1),
    )


@pytest.fixture
def jworld(mworld):
    """R1's full table (mworld) plus R2's Party secretary and committee; the police officer
    and the urban-management officer serve both areas."""
    with clock.freeze(NOW):
        mworld.users["r2sec"] = make_staff(
            "r2sec",
            PostRole.PARTY_SECRETARY,
            mworld.tree.r2,
            unit_kind=UnitKind.RESIDENTS_COMMITTEE,
            meeting_role=MeetingRole.PARTY_ORG,
        )
        mworld.users["r2jwh"] = make_staff(
            "r2jwh",
            PostRole.COMMITTEE_STAFF,
            mworld.tree.r2,
            unit_kind=UnitKind.RESIDENTS_COMMITTEE,
            meeting_role=MeetingRole.RESIDENTS_COMMITTEE,
        )
        second_post(mworld, "mj", MeetingRole.POLICE)
        second_post(mworld, "cg", MeetingRole.URBAN_MANAGEMENT)
    return mworld


def joint_meeting(mworld):
    with clock.freeze(NOW):
        return services.meeting_create(
            actor=mworld.users["jwh"],
            kind=MeetingKind.JOINT,
            node=mworld.tree.r1,
            joint_nodes=[mworld.tree.r2],
            starts_at=NOW + timedelta(days=2),
            place="东安居委会议室",
        )


def person_of(user) -> Person:
    return Person.objects.get(user=user)


def test_each_person_is_invited_once_and_shows_what_they_represent(jworld):
    meeting = joint_meeting(jworld)
    rows = list(meeting.participants.prefetch_related("also_posts"))
    persons = [p.person_id for p in rows]
    assert len(persons) == len(set(persons))  # one invitation per person
    # R1's nine seats (1+8) and R2's secretary and committee: 11 people for 13 posts
    assert len(rows) == 11
    police = next(p for p in rows if p.person_id == person_of(jworld.users["mj"]).pk)
    assert police.post.node == jworld.tree.r1  # invited for the host area
    assert [p.code for p in police.also_posts.all()] == ["POST-mj-R2"]
    assert seating.represents(police) == "东安居民区、西岸居民区"
    parties = [p for p in rows if p.seat == MeetingRole.PARTY_ORG]
    assert {p.name for p in parties} == {"secretary", "r2sec"}  # both areas' Party organisations
    # one message per person, not per post
    invited = OutboxMessage.objects.filter(kind="meeting.invited", payload__meeting_id=meeting.pk)
    assert invited.filter(recipient=jworld.users["mj"]).count() == 1
    assert invited.count() == len({m.recipient_id for m in invited})


def test_a_second_invitation_of_a_seated_person_writes_nothing(jworld):
    meeting = joint_meeting(jworld)
    before = meeting.participants.count()
    messages = OutboxMessage.objects.count()
    r2_police = Post.objects.get(code="POST-mj-R2")
    lawyer_post = Post.objects.create(
        code="POST-mj-X",
        unit=r2_police.unit,
        node=jworld.tree.r1,
        title="共建单位联络人",
        person=r2_police.person,
        role=PostRole.PARTNER,
        meeting_role=MeetingRole.CO_BUILDING,
        active_from=date(2020, 1, 1),
    )
    with clock.freeze(NOW), pytest.raises(ValidationError) as caught:
        services.meeting_invite(actor=jworld.users["jwh"], meeting=meeting, posts=[lawyer_post, r2_police])
    assert "每人只邀请一次" in str(caught.value)
    assert meeting.participants.count() == before and OutboxMessage.objects.count() == messages

    # with someone new: the newcomer is invited (and told), the seated person is not again
    with clock.freeze(NOW):
        added = services.meeting_invite(
            actor=jworld.users["jwh"], meeting=meeting, posts=[lawyer_post], guests=["律师老周", "律师老周"]
        )
    assert [p.name for p in added] == ["律师老周"]
    assert meeting.participants.count() == before + 1
    police = meeting.participants.get(person=r2_police.person)
    assert {p.code for p in police.also_posts.all()} == {"POST-mj-R2", "POST-mj-X"}
    with clock.freeze(NOW), pytest.raises(ValidationError):
        services.meeting_invite(actor=jworld.users["jwh"], meeting=meeting, guests=["律师老周"])


def test_the_figures_count_people_and_add_up(jworld):
    meeting = joint_meeting(jworld)
    rows = list(meeting.participants.order_by("pk"))
    marks = {p.pk: (Attendance.PRESENT, "") for p in rows[:5]}
    marks[rows[5].pk] = (Attendance.DELEGATE, "王副主任")
    marks[rows[6].pk] = (Attendance.ABSENT, "")
    with clock.freeze(NOW):
        services.meeting_invite(actor=jworld.users["jwh"], meeting=meeting, guests=["律师老周"])
        services.attendance_record(actor=jworld.users["jwh"], meeting=meeting, marks=marks)
    roll = seating.roll(seating.participants(meeting))
    assert [g.code for g in roll.groups] == ["party", "standing", "x"]
    assert roll.groups[0].people[0].seat == MeetingRole.PARTY_ORG  # the Party organisation first
    assert [p.name for p in roll.x_people] == ["律师老周"]
    total = roll.total
    assert (total.invited, total.present, total.delegate, total.absent, total.unmarked) == (12, 5, 1, 1, 5)
    assert total.invited == total.came + total.absent + total.unmarked
    for field in ("invited", "present", "delegate", "absent", "unmarked"):
        assert sum(getattr(g.figures, field) for g in roll.groups) == getattr(total, field)

    context = documents.meeting_context(meeting)
    assert context["participant_count"] == 12 and context["present_count"] == 6
    assert context["groups"][0]["label"] == "党组织" and context["participants"][0]["seat"] == "居民区党组织"
    assert context["x_names"] == "律师老周"
    police = next(p for p in context["participants"] if p["name"] == "mj")
    assert police["represents"] == "东安居民区、西岸居民区"


def test_a_person_seated_for_both_areas_counts_for_both_seats_in_the_quorum(jworld):
    meeting = joint_meeting(jworld)
    police = meeting.participants.get(person=person_of(jworld.users["mj"]))
    assert seating.seats_of(police) == {MeetingRole.POLICE}
    lawyer = Post.objects.get(code="POST-mj-R2")
    Post.objects.filter(pk=lawyer.pk).update(meeting_role=MeetingRole.HOUSING)
    police = Participant.objects.prefetch_related("also_posts").get(pk=police.pk)
    assert seating.seats_of(police) == {MeetingRole.POLICE, MeetingRole.HOUSING}


def bound_joint_slip(jworld):
    users, units = jworld.users, jworld.units
    topic = topic_on_agenda(jworld, problem(jworld))
    services.topic_vet(actor=users["secretary"], topic=topic, approve=True)
    meeting = joint_meeting(jworld)
    with clock.freeze(NOW):
        services.topic_schedule(actor=users["jwh"], topic=topic, meeting=meeting)
        marks = {p.pk: (Attendance.PRESENT, "") for p in meeting.participants.all()}
        services.attendance_record(actor=users["jwh"], meeting=meeting, marks=marks)
    with clock.freeze(NOW + timedelta(days=2)):
        meeting = services.meeting_hold(actor=users["jwh"], meeting=meeting)
        topic = services.topic_discuss(actor=users["jwh"], topic=topic, text="两个居民区共同整治")
        slip = slips.slip_create(
            actor=users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="联合整治两个居民区交界处的楼道堆物",
                due=date(2026, 12, 15),
                parties=[PartySpec(units["wy"], PartyRole.LEAD), PartySpec(units["cg"], PartyRole.ASSIST)],
            ),
        )
        slip = slips.slip_issue(actor=users["jwh"], slip=slip)
        for name in ("wy", "cg"):
            slips.slip_sign(actor=users[name], slip=slip, verdict=Verdict.AGREE, version=1)
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    return meeting, topic, slip


def test_the_decisions_show_on_every_joined_area(jworld):
    meeting, topic, slip = bound_joint_slip(jworld)
    r2, r3 = jworld.tree.r2.path, jworld.tree.r3.path
    neighbour, outsider = jworld.users["r2sec"], jworld.cases.outsider
    # the joined area's secretary: its calendar, its decisions, the topic, the documents' reads
    assert meeting in selectors.meeting_list(user=neighbour, node_path=r2)
    assert selectors.meeting_get(user=neighbour, pk=meeting.pk) == meeting
    assert slip in selectors.slip_list(user=neighbour, node_path=r2)
    assert selectors.slip_get(user=neighbour, pk=slip.pk) == slip
    assert topic in selectors.topic_list(user=neighbour, node_path=r2)
    assert selectors.topic_get(user=neighbour, pk=topic.pk) == topic
    assert slip in selectors.public_decisions(node_path=r2)
    # each listed once, not once per joined area
    assert list(selectors.meeting_list(user=jworld.users["jwh"])).count(meeting) == 1
    # an area that did not join sees none of it
    assert selectors.meeting_get(user=outsider, pk=meeting.pk) is None
    assert selectors.slip_get(user=outsider, pk=slip.pk) is None
    assert selectors.topic_get(user=outsider, pk=topic.pk) is None
    assert slip not in selectors.public_decisions(node_path=r3)
    assert meeting not in selectors.meeting_list(user=jworld.users["jwh"], node_path=r3)


def test_a_topic_of_the_joined_area_is_on_the_agenda_and_seen_by_the_host(jworld):
    users = jworld.users
    meeting = joint_meeting(jworld)
    with clock.freeze(NOW):
        topic = services.topic_propose(
            actor=users["r2jwh"],
            node=jworld.tree.r2,
            draft=TopicDraft(title="西岸居民区停车难", business=Business.KEY_MATTER),
            meeting=meeting,
        )
    assert topic.meeting == meeting
    assert selectors.topic_get(user=users["secretary"], pk=topic.pk) == topic  # the host's secretary
    assert topic in selectors.topic_list(user=users["secretary"], node_path=jworld.tree.r1.path)
