"""Routing: category × place → the post that answers for it (三定).

Two rules, in order (docs/routing.md):

1. 本地 (local): the active posts whose duty includes the category and whose node is the case's
   node or one of its ancestors. The most specific node wins; among posts there, one whose
   unit is of the category's lead unit kind leads (主办) and the others assist (协办).
2. 牵头单位 (lead unit): when no post names the category, a post of the category policy's lead
   unit kind on the case's residential area, or above it (block, street): the nearest wins,
   and there the post holding that unit's 居务会 seat (the 居委会主任 for the committee, the
   社区民警 for the police) before the others. Nobody assists.

Intake (`cases.services`), the dispatch candidates (`cases.choices`), the routing-coverage page
and the demo generator all ask `choose`, so they cannot disagree.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import reference
from gongzhi.orgs.models import Category, Post

LOCAL = "local"
LEAD_UNIT = "lead_unit"


class Route(NamedTuple):
    post: Post | None  # 主办; None: nobody answers (a gap the roster must fill)
    assisting: list[Post]  # 协办
    rule: str  # LOCAL, LEAD_UNIT, or "" for a gap


GAP = Route(None, [], "")


def lead_kind_of(category: Category) -> str:
    return getattr(getattr(category, "policy", None), "lead_unit_kind", "") or ""


def choose(*, node: Node, lead_kind: str, posts: Sequence[Post], answers: Callable[[Post], bool]) -> Route:
    """The route at `node` among `posts` (the active posts on its ancestry; others are ignored),
    `answers(post)` saying whether a post's duty names the category. Pure: the demo generator
    calls it on its roster in memory."""
    ancestry = set(node.ancestor_codes())
    # per street (docs/tenancy.md): a district's posts above the street oversee, never take a case
    on_path = [p for p in posts if p.node.code in ancestry and p.node.level >= Level.STREET]
    local = _deepest([p for p in on_path if answers(p)])
    if local:
        local.sort(key=lambda p: (p.unit.kind != lead_kind, p.code))
        return Route(local[0], local[1:], LOCAL)
    if not lead_kind:
        return GAP
    lead = _deepest([p for p in on_path if p.unit.kind == lead_kind and p.node.level <= Level.AREA])
    if not lead:
        return GAP
    lead.sort(key=lambda p: (p.meeting_role != lead_kind, not p.meeting_role, p.code))
    return Route(lead[0], [], LEAD_UNIT)


def _deepest(posts: list[Post]) -> list[Post]:
    if not posts:
        return []
    depth = max(len(p.node.path) for p in posts)
    return [p for p in posts if len(p.node.path) == depth]


def route(*, category: Category, node: Node) -> Route:
    return route_many([(category, node)])[(category.pk, node.pk)]


def route_many(pairs: Iterable[tuple[Category, Node]]) -> dict[tuple[int, int], Route]:
    """The routes of many (category, node) pairs — a batch of intakes, the coverage page's
    areas × categories — from the active posts on the pairs' ancestries and their duties, read
    through the reference snapshot (at most two queries, none when the snapshot holds them).
    Keyed by (category id, node id)."""
    wanted = {(c.pk, n.pk): (c, n) for c, n in pairs}
    if not wanted:
        return {}
    codes = {code for _c, node in wanted.values() for code in node.ancestor_codes()}
    by_node: dict[str, list[Post]] = defaultdict(list)
    for post in reference.posts_on(codes):
        by_node[post.node.code].append(post)
    duties = reference.duties(p.pk for posts in by_node.values() for p in posts)
    on_path: dict[int, list[Post]] = {}  # node id -> the posts on its ancestry
    routes = {}
    for key, (category, node) in wanted.items():
        if node.pk not in on_path:
            on_path[node.pk] = [p for code in node.ancestor_codes() for p in by_node.get(code, ())]
        routes[key] = choose(
            node=node,
            lead_kind=lead_kind_of(category),
            posts=on_path[node.pk],
            answers=_names(duties, category.pk),
        )
    return routes


def _names(duties: dict[int, frozenset[int]], category_id: int) -> Callable[[Post], bool]:
    return lambda post: category_id in duties[post.pk]
