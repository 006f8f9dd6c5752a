"""Bulk import of 12345 hotline transfers (热线转办) from Excel or CSV.

Every row is checked first (required text, a place the street can find, a known category,
a valid phone); if any row is bad nothing is written and the report names each (row, column,
reason). Rows are keyed by the hotline's own 工单编号, so re-importing a file — or a later file
that repeats yesterday's rows — creates nothing twice.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import pii, stats
from gongzhi.core.actors import Actor
from gongzhi.core.workbook_limits import (
    WorkbookTooLarge,
    bounded_rows,
    max_rows,
    open_workbook,
    too_many_rows,
)
from gongzhi.geo import locate
from gongzhi.geo.models import Node
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import NAME_FORMULA_START, formula_name_message
from gongzhi.orgs.models import Category

SHEET = "热线工单"
COLUMNS = ["工单编号", "诉求内容", "发生地址", "经度", "纬度", "联系人", "联系电话", "分类", "受理时间"]
REQUIRED = ["工单编号", "诉求内容"]


@dataclass
class HotlineRow:
    line: int
    external_id: str
    intake: Intake


def read_rows(data: bytes, filename: str) -> list[dict[str, Any]]:
    """Rows as {header: value} from .xlsx or .csv (UTF-8 or GBK, as exported by hotline systems)."""
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": [_("无法识别CSV文件的编码，请另存为UTF-8")]})
        records: list[dict[str, Any]] = []
        for record in csv.DictReader(io.StringIO(text)):
            if len(records) == max_rows():
                raise ValidationError({"file": [str(too_many_rows())]})
            records.append(record)
        return records
    try:
        workbook = open_workbook(data)
    except WorkbookTooLarge as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    except Exception:  # openpyxl raises many kinds on a corrupt or non-xlsx file
        raise ValidationError({"file": [_("文件不是有效的 Excel（.xlsx）或 CSV 文件")]}) from None
    try:
        sheet = workbook.worksheets[0]
        rows = bounded_rows(sheet)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        return [
            dict(zip(headers, row, strict=False)) for row in rows if any(v not in (None, "") for v in row)
        ]
    except WorkbookTooLarge as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    except Exception:  # a damaged part of the zip shows up only when its rows are read
        raise ValidationError({"file": [_("文件已损坏，无法读取，请重新保存后再上传")]}) from None
    finally:
        workbook.close()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _category(value: str) -> Category | None:
    return Category.objects.filter(parent__isnull=False, active=True).filter(code=value).first() or (
        Category.objects.filter(parent__isnull=False, active=True, name=value).first()
    )


def _row(line: int, raw: dict[str, Any], report: ImportReport) -> HotlineRow | None:
    errors_before = report.error_count
    external_id = _text(raw.get("工单编号"))
    text = _text(raw.get("诉求内容"))
    for column, value in (("工单编号", external_id), ("诉求内容", text)):
        if not value:
            report.add(SHEET, line, column, _("必填"))
    if len(text) > 4000:
        report.add(SHEET, line, "诉求内容", _("不能超过4000字"))
    node: Node | None = None
    lat_raw, lon_raw = _text(raw.get("纬度")), _text(raw.get("经度"))
    lat = lon = None
    if lat_raw or lon_raw:
        try:
            lat, lon = float(lat_raw), float(lon_raw)
            node = locate.node_for_point(lat, lon)
        except ValueError:
            report.add(SHEET, line, "经度", _("经纬度应为数字"))
    address = _text(raw.get("发生地址"))
    if node is None and address:
        node = locate.node_for_address(address)
    if node is None and report.error_count == errors_before:
        report.add(SHEET, line, "发生地址", _("在本街道找不到这个地址，请核对或填写经纬度"))
    category = None
    if _text(raw.get("分类")):
        category = _category(_text(raw.get("分类")))
        if category is None:
            report.add(SHEET, line, "分类", _("没有这个小类"))
    if _text(raw.get("联系人")).startswith(NAME_FORMULA_START):
        report.add(SHEET, line, "联系人", formula_name_message())
    phone = pii.normalise_phone(_text(raw.get("联系电话")))
    if phone and not pii.PHONE_RE.match(phone):
        report.add(SHEET, line, "联系电话", _("手机号应为11位数字，以1开头"))
    if report.error_count > errors_before or node is None:
        return None
    intake = Intake(
        node=node,
        text=text,
        source=Source.HOTLINE,
        category=category,
        lat=lat,
        lon=lon,
        address=address,
        contact_name=_text(raw.get("联系人"))[:50],
        contact_phone=phone,
        external_id=external_id[:64],
    )
    return HotlineRow(line=line, external_id=external_id, intake=intake)


def import_hotline(*, actor: Actor | None, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    report = ImportReport(kind="hotline", dry_run=dry_run)
    try:
        raw_rows = read_rows(data, filename)
    except ValidationError as exc:
        report.add(SHEET, None, "", exc.messages[0])
        return report
    if raw_rows:
        missing = [c for c in REQUIRED if c not in raw_rows[0]]
        if missing:
            report.add(SHEET, 1, "", _("缺少列：%(cols)s") % {"cols": "、".join(missing)})
            return report
    rows: list[HotlineRow] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(raw_rows, start=2):
        row = _row(line, raw, report)
        if row is None:
            continue
        if row.external_id in seen:
            report.add(SHEET, line, "工单编号", _("与第%(n)d行重复") % {"n": seen[row.external_id]})
            continue
        seen[row.external_id] = line
        rows.append(row)
    if not report.ok or dry_run:
        return report
    known = set(
        Case.objects.filter(source=Source.HOTLINE, external_id__in=list(seen)).values_list(
            "external_id", flat=True
        )
    )
    with transaction.atomic():
        for row in rows:
            if row.external_id in known:
                report.count("unchanged")
                continue
            case_create(actor=actor, intake=row.intake)
            report.count("created")
    if report.created:
        stats.analyze(*apps.get_app_config("cases").get_models())  # a batch of cases (core.stats)
    return report
