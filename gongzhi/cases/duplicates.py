"""并单候选: open cases that may report the same problem as a new one.

Near the same place (same estate by node path, or within RADIUS_M when coordinates are known),
recent (WINDOW_DAYS), of the same category when one is given, ranked by text similarity with a
bonus for the same building. It only suggests: the dispatcher merges through
`case_act(..., Act(action="merge", master=...))`.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from gongzhi.cases.models import Case
from gongzhi.cases.states import OPEN_STATES
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Category

WINDOW_DAYS = 7
RADIUS_M = 100.0
MIN_SIMILARITY = 0.1
SCAN = 300  # newest nearby cases scored; an estate rarely has more open ones in a week
TEXT_WEIGHT = 0.7  # the rest of the score is the place: same building 1, same estate/radius 0.5

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    case: Case
    score: float
    similarity: float
    same_building: bool
    distance_m: float | None


def bigrams(text: str) -> set[str]:
    chars = _NOISE.sub("", text or "").lower()
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def similarity(a: str, b: str) -> float:
    """Char-bigram Jaccard: works on unsegmented Chinese and tolerates reordered clauses."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular approximation: exact enough within a street."""
    k = math.pi / 180
    dx = (lon2 - lon1) * k * math.cos((lat1 + lat2) * k / 2)
    dy = (lat2 - lat1) * k
    return 6_371_000 * math.hypot(dx, dy)


def _ancestor_path(node: Node, level: int) -> str | None:
    if node.level == level:
        return node.path
    if node.level < level:
        return None
    found = Node.objects.filter(code__in=node.ancestor_codes(), level=level).values_list("path", flat=True)
    return next(iter(found), None)


def candidates(
    *,
    node: Node,
    text: str,
    category: Category | None = None,
    at: datetime | None = None,
    limit: int = 5,
    user: Actor | None = None,
    lat: float | None = None,
    lon: float | None = None,
    days: int = WINDOW_DAYS,
    exclude: int | None = None,
) -> list[Candidate]:
    """The `limit` likeliest duplicates of a report, best first. With a user, only cases that
    user may see (None: every case, for the system); `exclude` leaves out the new case itself once it is saved."""
    at = at or clock.now()
    estate = _ancestor_path(node, Level.ESTATE) or node.path
    building = _ancestor_path(node, Level.BUILDING)
    near = Q(node_path__startswith=estate)
    if lat is not None and lon is not None:
        dlat = RADIUS_M / 111_000
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        near |= Q(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))
    # Never across streets (docs/tenancy.md): a case 50 m away over the street's border belongs
    # to another street's dispatchers, even for the system (user=None).
    street = streets.street_path(node.path)
    qs = Case.objects.filter(near, state__in=OPEN_STATES, created_at__gte=at - timedelta(days=days))
    qs = qs.filter(node_path__startswith=street)
    qs = qs.filter(created_at__lte=at)
    if category is not None:
        qs = qs.filter(category=category)
    if user is not None:
        qs = qs.filter(access.cases_q(user))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    found: list[Candidate] = []
    for case in qs.select_related("category", "node").order_by("-created_at")[:SCAN]:
        dist = None
        if lat is not None and lon is not None and case.lat is not None and case.lon is not None:
            dist = distance_m(lat, lon, case.lat, case.lon)
        in_estate = case.node_path.startswith(estate)
        if not in_estate and (dist is None or dist > RADIUS_M):
            continue  # inside the bounding box but outside the circle
        sim = similarity(text, case.text)
        if sim < MIN_SIMILARITY:
            continue
        same_building = bool(building and case.node_path.startswith(building))
        place = 1.0 if same_building or (dist is not None and dist <= RADIUS_M / 3) else 0.5
        score = TEXT_WEIGHT * sim + (1 - TEXT_WEIGHT) * place
        found.append(Candidate(case, round(score, 4), round(sim, 4), same_building, dist))
    found.sort(key=lambda c: (-c.score, -c.case.created_at.timestamp()))
    return found[:limit]
