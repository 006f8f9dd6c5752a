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


# --- suggestions: it suggests, a person decides ---------------------------------------------------


@pytest.fixture
def rules_only(settings, tmp_path):
    """No saved model: the cold-start rules, whatever lies in the developer's var/."""
    from gongzhi.cases import classify

    settings.VAR_DIR = tmp_path / "var"
    classify._cache.clear()
    yield
    classify._cache.clear()


def test_suggestions_and_duplicates_of_an_uncategorised_report(api, routed, rules_only):
    earlier = report(api, text="1号楼3楼楼道堆满纸箱和旧家具").json()
    body = {"node": "S-R1-B1", "text": "1号楼楼道里堆满了纸箱，旧家具也堆着"}
    created = api("POST", "/cases", as_="grid", json=body)
    assert created.status_code == 201 and created.json()["category"] is None  # not set for them
    case_id = created.json()["id"]
    response = api("GET", f"/cases/{case_id}/suggestions", as_="committee")
    assert response.status_code == 200
    data = response.json()
    assert data["case_id"] == case_id and data["category"] is None
    assert data["stored"] is True and data["needs_triage"] is False
    assert data["suggestions"][0]["code"] == "LD01" and data["suggestions"][0]["name"] == "楼道堆物"
    assert 0.5 <= data["suggestions"][0]["confidence"] <= 1 and len(data["suggestions"]) <= 3
    stored = CaseEvent.objects.get(case_id=case_id, seq=1).data["suggested"]
    assert [s["code"] for s in data["suggestions"]] == [s["code"] for s in stored]
    [dup] = data["duplicates"]
    assert (dup["id"], dup["number"], dup["state"]) == (earlier["id"], earlier["number"], "received")
    assert dup["node"] == "S-R1-B1" and dup["same_building"] is True and dup["distance_m"] is None
    assert 0 < dup["similarity"] <= 1 and dup["text"].startswith("1号楼3楼楼道")
    # the dispatcher decides: register with the suggestion, merge into the candidate
    version = api("GET", f"/cases/{case_id}", as_="committee").json()["version"]
    merged = api(
        "POST",
        f"/cases/{case_id}/actions",
        as_="committee",
        json={"action": "merge", "version": version, "master": dup["id"]},
    )
    assert merged.status_code == 200 and merged.json()["state"] == "merged"


def test_suggestions_when_a_category_was_given_and_when_unsure(api, routed, rules_only):
    given = report(api).json()["id"]
    data = api("GET", f"/cases/{given}/suggestions", as_="committee").json()
    assert data["category"] == "LD01" and data["suggestions"] == [] and data["stored"] is False
    assert "suggested" not in CaseEvent.objects.get(case_id=given, seq=1).data
    vague = api("POST", "/cases", as_="grid", json={"node": "S-R1-B1", "text": "你们快来看看吧"}).json()
    data = api("GET", f"/cases/{vague['id']}/suggestions", as_="committee").json()
    assert data["needs_triage"] is True and data["suggestions"] == []


def test_suggestions_are_scoped(api, routed, rules_only):
    case_id = api("POST", "/cases", as_="grid", json={"node": "S-R1-B1", "text": "楼道堆满纸箱"}).json()["id"]
    for role in ("committee", "block", "street", "grid"):
        assert api("GET", f"/cases/{case_id}/suggestions", as_=role).status_code == 200, role
    for role in ("resident", "auditor", "nobody"):
        assert api("GET", f"/cases/{case_id}/suggestions", as_=role).status_code == 404, role
    assert api("GET", f"/cases/{case_id}/suggestions").status_code == 401
    assert api("GET", "/cases/99999999/suggestions", as_="street").status_code == 404
    assert api("GET", "/cases/0/suggestions", as_="street").status_code == 422


def test_duplicates_only_from_cases_the_caller_may_see(api, routed, rules_only, world):
    from gongzhi.cases.services import Intake, case_create
    from gongzhi.cases.states import Source

    # same estate, the other grid: the committee sees it, the grid worker of G1 does not
    other_grid = case_create(
        actor=None,
        intake=Intake(node=world.tree.g2, text="楼道堆满纸箱和旧家具", source=Source.RESIDENT),
    )
    body = {"node": "S-R1-B1", "text": "楼道里堆满纸箱和旧家具"}
    case_id = api("POST", "/cases", as_="grid", json=body).json()["id"]
    committee = api("GET", f"/cases/{case_id}/suggestions", as_="committee").json()
    assert [d["id"] for d in committee["duplicates"]] == [other_grid.pk]
    assert committee["duplicates"][0]["same_building"] is False
    grid = api("GET", f"/cases/{case_id}/suggestions", as_="grid").json()
    assert grid["duplicates"] == [] and grid["suggestions"] == committee["suggestions"]


def test_batch_records_all_routes_each_and_keeps_external_ids_idempotent(api, routed):
    report(api, external_id="HL-1")
    items = [
        {"node": "S-R1-B1", "text": "楼道堆放旧家具", "category": "LD01", "external_id": "HL-1"},
        {"node": "S-R1-B1", "text": "3楼楼道堆满纸箱", "category": "LD01", "external_id": "HL-2"},
        {"node": "S-R1-B1", "text": "3楼楼道堆满纸箱（重复推送）", "category": "LD01", "external_id": "HL-2"},
        {"node": "S-R1-B1", "text": "路灯不亮了"},
    ]
    response = api("POST", "/cases/batch", as_="grid", json={"cases": items})
    assert response.status_code == 201
    body = response.json()
    assert [i["created"] for i in body] == [False, True, False, True]
    assert body[1]["id"] == body[2]["id"] and body[1]["post"] == "R1-LD" and body[3]["post"] is None
    assert Case.objects.count() == 3 and CaseEvent.objects.filter(action="create").count() == 3
    unrouted = CaseEvent.objects.get(case_id=body[3]["id"], seq=1)
    assert unrouted.data["suggested"], "an uncategorised item gets its suggestion like a single report"


def test_batch_with_one_bad_item_writes_nothing_and_names_the_item(api, routed):
    items = [
        {"node": "S-R1-B1", "text": "楼道堆物", "category": "LD01"},
        {"node": "S-R1-B1", "text": "   "},
        {"node": "NOPE", "text": "井盖缺失"},
        {"node": "S-R1-B1", "text": "x", "contact_phone": "123"},
    ]
    response = api("POST", "/cases/batch", as_="grid", json={"cases": items})
    assert response.status_code == 422
    locs = {tuple(d["loc"][2:]) for d in response.json()["detail"]}
    assert locs == {("cases", 2, "node")}  # places are checked first
    del items[2]
    response = api("POST", "/cases/batch", as_="grid", json={"cases": items})
    assert response.status_code == 422
    locs = {tuple(d["loc"][2:]) for d in response.json()["detail"]}
    assert locs == {("cases", 1, "text"), ("cases", 2, "contact_phone")}
    assert Case.objects.count() == 0


def test_batch_size_is_bounded(api, routed):
    one = {"node": "S-R1-B1", "text": "楼道堆物"}
    assert api("POST", "/cases/batch", as_="grid", json={"cases": []}).status_code == 422
    too_many = api("POST", "/cases/batch", as_="grid", json={"cases": [one] * 201})
    assert too_many.status_code == 422 and Case.objects.count() == 0
    assert api("POST", "/cases/batch", json={"cases": [one]}).status_code == 401


def test_list_walks_by_cursor_through_ties_and_rejects_bad_cursors(api, routed):
    items = [{"node": "S-R1-B1", "text": f"楼道堆物第{i}处"} for i in range(7)]
    api("POST", "/cases/batch", as_="grid", json={"cases": items})  # one moment: created_at ties
    seen, cursor, pages, cursors = [], None, 0, []
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api("GET", "/cases", as_="street", params=params).json()
        assert body["count"] == 7 and body["count_more"] is False
        seen += [c["id"] for c in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        cursors.append(cursor)
        if cursor is None:
            break
    assert pages == 3 and seen == sorted(Case.objects.values_list("pk", flat=True), reverse=True)
    for bad in ("nonsense", "2026-01-01T00:00:00~x", "2026-01-01T00:00:00~5"):
        response = api("GET", "/cases", as_="street", params={"cursor": bad})
        assert response.status_code == 422, bad
    both = api("GET", "/cases", as_="street", params={"cursor": cursors[0], "offset": 3})
    assert both.status_code == 422 and both.json()["detail"][0]["loc"][-1] == "offset"


def test_dispatch_and_reassign_name_assisting_posts_checked_by_the_case_choices(api, routed, world):
    from gongzhi.testing.factories import make_staff

    make_staff("far", PostRole.COMMITTEE_STAFF, world.tree.r3)  # another area's post
    cid = report(api).json()["id"]
    url = f"/cases/{cid}/actions"
    api("POST", url, as_="committee", json={"action": "register", "version": 1})
    # a post the case may not go to, or no post at all: 422 on `assisting`, nothing written
    for codes, word in ((["POST-far"], "POST-far"), (["NOPE"], "NOPE")):
        refused = api(
            "POST", url, as_="committee", json={"action": "dispatch", "version": 2, "assisting": codes}
        )
        assert refused.status_code == 422, refused.text
        detail = refused.json()["detail"]
        assert [d["loc"][-1] for d in detail] == ["assisting"] and word in detail[0]["msg"]
    assert Case.objects.get(pk=cid).state == "registered"
    dispatched = api(
        "POST",
        url,
        as_="committee",
        json={
            "action": "dispatch",
            "version": 2,
            "post": "R1-LD",
            "assisting": ["POST-grid", "POST-committee"],
        },
    )
    assert dispatched.status_code == 200, dispatched.text
    body = dispatched.json()
    assert body["post"]["code"] == "R1-LD"
    assert [p["code"] for p in body["assisting"]] == ["POST-committee", "POST-grid"]
    assert CaseEvent.objects.get(case_id=cid, action="dispatch").data["assisting"] == [
        "POST-grid",
        "POST-committee",
    ]
    # not naming `assisting` keeps them; an empty list clears them
    kept = api(
        "POST",
        url,
        as_="committee",
        json={"action": "reassign", "version": 3, "post": "POST-committee", "note": "改由居委会办理"},
    )
    # (the lead is never its own assistant)
    assert kept.status_code == 200 and [p["code"] for p in kept.json()["assisting"]] == ["POST-grid"]
    cleared = api(
        "POST",
        url,
        as_="committee",
        json={"action": "reassign", "version": 4, "post": "R1-LD", "note": "回到专员", "assisting": []},
    )
    assert cleared.status_code == 200 and cleared.json()["assisting"] == []
    # only a dispatch or a reassignment names assisting posts
    wrong = api(
        "POST", url, as_="committee", json={"action": "accept", "version": 5, "assisting": ["POST-grid"]}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"][-1] == "assisting"
    assert api("GET", f"/cases/{cid}", as_="committee").json()["assisting"] == []
