"""Home page figures, the tree browser, the htmx expand fragment and the GeoJSON export."""

import json

import pytest

from gongzhi.geo.levels import Level
from gongzhi.testing.factories import node


def card_for(response, code):
    return next(c for c in response.context["cards"] if c["node"].code == code)


def test_committee_home_shows_its_area_with_figures(as_role):
    client, _user = as_role("committee")
    response = client.get("/")
    assert response.status_code == 200
    assert [c["node"].code for c in response.context["cards"]] == ["S-R1"]
    figures = card_for(response, "S-R1")["figures"]
    # H1: 85 alone, 82, 65, 30; H2 (grid G2): 81 alone.
    assert (figures.residents, figures.aged_60, figures.aged_80, figures.aged_80_alone) == (5, 4, 3, 2)
    assert figures.posts == 1
    assert figures.levels == {Level.ESTATE: 1, Level.GRID: 2, Level.BUILDING: 2, Level.HOUSEHOLD: 2}
    body = response.content.decode()
    assert "东安居民区" in body and "80岁以上独居" in body and "/roster/S-R1/" in body


def test_grid_worker_figures_do_not_count_the_other_grid(as_role):
    client, _user = as_role("grid")
    figures = card_for(client.get("/"), "S-R1-G1")["figures"]
    assert (figures.residents, figures.aged_60, figures.aged_80, figures.aged_80_alone) == (4, 3, 2, 1)
    assert figures.levels == {Level.BUILDING: 1, Level.HOUSEHOLD: 1}


def test_street_home_counts_everything(as_role):
    client, _user = as_role("street")
    figures = card_for(client.get("/"), "S")["figures"]
    assert (figures.residents, figures.aged_60, figures.aged_80, figures.aged_80_alone) == (6, 5, 4, 2)
    assert figures.levels[Level.AREA] == 3 and figures.levels[Level.HOUSEHOLD] == 3


def test_queries_do_not_grow_with_the_tree(as_role, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _user = as_role("street")
    client.get("/")  # warm the session

    def count(url):
        client.get(url)  # the reference snapshot (roster, scope) read once, as a busy server has it
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    home, street = count("/"), count("/tree/S/")
    for i in range(10):
        area = node(f"S-R9{i}", f"新区{i}", Level.AREA, world.tree.k2)
        node(f"S-R9{i}-E", f"新区{i}小区", Level.ESTATE, area)
    # 9; one per to-do tile (a street cadre has all nine of the cases' and meetings': each
    # counts its own list, through its indexes, rather than one aggregate scanning every case of
    # the street) and the calendar's stamp check for 即将超期; three for the Party side's
    # 待确认报到 and 待审核积分 (claims and appeals are two lists); two for the KPI counters
    # (catch-up check, daily totals); one for the inbox bell's unread count; two for the 直报
    # tiles (the duty days and leaderships that say whether the user answers for any 直报); two
    # for the orders lead's 待确认时长 (the units of the user's posts, the modules they lead); two
    # for the menu's 全市 (the user's and their groups' permissions: city.view_city); three for
    # the person's own doors (web/common/personal.py: their standing shifts, the units of their
    # posts and the order teams they serve on)
    assert count("/") == home <= 34
    assert count("/tree/S/") == street <= 16  # with the menu's 全市 permission check
    assert count("/tree/S-K2/") == street  # 11 children, same queries as the street's 2


def test_resident_home_shows_own_record_masked(as_role, world):
    client, _user = as_role("resident")
    response = client.get("/")
    body = response.content.decode()
    assert response.context["cards"] == []
    assert "赵小弟" in body and "138****8003" in body and "3101**********1234" in body
    assert "13800138003" not in body and "310104199001011234" not in body
    assert "枫林街道 · 第一块区 · 东安居民区" in body  # address through the tree
    assert "张阿婆" not in body


def test_user_without_post_or_person_gets_a_clear_message(client, db):
    from gongzhi.testing.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    body = client.get("/").content.decode()
    assert "还没有分配岗位" in body


def test_tree_node_breadcrumb_stays_in_scope(as_role):
    client, _user = as_role("committee")
    response = client.get("/tree/S-R1-G1/")
    body = response.content.decode()
    assert [n.code for n in response.context["trail"]] == ["S-R1", "S-R1-E1", "S-R1-G1"]
    assert "第一块区" not in body and "枫林街道" not in body
    assert [c["node"].code for c in response.context["children"]] == ["S-R1-B1"]


def test_tree_node_lists_children_with_counts_and_roster_links(as_role):
    client, _user = as_role("block")
    response = client.get("/tree/S-K1/")
    children = {c["node"].code: c for c in response.context["children"]}
    assert set(children) == {"S-R1", "S-R2"}
    assert children["S-R1"]["figures"].residents == 5
    assert children["S-R2"]["figures"].residents == 0
    body = response.content.decode()
    assert 'href="/roster/S-R1/"' in body and 'href="/roster/S-R2/"' in body
    assert 'hx-get="/tree/S-R1/children/"' in body  # expandable: R1 has children
    assert 'hx-get="/tree/S-R2/children/"' not in body  # R2 has none
    assert 'href="/tree/S-K1/geojson"' in body


def test_children_fragment_is_a_fragment(as_role):
    client, _user = as_role("committee")
    response = client.get("/tree/S-R1-E1/children/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "东安一村第1网格" in body and "东安一村第2网格" in body
    assert 'hx-get="/tree/S-R1-G1/children/"' in body


def test_children_fragment_out_of_scope_is_404(as_role):
    client, _user = as_role("grid")
    assert client.get("/tree/S-R1-E1/children/").status_code == 404
    assert client.get("/tree/S-R1-G2/children/").status_code == 404


def test_geojson_of_subtree(as_role, world):
    from gongzhi.geo import services

    services.node_update(
        actor=None, node=world.tree.b1, geometry={"type": "Point", "coordinates": [121.45, 31.19]}
    )
    client, _user = as_role("committee")
    response = client.get("/tree/S-R1-G1/geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    features = {f["id"]: f for f in data["features"]}
    assert set(features) == {"S-R1-G1", "S-R1-B1", "S-R1-H101"}
    assert features["S-R1-B1"]["geometry"]["coordinates"] == [121.45, 31.19]
    assert features["S-R1-B1"]["properties"]["name"] == "东安一村1号楼"


@pytest.mark.parametrize(("key", "code"), [("grid", "S-R1-G2"), ("committee", "S-R3"), ("block", "S")])
def test_geojson_out_of_scope_is_404(as_role, key, code):
    client, _user = as_role(key)
    assert client.get(f"/tree/{code}/geojson").status_code == 404


def test_a_residents_home_opens_the_doors_they_use(as_role):
    client, _user = as_role("resident")
    response = client.get("/")
    body = response.content.decode()
    for door in ("/report/", "/orders/new/", "/track/", "/community/volunteer/"):
        assert f'href="{door}"' in body
    assert "报名当志愿者" in body  # not a volunteer yet
    assert 'href="/community/ledger/"' not in body  # not a registered Party member
    assert response.context["personal"].shifts == []


def test_staff_homes_have_no_resident_doors_and_the_menu_opens_the_sections(as_role):
    client, _user = as_role("committee")
    body = client.get("/").content.decode()
    assert 'href="/orders/new/"' not in body and "我的值守班次" not in body
    nav = body[body.index('<nav class="nav"') : body.index("</nav>")]
    for section in ("/community/", "/orders/", "/mobilisation/"):
        assert f'href="{section}"' in nav
