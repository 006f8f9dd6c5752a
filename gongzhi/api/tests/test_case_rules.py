"""Every rule the case page enforces, asked of the API over real HTTP (issue 12, item 4).

The page builds its lists from `cases.choices` and the service refuses anything outside them,
so the API must refuse the same input: a 4xx with the field named, and nothing written."""

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from gongzhi.cases import choices
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory

LD01 = "LD01"


def _post(code: str, node: Any, *, categories: list[Category] = (), **extra: Any) -> Post:
    post = Post.objects.create(
        code=code,
        unit=UnitFactory(node=node, kind=UnitKind.PROPERTY),
        node=node,
        title="物业管理员",
        person=PersonFactory(),
        role=PostRole.PROPERTY_STAFF,
        active_from=extra.pop("active_from", date(2020, 1, 1)),
        **extra,
    )
    post.categories.set(categories)
    return post


@pytest.fixture
def posts(world):
    """R1's routed post (held by the committee member, so they dispatch and handle), a second
    property post in R1, one in R3 (another area) and one in R1 whose term has ended."""
    ld01 = Category.objects.get(code=LD01)
    routed = _post("R1-LD", world.tree.r1, categories=[ld01])
    Post.objects.filter(pk=routed.pk).update(person=world.users["committee"].person)
    return {
        "routed": routed,
        "r1": _post("R1-WY", world.tree.e1),
        "r3": _post("R3-WY", world.tree.r3, categories=[ld01]),
        "ended": _post("R1-OLD", world.tree.e1, active_until=date(2021, 1, 1)),
    }


def _report(api) -> dict[str, Any]:
    body = {"node": "S-R1-B1", "text": "1号楼3楼楼道堆放大量纸箱", "category": LD01}
    created = api("POST", "/cases", as_="grid", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def _act(api, case_id: int, as_: str = "committee", **body: Any):
    version = Case.objects.get(pk=case_id).version
    return api("POST", f"/cases/{case_id}/actions", as_=as_, json={"version": version, **body})


def _refused(response, status: int, field: str | None, case_id: int, events_before: int) -> None:
    assert response.status_code == status, response.text
    if field is not None:
        assert field in [d["loc"][-1] for d in response.json()["detail"]], response.text
    assert CaseEvent.objects.filter(case_id=case_id).count() == events_before  # nothing written


def _registered(api) -> int:
    case_id = _report(api)["id"]
    assert _act(api, case_id, action="register").status_code == 200
    return case_id


def _in_progress(api) -> int:
    case_id = _registered(api)
    assert _act(api, case_id, action="dispatch").status_code == 200
    assert _act(api, case_id, action="accept").status_code == 200
    return case_id


# --- dispatch and reassign: only the page's candidates -------------------------------------------


@pytest.mark.parametrize("target", ["r3", "ended"])
def test_dispatch_to_another_areas_or_an_ended_post_is_422(api, posts, target):
    case_id = _registered(api)
    before = CaseEvent.objects.filter(case_id=case_id).count()
    response = _act(api, case_id, action="dispatch", post=posts[target].code)
    _refused(response, 422, "post", case_id, before)
    assert "岗位" in response.json()["detail"][0]["msg"]
    case = Case.objects.get(pk=case_id)
    assert case.state == State.REGISTERED and case.post_id == posts["routed"].pk


@pytest.mark.parametrize("target", ["r3", "ended"])
def test_reassign_to_another_areas_or_an_ended_post_is_422(api, posts, target):
    case_id = _in_progress(api)
    before = CaseEvent.objects.filter(case_id=case_id).count()
    response = _act(api, case_id, action="reassign", post=posts[target].code, note="改派")
    _refused(response, 422, "post", case_id, before)
    assert Case.objects.get(pk=case_id).post_id == posts["routed"].pk


def test_the_candidates_the_page_lists_are_what_the_api_accepts(api, posts, world):
    case_id = _registered(api)
    case = Case.objects.select_related("node", "category").get(pk=case_id)
    listed = {
        p.code: recommended for p, recommended in choices.dispatch_candidates(world.users["committee"], case)
    }
    assert listed["R1-LD"] is True and listed["R1-WY"] is False
    assert "R3-WY" not in listed and "R1-OLD" not in listed
    response = _act(api, case_id, action="dispatch", post="R1-WY")
    assert response.status_code == 200 and response.json()["post"]["code"] == "R1-WY"


def test_the_api_language_header_gives_the_english_message(api, posts):
    case_id = _registered(api)
    version = Case.objects.get(pk=case_id).version
    response = api(
        "POST",
        f"/cases/{case_id}/actions",
        as_="committee",
        json={"version": version, "action": "dispatch", "post": "R3-WY"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert (
        "R3-WY" in response.json()["detail"][0]["msg"] and "岗位" not in response.json()["detail"][0]["msg"]
    )


# --- register: an enabled 小类 ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["parent", "disabled"])
def test_register_with_a_top_level_or_disabled_category_is_422(api, posts, which):
    case_id = _report(api)["id"]
    ld01 = Category.objects.get(code=LD01)
    if which == "disabled":
        other = Category.objects.filter(parent__isnull=False).exclude(pk=ld01.pk).first()
        Category.objects.filter(pk=other.pk).update(active=False)
        code = other.code
    else:
        code = ld01.parent.code
    before = CaseEvent.objects.filter(case_id=case_id).count()
    _refused(_act(api, case_id, action="register", category=code), 422, "category", case_id, before)
    assert Case.objects.get(pk=case_id).state == State.RECEIVED


# --- extensions (延期) -----------------------------------------------------------------------------


def test_an_extension_before_dispatch_is_409(api, posts):
    case_id = _registered(api)
    until = (clock.now() + timedelta(days=30)).isoformat()
    before = CaseEvent.objects.filter(case_id=case_id).count()
    _refused(
        _act(api, case_id, action="request_extension", note="材料未到", until=until),
        409,
        None,
        case_id,
        before,
    )


def test_an_extension_after_the_limit_passed_is_422(api, posts):
    case_id = _in_progress(api)
    Case.objects.filter(pk=case_id).update(handle_due=clock.now() - timedelta(hours=1))
    until = (clock.now() + timedelta(days=30)).isoformat()
    before = CaseEvent.objects.filter(case_id=case_id).count()
    response = _act(api, case_id, action="request_extension", note="材料未到", until=until)
    _refused(response, 422, "until", case_id, before)


def test_an_extension_to_an_earlier_time_is_422_and_a_local_time_is_understood(api, posts):
    case_id = _in_progress(api)
    due = Case.objects.get(pk=case_id).handle_due
    before = CaseEvent.objects.filter(case_id=case_id).count()
    earlier = _act(api, case_id, action="request_extension", note="材料未到", until=due.isoformat())
    _refused(earlier, 422, "until", case_id, before)
    naive = (due + timedelta(days=3)).replace(tzinfo=None).isoformat()  # no offset: local time
    asked = _act(api, case_id, action="request_extension", note="材料未到", until=naive)
    assert asked.status_code == 200, asked.text


def test_a_decision_needs_a_pending_request(api, posts):
    case_id = _in_progress(api)
    before = CaseEvent.objects.filter(case_id=case_id).count()
    _refused(_act(api, case_id, action="decide_extension", approved=True), 422, "approved", case_id, before)
    due = Case.objects.get(pk=case_id).handle_due
    until = (due + timedelta(days=5)).isoformat()
    assert _act(api, case_id, action="request_extension", note="材料未到", until=until).status_code == 200
    assert _act(api, case_id, action="decide_extension", approved=False).status_code == 200
    before = CaseEvent.objects.filter(case_id=case_id).count()
    again = _act(api, case_id, action="decide_extension", approved=True)  # already decided
    _refused(again, 422, "approved", case_id, before)
    assert Case.objects.get(pk=case_id).handle_due == due


def test_one_extension_request_at_a_time(api, posts):
    case_id = _in_progress(api)
    due = Case.objects.get(pk=case_id).handle_due
    first = _act(
        api, case_id, action="request_extension", note="材料未到", until=(due + timedelta(days=3)).isoformat()
    )
    assert first.status_code == 200
    before = CaseEvent.objects.filter(case_id=case_id).count()
    second = _act(
        api, case_id, action="request_extension", note="再延", until=(due + timedelta(days=9)).isoformat()
    )
    _refused(second, 422, "until", case_id, before)
    assert CaseEvent.objects.filter(case_id=case_id, action="request_extension").count() == 1


def test_only_the_handler_asks_for_an_extension(api, posts):
    case_id = _in_progress(api)
    until = (Case.objects.get(pk=case_id).handle_due + timedelta(days=5)).isoformat()
    before = CaseEvent.objects.filter(case_id=case_id).count()
    response = _act(api, case_id, as_="street", action="request_extension", note="x", until=until)
    _refused(response, 403, None, case_id, before)


# --- notes on an ended case, merge, photos ---------------------------------------------------------


@pytest.mark.parametrize("action", ["comment", "record_attempt", "remind"])
def test_notes_on_a_void_case_are_409(api, posts, action):
    case_id = _report(api)["id"]
    assert _act(api, case_id, action="void", note="重复上报").status_code == 200
    before = CaseEvent.objects.filter(case_id=case_id).count()
    _refused(_act(api, case_id, action=action, note="补充"), 409, None, case_id, before)


def test_merge_into_a_case_outside_the_callers_scope_is_422(api, posts, world):
    from gongzhi.cases.services import Intake, case_create
    from gongzhi.cases.states import Source

    outside = case_create(actor=None, intake=Intake(node=world.h3, text="南丹楼道堆物", source=Source.API))
    case_id = _report(api)["id"]
    before = CaseEvent.objects.filter(case_id=case_id).count()
    _refused(_act(api, case_id, action="merge", master=outside.pk), 422, "master", case_id, before)


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def test_more_photos_than_the_page_takes_is_422(api, posts):
    case_id = _in_progress(api)
    before = CaseEvent.objects.filter(case_id=case_id).count()
    photos = [("files", (f"p{i}.jpg", _jpeg(), "image/jpeg")) for i in range(choices.MAX_PHOTOS + 1)]
    response = api(
        "POST",
        f"/cases/{case_id}/actions/upload",
        as_="committee",
        data={"action": "submit", "version": str(Case.objects.get(pk=case_id).version), "note": "已清理"},
        files=photos,
    )
    _refused(response, 422, "files", case_id, before)
    assert Case.objects.get(pk=case_id).state == State.IN_PROGRESS
