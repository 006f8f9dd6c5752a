"""Categories and the 三定 roster through the process's reference snapshot (core.refdata): what
every intake reads — the category by code, the active posts on a place's ancestry with their
holders, each post's duties. Shared objects: read-only."""

from collections import defaultdict
from collections.abc import Iterable

from gongzhi.core import refdata
from gongzhi.orgs.access import active_posts_q
from gongzhi.orgs.models import Category, Post


def categories_by_code(codes: Iterable[str]) -> dict[str, Category]:
    """{code: category} for the active 小类 among `codes`, each with its policy loaded."""

    def load(missing: list[str]) -> dict[str, Category]:
        found = Category.objects.filter(code__in=missing, active=True, parent__isnull=False)
        return {c.code: c for c in found.order_by().select_related("policy")}

    return refdata.snapshot().get_many("category", codes, load)


def active_categories() -> list[Category]:
    """Every active 小类 in code order, with its 大类 and policy loaded: the pickers and the
    category filter of every case page, read once per snapshot rather than once a page."""

    def load(_key: str) -> list[Category]:
        found = Category.objects.filter(active=True, parent__isnull=False).select_related("parent", "policy")
        return list(found.order_by("code"))

    return refdata.snapshot().get("categories", "active", load)  # type: ignore[no-any-return]


def posts_on(codes: Iterable[str]) -> list[Post]:
    """The posts active today on the nodes with these codes, with unit, node (no boundary),
    holder and deputy and their accounts loaded; in the tree's order (node path, code)."""
    by_node = _roster()
    posts = [p for code in set(codes) for p in by_node.get(code, ())]
    posts.sort(key=lambda p: (p.node.path, p.code))
    return posts


def duties(post_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """{post id: the ids of the categories it answers for}."""
    held = _roster_duties()
    return {pk: held.get(pk, frozenset()) for pk in post_ids}


def _roster() -> dict[str, list[Post]]:
    """The whole active roster by node code, read at once: a street has hundreds of posts, and
    a place without one (most buildings) is answered without a query of its own."""
    snapshot = refdata.snapshot()

    def load(_key: str) -> dict[str, list[Post]]:
        found: dict[str, list[Post]] = defaultdict(list)
        posts = (
            Post.objects.filter(active_posts_q(snapshot.day))
            .order_by()
            .select_related("unit", "node", "person__user", "deputy__user")
            .defer("node__geometry")
        )
        for post in posts:
            found[post.node.code].append(post)
        return dict(found)

    return snapshot.get("roster", "active", load)  # type: ignore[no-any-return]


def _roster_duties() -> dict[int, frozenset[int]]:
    snapshot = refdata.snapshot()

    def load(_key: str) -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        for post_id, category_id in Post.categories.through.objects.values_list("post_id", "category_id"):
            found[post_id].add(category_id)
        return {pk: frozenset(ids) for pk, ids in found.items()}

    return snapshot.get("duties", "all", load)  # type: ignore[no-any-return]
