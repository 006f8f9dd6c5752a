"""Writes to the jurisdiction tree. Each checks the actor's MANAGE_TREE power over the nodes it
touches (`core.powers`: geo cannot import orgs.access), validates, writes in one transaction and
records who changed what in `NodeChange`."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from gongzhi.core import clock, powers
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.errors import invalid
from gongzhi.geo import copies, signals, streets
from gongzhi.geo.levels import ALLOWED_PARENTS, ROOTS, Level
from gongzhi.geo.models import PATH_SEP, Node, NodeChange

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
GEOMETRY_TYPES = {"Point", "Polygon", "MultiPolygon"}


def _require_manage(actor: Actor | None, *paths: str) -> None:
    powers.require(actor, powers.MANAGE_TREE, *paths, message=_("您无权修改该辖区的结构"))


def validate_code(code: str) -> None:
    if not CODE_RE.match(code or ""):
        raise invalid("code", _("编码只能由字母、数字、点、横线或下划线组成，最长40位"))


def validate_parent(*, level: int, parent: Node | None) -> None:
    allowed = ALLOWED_PARENTS[level]
    if parent is None:
        if level not in ROOTS:
            raise invalid("parent", _("%(level)s必须有上级节点") % {"level": Level(level).label})
        return
    if parent.level not in allowed:
        raise invalid(
            "parent",
            _("%(level)s不能挂在%(parent)s下，上级应为：%(allowed)s")
            % {
                "level": Level(level).label,
                "parent": Level(parent.level).label,
                "allowed": "、".join(str(Level(a).label) for a in allowed),
            },
        )


def validate_geometry(geometry: dict[str, Any] | None) -> None:
    if geometry is None:
        return
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise invalid("geometry", _("边界须为 GeoJSON 的 Point、Polygon 或 MultiPolygon"))
    if not isinstance(geometry.get("coordinates"), list):
        raise invalid("geometry", _("GeoJSON 缺少坐标"))


def path_for(code: str, parent: Node | None) -> str:
    return (parent.path if parent else PATH_SEP) + code + PATH_SEP


def _snapshot(node: Node) -> dict[str, Any]:
    return {
        "name": node.name,
        "parent": node.parent.code if node.parent_id and node.parent else None,
        "path": node.path,
        "address": node.address,
        "jurisdiction_id": node.jurisdiction_id,
    }


JURISDICTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")


def validate_jurisdiction(node: Node, jurisdiction_id: str) -> None:
    """A street's Open311 jurisdiction_id: letters, digits, dots, dashes; unique; streets only."""
    if not jurisdiction_id:
        return
    if node.level != Level.STREET:
        raise invalid("jurisdiction_id", _("只有街道可以设置 Open311 辖区标识"))
    if not JURISDICTION_RE.match(jurisdiction_id):
        raise invalid("jurisdiction_id", _("辖区标识只能由字母、数字、点或横线组成，最长60位"))
    if Node.objects.filter(jurisdiction_id=jurisdiction_id).exclude(pk=node.pk).exists():
        raise invalid("jurisdiction_id", _("辖区标识 %(id)s 已被其他街道使用") % {"id": jurisdiction_id})


@transaction.atomic
def node_create(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    level: int,
    parent: Node | None,
    address: str = "",
    geometry: dict[str, Any] | None = None,
) -> Node:
    _require_manage(actor, parent.path if parent is not None else powers.ROOT_PATH)
    validate_code(code)
    if not (name or "").strip():
        raise invalid("name", _("名称不能为空"))
    if level not in Level.values:
        raise invalid("level", _("层级无效"))
    validate_parent(level=level, parent=parent)
    validate_geometry(geometry)
    if Node.objects.filter(code=code).exists():
        raise invalid("code", _("编码 %(code)s 已存在") % {"code": code})
    node = Node.objects.create(
        code=code,
        name=name.strip(),
        level=level,
        parent=parent,
        path=path_for(code, parent),
        address=address,
        geometry=geometry,
    )
    NodeChange.objects.create(
        node=node,
        kind=NodeChange.Kind.CREATE,
        after=_snapshot(node),
        actor=recorded_or_system(actor),
        at=clock.now(),
    )
    return node


@transaction.atomic
def node_update(
    *,
    actor: Actor | None,
    node: Node,
    name: str | None = None,
    address: str | None = None,
    geometry: dict[str, Any] | None = None,
    jurisdiction_id: str | None = None,
    note: str = "",
) -> Node:
    """Rename a node or change its address, boundary or (a street's) Open311 jurisdiction_id;
    the old values stay in its history."""
    _require_manage(actor, node.path)
    before = _snapshot(node)
    kind = NodeChange.Kind.UPDATE
    if name is not None:
        if not name.strip():
            raise invalid("name", _("名称不能为空"))
        if name.strip() != node.name:
            kind = NodeChange.Kind.RENAME
        node.name = name.strip()
    if address is not None:
        node.address = address
    if geometry is not None:
        validate_geometry(geometry)
        node.geometry = geometry
    if jurisdiction_id is not None:
        validate_jurisdiction(node, jurisdiction_id.strip())
        node.jurisdiction_id = jurisdiction_id.strip()
    node.save()
    after = _snapshot(node)
    if after != before or geometry is not None:
        NodeChange.objects.create(
            node=node,
            kind=kind,
            before=before,
            after=after,
            actor=recorded_or_system(actor),
            at=clock.now(),
            note=note,
        )
    return node


@dataclass
class Moved:
    node: Node
    old_path: str
    rows: dict[str, int] = field(default_factory=dict)  # table → copies of paths rewritten


def _check_same_street(node: Node, new_parent: Node) -> None:
    """A node below a street stays in its street: its cases, calendar, limits, categories'
    models and Open311 jurisdiction are the street's (docs/tenancy.md), so a move across
    streets is refused rather than half supported. A street itself may move (under a district)."""
    if node.level <= Level.STREET:
        return
    here = streets.street_code(node.path)
    there = streets.street_code(path_for(node.code, new_parent))
    if here != there:
        raise invalid(
            "parent",
            _("不能把%(node)s移到另一个街道（%(there)s）：街道以下的节点只能在本街道内调整")
            % {"node": node.name, "there": there or new_parent.name},
        )


@transaction.atomic
def node_move_with_copies(*, actor: Actor | None, node: Node, new_parent: Node, note: str = "") -> Moved:
    """Move a node and its whole subtree under another parent: the tree's paths in one UPDATE,
    then every copy of them in other tables (`geo.copies`: cases, facts, care, orders…), then
    `signals.node_moved` for the tables derived from the tree (the KPI rollup) — all in one
    transaction. 422 (ValidationError) for a move into its own subtree, to a parent of the
    wrong level, or (below a street) into another street."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    new_parent = Node.objects.get(pk=new_parent.pk)
    _require_manage(actor, node.path, new_parent.path)  # taken from one place, put in another
    if new_parent.path.startswith(node.path):
        raise invalid("parent", _("不能把节点移到它自己或它的下级之下"))
    validate_parent(level=node.level, parent=new_parent)
    if node.parent_id == new_parent.pk:
        return Moved(node=node, old_path=node.path)
    _check_same_street(node, new_parent)
    before = _snapshot(node)
    old_path, new_path = node.path, path_for(node.code, new_parent)
    subtree = Node.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1, Length(F("path"))))
    )
    Node.objects.filter(pk=node.pk).update(parent=new_parent)
    node.refresh_from_db()
    moved = Moved(node=node, old_path=old_path, rows={Node._meta.db_table: subtree})
    moved.rows.update(copies.rewrite_all(old_path, new_path))
    NodeChange.objects.create(
        node=node,
        kind=NodeChange.Kind.MOVE,
        before=before,
        after={**_snapshot(node), "rows": {t: n for t, n in moved.rows.items() if n}},
        actor=recorded_or_system(actor),
        at=clock.now(),
        note=note,
    )
    signals.node_moved.send(sender=Node, node=node, old_path=old_path, new_path=new_path)
    return moved


def node_move(*, actor: Actor | None, node: Node, new_parent: Node, note: str = "") -> Node:
    """`node_move_with_copies`, for callers that need only the moved node."""
    return node_move_with_copies(actor=actor, node=node, new_parent=new_parent, note=note).node
