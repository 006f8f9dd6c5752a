# ruff: noqa: F811 (mworld and topic, the imported fixtures, are each test's arguments)
"""Points from recorded facts: attending a 居务会 and a slip done award automatically, once per
fact; a mark corrected to absent reverses the award; a slip reopened withdraws its points."""

from datetime import timedelta

import pytest

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.community.choices import EntryKind
from gongzhi.community.models import PointEntry, PointRule
from gongzhi.core import clock
from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE
from gongzhi.meetings import completion, services
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.meetings.tests.test_flow import meeting_held
from gongzhi.meetings.tests.test_slip_drive import bound_slip, topic  # noqa: F401 (the fixture)
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import PartyMember, Person
from gongzhi.orgs.roles import MemberType, PartyOrgKind


@pytest.fixture
def members(mworld):
    """The secretary, the committee's social worker and the property's manager are Party
    members of the area's 党总支; the street's rules award 2 points a meeting (cap 4) and 5 for
    a slip done."""
    tree = mworld.tree
    org = org_services.party_org_upsert(
        actor=None, code="S-R1-DW", name="东安居民区党总支", kind=PartyOrgKind.GENERAL_BRANCH, node=tree.r1
    )
    out = {}
    for username in ("secretary", "jwh", "wy"):
        person = Person.objects.get(user=mworld.users[username])
        out[username] = org_services.party_member_upsert(
            actor=None, person=person, org=org, member_type=MemberType.IN_SERVICE
        )
    common = {"street": tree.street, "direction": "award", "evidence_required": False, "awarders": []}
    types = list(MemberType.values)
    PointRule.objects.create(
        code="A01",
        item="参加居务会",
        points=2,
        yearly_cap=4,
        fact=ATTEND_MEETING,
        fact_details=["juwuhui", "hearing"],
        member_types=types,
        **common,
    )
    PointRule.objects.create(
        code="A02", item="完成任务流转单", points=5, fact=SLIP_DONE, member_types=types, **common
    )
    return out


def points(member: PartyMember) -> list[int]:
    return list(PointEntry.objects.filter(member=member).order_by("id").values_list("points", flat=True))


def test_attending_a_meeting_awards_once_and_a_correction_reverses(mworld, members):
    meeting = meeting_held(mworld, present=("secretary", "jwh", "wy"))
    assert points(members["secretary"]) == [2] and points(members["jwh"]) == [2]
    entry = PointEntry.objects.get(member=members["secretary"])
    assert (
        entry.kind == EntryKind.AUTO
        and entry.label == meeting.title
        and entry.source_key.startswith("meeting:")
    )
    seat = {p.person.user_id: p for p in meeting.participants.select_related("person")}
    mine = seat[mworld.users["secretary"].pk]
    with clock.freeze(NOW):
        # recorded again: no second award
        services.attendance_record(
            actor=mworld.users["jwh"], meeting=meeting, marks={mine.pk: (Attendance.PRESENT, "")}
        )
        assert points(members["secretary"]) == [2]
        # corrected to absent: the award is reversed, the entry stays
        services.attendance_record(
            actor=mworld.users["jwh"], meeting=meeting, marks={mine.pk: (Attendance.ABSENT, "")}
        )
        assert points(members["secretary"]) == [2, -2]
        # and present again: awarded again
        services.attendance_record(
            actor=mworld.users["jwh"], meeting=meeting, marks={mine.pk: (Attendance.PRESENT, "")}
        )
    assert points(members["secretary"]) == [2, -2, 2]


def test_the_yearly_cap_stops_automatic_points_without_refusing_the_attendance(mworld, members):
    for _ in range(3):
        meeting_held(mworld, present=("secretary",))
    assert points(members["secretary"]) == [2, 2]  # cap 4


def test_a_slip_done_awards_the_person_answering_for_each_unit_once(mworld, topic, members):
    slip = bound_slip(mworld, topic)
    before = set(PointEntry.objects.values_list("pk", flat=True))
    with clock.freeze(NOW + timedelta(days=3)):
        completion.slip_submit_completion(actor=mworld.users["wy"], slip=slip, note="已清理", files=[photo()])
        assert not PointEntry.objects.exclude(pk__in=before).exists()  # reported is not done
        completion.slip_confirm_completion(actor=mworld.users["secretary"], slip=slip)
    new = PointEntry.objects.exclude(pk__in=before)
    # the lead (property, a member) earns; the assisting unit's holder is no Party member
    assert list(new.values_list("member", "points")) == [(members["wy"].pk, 5)]
    assert (
        new.get().source_key
        == f"slip:{slip.pk}:party:{slip.parties.get(unit=mworld.units['wy']).pk}:r{new.get().rule_id}"
    )
