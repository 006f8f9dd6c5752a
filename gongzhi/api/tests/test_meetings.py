"""/api/v1/meetings over real HTTP: problem → topic → Party vetting → meeting with quorum →
discussion → task slip → countersign by every unit → binding; and the refusals on the way
(403, 404, 409, 422), each writing nothing.

The world is the API world (conftest.py) plus a residential area's 1+8 seats, each a user in
its own unit (as in gongzhi/meetings/tests/conftest.py), the property seat, and a health
officer of the other block area who sees only the slips that name her unit."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from gongzhi.api import services as api_services
from gongzhi.core import clock
from gongzhi.meetings.models import Meeting, MeetingEvent, Signature, Slip, Topic
from gongzhi.meetings.tests.conftest import NOW, SEATS
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import make_staff

DUE = date(2026, 12, 15)
PRESENT = ("secretary", "jwh", "ywh", "wy", "mj", "cg")


@dataclass
class MeetingWorld:
    units: dict[str, str]  # username -> unit code


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    # core.clock is module-global, so the live server's thread sees the same "now"
    with clock.freeze(NOW):
        yield


@pytest.fixture
def mw(world: Any) -> MeetingWorld:
    return build_mw(world)


def build_mw(world: Any) -> MeetingWorld:
    """The residential area's 1+8 seats, the property seat and K2's health officer, with tokens."""
    tree = world.tree
    units: dict[str, str] = {}
    staff = [(u, role, tree.r1, kind, seat) for u, role, seat, kind in SEATS]
    staff += [
        ("wy", PostRole.PROPERTY_STAFF, tree.e1, UnitKind.PROPERTY, MeetingRole.PROPERTY),
        ("ws", PostRole.DEPARTMENT, tree.k2, UnitKind.HEALTH, ""),
    ]
    for username, role, at, kind, seat in staff:
        user = make_staff(username, role, at, unit_kind=kind, meeting_role=seat)
        units[username] = Post.objects.get(code=f"POST-{username}").unit.code
        world.users[username] = user
        world.keys[username] = api_services.token_create(user=user, name=f"{username}-test")[1]
    Post.objects.get(code="POST-wy").categories.set([Category.objects.get(code="LD01")])
    return MeetingWorld(units=units)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def problem(api: Any) -> int:
    body = {"node": "S-R1-B1", "text": "3号楼楼道堆满旧家具，多次清理又堆回来", "category": "LD01"}
    return int(ok(api("POST", "/cases", as_="jwh", json=body), 201)["id"])


def propose(api: Any, case_id: int) -> dict[str, Any]:
    body = {
        "node": "S-R1",
        "title": "3号楼楼道堆物反复回潮",
        "business": "bottleneck",
        "source": "cases",
        "cases": [case_id],
    }
    return ok(api("POST", "/meetings/topics", as_="jwh", json=body), 201)


def create_meeting(api: Any) -> dict[str, Any]:
    body = {
        "kind": "juwuhui",
        "node": "S-R1",
        "starts_at": (NOW + timedelta(days=2)).isoformat(),
        "place": "居委会议室",
        "guests": ["律师老周"],
    }
    return ok(api("POST", "/meetings", as_="jwh", json=body), 201)


def mark(api: Any, meeting: dict[str, Any], present: tuple[str, ...] = PRESENT) -> dict[str, Any]:
    marks = [
        {"participant": p["id"], "attendance": "present" if p["name"] in present else "absent"}
        for p in meeting["participants"]
    ]
    return ok(api("POST", f"/meetings/{meeting['id']}/attendance", as_="jwh", json={"marks": marks}))


def slip_body(mw: MeetingWorld, topic_id: int, case_id: int, **change: Any) -> dict[str, Any]:
    return {
        "topic": topic_id,
        "action": "一周内清理3号楼楼道堆物并建立巡查机制",
        "due": DUE.isoformat(),
        "parties": [
            {"unit": mw.units["wy"], "role": "lead", "post": "POST-wy", "task": "清理"},
            {"unit": mw.units["cg"], "role": "assist", "task": "执法"},
            {"unit": mw.units["ws"], "role": "assist", "task": "病媒消杀"},
        ],
        "cases": [case_id],
        "new_cases": [{"category": "LD01", "node": "S-R1-B1", "text": "3号楼底层私搭棚屋一处"}],
        **change,
    }


@pytest.fixture
def discussed(api: Any, mw: MeetingWorld) -> dict[str, Any]:
    return make_discussed(api, mw)


def make_discussed(api: Any, mw: MeetingWorld) -> dict[str, Any]:
    """A case, its approved topic, a quorate meeting held and the topic discussed there."""
    case_id = problem(api)
    topic = propose(api, case_id)
    ok(api("POST", f"/meetings/topics/{topic['id']}/vet", as_="secretary", json={"approve": True}))
    meeting = create_meeting(api)
    ok(api("POST", f"/meetings/topics/{topic['id']}/schedule", as_="jwh", json={"meeting": meeting["id"]}))
    mark(api, meeting)
    ok(api("POST", f"/meetings/{meeting['id']}/hold", as_="jwh"))
    body = {"text": "物业牵头清理，城管执法配合"}
    topic = ok(api("POST", f"/meetings/topics/{topic['id']}/discuss", as_="jwh", json=body))
    return {"case": case_id, "topic": topic, "meeting": meeting["id"]}


@pytest.fixture
def issued(api: Any, mw: MeetingWorld, discussed: dict[str, Any]) -> dict[str, Any]:
    return make_issued(api, mw, discussed)


def make_issued(api: Any, mw: MeetingWorld, discussed: dict[str, Any]) -> dict[str, Any]:
    """The discussed topic's slip, written and issued."""
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"])
    slip = ok(api("POST", "/meetings/slips", as_="jwh", json=body), 201)
    return ok(api("POST", f"/meetings/slips/{slip['id']}/issue", as_="jwh", json={"seq": slip["seq"]}))


def test_the_whole_flow_over_http(api, mw):
    case_id = problem(api)
    topic = propose(api, case_id)
    assert topic["state"] == "proposed" and topic["cases"] == [case_id]
    assert "approve" not in topic["allowed_actions"]  # the committee proposes, the Party vets
    tid = topic["id"]

    # 议题由党组织把关
    assert ok(api("GET", "/meetings/topics/to-vet", as_="secretary"))["count"] == 1
    assert ok(api("GET", "/meetings/topics/to-vet", as_="jwh"))["count"] == 0
    assert ok(api("GET", f"/meetings/topics/{tid}", as_="secretary"))["allowed_actions"][:2] == [
        "approve",
        "reject",
    ]
    assert api("POST", f"/meetings/topics/{tid}/vet", as_="jwh", json={"approve": True}).status_code == 403
    topic = ok(api("POST", f"/meetings/topics/{tid}/vet", as_="secretary", json={"approve": True}))
    assert topic["state"] == "approved"

    # the meeting invites its standing seats by itself; the Party secretary chairs
    meeting = create_meeting(api)
    mid = meeting["id"]
    seats = {p["seat"] for p in meeting["participants"]}
    assert {"party_org", "residents_committee", "property", "police", "housing", "street_liaison"} <= seats
    assert meeting["chair"]["name"] == "secretary" and meeting["state"] == "planned"
    assert "律师老周" in [p["name"] for p in meeting["participants"]]
    assert not any(k in p for p in meeting["participants"] for k in ("phone", "mobile"))
    assert {"invite", "attend", "hold", "cancel"} <= set(meeting["allowed_actions"])
    invited = ok(
        api(
            "POST",
            f"/meetings/{mid}/invite",
            as_="jwh",
            json={"posts": ["POST-ws"], "guests": ["人大代表老陈"]},
        )
    )
    assert len(invited["participants"]) == len(meeting["participants"]) + 2
    meeting = invited

    ok(api("POST", f"/meetings/topics/{tid}/schedule", as_="jwh", json={"meeting": mid}))
    meeting = mark(api, meeting)
    assert meeting["quorum"]["now"] is True and meeting["quorum"]["fixed_seats_present"] >= 5
    meeting = ok(api("POST", f"/meetings/{mid}/hold", as_="jwh"))
    assert meeting["state"] == "held" and meeting["quorum_met"] is True and meeting["binding"] is True
    assert [t["id"] for t in meeting["topics"]] == [tid]

    topic = ok(api("POST", f"/meetings/topics/{tid}/discuss", as_="jwh", json={"text": "物业牵头清理"}))
    assert topic["state"] == "discussed" and "refer" in topic["allowed_actions"]

    # the decision becomes a slip, sent to every named unit
    slip = ok(api("POST", "/meetings/slips", as_="jwh", json=slip_body(mw, tid, case_id)), 201)
    sid = slip["id"]
    assert slip["state"] == "draft" and (slip["seq"], slip["version"]) == (1, 1)
    assert [p["role"] for p in slip["parties"]] == ["lead", "assist", "assist"]
    assert {"edit", "issue", "void"} <= set(slip["allowed_actions"])
    slip = ok(api("POST", f"/meetings/slips/{sid}/issue", as_="jwh", json={"seq": 1}))
    assert slip["state"] == "signing" and slip["unsigned_units"] == [p["unit"] for p in slip["parties"]]
    assert "sign" in ok(api("GET", f"/meetings/slips/{sid}", as_="cg"))["allowed_actions"]

    for username in ("wy", "cg", "ws"):
        body = {"verdict": "agree", "version": slip["version"]}
        slip = ok(api("POST", f"/meetings/slips/{sid}/sign", as_=username, json=body))
    assert slip["state"] == "binding" and slip["bound_at"] is not None and slip["unsigned_units"] == []
    table = slip["signatures"]
    assert len(table) == 3 and all(s["current"] for s in table)
    assert {s["content_hash"] for s in table} == {slip["content_hash"]}
    assert {p["verdict"] for p in slip["parties"]} == {"agree"}
    assert slip["progress"]["total"] == 2  # the problem and the case the slip created on binding
    assert slip["new_cases"][0]["category"] == "LD01"

    # minutes: draft, the chair finalises, a change is a new version with its reason
    ok(api("POST", f"/meetings/{mid}/minutes", as_="jwh", json={"text": "纪要草稿"}))
    assert api("POST", f"/meetings/{mid}/minutes/finalise", as_="jwh").status_code == 403
    meeting = ok(api("POST", f"/meetings/{mid}/minutes/finalise", as_="secretary"))
    assert meeting["state"] == "final" and meeting["minutes"]["final"] is True
    no_reason = api("POST", f"/meetings/{mid}/minutes/amend", as_="secretary", json={"text": "更正"})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"][-1] == "reason"
    body = {"text": "更正出席人", "reason": "漏记"}
    meeting = ok(api("POST", f"/meetings/{mid}/minutes/amend", as_="secretary", json=body))
    assert meeting["minutes"]["number"] == 2 and meeting["minutes"]["reason"] == "漏记"

    # the record, the calendar and the lists
    actions = [e["action"] for e in ok(api("GET", f"/meetings/slips/{sid}/events", as_="jwh"))]
    assert actions == ["create", "issue", "sign", "sign", "sign", "bind"]
    events = ok(api("GET", f"/meetings/{mid}/events", as_="jwh"))
    assert {"create", "attend", "hold", "finalise", "amend_minutes"} <= {e["action"] for e in events}
    week = {"from": NOW.date().isoformat(), "to": (NOW + timedelta(days=7)).date().isoformat()}
    assert ok(api("GET", "/meetings", as_="jwh", params={**week, "kind": "juwuhui"}))["count"] == 1
    assert ok(api("GET", "/meetings", as_="jwh", params={**week, "kind": "block"}))["count"] == 0
    assert ok(api("GET", "/meetings", as_="jwh", params={"from": "2027-01-01"}))["count"] == 0
    assert ok(api("GET", "/meetings", as_="street", params={"node": "S-K2"}))["count"] == 0
    listed = ok(api("GET", "/meetings/slips", as_="secretary", params={"state": ["binding", "done"]}))
    assert listed["count"] == 1 and listed["items"][0]["cases_total"] == 2
    assert ok(api("GET", "/meetings/slips", as_="secretary", params={"overdue": True}))["count"] == 0
    assert ok(api("GET", "/meetings/topics", as_="jwh", params={"state": "discussed"}))["count"] == 1


def test_a_unit_not_on_the_slip_may_not_sign(api, mw, issued):
    sid = issued["id"]
    denied = api("POST", f"/meetings/slips/{sid}/sign", as_="mj", json={"verdict": "agree", "version": 1})
    assert denied.status_code == 403 and denied.json()["detail"]
    assert not Signature.objects.exists()
    assert "sign" not in ok(api("GET", f"/meetings/slips/{sid}", as_="mj"))["allowed_actions"]


def test_stale_version_and_seq_are_409(api, mw, discussed, issued):
    sid = issued["id"]
    objection = {"verdict": "object", "version": 1, "reason": "执法需先由房管认定"}
    slip = ok(api("POST", f"/meetings/slips/{sid}/sign", as_="cg", json=objection))
    assert slip["state"] == "returned"
    revise = {
        **slip_body(mw, discussed["topic"]["id"], discussed["case"]),
        "note": "增加房管办认定",
        "seq": slip["seq"],
    }
    revise["parties"].append({"unit": mw.units["fg"], "role": "assist", "task": "认定"})
    slip = ok(api("POST", f"/meetings/slips/{sid}/revise", as_="secretary", json=revise))
    assert (slip["version"], slip["state"]) == (2, "signing")
    assert [s["current"] for s in slip["signatures"]] == [False]  # the objection, superseded

    before = MeetingEvent.objects.filter(slip_id=sid).count()
    stale = api("POST", f"/meetings/slips/{sid}/sign", as_="wy", json={"verdict": "agree", "version": 1})
    assert stale.status_code == 409 and "第2版" in stale.json()["detail"]
    again = api("POST", f"/meetings/slips/{sid}/revise", as_="secretary", json={**revise, "seq": 1})
    assert again.status_code == 409
    wrong_state = api("POST", f"/meetings/slips/{sid}/issue", as_="jwh", json={})
    assert wrong_state.status_code == 409 and "sign" in wrong_state.json()["allowed_actions"]
    assert MeetingEvent.objects.filter(slip_id=sid).count() == before
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parties": []}, "parties"),
        ({"due": None}, "due"),
        ({"parties": [{"unit": "NOPE", "role": "lead"}]}, "parties"),
        ({"new_cases": [{"category": "ZZ99", "node": "S-R1-B1", "text": "x"}]}, "new_cases"),
        ({"topic": 10**9}, "topic"),
    ],
)
def test_a_bad_slip_is_422_and_writes_nothing(api, mw, discussed, change, field):
    events = MeetingEvent.objects.count()
    body = {**slip_body(mw, discussed["topic"]["id"], discussed["case"]), **change}
    if body["due"] is None:
        del body["due"]
    response = api("POST", "/meetings/slips", as_="jwh", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert field in [d["loc"][-1] for d in detail] and all(d["msg"] for d in detail)
    assert not Slip.objects.exists() and MeetingEvent.objects.count() == events


def test_field_messages_follow_the_callers_language(api, mw, discussed):
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"], new_cases=[])
    body["parties"][0]["post"] = "NOPE"
    zh = api("POST", "/meetings/slips", as_="jwh", json=body).json()["detail"]
    en = api("POST", "/meetings/slips", as_="jwh", json=body, headers={"Accept-Language": "en"})
    assert zh[0]["msg"] == "岗位 NOPE 不存在"
    assert en.status_code == 422 and en.json()["detail"][0]["msg"] == "Post NOPE does not exist"
    missing = api(
        "POST", "/meetings/topics", as_="jwh", json={"node": "S-R1"}, headers={"Accept-Language": "en"}
    )
    assert missing.status_code == 422 and "This field is required" in {
        d["msg"] for d in missing.json()["detail"]
    }


def test_out_of_scope_and_unknown_ids_are_404(api, mw, issued):
    sid, mid, tid = issued["id"], issued["meeting"], issued["topic"]
    for who in ("resident", "grid", "nobody"):
        for path in (f"/meetings/{mid}", f"/meetings/topics/{tid}", f"/meetings/slips/{sid}"):
            assert api("GET", path, as_=who).status_code == 404, (who, path)
        assert api("POST", f"/meetings/{mid}/hold", as_=who).status_code == 404
        body = {"verdict": "agree", "version": 1}
        assert api("POST", f"/meetings/slips/{sid}/sign", as_=who, json=body).status_code == 404
        assert ok(api("GET", "/meetings/slips", as_=who))["count"] == 0
    for path in ("/meetings/999999", "/meetings/topics/999999", "/meetings/slips/999999/events"):
        assert api("GET", path, as_="street").status_code == 404
    assert api("GET", "/meetings", as_="street", params={"node": "NOPE"}).status_code == 404
    assert api("GET", "/meetings/abc", as_="street").status_code == 422
    assert api("GET", f"/meetings/{10**30}", as_="street").status_code == 422
    assert api("GET", f"/meetings/{mid}").status_code == 401


def test_a_department_sees_the_slips_naming_its_unit(api, mw, discussed):
    # the health officer of block K2 sees nothing of area R1 ...
    assert ok(api("GET", "/meetings/slips", as_="ws"))["count"] == 0
    assert api("GET", f"/meetings/{discussed['meeting']}", as_="ws").status_code == 404
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"])
    slip = ok(api("POST", "/meetings/slips", as_="jwh", json=body), 201)
    # ... except the slips that bind her unit, which she follows and signs
    listed = ok(api("GET", "/meetings/slips", as_="ws"))
    assert [s["id"] for s in listed["items"]] == [slip["id"]]
    assert mw.units["ws"] in [p["unit"] for p in listed["items"][0]["parties"]]
    assert ok(api("GET", f"/meetings/slips/{slip['id']}", as_="ws"))["action"] == body["action"]
    assert api("GET", f"/meetings/topics/{discussed['topic']['id']}", as_="ws").status_code == 404
    # a slip that does not name her unit stays out of sight
    body["parties"] = [p for p in body["parties"] if p["unit"] != mw.units["ws"]]
    ok(api("PUT", f"/meetings/slips/{slip['id']}", as_="jwh", json={**body, "seq": slip["seq"]}))
    assert ok(api("GET", "/meetings/slips", as_="ws"))["count"] == 0
    assert api("GET", f"/meetings/slips/{slip['id']}", as_="ws").status_code == 404


def test_meeting_refusals(api, mw):
    meeting = create_meeting(api)
    mid = meeting["id"]
    # hold before attendance: 422; a non-convener: 403; cancel needs a reason
    assert api("POST", f"/meetings/{mid}/hold", as_="jwh").status_code == 422
    assert api("POST", f"/meetings/{mid}/hold", as_="mj").status_code == 403
    assert api("POST", f"/meetings/{mid}/cancel", as_="jwh", json={}).status_code == 422
    bad_mark = {"marks": [{"participant": meeting["participants"][0]["id"], "attendance": "delegate"}]}
    response = api("POST", f"/meetings/{mid}/attendance", as_="jwh", json=bad_mark)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "marks"
    assert api("POST", f"/meetings/{mid}/invite", as_="jwh", json={"posts": ["NOPE"]}).status_code == 422
    wrong_level = {"kind": "block", "node": "S-R1", "starts_at": NOW.isoformat()}
    assert api("POST", "/meetings", as_="jwh", json=wrong_level).status_code == 422
    assert api("POST", "/meetings", as_="jwh", json={"kind": "juwuhui", "node": "S-R1"}).status_code == 422
    assert Meeting.objects.count() == 1
    huge = {"guests": ["x" * 51], "posts": ["y" * 41]}
    assert api("POST", f"/meetings/{mid}/invite", as_="jwh", json=huge).status_code == 422
    naive = {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-11-25T19:00:00"}
    local = ok(api("POST", "/meetings", as_="jwh", json=naive), 201)
    assert local["starts_at"].startswith("2026-11-25T11:00:00") and "2026-11-25" in local["title"]
    cancelled = ok(api("POST", f"/meetings/{mid}/cancel", as_="jwh", json={"note": "台风"}))
    assert cancelled["state"] == "cancelled" and cancelled["allowed_actions"] == []
    again = api("POST", f"/meetings/{mid}/hold", as_="jwh")
    assert again.status_code == 409 and again.json().get("allowed_actions", []) == []


def test_refer_and_evaluate(api, mw, discussed):
    tid = discussed["topic"]["id"]
    skip = api("POST", f"/meetings/topics/{tid}/refer", as_="jwh", json={"kind": "thematic", "note": "x"})
    assert skip.status_code == 422 and skip.json()["detail"][0]["loc"][-1] == "kind"
    referred = ok(
        api("POST", f"/meetings/topics/{tid}/refer", as_="jwh", json={"kind": "block", "note": "跨居民区"})
    )
    assert referred["topic"]["state"] == "referred" and referred["referred_node"] == "S-K1"
    higher = Topic.objects.get(pk=referred["referred_to"])
    assert higher.state == "proposed"
    assert ok(api("GET", "/meetings/topics/to-vet", as_="block"))["count"] == 1
    reject = api("POST", f"/meetings/topics/{higher.pk}/vet", as_="block", json={"approve": False})
    assert reject.status_code == 422 and reject.json()["detail"][0]["loc"][-1] == "reason"
    body = {"approve": False, "reason": "属物业日常"}
    rejected = ok(api("POST", f"/meetings/topics/{higher.pk}/vet", as_="block", json=body))
    assert rejected["state"] == "rejected" and rejected["vet_reason"] == "属物业日常"


def test_every_list_pages_filters_and_answers_like_its_detail(api, mw, issued):
    """The four lists share their scaffolding: limit/offset over a scoped count, the subtree
    filter (404 for an unknown node), bad values 422, and each row the detail's list fields."""
    sid, mid, tid = issued["id"], issued["meeting"], issued["topic"]
    other = create_meeting(api)
    waiting = propose(api, problem(api))  # a second topic, waiting for the Party's vetting

    def rows(path: str, who: str = "jwh", **params: Any) -> dict[str, Any]:
        return ok(api("GET", path, as_=who, params=params))

    def listed(detail: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
        assert set(row) <= set(detail)
        return {k: detail[k] for k in row}

    meetings = rows("/meetings")  # both at the same time: the newer first, on every database
    assert meetings["count"] == 2 and [m["id"] for m in meetings["items"]] == [other["id"], mid]
    first, second = rows("/meetings", limit=1), rows("/meetings", limit=1, offset=1)
    assert (first["count"], second["count"]) == (2, 2)
    assert [m["id"] for m in first["items"] + second["items"]] == [other["id"], mid]
    assert rows("/meetings", offset=2) == {"count": 2, "items": []}
    row = meetings["items"][1]
    assert row == listed(ok(api("GET", f"/meetings/{mid}", as_="jwh")), row)

    topics = rows("/meetings/topics")
    assert topics["count"] == 2 and [t["id"] for t in topics["items"]] == [
        waiting["id"],
        tid,
    ]  # ties: newest id first
    assert [t["id"] for t in rows("/meetings/topics", limit=1, offset=1)["items"]] == [tid]
    assert [t["id"] for t in rows("/meetings/topics", state=["discussed"])["items"]] == [tid]
    assert rows("/meetings/topics", node="S-R1", limit=1)["count"] == 2
    assert rows("/meetings/topics", who="street", node="S-K2")["count"] == 0
    row = next(t for t in topics["items"] if t["id"] == tid)
    assert row == ok(api("GET", f"/meetings/topics/{tid}", as_="jwh"))
    vet = rows("/meetings/topics/to-vet", who="secretary")
    assert vet["count"] == 1 and vet["items"] == [
        ok(api("GET", f"/meetings/topics/{waiting['id']}", as_="secretary"))
    ]
    assert rows("/meetings/topics/to-vet", who="secretary", offset=1) == {"count": 1, "items": []}

    slips = rows("/meetings/slips", state=["signing"])
    assert slips["count"] == 1
    row = slips["items"][0]
    assert row["id"] == sid and row == listed(ok(api("GET", f"/meetings/slips/{sid}", as_="jwh")), row)
    assert rows("/meetings/slips", node="S-R1", limit=1)["count"] == 1
    assert rows("/meetings/slips", who="street", node="S-K2")["count"] == 0

    for path in ("/meetings", "/meetings/topics", "/meetings/topics/to-vet", "/meetings/slips"):
        for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 10**8}):
            assert api("GET", path, as_="street", params=bad).status_code == 422, (path, bad)
    for path in ("/meetings", "/meetings/topics", "/meetings/slips"):
        assert api("GET", path, as_="street", params={"node": "NOPE"}).status_code == 404, path
    for path, bad in (
        ("/meetings", {"kind": "picnic"}),
        ("/meetings", {"from": "soon"}),
        ("/meetings", {"to": "2026-02-30"}),
        ("/meetings/topics", {"state": "lost"}),
        ("/meetings/slips", {"state": "lost"}),
        ("/meetings/slips", {"overdue": "perhaps"}),
    ):
        assert api("GET", path, as_="street", params=bad).status_code == 422, (path, bad)
