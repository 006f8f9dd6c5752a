"""The meeting pages' rules, asked of the API over real HTTP (issue 12, item 4): whom a meeting
may invite, which cases a task slip may carry or link, where the cases it creates may lie.
Each refusal is a 422 on its field and writes nothing."""

from datetime import date
from typing import Any

import pytest

from gongzhi.api.tests import test_meetings as flow
from gongzhi.api.tests.test_meetings import create_meeting, ok, problem, slip_body
from gongzhi.geo.levels import Level
from gongzhi.meetings.models import Meeting, MeetingEvent, Participant, Slip, Topic
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, UnitFactory, node

pytestmark = pytest.mark.usefixtures("_frozen")

# The meeting flow's world and its discussed topic (fixtures of test_meetings), used by name.
mw = flow.mw
discussed = flow.discussed


@pytest.fixture
def _frozen():
    from gongzhi.core import clock

    with clock.freeze(NOW):
        yield


def _fields(response: Any) -> list[str]:
    return [d["loc"][-1] for d in response.json()["detail"]]


def _meeting(api: Any) -> int:
    return int(create_meeting(api)["id"])


def _post(code: str, at: Any, **extra: Any) -> Post:
    return Post.objects.create(
        code=code,
        unit=UnitFactory(node=at),
        node=at,
        title="人大代表",
        person=PersonFactory(),
        role=PostRole.PARTNER,
        active_from=date(2020, 1, 1),
        **extra,
    )


@pytest.mark.parametrize("which", ["ended", "other_street"])
def test_inviting_an_ended_post_or_another_streets_is_422(api, mw, world, which):
    if which == "ended":
        _post("X-ENDED", world.tree.r1, active_until=date(2021, 1, 1))
        code = "X-ENDED"
    else:
        other = node("T", "另一街道", Level.STREET, None)
        _post("X-OTHER", other)
        code = "X-OTHER"
    mid = _meeting(api)
    seats, events = Participant.objects.filter(meeting_id=mid).count(), MeetingEvent.objects.count()
    response = api("POST", f"/meetings/{mid}/invite", as_="jwh", json={"posts": [code]})
    assert response.status_code == 422 and _fields(response) == ["posts"], response.text
    assert code in response.json()["detail"][0]["msg"]
    assert (
        Participant.objects.filter(meeting_id=mid).count() == seats and MeetingEvent.objects.count() == events
    )
    # a post in office elsewhere in the street is invitable (a department of the other block)
    assert api("POST", f"/meetings/{mid}/invite", as_="jwh", json={"posts": ["POST-ws"]}).status_code == 200


def test_a_slip_carries_only_its_topics_cases(api, mw, discussed):
    other_case = problem(api)  # visible to the convener, but not on the topic
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"], cases=[discussed["case"], other_case])
    events = MeetingEvent.objects.count()
    response = api("POST", "/meetings/slips", as_="jwh", json=body)
    assert response.status_code == 422 and "cases" in _fields(response), response.text
    assert not Slip.objects.exists() and MeetingEvent.objects.count() == events


@pytest.mark.parametrize(("place", "why"), [("S-R1-H101", "a household"), ("S-R3", "another area")])
def test_a_slips_new_case_lies_at_a_building_or_above_in_the_meetings_area(api, mw, discussed, place, why):
    new = [{"category": "LD01", "node": place, "text": "楼道私拉电线"}]
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"], new_cases=new)
    events = MeetingEvent.objects.count()
    response = api("POST", "/meetings/slips", as_="jwh", json=body)
    assert response.status_code == 422 and "new_cases" in _fields(response), why
    assert not Slip.objects.exists() and MeetingEvent.objects.count() == events


def test_linking_a_case_not_on_the_topic_is_422(api, mw, discussed):
    slip = ok(
        api(
            "POST",
            "/meetings/slips",
            as_="jwh",
            json=slip_body(mw, discussed["topic"]["id"], discussed["case"]),
        ),
        201,
    )
    sid = slip["id"]
    slip = ok(api("POST", f"/meetings/slips/{sid}/issue", as_="jwh", json={"seq": slip["seq"]}))
    for username in ("wy", "cg", "ws"):
        slip = ok(
            api(
                "POST",
                f"/meetings/slips/{sid}/sign",
                as_=username,
                json={"verdict": "agree", "version": slip["version"]},
            )
        )
    assert slip["state"] == "binding"
    other_case = problem(api)
    events = MeetingEvent.objects.filter(slip_id=sid).count()
    response = api("POST", f"/meetings/slips/{sid}/cases", as_="jwh", json={"case": other_case})
    assert response.status_code == 422 and _fields(response) == ["case"], response.text
    assert MeetingEvent.objects.filter(slip_id=sid).count() == events
    assert other_case not in set(Slip.objects.get(pk=sid).cases.values_list("pk", flat=True))
    assert Meeting.objects.exists()


def test_a_topic_below_the_residential_area_is_422(api, mw, world):
    case_id = problem(api)
    body = {
        "node": "S-R1-E1",
        "title": "楼道堆物",
        "business": "bottleneck",
        "source": "cases",
        "cases": [case_id],
    }
    events = MeetingEvent.objects.count()
    response = api("POST", "/meetings/topics", as_="jwh", json=body)
    assert response.status_code == 422 and "node" in _fields(response), response.text
    assert not Topic.objects.exists() and MeetingEvent.objects.count() == events
