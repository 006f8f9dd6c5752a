"""Excel import of the needs and resources lists (docs/exports.md "Imports"), on the orgs
import machinery (templates as data, the size and zip checks, the per-row error report):
every row goes through the same service as the page's form, and a file with any refused row
writes nothing. Each import creates new rows (the lists have no codes to update by)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community import needs, resources
from gongzhi.community.models import NeedSource, ResourceKind, ServiceField, Urgency
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo.models import Node
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import RowCheck
from gongzhi.orgs.imports.run import size_error
from gongzhi.orgs.imports.templates import Column, Template
from gongzhi.orgs.imports.workbook import SheetRow, read_rows
from gongzhi.orgs.models import Unit

NOTES = (
    "第一行是列名，请勿修改；从第二行起每行一条记录，空行会被跳过。",
    "每次导入都新建记录：同一文件请勿重复导入。",
    "文件中任何一行有错，整个文件都不会导入；请按错误报告逐行修改后重新上传。",
    "日期可写成 2026-01-31、2026/1/31 或 2026年1月31日，也可用 Excel 的日期格式。",
)


def _required(header: str, field: str, note: str, **options: Any) -> Column:
    return Column(header, field, must_fill=True, may_omit=False, note=note, **options)


NEEDS = Template(
    kind="community_needs",
    title="需求清单",
    sheet="需求清单",
    columns=(
        _required("需求", "title", "一句话说明需要什么", width=24, max_length=100),
        _required("服务领域", "field", "", choices=ServiceField),
        Column("所需资源", "wants", note="不填表示不限", choices=ResourceKind),
        _required("地点编码", "node", "居民区或更具体地点的编码（见辖区导出）"),
        _required("受益对象", "beneficiaries", "如：80岁以上独居老人", width=20, max_length=100),
        Column("受益人数", "beneficiary_count", note="整数，可不填"),
        _required("紧急程度", "urgency", "", choices=Urgency),
        Column("需求开始", "window_from", note="可不填"),
        Column("需求截止", "window_until", note="可不填"),
        Column(
            "需求调查",
            "survey",
            note="来自需求调查时填写调查名称；不填即为走访收集",
            width=20,
            max_length=100,
        ),
        Column("需求说明", "text", note="可不填", width=40, max_length=2000),
    ),
    notes=NOTES,
)

RESOURCES = Template(
    kind="community_resources",
    title="资源清单",
    sheet="资源清单",
    columns=(
        _required("资源", "title", "一句话说明能提供什么", width=24, max_length=100),
        _required("资源类型", "kind", "", choices=ResourceKind),
        _required("服务领域", "field", "", choices=ServiceField),
        _required("单位编码", "unit", "提供资源的单位编码（见单位导出）"),
        Column("服务范围编码", "node", note="不填即为单位所在辖区"),
        Column("数量", "quantity", note="如 200"),
        Column("计量单位", "measure", note="如 小时、元、平方米", max_length=20),
        Column("可用开始", "available_from", note="可不填"),
        Column("可用截止", "available_until", note="可不填"),
        Column("可用时段", "schedule", note="如 每周六上午", max_length=100),
        Column("资源说明", "text", note="可不填", width=40, max_length=2000),
    ),
    notes=NOTES,
)

TEMPLATES = {"needs": NEEDS, "resources": RESOURCES}


class _RollBack(Exception):
    pass


def _node(check: RowCheck, field: str, nodes: dict[str, Node]) -> Node | None:
    code = check.get(field, cells.code)
    if not code:
        return None
    node = nodes.get(code)
    if node is None:
        check.error(field, _("地点 %(code)s 不存在") % {"code": code})
    return node


def _need(check: RowCheck, lookups: dict[str, Any]) -> Callable[[Actor], object]:
    survey = check.get("survey") or ""
    draft = needs.NeedDraft(
        title=check.get("title") or "",
        field=check.choice("field") or "",
        wants=check.choice("wants") or "",
        node=_node(check, "node", lookups["nodes"]),
        beneficiaries=check.get("beneficiaries") or "",
        beneficiary_count=int(check.get("beneficiary_count", cells.number, 0, 1_000_000) or 0),
        urgency=int(check.choice("urgency") or 0),
        window_from=check.get("window_from", cells.day),
        window_until=check.get("window_until", cells.day),
        text=check.get("text") or "",
    )
    source = NeedSource.SURVEY if survey else NeedSource.STAFF
    return lambda actor: needs.need_create(actor=actor, draft=draft, source=source, survey=survey)


def _resource(check: RowCheck, lookups: dict[str, Any]) -> Callable[[Actor], object]:
    unit_code = check.get("unit", cells.code)
    unit = lookups["units"].get(unit_code)
    if unit_code and unit is None:
        check.error("unit", _("单位 %(code)s 不存在") % {"code": unit_code})
    quantity = check.get("quantity", cells.number, 0, 9_999_999_999)
    draft = resources.ResourceDraft(
        title=check.get("title") or "",
        kind=check.choice("kind") or "",
        field=check.choice("field") or "",
        unit=unit,
        node=_node(check, "node", lookups["nodes"]),
        quantity=quantity,
        measure=check.get("measure") or "",
        available_from=check.get("available_from", cells.day),
        available_until=check.get("available_until", cells.day),
        schedule=check.get("schedule") or "",
        text=check.get("text") or "",
    )
    return lambda actor: resources.resource_create(actor=actor, draft=draft)


ROW_PLANS = {"needs": _need, "resources": _resource}


def run_list_import(*, kind: str, data: bytes, actor: Actor) -> ImportReport:
    """Read, check every row, then create them all through the services in one transaction;
    any refusal (a cell, a service's field error, scope) rolls the whole file back."""
    template = TEMPLATES[kind]
    report = ImportReport(kind=template.kind)
    too_big = size_error(len(data))
    if too_big:
        report.add("", None, "", too_big)
        return report
    rows: list[SheetRow] = read_rows(data, template, report)
    if report.errors:
        return report
    if not rows:
        report.add(template.sheet, None, "", _("表中没有数据行"))
        return report
    codes = {str(r.values.get(f) or "").strip() for r in rows for f in ("node", "unit")}
    lookups = {
        "nodes": {n.code: n for n in Node.objects.filter(code__in=codes)},
        "units": {u.code: u for u in Unit.objects.filter(code__in=codes)},
    }
    planned = []
    for row in rows:
        check = RowCheck(template, report, row)
        write = ROW_PLANS[kind](check, lookups)
        planned.append((check, write))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for check, write in planned:
                try:
                    write(actor)
                    report.count("created")
                except ValidationError as exc:
                    check.validation(exc)
                except (PermissionDeniedError, ConflictError) as exc:
                    check.error("", str(exc))
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.reset_counts()
    return report
