"""What a case action may be given, and when: the one door for every caller.

`services.case_act` refuses whatever these functions do not allow, and the case page builds
its choices by calling them, so the page, the API, the admin and the commands get the same
answer. (The states each action needs are in `workflow`; who may act is `services.actor_kinds`.)
"""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases import routing
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core.actors import Actor
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Category, Post, Unit

MAX_PHOTOS = 4  # photos on one report or one action


# --- the post a case is dispatched or reassigned to ---------------------------------------------


def rung_node(case: Case) -> Node:
    """The node whose dispatcher handles the case at its current rung (the deepest ancestor at
    or above the rung's level, so a street without block areas still has a dispatcher)."""
    ancestors = Node.objects.filter(code__in=case.node.ancestor_codes(), level__lte=case.rung)
    return ancestors.order_by("-level").first() or case.node


def recommended_posts(case: Case) -> list[Post]:
    """The routing candidates for the case's category and place (主办 first)."""
    if case.category is None:
        return []
    routed = routing.route(category=case.category, node=case.node)
    return [p for p in [routed.post, *routed.assisting] if p is not None]


def _roster_around(actor: Actor | None, case: Case) -> QuerySet[Post]:
    """The active posts the actor sees under the case's rung or on the case's own ancestry
    (a department at the street answers for the whole street). The system (actor None: a
    binding task slip dispatching the cases it creates) sees the whole roster."""
    rung = rung_node(case)
    if actor is None:
        posts = Post.objects.filter(access.active_posts_q()).select_related("unit", "node", "person")
    else:
        posts = org_selectors.post_list(user=actor)
    return posts.filter(Q(node__path__startswith=rung.path) | Q(node__code__in=case.node.ancestor_codes()))


def unit_post(case: Case, unit: Unit) -> Post | None:
    """The post through which `unit` answers for the case's place, among the unit's dispatch
    candidates (the roster around the case): one whose duty holds the case's category first;
    then one on the case's ancestry, the deepest first, else the nearest under the case's node.
    None when the unit has no post there (a dispatcher decides)."""
    posts = list(_roster_around(None, case).filter(unit=unit).prefetch_related("categories"))
    ancestry = set(case.node.ancestor_codes())
    under = case.node.path

    def rank(post: Post) -> tuple[bool, bool, int, str]:
        on_ancestry = post.node.code in ancestry
        duty = case.category_id is not None and any(c.pk == case.category_id for c in post.categories.all())
        depth = len(post.node.path)
        return (not duty, not on_ancestry, -depth if on_ancestry else depth, post.code)

    placed = [p for p in posts if p.node.code in ancestry or p.node.path.startswith(under)]
    return min(placed, key=rank) if placed else None


def dispatch_candidates(actor: Actor | None, case: Case, *, limit: int = 200) -> list[tuple[Post, bool]]:
    """The posts `actor` may dispatch or reassign the case to, as (post, recommended): the
    routing candidates first, then the roster around the case's rung (at most `limit` of them)."""
    recommended = recommended_posts(case)
    seen = {p.pk for p in recommended}
    around = _roster_around(actor, case).order_by("node__path", "title")[:limit]
    others = [p for p in around if p.pk not in seen]
    return [(p, True) for p in recommended] + [(p, False) for p in others]


def may_dispatch_to(actor: Actor | None, case: Case, post: Post) -> bool:
    """Whether `post` is one of the case's dispatch candidates (not only the first `limit`)."""
    if any(p.pk == post.pk for p in recommended_posts(case)):
        return True
    return bool(_roster_around(actor, case).filter(pk=post.pk).exists())


def dispatch_refusal(actor: Actor | None, case: Case, post: Post) -> str | None:
    """Why `post` may not take the case, or None."""
    if may_dispatch_to(actor, case, post):
        return None
    return _("岗位 %(code)s 不在本工单可派遣的岗位中（须为在岗岗位，且在本工单所在辖区或其上级）") % {
        "code": post.code
    }


# --- the category a case is registered under ------------------------------------------------------


def category_refusal(category: Category) -> str | None:
    if category.parent_id is None or not category.active:
        return _("请选择一个启用的小类")
    return None


# --- extensions (延期) ------------------------------------------------------------------------------


def pending_extension(case: Case) -> CaseEvent | None:
    """The latest extension request, when no decision has followed it."""
    last = case.events.filter(action__in=["request_extension", "decide_extension"]).order_by("-seq").first()
    return last if last is not None and last.action == "request_extension" else None


def extension_refusal(case: Case, until: datetime | None, now: datetime) -> str | None:
    """Why an extension may not be asked now (only while the handling clock runs, one request
    at a time, to a later time than the current limit), or None."""
    if case.handle_due is None or now >= case.handle_due:
        return _("已超过处置时限，不能再申请延期")
    if pending_extension(case) is not None:
        return _("已有待审批的延期申请")
    if until is not None and until <= case.handle_due:
        return _("延期时间须晚于原处置时限")
    return None
