"""Routing: category × place → the post that answers for it (三定).

Candidates are the active posts whose duty includes the category and whose node is the case's
node or one of its ancestors. The most specific node wins; among posts there, one whose unit is
of the category's lead-department kind leads (主办) and the others assist (协办).
"""

from collections import defaultdict
from collections.abc import Iterable

from gongzhi.geo.models import Node
from gongzhi.orgs.access import active_posts_q
from gongzhi.orgs.models import Category, Post

Route = tuple[Post | None, list[Post]]


def route(*, category: Category, node: Node) -> Route:
    return route_many([(category, node)])[(category.pk, node.pk)]


def route_many(pairs: Iterable[tuple[Category, Node]]) -> dict[tuple[int, int], Route]:
    """The routes of many (category, node) pairs — a batch of intakes — from two queries: the
    active posts on the pairs' ancestries, and which of the pairs' categories each answers for.
    Keyed by (category id, node id)."""
    wanted = {(c.pk, n.pk): (c, n) for c, n in pairs}
    if not wanted:
        return {}
    codes = {code for _c, node in wanted.values() for code in node.ancestor_codes()}
    category_ids = {c.pk for c, _n in wanted.values()}
    posts = {
        p.pk: p
        for p in Post.objects.filter(active_posts_q(), node__code__in=codes)
        .select_related("unit", "node", "person")
        .defer("node__geometry")  # boundaries are not needed to route, and cost to decode
    }
    duties = Post.categories.through.objects.filter(post_id__in=list(posts), category_id__in=category_ids)
    posts_for: dict[int, list[Post]] = defaultdict(list)  # category id -> posts answering for it
    for category_id, post_id in duties.values_list("category_id", "post_id"):
        posts_for[category_id].append(posts[post_id])
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
