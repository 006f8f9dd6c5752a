"""Find the node of the tree for a map point or an address, without a spatial extension.

Nodes keep GeoJSON (Point, Polygon, MultiPolygon) in `Node.geometry`. A street has ~2,000
buildings and a few hundred polygons, so the shapes are loaded once per process into plain
tuples and tested in Python (bounding-box prefilter, ray casting, haversine). They are kept in
the reference snapshot (core.refdata): any change to a node, however written, reloads them.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from gongzhi.core import refdata
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

NEAREST_BUILDING_M = 150.0
EARTH_RADIUS_M = 6_371_008.8
CELL_DEG = 0.002  # bucket size of the building index (~200 m north-south)
FUZZY_CUTOFF = 80.0

BBox = tuple[float, float, float, float]  # west, south, east, north
Ring = list[tuple[float, float]]  # (lon, lat) pairs


@dataclass(frozen=True)
class Shape:
    pk: int
    path: str
    level: int
    bbox: BBox
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: outer ring, then holes


@dataclass(frozen=True)
class Building:
    pk: int
    path: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Place:
    """A node's address and name, normalised for matching."""

    pk: int
    path: str
    level: int
    name: str
    road: str
    lane: int | None
    number: int | None
    address: str


@dataclass
class Index:
    streets: list[Shape] = field(default_factory=list)
    areas: list[Shape] = field(default_factory=list)  # below the street, deepest level first
    buildings: list[Building] = field(default_factory=list)
    cells: dict[tuple[int, int], list[Building]] = field(default_factory=dict)
    extent: BBox | None = None
    places: list[Place] = field(default_factory=list)
    fuzzy: list[tuple[str, int]] = field(default_factory=list)  # (normalised name or address, pk)
    by_lane: dict[int, list[Place]] = field(default_factory=dict)  # places with a 弄
    by_number: dict[int, list[Place]] = field(default_factory=dict)  # road + 号 without a 弄
    street_pk: int | None = None
    street_name: str = ""


def clear_cache() -> None:
    """Forget the index in this process (a change to the tree already does, in every process)."""
    refdata.clear()


# --- geometry -------------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Ray casting: count crossings of a ray going east from (x, y)."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygons(x: float, y: float, polygons: tuple[tuple[Ring, ...], ...]) -> bool:
    for rings in polygons:
        if rings and _in_ring(x, y, rings[0]) and not any(_in_ring(x, y, hole) for hole in rings[1:]):
            return True
    return False


def _in_bbox(x: float, y: float, box: BBox) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _polygons(geometry: Any) -> tuple[tuple[Ring, ...], ...]:
    """The polygons of a Polygon/MultiPolygon as (lon, lat) tuples; () for anything malformed."""
    if not isinstance(geometry, dict):
        return ()
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    raw: Any = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    if not isinstance(raw, list):
        return ()
    try:
        polygons = (
            tuple([(float(p[0]), float(p[1])) for p in ring] for ring in polygon if len(ring) >= 3)
            for polygon in raw
        )
        return tuple(rings for rings in polygons if rings)
    except (TypeError, ValueError, IndexError):
        return ()


def _bbox(polygons: tuple[tuple[Ring, ...], ...]) -> BBox:
    xs = [p[0] for rings in polygons for p in rings[0]]
    ys = [p[1] for rings in polygons for p in rings[0]]
    return min(xs), min(ys), max(xs), max(ys)


def _point(geometry: Any) -> tuple[float, float] | None:
    """A Point's (lon, lat), or the bounding-box centre of a building footprint."""
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        try:
            return float(geometry["coordinates"][0]), float(geometry["coordinates"][1])
        except (KeyError, TypeError, ValueError, IndexError):
            return None
    polygons = _polygons(geometry)
    if polygons and polygons[0]:
        w, s, e, n = _bbox(polygons)
        return (w + e) / 2, (s + n) / 2
    return None


def representative_point(node: Node) -> tuple[float, float] | None:
    """(lat, lon) to show for a node: its point, or the centre of its boundary's box."""
    point = _point(node.geometry)
    return (point[1], point[0]) if point else None


# --- the index ------------------------------------------------------------------------------


def _index() -> Index:
    """The street's shapes and places, kept in the process's reference snapshot (core.refdata):
    rebuilt after any change to the tree, in any process."""
    return refdata.snapshot().get("locate", "index", lambda _key: _load())  # type: ignore[no-any-return]


def warm() -> None:
    """Load the index into this process's snapshot before the first request (core.warm)."""
    _index()


def _load() -> Index:
    index = Index()
    rows = Node.objects.filter(level__lte=Level.BUILDING).values_list(
        "pk", "path", "level", "name", "address", "geometry"
    )
    for pk, path, level, name, address, geometry in rows.iterator(chunk_size=2000):
        if level == Level.STREET and index.street_pk is None:
            index.street_pk, index.street_name = pk, name
        place = _place(pk, path, level, name, address)
        index.places.append(place)
        if place.road and place.lane is not None:
            index.by_lane.setdefault(place.lane, []).append(place)
        elif place.road and place.number is not None:
            index.by_number.setdefault(place.number, []).append(place)
        texts = (place.address,) if level == Level.STREET else (place.name, place.address)
        index.fuzzy += [(t, pk) for t in texts if len(t) >= 4]
        polygons = _polygons(geometry)
        if polygons:
            shape = Shape(pk, path, level, _bbox(polygons), polygons)
            (index.streets if level == Level.STREET else index.areas).append(shape)
        if level == Level.BUILDING:
            point = _point(geometry)
            if point is not None:
                building = Building(pk, path, point[0], point[1])
                index.buildings.append(building)
                index.cells.setdefault(_cell(point[0], point[1]), []).append(building)
    index.areas.sort(key=lambda s: -s.level)
    boxes = [s.bbox for s in index.streets + index.areas] + [
        (b.lon, b.lat, b.lon, b.lat) for b in index.buildings
    ]
    if boxes:
        index.extent = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    return index


def _cell(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon / CELL_DEG), math.floor(lat / CELL_DEG)


# --- point lookup ---------------------------------------------------------------------------


def node_for_point(lat: float, lon: float) -> Node | None:
    """The deepest node whose boundary holds the point, or the nearest building within
    NEAREST_BUILDING_M of it inside that boundary; None when the point lies outside the street."""
    pk = pk_for_point(lat, lon)
    return Node.objects.filter(pk=pk).first() if pk is not None else None


def pk_for_point(lat: float, lon: float) -> int | None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    index = _index()
    street = _street_at(index, lon, lat)
    if street is None:
        return None
    # Only inside that street (docs/tenancy.md): a building over the border is another street's.
    under = street.path
    container = next(
        (
            s
            for s in index.areas
            if s.path.startswith(under) and _in_bbox(lon, lat, s.bbox) and _in_polygons(lon, lat, s.polygons)
        ),
        None,
    )
    if container is not None and container.level == Level.BUILDING:
        return container.pk  # a building footprint holds the point
    near = _nearest_building(index, lat, lon, under=container.path if container else under)
    if near is not None:
        return near.pk
    if container is not None:
        return container.pk
    # Inside the street but in no drawn area: the street's nearest building at any distance.
    nearest = min(
        (b for b in index.buildings if b.path.startswith(under)),
        key=lambda b: haversine_m(lat, lon, b.lat, b.lon),
        default=None,
    )
    return nearest.pk if nearest else (street.pk or index.street_pk)


@dataclass(frozen=True)
class StreetExtent:
    """Where the street is, for telling a client whose point lies outside it."""

    name: str
    bbox: BBox | None  # west, south, east, north; None when nothing is drawn
    centre: tuple[float, float] | None  # (lat, lon)


def street_extent() -> StreetExtent:
    index = _index()
    boxes = [s.bbox for s in index.streets]
    box: BBox | None = (
        (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        if boxes
        else index.extent
    )
    centre = ((box[1] + box[3]) / 2, (box[0] + box[2]) / 2) if box else None
    return StreetExtent(index.street_name, box, centre)


@dataclass(frozen=True)
class _At:
    pk: int | None
    path: str  # "" when no street boundary is drawn (the box around everything)


def _street_at(index: Index, lon: float, lat: float) -> _At | None:
    """The street whose boundary holds the point; None when it lies outside every street."""
    if index.streets:
        found = next(
            (s for s in index.streets if _in_bbox(lon, lat, s.bbox) and _in_polygons(lon, lat, s.polygons)),
            None,
        )
        return _At(found.pk, found.path) if found is not None else None
    if index.extent is None:
        return None
    # No street boundary drawn: the box around everything, widened by the search radius.
    margin = NEAREST_BUILDING_M / 111_000
    w, s, e, n = index.extent
    return _At(None, "") if w - margin <= lon <= e + margin and s - margin <= lat <= n + margin else None


def _nearest_building(index: Index, lat: float, lon: float, *, under: str) -> Building | None:
    reach_lat = NEAREST_BUILDING_M / 111_000
    reach_lon = reach_lat / max(math.cos(math.radians(lat)), 0.1)
    reach = math.ceil(max(reach_lat, reach_lon) / CELL_DEG)  # cells either side to cover the radius
    cx, cy = _cell(lon, lat)
    best: tuple[float, Building] | None = None
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            for b in index.cells.get((cx + dx, cy + dy), ()):
                if abs(b.lat - lat) > reach_lat or abs(b.lon - lon) > reach_lon:
                    continue
                if under and not b.path.startswith(under):
                    continue
                d = haversine_m(lat, lon, b.lat, b.lon)
                if d <= NEAREST_BUILDING_M and (best is None or d < best[0]):
                    best = (d, b)
    return best[1] if best else None


# --- address lookup -------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
_ROAD_LANE = re.compile(r"([\u4e00-\u9fff]{1,20}?(?:路|街|道|巷|里|坊|村))(\d+)弄(?:(\d+)号)?")
_ROAD_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,20}?(?:路|街|道|巷))(\d+)号")


_NORMALISE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"弄(\d+)\s*[-－–—]\s*(\d+)"), r"弄\1号\2室"),  # 100弄3-102: building 3, room 102
    (re.compile(r"[^\w]"), ""),
    (re.compile(r"(\d+)(?:号楼|号栋|号幢|栋|幢|座|号院)"), r"\1号"),
    (re.compile(r"\d+单元"), ""),
    (re.compile(r"(\d+号)\d+(?:室|户)?"), r"\1"),  # the room after a building number
    (re.compile(r"\d+(?:室|户)"), ""),
]


def _cn_to_int(text: str) -> str:
    """一百二十三 -> 123, 十二 -> 12, 三 -> 3; digit strings like 一二 -> 12."""
    if "十" not in text and "百" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text)
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return str(total + current)


def normalise_address(text: str) -> str:
    """Full-width to half-width, Chinese numerals to digits, 号楼/栋/幢/座 to 号, rooms and
    punctuation dropped: "枫林路１００弄三号楼１０２室" -> "枫林路100弄3号"."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = _CN_NUMBER.sub(lambda m: _cn_to_int(m.group()), t)
    for pattern, replacement in _NORMALISE:
        t = pattern.sub(replacement, t)
    return t


def _parse(norm: str) -> tuple[str, int | None, int | None]:
    m = _ROAD_LANE.search(norm)
    if m:
        return m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None
    m = _ROAD_NUMBER.search(norm)
    if m:
        return m.group(1), None, int(m.group(2))
    return "", None, None


def _place(pk: int, path: str, level: int, name: str, address: str) -> Place:
    norm_address = normalise_address(address)
    road, lane, number = _parse(norm_address)
    norm_name = normalise_address(name)
    return Place(pk, path, level, norm_name, road, lane, number, norm_address)


def _road_match(a: str, b: str) -> bool:
    return bool(a and b) and (a.endswith(b) or b.endswith(a))


def _structured_score(query: tuple[str, int | None, int | None], place: Place) -> int:
    road, lane, number = query
    if not _road_match(road, place.road):
        return 0
    if lane is not None and lane == place.lane:
        if number is not None and number == place.number:
            return 100
        if place.number is None:
            return 90 if number is None else 80
    if lane is None and place.lane is None and number is not None and number == place.number:
        return 95
    return 0


def node_for_address(text: str) -> Node | None:
    pk = pk_for_address(text)
    return Node.objects.filter(pk=pk).first() if pk is not None else None


def pk_for_address(text: str) -> int | None:
    """Best node for an address string: road + lane (弄) + number (号) against node addresses;
    node names contained in the text (东安一村3号楼); then a fuzzy match as a last resort."""
    query = normalise_address(text)
    if len(query) < 2:
        return None
    index = _index()
    parsed = _parse(query)
    a = _best_by_address(index, parsed) if parsed[0] else None
    b = _best_by_name(index, query)
    if a is not None and b is not None:
        # One inside the other: the deeper is the more precise; otherwise trust the address.
        return b.pk if b.path.startswith(a.path) else a.pk
    if a is not None or b is not None:
        return (a or b).pk  # type: ignore[union-attr]
    match = process.extractOne(
        query, [text for text, _ in index.fuzzy], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
    )
    return index.fuzzy[match[2]][1] if match else None


def _best_by_address(index: Index, parsed: tuple[str, int | None, int | None]) -> Place | None:
    _, lane, number = parsed
    candidates = index.by_lane.get(lane, []) if lane is not None else index.by_number.get(number or -1, [])
    scored = [(score, p.level, p) for p in candidates if (score := _structured_score(parsed, p))]
    return max(scored, key=lambda t: (t[0], t[1]))[2] if scored else None


def _best_by_name(index: Index, query: str) -> Place | None:
    """The longest node name the text contains (deeper on a tie); the street's own name says
    nothing about where in the street."""
    named = [p for p in index.places if p.level > Level.STREET and len(p.name) >= 2 and p.name in query]
    return max(named, key=lambda p: (len(p.name), p.level)) if named else None


def building_under(node: Node, text: str) -> Node | None:
    """The building under `node` that "3号楼" / "3号" / "3" names, if exactly one does."""
    m = re.search(r"(\d+)(?:号|$)", normalise_address(text))
    if m is None:
        return None
    number = int(m.group(1))
    found = [
        p
        for p in _index().places
        if p.level == Level.BUILDING
        and p.path.startswith(node.path)
        and (p.number == number or re.search(rf"(?<!\d){number}号$", p.name) is not None)
    ]
    return Node.objects.filter(pk=found[0].pk).first() if len({p.pk for p in found}) == 1 else None
