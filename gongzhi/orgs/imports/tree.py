"""Plan a 辖区 tree import: parents may come later in the file, so rows are checked against
the tree as it will be once the whole file is applied, and written parents first."""

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level, level_from_label
from gongzhi.geo.models import PATH_SEP, Node
from gongzhi.orgs import access
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Planned,
    RowCheck,
    check_unique_code,
    fetch_by_code,
)
from gongzhi.orgs.imports.templates import TREE
from gongzhi.orgs.imports.workbook import SheetRow

NOTE = "Excel导入"


@dataclass
class TreeRow:
    check: RowCheck
    code: str
    name: str
    level: int
    parent: str  # "" for a root
    address: str
    geometry: dict[str, Any] | None


def plan_tree(rows: list[SheetRow], report: ImportReport, user: Actor | None) -> list[Planned]:
    seen: dict[str, int] = {}
    parsed: dict[str, TreeRow] = {}
    for row in rows:
        check = RowCheck(TREE, report, row)
        tree_row = _parse(check)
        check_unique_code(check, tree_row.code if tree_row else None, seen)
        if tree_row and check.ok:
            parsed[tree_row.code] = tree_row
    if report.errors:  # the cross-row checks below need every row readable
        return []
    known = _load_nodes(parsed)
    for tree_row in parsed.values():
        if tree_row.parent and tree_row.parent not in parsed and tree_row.parent not in known:
            tree_row.check.error(
                "parent", _("上级编码 %(c)s 不存在（本文件和系统中都没有）") % {"c": tree_row.parent}
            )
    if report.errors:
        return []
    final = _FinalTree(parsed, known)
    planned = []
    for tree_row in parsed.values():
        if final.check(tree_row) and user is not None:
            _check_scope(tree_row, known.get(tree_row.code), final, user)
        if tree_row.check.ok:
            planned.append(_plan_row(tree_row, known.get(tree_row.code)))
    # parents before children, so a parent defined further down the file exists in time
    planned.sort(key=lambda p: final.depth(cells.text(p.row.values["code"])))
    return planned


def _parse(check: RowCheck) -> TreeRow | None:
    code = check.get("code", cells.code)
    if code:
        try:
            geo_services.validate_code(code)
        except ValidationError as exc:
            check.validation(exc)
    level_text = check.get("level")
    level = level_from_label(level_text) if level_text else None
    if level_text and level is None:
        labels = "、".join(str(label) for label in Level.labels)
        check.error("level", _("层级“%(v)s”无效，应为：%(l)s") % {"v": level_text, "l": labels})
    geometry = _geometry(check)
    if not check.ok or code is None or level is None:
        return None
    return TreeRow(
        check=check,
        code=code,
        name=check.get("name"),
        level=level,
        parent=check.get("parent", cells.code) or "",
        address=check.get("address") or "",
        geometry=geometry,
    )


def _geometry(check: RowCheck) -> dict[str, Any] | None:
    lon = check.get("lon", cells.number, -180, 180)
    lat = check.get("lat", cells.number, -90, 90)
    boundary = check.get("geometry")
    if (lon is None) != (lat is None) and check.ok:
        check.error("lon" if lon is None else "lat", _("经度和纬度要一起填写"))
        return None
    if boundary and lon is not None:
        check.error("geometry", _("经纬度和边界只能填一种"))
        return None
    if lon is not None:
        return {"type": "Point", "coordinates": [lon, lat]}
    if not boundary:
        return None
    try:
        geometry = json.loads(boundary)
        geo_services.validate_geometry(geometry)
    except ValueError:
        check.error("geometry", _("边界不是有效的 GeoJSON 文本"))
        return None
    except ValidationError as exc:
        check.validation(exc)
        return None
    return geometry


def _load_nodes(parsed: dict[str, TreeRow]) -> dict[str, Node]:
    """The existing nodes the file names, and all their ancestors."""
    codes = set(parsed) | {r.parent for r in parsed.values() if r.parent}
    known = fetch_by_code(Node.objects.all(), codes)
    ancestors = {c for n in known.values() for c in n.ancestor_codes()} - set(known)
    known |= fetch_by_code(Node.objects.all(), ancestors)
    return known


class _FinalTree:
    """The tree as it will be after the import: the file's rows over the stored nodes.
    Every parent code is known by now (checked before this is built)."""

    def __init__(self, parsed: dict[str, TreeRow], known: dict[str, Node]) -> None:
        self.parsed, self.known = parsed, known

    def parent_of(self, code: str) -> str:
        if code in self.parsed:
            return self.parsed[code].parent
        codes = self.known[code].ancestor_codes()
        return codes[-2] if len(codes) > 1 else ""

    def level_of(self, code: str) -> int:
        return self.parsed[code].level if code in self.parsed else self.known[code].level

    def path(self, code: str) -> str | None:
        """The final materialised path, or None where the chain runs into a loop."""
        chain: list[str] = []
        current = code
        while current:
            if current in chain:
                return None
            chain.append(current)
            current = self.parent_of(current)
        return PATH_SEP + PATH_SEP.join(reversed(chain)) + PATH_SEP

    def in_loop(self, code: str) -> bool:
        seen: set[str] = set()
        current = self.parent_of(code)
        while current and current not in seen:
            if current == code:
                return True
            seen.add(current)
            current = self.parent_of(current)
        return False

    def depth(self, code: str) -> int:
        return (self.path(code) or "").count(PATH_SEP)

    def check(self, row: TreeRow) -> bool:
        existing = self.known.get(row.code)
        if existing is not None and existing.level != row.level:
            was = Level(existing.level).label
            row.check.error("level", _("层级不能通过导入修改（系统中为“%(l)s”）") % {"l": was})
        if self.in_loop(row.code):
            row.check.error(
                "parent", _("上级编码 %(c)s 会形成循环：它是本节点自己或本节点的下级") % {"c": row.parent}
            )
            return False
        if self.path(row.code) is None:  # hangs under a loop that its own rows report
            return False
        parent = Node(code=row.parent, level=self.level_of(row.parent)) if row.parent else None
        try:
            geo_services.validate_parent(level=row.level, parent=parent)
        except ValidationError as exc:
            row.check.validation(exc)
        return row.check.ok


def _check_scope(row: TreeRow, existing: Node | None, final: _FinalTree, user: Actor) -> None:
    will_be = Node(code=row.code, name=row.name, path=final.path(row.code) or "")
    for node in (will_be, existing):
        if node is not None and not access.can(user, access.MANAGE_TREE, node):
            row.check.error("code", _("无权导入：“%(n)s”不在您的管辖范围内") % {"n": node.name})
            return


def _plan_row(row: TreeRow, existing: Node | None) -> Planned:
    sheet_row = row.check.row
    if existing is None:
        return Planned(sheet_row, CREATED, lambda actor: _create(row, actor))
    stored_parent = (existing.ancestor_codes()[-2:-1] or [""])[0]
    moved = row.parent != stored_parent
    edited = (
        row.name != existing.name
        or row.address != existing.address
        or (row.geometry is not None and row.geometry != existing.geometry)
    )
    if not (moved or edited):
        return Planned(sheet_row, UNCHANGED)
    return Planned(sheet_row, UPDATED, lambda actor: _update(row, actor, moved=moved, edited=edited))


def _create(row: TreeRow, actor: Actor | None) -> Node:
    return geo_services.node_create(
        actor=actor,
        code=row.code,
        name=row.name,
        level=row.level,
        parent=Node.objects.get(code=row.parent) if row.parent else None,
        address=row.address,
        geometry=row.geometry,
    )


def _update(row: TreeRow, actor: Actor | None, *, moved: bool, edited: bool) -> None:
    """A changed 上级编码 is a move, a changed name a rename: each its own history row."""
    node = Node.objects.get(code=row.code)
    if moved:
        new_parent = Node.objects.get(code=row.parent)
        node = geo_services.node_move(actor=actor, node=node, new_parent=new_parent, note=NOTE)
    if edited:
        geo_services.node_update(
            actor=actor, node=node, name=row.name, address=row.address, geometry=row.geometry, note=NOTE
        )
