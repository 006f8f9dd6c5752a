"""/api/v1/nodes over HTTP: reads scoped by role, writes need MANAGE_TREE, errors are 4xx."""

from datetime import date

import pytest

from gongzhi.api import services as api_services
from gongzhi.geo import services as geo_services
from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import Person, Unit
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_district, make_staff

ALL = 14  # make_tree's 11 nodes and the estate, building and household under S-R3
SQUARE = {"type": "Polygon", "coordinates": [[[121.4, 31.2], [121.5, 31.2], [121.5, 31.3], [121.4, 31.2]]]}


@pytest.mark.parametrize(
    ("who", "count", "sees", "hidden"),
    [
        ("street", ALL, "S-R3", None),
        ("admin", ALL, "S-R3", None),
        ("block", 8, "S-R1", "S-R3"),
        ("committee", 6, "S-R1-H101", "S-K1"),
        ("grid", 3, "S-R1-H101", "S-R1-G2"),
        ("dept", ALL, "S-R3", None),
        ("auditor", ALL, "S-R3", None),
        ("resident", 0, None, "S"),
        ("nobody", 0, None, "S"),
    ],
)
def test_list_and_detail_scoped_by_role(api, world, who, count, sees, hidden):
    r = api("GET", "/nodes", as_=who, params={"limit": 200})
    assert r.status_code == 200
    assert r.json()["count"] == count == len(r.json()["items"])
    if sees:
        assert api("GET", f"/nodes/{sees}", as_=who).json()["code"] == sees
    if hidden:
        out_of_scope = api("GET", f"/nodes/{hidden}", as_=who)
        unknown = api("GET", "/nodes/NO-SUCH", as_=who)
        assert out_of_scope.status_code == unknown.status_code == 404
        assert out_of_scope.json() == unknown.json()
        for sub in ("children", "geojson", "history"):
            assert api("GET", f"/nodes/{hidden}/{sub}", as_=who).status_code == 404


def test_anonymous_gets_401(api, world):
    for path in ("/nodes", "/nodes/S", "/units", "/posts", "/people", "/audit/pii-access"):
        r = api("GET", path)
        assert r.status_code == 401
        assert r.json()["detail"] == "请先登录或提供有效令牌"


def test_filters_and_pages(api, world):
    by_level = api("GET", "/nodes", as_="street", params={"level": 3}).json()
    assert [n["code"] for n in by_level["items"]] == ["S-R1", "S-R2", "S-R3"]
    by_parent = api("GET", "/nodes", as_="street", params={"parent": "S-K1"}).json()
    assert {n["code"] for n in by_parent["items"]} == {"S-R1", "S-R2"}
    by_name = api("GET", "/nodes", as_="street", params={"q": "东安"}).json()
    assert by_name["count"] == 5  # the area, the estate, two grids, the building
    page = api("GET", "/nodes", as_="street", params={"limit": 5, "offset": 10}).json()
    assert page["count"] == ALL and len(page["items"]) == 4
    # a filter never widens the scope: S-R3 is under the street, not under the block cadre
    assert api("GET", "/nodes", as_="block", params={"parent": "S-K2"}).json()["count"] == 0
    assert api("GET", "/nodes", as_="block", params={"q": "南丹"}).json()["count"] == 0


def test_detail_children_geojson_history(api, world):
    Node.objects.filter(code="S-R1").update(geometry=SQUARE, address="东安路1号")
    detail = api("GET", "/nodes/S-R1", as_="committee").json()
    assert detail["level_name"] == "居民区" and detail["parent"] == "S-K1"
    assert detail["ancestors"] == ["S", "S-K1", "S-R1"] and detail["geometry"] == SQUARE

    children = api("GET", "/nodes/S-R1-E1/children", as_="committee").json()
    assert [c["code"] for c in children] == ["S-R1-G1", "S-R1-G2"]

    geo = api("GET", "/nodes/S-R1/geojson", as_="committee").json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 6
    assert geo["features"][0]["geometry"] == SQUARE
    grids = api("GET", "/nodes/S-R1/geojson", as_="committee", params={"level": 5}).json()
    assert {f["id"] for f in grids["features"]} == {"S-R1-G1", "S-R1-G2"}

    history = api("GET", "/nodes/S-R1/history", as_="committee").json()
    assert [h["kind"] for h in history] == ["create"]


def test_admin_creates_renames_and_moves(api, world):
    created = api(
        "POST",
        "/nodes",
        as_="admin",
        json={"code": "S-R2-E1", "name": "西岸小区", "level": 4, "parent": "S-R2", "geometry": SQUARE},
    )
    assert created.status_code == 201, created.text
    assert created.json()["ancestors"] == ["S", "S-K1", "S-R2", "S-R2-E1"]

    renamed = api("PATCH", "/nodes/S-R2-E1", as_="admin", json={"name": "西岸新村", "note": "更名"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "西岸新村"

    moved = api("POST", "/nodes/S-R1/move", as_="admin", json={"parent": "S-K2", "note": "调整块区"})
    assert moved.status_code == 200, moved.text
    assert Node.objects.get(code="S-R1-H101").path.startswith("/S/S-K2/S-R1/")

    history = api("GET", "/nodes/S-R2-E1/history", as_="admin").json()
    assert [h["kind"] for h in history] == ["create", "rename"]
    assert history[1]["actor"] == "admin" and history[1]["before"]["name"] == "西岸小区"
    assert NodeChange.objects.filter(node__code="S-R1", kind="move").count() == 1


@pytest.mark.parametrize("who", ["street", "block", "committee", "grid", "dept", "auditor", "resident"])
def test_writes_without_manage_tree(api, world, who):
    visible = api("GET", "/nodes/S-R1", as_=who).status_code == 200
    expected = 403 if visible else 422  # an invisible parent is an unknown parent
    create = api("POST", "/nodes", as_=who, json={"code": "NEW", "name": "新", "level": 4, "parent": "S-R1"})
    assert create.status_code == expected
    patch = api("PATCH", "/nodes/S-R1", as_=who, json={"name": "改"})
    move = api("POST", "/nodes/S-R1/move", as_=who, json={"parent": "S-K2"})
    assert patch.status_code == move.status_code == (403 if visible else 404)
    assert not Node.objects.filter(code="NEW").exists()
    assert Node.objects.get(code="S-R1").name == "东安居民区"


def test_new_street_only_for_superuser(api, world):
    r = api("POST", "/nodes", as_="admin", json={"code": "S2", "name": "天林街道", "level": 1})
    assert r.status_code == 403


def test_scoped_admin_cannot_move_into_foreign_parent(api, world):
    """A street admin posted at K1 who also sees the street as a cadre: may see K2, not manage it."""
    user = world.users["block"]
    person = Person.objects.get(user=user)
    org_services.post_upsert(
        actor=None,
        code="POST-block-admin",
        unit=Unit.objects.filter(node=world.tree.k1).first(),
        node=world.tree.k1,
        title="块区管理员",
        person=person,
        role=PostRole.STREET_ADMIN,
        active_from=date(2020, 1, 1),
    )
    assert api("POST", "/nodes/S-R1/move", as_="block", json={"parent": "S-K2"}).status_code == 422
    org_services.post_upsert(
        actor=None,
        code="POST-block-street",
        unit=Unit.objects.filter(node=world.tree.k1).first(),
        node=world.tree.street,
        title="街道干部",
        person=person,
        role=PostRole.STREET_CADRE,
        active_from=date(2020, 1, 1),
    )
    assert api("POST", "/nodes/S-R1/move", as_="block", json={"parent": "S-K2"}).status_code == 403
    assert api("POST", "/nodes/S-R2/move", as_="block", json={"parent": "S-K1"}).status_code == 200


def test_wrong_level_is_422_on_parent_in_chinese(api, world):
    r = api("POST", "/nodes", as_="admin", json={"code": "X1", "name": "错层", "level": 6, "parent": "S-R1"})
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "payload", "parent"]
    assert error["msg"] == "楼栋不能挂在居民区下，上级应为：网格、小区"


def test_cycle_move_is_422(api, world):
    r = api("POST", "/nodes/S-K1/move", as_="admin", json={"parent": "S-R1"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "parent"
    assert "下级" in r.json()["detail"][0]["msg"]
    assert Node.objects.get(code="S-R1").path == "/S/S-K1/S-R1/"


def test_a_move_into_another_street_is_422_and_moves_nothing(api, world, client):
    """Streets S and T under district D; its admin may keep both trees, yet an estate of S
    cannot move into T (docs/tenancy.md "Moving a node"); S itself moves under D with its cases."""
    d = make_district()
    admin = make_staff("district-admin", PostRole.DISTRICT_ADMIN, d.district)
    key = api_services.token_create(user=admin, name="district-admin-test")[1]
    headers = {"Authorization": f"Bearer {key}"}
    geo_services.node_move(actor=None, node=world.tree.street, new_parent=d.district)
    r = client.post("/nodes/S-R1-E1/move", json={"parent": "T-R1"}, headers=headers)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"][-1] == "parent" and "另一个街道" in error["msg"]
    assert Node.objects.get(code="S-R1-E1").path == "/D/S/S-K1/S-R1/S-R1-E1/"
    within = client.post("/nodes/S-R1-E1/move", json={"parent": "S-R2"}, headers=headers)
    assert within.status_code == 200, within.text
    assert Node.objects.get(code="S-R1-H101").path.startswith("/D/S/S-K1/S-R2/S-R1-E1/")


def test_duplicate_and_bad_code_are_422(api, world):
    dup = api(
        "POST", "/nodes", as_="admin", json={"code": "S-R2", "name": "重复", "level": 3, "parent": "S-K1"}
    )
    assert dup.status_code == 422
    assert dup.json()["detail"] == [
        {"type": "value_error", "loc": ["body", "payload", "code"], "msg": "编码 S-R2 已存在"}
    ]
    bad = api(
        "POST", "/nodes", as_="admin", json={"code": "含 空格", "name": "x", "level": 3, "parent": "S-K1"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "code"
    unknown = api(
        "POST", "/nodes", as_="admin", json={"code": "Z", "name": "x", "level": 3, "parent": "NOPE"}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["msg"] == "上级节点 NOPE 不存在"


def test_schema_errors_are_422_with_chinese_field_messages(api, world):
    r = api("POST", "/nodes", as_="admin", json={"name": "x" * 10_000, "level": "abc"})
    assert r.status_code == 422
    by_field = {e["loc"][-1]: e["msg"] for e in r.json()["detail"]}
    assert by_field == {"code": "此项必填", "name": "最多100个字符", "level": "应为整数"}
    assert "x" * 100 not in r.text  # inputs are not echoed
    geometry = api("PATCH", "/nodes/S-R1", as_="admin", json={"geometry": {"type": "Circle"}})
    assert geometry.status_code == 422 and geometry.json()["detail"][0]["loc"][-1] == "geometry"


def test_english_request_activates_english(api, world):
    r = api("GET", "/nodes/NO-SUCH", as_="street", headers={"Accept-Language": "en"})
    assert r.status_code == 404
    assert r.headers["Content-Language"] == "en"
    zh = api("GET", "/nodes/NO-SUCH", as_="street")
    assert zh.headers["Content-Language"] == "zh-hans" and zh.json()["detail"] == "未找到"


def test_superuser_creates_a_street(api, world):
    from gongzhi.api import services as api_services
    from gongzhi.testing.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    auth = {"Authorization": f"Bearer {api_services.token_create(user=root, name='t')[1]}"}
    r = api("POST", "/nodes", headers=auth, json={"code": "T", "name": "天林街道", "level": 1})
    assert r.status_code == 201 and r.json()["parent"] is None
    assert api("GET", "/nodes", headers=auth, params={"level": 1}).json()["count"] == 2
    assert api("GET", "/nodes/T", as_="street").status_code == 404  # another street's tree
