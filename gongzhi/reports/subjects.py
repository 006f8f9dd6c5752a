"""Whose figures: a node's subtree, a unit or a post; checked against orgs.access.

- A node's KPIs need VIEW_CASES over the node: every case under it is then visible to the
  asker, so no total counts a case they could not open. A node outside the scope is a 403
  (PermissionDeniedError), an unknown code a field error (ValidationError), never a 500.
- A post's or a unit's KPIs: its holders (and deputies) and the unit's members see their
  own, if their posts give them cases at all (access.sees_cases: an auditor's or a
  partner's post does not: 403, no figures); anyone with VIEW_CASES over the post's (unit's)
  node sees them too. With a node as well, only the cases under that node are counted (the
  node must be in scope). Their drill-down lists only the cases the asker may see
  (reports.drill), since a post's facts follow it to cases outside the asker's scope.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Post, Unit

CODE_MAX = 40


@dataclass(frozen=True)
class Subject:
    paths: tuple[str, ...]  # subtrees counted; empty: no place filter (a post's own figures)
    label: str
    node: Node | None = None
    unit: Unit | None = None
    post: Post | None = None
    post_ids: frozenset[int] | None = None  # None: every post
    deepest: int = Level.STREET  # the deepest level among the nodes of `paths`

    @property
    def by_area(self) -> bool:
        """Whether the daily totals can answer: no place filter, or places at the area level
        or above (the totals' grain)."""
        return self.deepest <= Level.AREA

    def query(self) -> dict[str, str]:
        """The subject as query parameters (for links)."""
        out = {}
        if self.node is not None:
            out["node"] = self.node.code
        if self.unit is not None:
            out["unit"] = self.unit.code
        if self.post is not None:
            out["post"] = self.post.code
        return out


def path_q(paths: tuple[str, ...] | list[str], field: str = "node_path") -> Q:
    """Rows whose denormalised path lies under any of `paths` (an indexed prefix LIKE)."""
    return access.paths_q(paths, field)


def node_subject(node: Node, *, post_ids: frozenset[int] | None = None) -> Subject:
    """A node's figures, with no access check: for the schedule, the bench and the reports."""
    return Subject(paths=(node.path,), label=node.name, node=node, post_ids=post_ids, deepest=node.level)


def _code(value: str, field: str) -> str:
    code = (value or "").strip()
    if len(code) > CODE_MAX:
        raise ValidationError({field: [_("编码过长")]})
    return code


def _node(user: Actor, code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None or (not access.can(user, access.VIEW_CASES, node) and _elsewhere(user, node)):
        # another street's node is as unknown as a missing one: no answer tells it exists
        raise ValidationError({"node": [_("辖区 %(code)s 不存在") % {"code": code}]})
    if not access.can(user, access.VIEW_CASES, node):
        raise PermissionDeniedError(_("您无权查看该辖区的统计"))
    return node


def _elsewhere(user: Actor, node: Node) -> bool:
    """Whether `node` lies outside every street the user works in and is not above them (their
    district): a place of another street, whose very existence is not theirs to learn."""
    roots = [r.path for r in access.root_nodes(user, access.VIEW_CASES)]
    if not roots or any(
        r.startswith(node.path) for r in roots
    ):  # no places: a 403 says no more  # their district, their street, above them
        return False
    streets_of = {streets.street_path(r) or r for r in roots}  # a district's root is its own
    return not any(node.path.startswith(p) for p in streets_of)


def _own_post_ids(user: Actor) -> set[int]:
    person_id = access.scope(user).person_id
    if person_id is None:
        return set()
    rows = Post.objects.filter(access.active_posts_q()).filter(
        Q(person_id=person_id) | Q(deputy_id=person_id)
    )
    return set(rows.values_list("pk", flat=True))


def default_paths(user: Actor) -> list[Node]:
    """The top nodes whose cases the user sees (their own scope's figures)."""
    return access.root_nodes(user, access.VIEW_CASES)


def scope_subject(user: Actor) -> Subject | None:
    """Everything whose cases the user sees by place (their VIEW_CASES subtrees), from the
    scope already computed for the request (no query, except for a superuser)."""
    s = access.scope(user)
    if s.superuser:
        roots = default_paths(user)
        return Subject(
            paths=tuple(n.path for n in roots), label="", deepest=max((n.level for n in roots), default=1)
        )
    grants = [g for g in s.grants if access.VIEW_CASES in g.powers]
    paths = access.outermost([g.path for g in grants])
    if not paths:
        return None
    deepest = max(g.level for g in grants if g.path in paths)
    return Subject(paths=tuple(paths), label="", deepest=deepest)


def subject_for(user: Actor, *, node: str = "", unit: str = "", post: str = "") -> Subject:
    """The subject a user asks for; 422 for unknown codes, 403 outside their scope."""
    node_code, unit_code, post_code = _code(node, "node"), _code(unit, "unit"), _code(post, "post")
    where = _node(user, node_code) if node_code else None
    if post_code:
        the_post = Post.objects.select_related("node", "unit").filter(code=post_code).first()
        if the_post is None:
            raise ValidationError({"post": [_("岗位 %(code)s 不存在") % {"code": post_code}]})
        mine = the_post.pk in _own_post_ids(user) and access.sees_cases(user)
        if not mine and not access.can(user, access.VIEW_CASES, the_post.node):
            raise PermissionDeniedError(_("您无权查看该岗位的统计"))
        label = f"{the_post.unit.name} {the_post.title}"
        return _with_place(where, label, unit=the_post.unit, post=the_post, post_ids=frozenset({the_post.pk}))
    if unit_code:
        the_unit = Unit.objects.select_related("node").filter(code=unit_code).first()
        if the_unit is None:
            raise ValidationError({"unit": [_("单位 %(code)s 不存在") % {"code": unit_code}]})
        mine = (
            access.sees_cases(user)
            and Post.objects.filter(pk__in=_own_post_ids(user), unit=the_unit).exists()
        )
        if not mine and not access.can(user, access.VIEW_CASES, the_unit.node):
            raise PermissionDeniedError(_("您无权查看该单位的统计"))
        ids = frozenset(Post.objects.filter(unit=the_unit).values_list("pk", flat=True))
        return _with_place(where, the_unit.name, unit=the_unit, post_ids=ids)
    if where is not None:
        return node_subject(where)
    roots = default_paths(user)
    if not roots:
        raise PermissionDeniedError(_("您没有可查看统计的辖区"))
    return Subject(
        paths=tuple(n.path for n in roots),
        label="、".join(n.name for n in roots),
        node=roots[0] if len(roots) == 1 else None,
        deepest=max(n.level for n in roots),
    )


def _with_place(where: Node | None, label: str, **kw: Any) -> Subject:
    if where is None:
        return Subject(paths=(), label=label, **kw)
    return Subject(
        paths=(where.path,), label=f"{where.name} · {label}", node=where, deepest=where.level, **kw
    )
