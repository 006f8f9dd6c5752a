"""POST /api/v1/cases and /cases/batch over real HTTP refuse what the other channels refuse:
a place the caller may not report at (the patrol page's rule, VIEW_CASES over the node), and a
map point outside the street, (0, 0) included (the resident page's and Open311's check)."""

import pytest

from gongzhi.cases.models import Case
from gongzhi.geo.models import Node

# The test street drawn as a square around 东安一村; its building stands inside.
STREET = {
    "type": "Polygon",
    "coordinates": [[[121.40, 31.10], [121.42, 31.10], [121.42, 31.12], [121.40, 31.12], [121.40, 31.10]]],
}
INSIDE = {"lat": 31.1101, "lon": 121.4101}


@pytest.fixture
def drawn(world):
    Node.objects.filter(code="S").update(geometry=STREET)
    Node.objects.filter(code="S-R1-B1").update(geometry={"type": "Point", "coordinates": [121.41, 31.11]})
    return world


def report(api, as_, node="S-R1-B1", **extra):
    return api("POST", "/cases", as_=as_, json={"node": node, "text": "楼道堆放杂物", **extra})


def errors(response):
    assert response.status_code == 422, response.text
    return {tuple(d["loc"][2:]): d["msg"] for d in response.json()["detail"]}


def test_a_point_inside_the_street_is_recorded(api, drawn):
    response = report(api, "grid", **INSIDE)
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.lat, case.lon) == (INSIDE["lat"], INSIDE["lon"])


@pytest.mark.parametrize(
    "point",
    [{"lat": 0, "lon": 0}, {"lat": 39.9, "lon": 116.4}, {"lat": 31.1101}, {"lon": 121.4101}],
    ids=["null-island", "beijing", "lat-alone", "lon-alone"],
)
def test_a_point_outside_the_street_or_half_a_point_is_422_and_writes_nothing(api, drawn, point):
    found = errors(report(api, "grid", **point))
    assert list(found) == [("lat",)]
    assert "坐标" in found[("lat",)] or "经纬度" in found[("lat",)]
    assert not Case.objects.exists()


def test_zero_zero_is_refused_even_with_no_boundary_drawn(api, world):
    assert list(errors(report(api, "street", lat=0, lon=0))) == [("lat",)]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("who", "node"),
    [
        ("grid", "S-R3-B1"),  # another residential area
        ("committee", "S-R3-B1"),
        ("block", "S-R3-B1"),  # the other block
        ("auditor", "S-R1-B1"),  # sees no cases anywhere
        ("dept", "S-R1-B1"),  # a department sees its categories' cases, it does not report
        ("resident", "S-R1-B1"),  # residents use the report page
        ("nobody", "S-R1-B1"),
    ],
)
def test_a_caller_may_report_only_where_they_see_the_cases(api, drawn, who, node):
    found = errors(report(api, who, node=node))
    assert found == {("node",): f"您无权在位置 {node} 上报"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(("who", "node"), [("grid", "S-R1-B1"), ("committee", "S-R1"), ("street", "S-R3-B1")])
def test_within_their_subtree_each_role_reports(api, drawn, who, node):
    assert report(api, who, node=node).status_code == 201


def test_the_refusal_speaks_english_when_asked(api, drawn):
    body = {"node": "S-R3-B1", "text": "x", "lat": 0, "lon": 0}
    response = api("POST", "/cases", as_="grid", json=body, headers={"Accept-Language": "en"})
    assert errors(response) == {
        ("node",): "You may not report at location S-R3-B1",
        ("lat",): "The point is outside this street",
    }


def test_a_batch_names_each_refused_item_and_writes_nothing(api, drawn):
    items = [
        {"node": "S-R1-B1", "text": "楼道堆物", **INSIDE},
        {"node": "S-R3-B1", "text": "井盖缺失"},
        {"node": "S-R1-B1", "text": "路灯不亮", "lat": 0, "lon": 0},
        {"node": "NOPE", "text": "树枝折断"},
    ]
    found = errors(api("POST", "/cases/batch", as_="grid", json={"cases": items}))
    assert found == {
        ("cases", 1, "node"): "您无权在位置 S-R3-B1 上报",
        ("cases", 2, "lat"): "坐标不在本街道范围内",
        ("cases", 3, "node"): "位置 NOPE 不存在",
    }
    assert not Case.objects.exists()
    ok = api("POST", "/cases/batch", as_="grid", json={"cases": items[:1]})
    assert ok.status_code == 201 and Case.objects.count() == 1
