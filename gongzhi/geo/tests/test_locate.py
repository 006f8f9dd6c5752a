"""Point and address lookup on a small hand-drawn street (two estates, one area without
estates drawn, half the street with no polygons at all)."""

from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.geo import locate
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def make(code: str, name: str, level: int, parent: Node | None, **extra: Any) -> Node:
    return geo_services.node_create(actor=None, code=code, name=name, level=level, parent=parent, **extra)


@dataclass
class Street:
    street: Node
    k1: Node
    r1: Node
    r2: Node
    e1: Node
    g1: Node
    e2: Node
    b1: Node
    b2: Node
    b3: Node
    b4: Node
    b5: Node
    b6: Node


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    locate.clear_cache()
    yield
    locate.clear_cache()


@pytest.fixture
def street(db: None) -> Street:
    """S: 121.40–121.42 E, 31.10–31.12 N. K1 is the west half; R1 its north half holding
    E1 (a grid G1 with buildings B1, B2) and E2 (B3 directly under the estate, B4 with a
    footprint); R2 (south-west) has no estates drawn. The east half has only building B5."""
    s = make(
        "S", "枫林街道", Level.STREET, None, geometry=box(121.40, 31.10, 121.42, 31.12), address="枫林路 1号"
    )
    k1 = make("K1", "第一块区", Level.BLOCK, s, geometry=box(121.40, 31.10, 121.41, 31.12))
    r1 = make("R1", "东安居民区", Level.AREA, k1, geometry=box(121.40, 31.11, 121.41, 31.12))
    r2 = make("R2", "西岸居民区", Level.AREA, k1, geometry=box(121.40, 31.10, 121.41, 31.11))
    e1 = make(
        "E1",
        "东安一村",
        Level.ESTATE,
        r1,
        geometry=box(121.400, 31.115, 121.405, 31.120),
        address="枫林路 100弄",
    )
    g1 = make("G1", "东安一村第1网格", Level.GRID, e1, geometry=box(121.400, 31.115, 121.405, 31.120))
    e2 = make(
        "E2",
        "东安二村",
        Level.ESTATE,
        r1,
        geometry=box(121.4052, 31.111, 121.409, 31.114),
        address="枫林路 200弄",
    )
    b1 = make(
        "B1",
        "东安一村1号楼",
        Level.BUILDING,
        g1,
        geometry=point(121.4025, 31.1175),
        address="枫林路 100弄 1号",
    )
    b2 = make(
        "B2",
        "东安一村2号楼",
        Level.BUILDING,
        g1,
        geometry=point(121.4045, 31.1190),
        address="枫林路 100弄 2号",
    )
    b3 = make(
        "B3",
        "东安二村1号楼",
        Level.BUILDING,
        e2,
        geometry=point(121.4065, 31.1125),
        address="枫林路 200弄 1号",
    )
    b4 = make(
        "B4",
        "徐汇滨江公寓",
        Level.BUILDING,
        e2,
        geometry=box(121.4080, 31.1130, 121.4085, 31.1135),
        address="宛平南路 88号",
    )
    b5 = make("B5", "南丹小楼", Level.BUILDING, e2, geometry=point(121.418, 31.102))
    b6 = make("B6", "东安一村6号楼", Level.BUILDING, g1, geometry=point(121.40495, 31.11505))
    return Street(s, k1, r1, r2, e1, g1, e2, b1, b2, b3, b4, b5, b6)


def test_a_point_near_a_building_in_an_estate_finds_the_building(street: Street) -> None:
    assert locate.node_for_point(31.1176, 121.4026) == street.b1
    assert locate.node_for_point(31.1188, 121.4043) == street.b2


def test_a_footprint_holds_its_point(street: Street) -> None:
    assert locate.node_for_point(31.1132, 121.4082) == street.b4


def test_far_from_any_building_the_deepest_polygon_wins(street: Street) -> None:
    # The north-west corner of E1/G1 is ~260 m from B1: the grid, drawn over the estate.
    assert locate.node_for_point(31.1198, 121.4001) == street.g1
    # R1 outside both estates, no building within 150 m.
    assert locate.node_for_point(31.1198, 121.4098) == street.r1
    # R2 has no estates at all.
    assert locate.node_for_point(31.105, 121.405) == street.r2


def test_a_building_across_the_boundary_is_not_taken(street: Street) -> None:
    # Inside E2, ~130 m from E1's B6 and ~190 m from E2's B3: the estate, not B6.
    assert locate.node_for_point(31.1139, 121.4053) == street.e2
    # ~130 m from B3, inside E2: B3.
    assert locate.node_for_point(31.1137, 121.4063) == street.b3


def test_inside_the_street_outside_every_area_takes_the_nearest_building(street: Street) -> None:
    # ~220 m from B5, beyond the 150 m radius, but nothing else is nearer.
    assert locate.node_for_point(31.104, 121.417) == street.b5


def test_outside_the_street_is_none(street: Street) -> None:
    assert locate.node_for_point(31.13, 121.405) is None
    assert locate.node_for_point(39.9, 116.4) is None
    assert locate.node_for_point(float("nan"), 121.405) is None
    assert locate.node_for_point(95.0, 121.405) is None


def test_a_boundary_change_reloads_the_cache(street: Street) -> None:
    assert locate.node_for_point(31.1198, 121.4098) == street.r1
    geo_services.node_update(actor=None, node=street.e2, geometry=box(121.406, 31.111, 121.410, 31.1199))
    assert locate.node_for_point(31.1198, 121.4098) == street.e2


def test_holes_and_multipolygons(street: Street) -> None:
    outer = [
        [121.405, 31.1145],
        [121.4099, 31.1145],
        [121.4099, 31.1149],
        [121.405, 31.1149],
        [121.405, 31.1145],
    ]
    hole = [
        [121.407, 31.1146],
        [121.408, 31.1146],
        [121.408, 31.1148],
        [121.407, 31.1148],
        [121.407, 31.1146],
    ]
    ring2 = [
        [121.4091, 31.111],
        [121.4099, 31.111],
        [121.4099, 31.112],
        [121.4091, 31.112],
        [121.4091, 31.111],
    ]
    shape = {"type": "MultiPolygon", "coordinates": [[outer, hole], [ring2]]}
    e3 = make("E3", "东安三村", Level.ESTATE, street.r1, geometry=shape)
    assert locate.node_for_point(31.1147, 121.406) == e3
    assert locate.node_for_point(31.1147, 121.4075) == street.r1  # in the hole
    assert locate.node_for_point(31.1115, 121.4095) == e3  # second polygon


def test_no_geometry_at_all_finds_nothing(db: None) -> None:
    make("S", "枫林街道", Level.STREET, None)
    assert locate.node_for_point(31.11, 121.41) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("枫林路100弄2号", "B2"),
        ("上海市徐汇区枫林路１００弄２号３０２室", "B2"),
        ("枫林路 100 弄 2 号楼", "B2"),
        ("枫林路100弄2-302", "B2"),
        ("枫林路100弄", "E1"),
        ("枫林路100弄9号", "E1"),  # no building 9: the estate of the lane
        ("枫林路二百弄一号", "B3"),
        ("东安一村二号楼门口", "B2"),
        ("东安一村", "E1"),
        ("枫林路100弄东安一村2号楼", "B2"),
        ("宛平南路88号", "B4"),
        ("徐汇滨江公遇", "B4"),  # a typo: fuzzy match
    ],
)
def test_address_matching(street: Street, text: str, code: str) -> None:
    found = locate.node_for_address(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("text", ["", "  ", "火星路1号", "枫林路999弄", "枫林街道"])
def test_unknown_addresses_find_nothing(street: Street, text: str) -> None:
    assert locate.node_for_address(text) is None


def test_normalise_address() -> None:
    assert locate.normalise_address("枫林路１００弄三号楼１０２室") == "枫林路100弄3号"
    assert locate.normalise_address("东安一村十二幢") == "东安1村12号"
