"""Routing coverage: for each residential area × active 小类, the post `routing` sends a case to,
and the gaps where nobody answers (the roster must be fixed there).

An area covered for a category is covered at every place below it: the rule looks up the
place's ancestry, so what answers at the area answers below it too (a more specific post may
take over). Reads through `routing.route_many` (the reference snapshot), scoped by `orgs.access`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from gongzhi.cases import routing
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Category, Post

# Who reads it: those who fix the roster and those who dispatch what routing leaves them.
POWERS = (access.MANAGE_ROSTER, access.DISPATCH)


@dataclass
class Cell:
    category: Category
    route: routing.Route
    below: int = 0  # posts under the area (estates, grids) whose duty names the category

    @property
    def gap(self) -> bool:
        return self.route.post is None


@dataclass
class AreaCoverage:
    area: Node
    cells: list[Cell] = field(default_factory=list)

    @property
    def gaps(self) -> list[Cell]:
        return [c for c in self.cells if c.gap]

    @property
    def by_rule(self) -> dict[str, int]:
        counts = {routing.LOCAL: 0, routing.LEAD_UNIT: 0}
        for cell in self.cells:
            if cell.route.rule in counts:
                counts[cell.route.rule] += 1
        return counts


def may_view(user: Actor) -> bool:
    return any(access.has_power(user, power) for power in POWERS)


def areas_q(user: Actor) -> Q:
    """Nodes under a post holding one of POWERS."""
    scope = access.scope(user)
    if scope.superuser:
        return Q()
    return subtree_q(access.outermost([p for power in POWERS for p in scope.paths(power)]))


def areas(*, user: Actor, under: Node | None = None) -> list[Node]:
    """The residential areas in the user's scope (under `under` when given), in tree order."""
    qs = Node.objects.filter(areas_q(user), level=Level.AREA).defer("geometry")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return list(qs.order_by("path"))


def categories() -> list[Category]:
    """The active 小类, with their policy (the lead unit kind) and 大类."""
    qs = Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
    return list(qs.select_related("policy", "parent").order_by("code"))


def coverage(*, user: Actor, under: Node | None = None) -> list[AreaCoverage]:
    found = areas(user=user, under=under)
    cats = categories()
    routes = routing.route_many((c, a) for a in found for c in cats)
    below = _named_below(found)
    return [
        AreaCoverage(
            area=a,
            cells=[
                Cell(category=c, route=routes[(c.pk, a.pk)], below=below.get((a.path, c.pk), 0)) for c in cats
            ],
        )
        for a in found
    ]


def _named_below(found: list[Node]) -> dict[tuple[str, int], int]:
    """{(area path, category id): active posts below the area whose duty names it} in one query:
    where they are, a case placed there goes to them rather than to the area's answer."""
    if not found:
        return {}
    duties = Post.categories.through.objects.filter(
        subtree_q([a.path for a in found], "post__node"),
        post__node__level__gt=Level.AREA,
        post__in=Post.objects.filter(access.active_posts_q()),
    ).values_list("post__node__path", "category_id")
    counts: dict[tuple[str, int], int] = defaultdict(int)
    paths = [a.path for a in found]
    for path, category_id in duties:
        area = next(p for p in paths if path.startswith(p))
        counts[(area, category_id)] += 1
    return counts


def area_get(*, user: Actor, code: str) -> Node | None:
    """A node the user may read coverage under (an area or above), or None (answer 404)."""
    node = org_selectors.node_list(user=user).filter(areas_q(user), code=code).first()
    return node if node is not None and node.level <= Level.AREA else None
