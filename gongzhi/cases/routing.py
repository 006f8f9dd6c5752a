"""Routing: category × place → the post that answers for it (三定).

Candidates are the active posts whose duty includes the category and whose node is the case's
node or one of its ancestors. The most specific node wins; among posts there, one whose unit is
of the category's lead-department kind leads (主办) and the others assist (协办).
"""

from gongzhi.geo.models import Node
from gongzhi.orgs.access import active_posts_q
from gongzhi.orgs.models import Category, Post


def route(*, category: Category, node: Node) -> tuple[Post | None, list[Post]]:
    codes = node.ancestor_codes()
    candidates = list(
        Post.objects.filter(active_posts_q(), categories=category, node__code__in=codes)
        .select_related("unit", "node", "person")
        .order_by("-node__path", "code")
    )
    if not candidates:
        return None, []
    deepest = max(len(p.node.path) for p in candidates)
    here = [p for p in candidates if len(p.node.path) == deepest]
    lead_kind = getattr(getattr(category, "policy", None), "lead_unit_kind", "")
    here.sort(key=lambda p: (p.unit.kind != lead_kind, p.code))
    return here[0], here[1:]
