"""Routing: category × place → the post that answers for it (三定).

Candidates are the active posts whose duty includes the category and whose node is the case's
node or one of its ancestors. The most specific node wins; among posts there, one whose unit is
of the category's lead-department kind leads (主办) and the others assist (协办).
"""

from collections import defaultdict
from collections.abc import Iterable

from gongzhi.geo.models import Node
from gongzhi.orgs import reference
from gongzhi.orgs.models import Category, Post

Route = tuple[Post | None, list[Post]]


def route(*, category: Category, node: Node) -> Route:
    return route_many([(category, node)])[(category.pk, node.pk)]


def route_many(pairs: Iterable[tuple[Category, Node]]) -> dict[tuple[int, int], Route]:
    """The routes of many (category, node) pairs — a batch of intakes — from the active posts on
    the pairs' ancestries and their duties, read through the reference snapshot (at most two
    queries, none when the snapshot holds them). Keyed by (category id, node id)."""
    wanted = {(c.pk, n.pk): (c, n) for c, n in pairs}
    if not wanted:
        return {}
    codes = {code for _c, node in wanted.values() for code in node.ancestor_codes()}
    posts = reference.posts_on(codes)
    duties = reference.duties(p.pk for p in posts)
    posts_for: dict[int, list[Post]] = defaultdict(list)  # category id -> posts answering for it
    for post in posts:
        for category_id in duties.get(post.pk, ()):
            posts_for[category_id].append(post)
    return {key: _choose(category, node, posts_for[category.pk]) for key, (category, node) in wanted.items()}


def _choose(category: Category, node: Node, posts: list[Post]) -> Route:
    ancestry = set(node.ancestor_codes())
    candidates = [p for p in posts if p.node.code in ancestry]
    if not candidates:
        return None, []
    deepest = max(len(p.node.path) for p in candidates)
    here = [p for p in candidates if len(p.node.path) == deepest]
    lead_kind = getattr(getattr(category, "policy", None), "lead_unit_kind", "")
    here.sort(key=lambda p: (p.unit.kind != lead_kind, p.code))
    return here[0], here[1:]
