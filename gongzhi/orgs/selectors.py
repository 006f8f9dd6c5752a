"""Reads of units, people, posts and the tree, always scoped through orgs.access."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core import pii
from gongzhi.core.actors import Actor
from gongzhi.core.models import PiiAccessLog
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs import access
from gongzhi.orgs.models import PartyOrg, Person, Post, Unit


def node_list(*, user: Actor, power: str = access.VIEW_TREE) -> QuerySet[Node]:
    return Node.objects.filter(access.nodes_q(user, power))


def node_get(*, user: Actor, code: str, power: str = access.VIEW_TREE) -> Node | None:
    """The node with this code if the user may see it; None otherwise (the caller answers 404,
    so a node outside scope is indistinguishable from one that does not exist)."""
    return node_list(user=user, power=power).filter(code=code).first()


def unit_list(*, user: Actor) -> QuerySet[Unit]:
    return Unit.objects.filter(access.nodes_q(user, access.VIEW_ROSTER, "node")).select_related("node")


def post_list(*, user: Actor, node: Node | None = None, include_inactive: bool = False) -> QuerySet[Post]:
    qs = Post.objects.filter(access.posts_q(user))
    if not include_inactive:
        qs = qs.filter(access.active_posts_q())
    if node is not None:
        qs = qs.filter(node__path__startswith=node.path)
    return qs.select_related("unit", "node", "person", "deputy").prefetch_related("categories")


def roster(*, user: Actor, area: Node) -> QuerySet[Post]:
    """Who answers for what in a residential area: posts on the area, its estates and grids,
    and the posts above it that serve it (the street liaison, the police officer posted to it)."""
    return post_list(user=user, node=area).order_by("meeting_role", "node__path", "title")


def person_list(*, user: Actor) -> QuerySet[Person]:
    return Person.objects.filter(access.people_q(user)).select_related("home")


def person_search(*, user: Actor, text: str) -> QuerySet[Person]:
    """Search by name (contains) or code. A whole phone or ID number finds nobody here: that
    search is `services.person_number_search`, which writes the access log."""
    text = (text or "").strip()
    if not text or pii.number_kind(text):
        return Person.objects.none()
    return person_list(user=user).filter(Q(name__contains=text) | Q(code=text))


def person_by_number(*, user: Actor, search: pii.NumberSearch) -> QuerySet[Person]:
    """The people in scope whose phone or ID number hashes to the search's digest. Callers
    reach it through a logged search (services.person_number_search) or its later pages."""
    column = {"phone": "phone_hash", "id_number": "id_hash"}[search.kind]
    return person_list(user=user).filter(**{column: search.digest})


def party_org_list(*, user: Actor) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.filter(access.nodes_q(user, access.VIEW_TREE, "node")).select_related("node")


def person_get(*, user: Actor, pk: int) -> Person | None:
    return person_list(user=user).filter(pk=pk).first()


def pii_access_log_list(
    *, user: Actor, date_from: date | None = None, date_to: date | None = None, actor: str | None = None
) -> QuerySet[PiiAccessLog]:
    """The personal-data access log for a user with AUDIT: reveals about persons living in or
    holding posts in the auditor's subtrees, and reveals by staff posted there. Dates are
    local (Asia/Shanghai) days, both ends included; `actor` is a username."""
    s = access.scope(user)
    qs = PiiAccessLog.objects.select_related("actor")
    if not s.superuser:
        paths = s.paths(access.AUDIT)
        if not paths:
            return qs.none()
        posts = Post.objects.filter(subtree_q(paths, "node"))
        subjects = (
            Q(subject_id__in=Person.objects.filter(subtree_q(paths, "home")).values("pk"))
            | Q(subject_id__in=posts.values("person_id"))
            | Q(subject_id__in=posts.values("deputy_id"))
        )
        qs = qs.filter(
            (Q(subject_model="orgs.person") & subjects) | Q(actor__person__in=posts.values("person_id"))
        )
    if date_from is not None:
        qs = qs.filter(at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__date__lte=date_to)
    if actor:
        qs = qs.filter(actor__username=actor)
    return qs.order_by("-at", "-id")


# --- figures for pages (added for gongzhi.web: home page and tree browser) ----------------------


@dataclass
class NodeFigures:
    """What a node's card shows: descendants by level, residents by age, active posts."""

    levels: dict[int, int] = field(default_factory=dict)  # level -> descendants at that level
    residents: int = 0
    aged_60: int = 0
    aged_80: int = 0
    aged_80_alone: int = 0
    posts: int = 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _branch(path_field: str, prefix_len: int) -> Any:
    """The path of the node just below a common prefix that a row's path lies under, in SQL:
    cut the path after the first "/" that follows the prefix (codes are ASCII)."""
    from django.db.models import F, IntegerField, Value
    from django.db.models.functions import StrIndex, Substr

    rest = Substr(F(path_field), prefix_len + 1)
    length = Value(prefix_len, output_field=IntegerField()) + StrIndex(rest, Value("/"))
    return Substr(F(path_field), 1, length)


def node_figures(*, user: Actor, nodes: list[Node]) -> dict[int, NodeFigures]:
    """Figures for each node the user may see (VIEW_TREE: aggregate figures, never names).

    The descendants and residents are the counts kept per node (orgs.figures: counted by the
    scheduled rollup, or now when a node has none of today); the posts, cut to what the user
    sees, are counted now: one query per group of siblings.
    """
    from django.db.models import Count

    from gongzhi.orgs import figures as kept_figures

    visible = [n for n in nodes if access.can(user, access.VIEW_TREE, n)]
    result = kept_figures.of(visible)
    for prefix, group in _siblings(visible).items():
        by_path = {n.path: result[n.pk] for n in group}
        posts = (
            Post.objects.filter(
                access.posts_q(user), access.active_posts_q(), subtree_q(list(by_path), "node")
            )
            .annotate(branch=_branch("node__path", len(prefix)))
            .values("branch")
            .annotate(n=Count("id"))
        )
        for row in posts:
            by_path[row["branch"]].posts = row["n"]
    return result


def _siblings(nodes: list[Node]) -> dict[str, list[Node]]:
    """Nodes grouped by their parent's path: each group's figures are one aggregate query."""
    groups: dict[str, list[Node]] = {}
    for n in nodes:
        groups.setdefault(n.path[: n.path.rstrip("/").rfind("/") + 1], []).append(n)
    return groups


def count_node_figures(nodes: list[Node], today: date) -> dict[int, NodeFigures]:
    """Descendants by level and residents by age of each node, counted now over its subtree
    (two aggregate queries per group of siblings, whatever their size); no posts."""
    from django.db.models import Count

    result = {n.pk: NodeFigures() for n in nodes}
    born_60, born_80 = _years_before(today, 60), _years_before(today, 80)
    for prefix, group in _siblings(nodes).items():
        by_path = {n.path: result[n.pk] for n in group}
        paths = list(by_path)
        levels = (
            Node.objects.filter(subtree_q(paths))
            .exclude(path__in=paths)
            .annotate(branch=_branch("path", len(prefix)))
            .values("branch", "level")
            .annotate(n=Count("id"))
        )
        for row in levels:
            by_path[row["branch"]].levels[row["level"]] = row["n"]
        people = (
            Person.objects.filter(subtree_q(paths, "home"))
            .annotate(branch=_branch("home__path", len(prefix)))
            .values("branch")
            .annotate(
                residents=Count("id"),
                aged_60=Count("id", filter=Q(birth_date__lte=born_60)),
                aged_80=Count("id", filter=Q(birth_date__lte=born_80)),
                aged_80_alone=Count("id", filter=Q(birth_date__lte=born_80, lives_alone=True)),
            )
        )
        for row in people:
            figures = by_path[row["branch"]]
            figures.residents, figures.aged_60 = row["residents"], row["aged_60"]
            figures.aged_80, figures.aged_80_alone = row["aged_80"], row["aged_80_alone"]
    return result


def node_children(*, user: Actor, node: Node) -> QuerySet[Node]:
    """The children of a node, within the user's scope."""
    return node_list(user=user).filter(parent=node).order_by("code")


def node_trail(*, user: Actor, node: Node) -> QuerySet[Node]:
    """A node's ancestors and itself, only those the user may see (for a breadcrumb)."""
    return node_list(user=user).filter(code__in=node.ancestor_codes()).order_by("path")


def person_address(*, user: Actor, person: Person) -> list[Node]:
    """The nodes from the street down to a visible person's household: their address. Whoever
    may see the person may read it, even where the upper nodes lie outside their own scope."""
    home = person.home
    if home is None or not access.can_see_person(user, person):
        return []
    return list(Node.objects.filter(code__in=home.ancestor_codes()).order_by("path"))
