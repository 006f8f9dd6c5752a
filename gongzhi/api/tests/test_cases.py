"""/api/v1/cases over real HTTP: intake, scope, actions with optimistic concurrency, photos."""

from datetime import date
from io import BytesIO

import pytest
from PIL import Image

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import UnitFactory


@pytest.fixture
def routed(world):
    """The committee member of R1 also answers for 楼道堆物 (LD01) in R1 (one person, two hats)."""
    person = world.users["committee"].person
    post = Post.objects.create(
        code="R1-LD",
        unit=UnitFactory(node=world.tree.r1, kind=UnitKind.RESIDENTS_COMMITTEE),
        node=world.tree.r1,
        title="楼道整治专员",
        person=person,
        role=PostRole.COMMITTEE_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([Category.objects.get(code="LD01")])
    return post


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def report(api, as_="grid", **extra):
    body = {"node": "S-R1-B1", "text": "1号楼3楼楼道堆放大量纸箱", "category": "LD01", **extra}
    return api("POST", "/cases", as_=as_, json=body)


def test_create_routes_and_returns_the_case(api, routed):
    response = report(api)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "received" and body["post"]["code"] == "R1-LD"
    assert body["dispatch_due"] is not None and body["number"].endswith(f"{body['id']:08d}")


def test_replayed_external_id_is_not_duplicated(api, routed):
    first = report(api, external_id="EXT-1")
    second = report(api, external_id="EXT-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and Case.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x" * 4001}, "text"),
        ({"node": "NOPE"}, "node"),
        ({"category": "ZZ99"}, "category"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_intake_is_422_and_writes_nothing(api, routed, body, field):
    response = report(api, **body)
    assert response.status_code == 422
    assert field in [d["loc"][-1] for d in response.json()["detail"]]
    assert not Case.objects.exists()


def test_scope_list_and_detail(api, routed):
    case_id = report(api).json()["id"]
    assert api("GET", "/cases", as_="committee").json()["count"] == 1
    assert api("GET", "/cases", as_="street").json()["count"] == 1
    outside = api("GET", f"/cases/{case_id}", as_="resident")
    assert outside.status_code == 404
    assert api("GET", "/cases", as_="auditor").json()["count"] == 0


def test_actions_with_conflicts_and_photos(api, routed):
    case = report(api).json()
    cid = case["id"]
    registered = api(
        "POST", f"/cases/{cid}/actions", as_="committee", json={"action": "register", "version": 1}
    )
    assert registered.status_code == 200 and registered.json()["state"] == "registered"
    stale = api("POST", f"/cases/{cid}/actions", as_="committee", json={"action": "dispatch", "version": 1})
    assert stale.status_code == 409
    wrong = api("POST", f"/cases/{cid}/actions", as_="committee", json={"action": "verify", "version": 2})
    assert wrong.status_code == 409 and "dispatch" in wrong.json()["allowed_actions"]
    denied = api("POST", f"/cases/{cid}/actions", as_="grid", json={"action": "dispatch", "version": 2})
    assert denied.status_code == 403
    for action, version in (("dispatch", 2), ("accept", 3)):
        r = api("POST", f"/cases/{cid}/actions", as_="committee", json={"action": action, "version": version})
        assert r.status_code == 200, r.text
    no_photo = api(
        "POST",
        f"/cases/{cid}/actions",
        as_="committee",
        json={"action": "submit", "version": 4, "note": "已清理"},
    )
    assert no_photo.status_code == 422
    not_image = api(
        "POST",
        f"/cases/{cid}/actions/upload",
        as_="committee",
        data={"action": "submit", "version": "4", "note": "已清理"},
        files=[("files", ("x.jpg", b"%PDF-1.4 not an image", "image/jpeg"))],
    )
    assert not_image.status_code == 422
    done = api(
        "POST",
        f"/cases/{cid}/actions/upload",
        as_="committee",
        data={"action": "submit", "version": "4", "note": "已清理"},
        files=[("files", ("after.jpg", jpeg(), "image/jpeg"))],
    )
    assert done.status_code == 200 and done.json()["state"] == "awaiting_verification"
    events = api("GET", f"/cases/{cid}/events", as_="committee").json()
    assert [e["action"] for e in events] == ["create", "register", "dispatch", "accept", "submit"]
    attachment = events[-1]["attachments"][0]
    image = api("GET", attachment["url"].removeprefix("/api/v1"), as_="committee")
    assert image.status_code == 200 and image.content == jpeg()
    thumb = api("GET", attachment["thumbnail_url"].removeprefix("/api/v1"), as_="committee")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert api("GET", attachment["url"].removeprefix("/api/v1"), as_="resident").status_code == 404
    assert CaseEvent.objects.filter(case_id=cid).count() == 5
