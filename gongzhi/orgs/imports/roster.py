"""Plan 单位 and 三定岗位 imports. Both refer to nodes, units and people that must already exist."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.geo.models import Node
from gongzhi.orgs import access, services
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Planned,
    RowCheck,
    Write,
    check_scope,
    check_unique_code,
    fetch_by_code,
    missing,
)
from gongzhi.orgs.imports.templates import POSTS, UNITS
from gongzhi.orgs.imports.workbook import SheetRow
from gongzhi.orgs.models import Category, Person, Post, Unit

M = TypeVar("M", bound=Model)


def by_code(model: type[M], rows: list[SheetRow], *fields: str) -> dict[str, M]:
    """The stored rows of `model` whose codes the sheet names in any of `fields`."""
    return fetch_by_code(
        model._default_manager.all(), (cells.text(r.values.get(f)) for r in rows for f in fields)
    )


def lookup(check: RowCheck, field: str, known: dict[str, M], what: str) -> M | None:
    code = check.get(field, cells.code)
    if code and code not in known:
        check.error(field, missing(what, code))
    return known.get(code) if code else None


def _action(stored: Model | None, same: bool) -> str:
    return CREATED if stored is None else (UNCHANGED if same else UPDATED)


# --- units ------------------------------------------------------------------------------------


def plan_units(rows: list[SheetRow], report: ImportReport, user: Actor | None) -> list[Planned]:
    codes = {cells.text(r.values.get("code")) for r in rows}
    stored_units = fetch_by_code(Unit.objects.select_related("node"), codes)
    nodes = by_code(Node, rows, "node")
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        check = RowCheck(UNITS, report, row)
        code = check.get("code", cells.code)
        check_unique_code(check, code, seen)
        values = {
            "name": check.get("name"),
            "kind": check.choice("kind"),
            "node": lookup(check, "node", nodes, _("辖区编码")),
            "office_phone": check.get("office_phone") or "",
            "address": check.get("address") or "",
        }
        stored = stored_units.get(code or "")
        if user is not None and check.ok:
            check_scope(check, user, access.MANAGE_ROSTER, values["node"], stored.node if stored else None)
        if not check.ok or code is None:
            continue
        values["active"] = stored.active if stored else True
        same = stored is not None and all(getattr(stored, k) == v for k, v in values.items())
        planned.append(Planned(row, _action(stored, same), _writer(services.unit_upsert, code, values)))
    return planned


def _writer(service: Callable[..., object], code: str, values: dict[str, Any]) -> Write:
    return lambda actor: service(actor=actor, code=code, **values)


# --- posts ------------------------------------------------------------------------------------


def plan_posts(rows: list[SheetRow], report: ImportReport, user: Actor | None) -> list[Planned]:
    codes = {cells.text(r.values.get("code")) for r in rows}
    stored_posts = fetch_by_code(
        Post.objects.select_related("unit", "node", "person", "deputy").prefetch_related("categories"), codes
    )
    units = by_code(Unit, rows, "unit")
    nodes = by_code(Node, rows, "node")
    people = by_code(Person, rows, "person", "deputy")
    categories = {c.code: c for c in Category.objects.all()}
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        check = RowCheck(POSTS, report, row)
        code = check.get("code", cells.code)
        check_unique_code(check, code, seen)
        values = {
            "unit": lookup(check, "unit", units, _("单位编码")),
            "node": lookup(check, "node", nodes, _("辖区编码")),
            "title": check.get("title"),
            "duty": check.get("duty") or "",
            # a sheet without the English columns (made before they existed) keeps the English
            "title_en": check.get("title_en") or "" if "title_en" in row.values else None,
            "duty_en": check.get("duty_en") or "" if "duty_en" in row.values else None,
            "person": lookup(check, "person", people, _("责任人编码")),
            "deputy": lookup(check, "deputy", people, _("AB岗编码")),
            "role": check.choice("role"),
            "meeting_role": check.choice("meeting_role") or "",
            "active_from": check.get("active_from", cells.day),
            "active_until": check.get("active_until", cells.day),
            "categories": _categories(check, categories),
        }
        stored = stored_posts.get(code or "")
        if user is not None and check.ok:
            check_scope(check, user, access.MANAGE_ROSTER, values["node"], stored.node if stored else None)
        if not check.ok or code is None:
            continue
        same = stored is not None and _same_post(stored, values)
        planned.append(Planned(row, _action(stored, same), _writer(services.post_upsert, code, values)))
    return planned


def _categories(check: RowCheck, known: dict[str, Category]) -> list[Category]:
    codes = check.get("categories", cells.code_list) or []
    unknown = [c for c in codes if c not in known]
    if unknown:
        check.error("categories", _("事项分类编码不存在：%(c)s") % {"c": "、".join(unknown)})
    return [known[c] for c in codes if c in known]


def _same_post(stored: Post, values: dict[str, Any]) -> bool:
    kept = {k for k in ("title_en", "duty_en") if values[k] is None}  # the sheet has no such column
    plain = {k: v for k, v in values.items() if k != "categories" and k not in kept}
    return all(getattr(stored, k) == v for k, v in plain.items()) and _codes(
        stored.categories.all()
    ) == _codes(values["categories"])


def _codes(categories: Iterable[Category]) -> set[str]:
    return {c.code for c in categories}
