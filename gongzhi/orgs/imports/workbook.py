"""Reading and writing template workbooks. Both take their layout from templates.py."""

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.exports import xlsx_row
from gongzhi.core.workbook_limits import WorkbookTooLarge, bounded_rows, open_workbook
from gongzhi.orgs.imports.cells import choice_labels
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.templates import (
    COMMON_NOTES,
    NOTES_SHEET,
    TEMPLATE_MARK_SHEET,
    TEMPLATE_VERSION,
    TEMPLATES,
    Template,
)

HEADER_ROW = 1
MAX_ROWS = 1048576  # Excel's last row


@dataclass(frozen=True)
class SheetRow:
    number: int  # as Excel shows it
    values: dict[str, Any]  # by Column.field; a missing optional column reads as None


# --- writing ------------------------------------------------------------------------------------


def write_workbook(template: Template, rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> None:
    """The data sheet (header + rows), the notes sheet and the hidden template mark."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(template.sheet)
    sheet.freeze_panes = "A2"
    header_font, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    headers = []
    for index, column in enumerate(template.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = header_font
        if column.must_fill:
            cell.fill = required_fill
        if column.note:
            cell.comment = Comment(column.note, "共治")
        headers.append(cell)
    sheet.append(headers)
    _add_dropdowns(sheet, template)
    for row in rows:
        sheet.append(xlsx_row(row.get(column.field) for column in template.columns))

    notes = wb.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 80
    notes.append([f"{template.title}导入模板", "黄色列为必填"])
    for column in template.columns:
        notes.append([column.header, ("【必填】" if column.must_fill else "") + column.note])
        if column.choices is not None:
            notes.append(["", "可选值：" + "、".join(choice_labels(column.choices))])
    notes.append([])
    for line in (*COMMON_NOTES, *template.notes):
        notes.append(["", line])

    mark = wb.create_sheet(TEMPLATE_MARK_SHEET)
    mark.sheet_state = "hidden"
    mark.append([template.template_id])
    mark.append([TEMPLATE_VERSION])
    wb.save(out)


def _add_dropdowns(sheet: Any, template: Template) -> None:
    """A pick list on each column of fixed words; typing another word stays allowed (aliases such
    as 居委 are accepted, and the validator explains anything else)."""
    for index, column in enumerate(template.columns, start=1):
        words = list(choice_labels(column.choices)) if column.choices is not None else list(column.options)
        if not words:
            continue
        validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
        letter = get_column_letter(index)
        validation.add(f"{letter}{HEADER_ROW + 1}:{letter}{MAX_ROWS}")
        sheet.data_validations.append(validation)  # write-only sheets have no add_data_validation


def workbook_bytes(template: Template, rows: Iterable[Mapping[str, Any]] = ()) -> bytes:
    buffer = io.BytesIO()
    write_workbook(template, rows, buffer)
    return buffer.getvalue()


# --- reading ------------------------------------------------------------------------------------


def read_rows(data: bytes, template: Template, report: ImportReport) -> list[SheetRow]:
    """The data rows of a template workbook; file-level problems go to the report. The size
    limits (core.workbook_limits) hold before and while it is read."""
    try:
        wb = open_workbook(data)
    except WorkbookTooLarge as exc:
        report.add("", None, "", str(exc))
        return []
    except Exception:  # openpyxl raises many kinds for a non-xlsx or damaged file
        report.add(
            "", None, "", _("文件无法打开：请上传 Excel 的 .xlsx 文件（.xls 或 .csv 请先另存为 .xlsx）")
        )
        return []
    try:
        return _read_open_workbook(wb, template, report)
    except WorkbookTooLarge as exc:
        report.add("", None, "", str(exc))
        return []
    except Exception:  # a damaged part of the zip shows up only when its rows are read
        report.add("", None, "", _("文件已损坏，无法读取，请重新保存后再上传"))
        return []
    finally:
        wb.close()


def _read_open_workbook(wb: Any, template: Template, report: ImportReport) -> list[SheetRow]:
    marked = _template_mark(wb)
    if marked is not None and marked != template.template_id:
        other = next((t for t in TEMPLATES.values() if t.template_id == marked), None)
        if other is None:
            report.add(
                "", None, "", _("无法识别的模板，请重新下载“%(title)s”模板") % {"title": template.title}
            )
        else:
            report.add(
                "",
                None,
                "",
                _("这是“%(other)s”模板，不是“%(title)s”模板：请选择正确的导入类型，或重新下载模板")
                % {"other": other.title, "title": template.title},
            )
        return []
    if template.sheet in wb.sheetnames:
        sheet = wb[template.sheet]
    elif marked is None:  # an unmarked workbook of the user's own: try its first sheet
        sheet = wb.worksheets[0]
    else:
        report.add("", None, "", _("找不到工作表“%(sheet)s”") % {"sheet": template.sheet})
        return []
    rows = bounded_rows(sheet, header_rows=HEADER_ROW)
    header_cells = next(rows, ())
    headers = [str(h).strip() if h is not None else "" for h in header_cells]
    if marked is None and not _looks_like(template, headers):
        other = next((t for t in TEMPLATES.values() if t is not template and _looks_like(t, headers)), None)
        if other is not None:
            report.add(
                sheet.title,
                HEADER_ROW,
                "",
                _("这是“%(other)s”表，不是“%(title)s”表：请选择正确的导入类型")
                % {"other": other.title, "title": template.title},
            )
            return []
    positions = _column_positions(template, headers, sheet.title, report)
    if report.errors:
        return []
    result = []
    for number, cells in enumerate(rows, start=HEADER_ROW + 1):
        values = {
            field: _clean(cells[index]) if index < len(cells) else None for field, index in positions.items()
        }
        if any(v is not None for v in values.values()):
            result.append(SheetRow(number, values))
    return result


def _template_mark(wb: Any) -> str | None:
    if TEMPLATE_MARK_SHEET not in wb.sheetnames:
        return None
    first = next(wb[TEMPLATE_MARK_SHEET].iter_rows(min_row=1, max_row=1, values_only=True), ())
    return str(first[0]).strip() if first and first[0] is not None else ""


def _looks_like(template: Template, headers: list[str]) -> bool:
    return all(c.header in headers for c in template.columns if not c.may_omit)


def _column_positions(
    template: Template, headers: list[str], sheet: str, report: ImportReport
) -> dict[str, int]:
    positions: dict[str, int] = {}
    for column in template.columns:
        found = [i for i, h in enumerate(headers) if h == column.header]
        if len(found) > 1:
            report.add(sheet, HEADER_ROW, column.header, _("列“%(h)s”出现了多次") % {"h": column.header})
        elif found:
            positions[column.field] = found[0]
        elif not column.may_omit:
            report.add(sheet, HEADER_ROW, column.header, _("缺少必需的列“%(h)s”") % {"h": column.header})
    return positions


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
