"""Exports of lists: CSV streamed row by row, Excel written row by row (docs/exports.md).

Two formats because they fail differently. Excel is what committees open, but a workbook has
to be complete before it can be sent and Excel stops at 1,048,576 rows; so an Excel export is
capped (XLSX_MAX_ROWS) and above the cap the user is told to narrow the filters or take the
CSV. A CSV streams any number of rows with flat memory: rows come from
`.values(...).iterator(chunk_size=...)` (a server-side cursor on PostgreSQL, fetchmany on
SQLite), are written CSV_CHUNK_ROWS at a time and sent as soon as written.

What a file holds is what a `Spec` says: the columns, each a header (gettext, in the reader's
language) and a function of one row's values. Specs live next to their lists (cases, meetings,
orgs) and read only masked personal columns; the querysets come from the lists' own selectors,
so an export can never hold a row its list would not show. An export holding personal data
writes one PiiAccessLog row before the first byte leaves (`export_log`).
"""

import csv
import io
import operator
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongzhi.core import accesslog, clock, i18n, pii
from gongzhi.core.actors import Actor

Row = dict[str, Any]

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark
CHUNK = 2000  # rows fetched from the database at a time
CSV_CHUNK_ROWS = 1000  # rows written per piece of the streamed response (~100-200 KB)
XLSX_MAX_ROWS = 30_000  # openpyxl writes ~3-10k rows of 18 cells a second: a bigger sheet outlasts a request
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
EXPORT_FIELD = "export"  # PiiAccessLog.field of an export (a reveal names phone / id_number)

# A cell starting with one of these is run as a formula by a spreadsheet (CSV/formula
# injection, OWASP): case texts, names and notes come from residents and staff, so every file
# the product writes passes each value through `neutralise`.
FORMULA_START = frozenset(("=", "+", "-", "@", "\t", "\r"))


def neutralise(value: Any) -> Any:
    """A text a spreadsheet could run as a formula, made inert with a leading apostrophe (as
    OWASP advises); numbers, dates and other texts unchanged. Used by every CSV and workbook
    writer (exports, import templates and their exports, the audit log, reports)."""
    if type(value) is str and value[:1] in FORMULA_START:
        return "'" + value
    return value


def xlsx_value(value: Any) -> Any:
    """A value as a workbook cell takes it: neutralised, and without the control characters
    that make openpyxl refuse the row."""
    if type(value) is str:
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(v) for v in values]


@dataclass(frozen=True)
class Column:
    header: Any  # a gettext_lazy string, rendered in the reader's language
    fields: tuple[str, ...]  # the `.values()` names the column reads
    value: Callable[[Row], Any]
    width: int = 14  # Excel column width, in characters
    # A choices class: the field's value is shown as its label, rendered once per export in
    # the reader's language (a million rows must not pay a gettext call per cell); `value`
    # then names the label of the empty value.
    choices: Any = None
    # fields are (name, name_en): the English one in English mode when filled (core.i18n),
    # the language read once per export; `value` then names what an empty name shows.
    localized: bool = False


def column(header: Any, field: str, convert: Callable[[Any], Any] | None = None, width: int = 14) -> Column:
    """A column showing one field, optionally converted (a local time, a masked text)."""
    if convert is None:
        return Column(header, (field,), operator.itemgetter(field), width)  # C-speed for plain fields
    return Column(header, (field,), lambda row: convert(row[field]), width)


class YesNo:
    """Choices for a yes/no field shown in a label_column: 是 / 否, never True / False."""

    choices = ((True, gettext_lazy("是")), (False, gettext_lazy("否")))


def localized_column(header: Any, field: str, width: int = 14, empty: Any = "") -> Column:
    """A column showing data that has an English name beside its Chinese one (`field` and
    `field_en`, e.g. "category__name"), in the reader's language."""
    return Column(header, (field, f"{field}_en"), lambda row: empty, width, localized=True)


def label_column(header: Any, field: str, choices: Any, width: int = 10, empty: Any = "") -> Column:
    """A column showing a choice field's label (`empty`: what a blank value shows)."""
    return Column(header, (field,), lambda row: empty, width, choices)


def cell_reader(col: Column) -> Callable[[Row], Any]:
    """The column's cell function for one export: labels rendered now, in the active language."""
    if col.localized:
        chinese, english_field = col.fields
        empty, in_english = str(col.value({})), i18n.english()
        return lambda row: i18n.pick(row[chinese], row[english_field], in_english=in_english) or empty
    if col.choices is None:
        return col.value
    labels = {value: str(label) for value, label in col.choices.choices}
    labels.setdefault("", str(col.value({})))
    field = col.fields[0]
    return lambda row: labels.get(row[field], row[field])


@dataclass(frozen=True)
class Spec:
    stem: str  # ASCII, for the file name and the log: "cases"
    title: Any  # the list's name: sheet title and the access log's subject label
    columns: tuple[Column, ...]
    personal: bool  # holds personal data (masked): each export writes an access-log row
    # adds keys to a chunk of rows (one query per chunk, e.g. a slip's units), or None
    enrich: Callable[[list[Row]], None] | None = None

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]


# --- values --------------------------------------------------------------------------------------


def local(value: datetime | None) -> datetime | None:
    """An aware datetime as a naive one in the site's zone (TIME_ZONE, Asia/Shanghai; pages
    never switch zones), to the second: what a reader expects in a sheet. The zone is
    looked up once (cached), not per row."""
    if value is None:
        return None
    return value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None, microsecond=0)


def local_day(value: datetime | None) -> date | None:
    return value.astimezone(timezone.get_default_timezone()).date() if value is not None else None


# --- reading rows ----------------------------------------------------------------------------------


def rows(
    spec: Spec, qs: QuerySet[Any], *, limit: int | None = None, chunk_size: int = CHUNK
) -> Iterator[list[Any]]:
    """The spec's cells of each row of `qs`, in its order, fetched `chunk_size` at a time.

    Only the columns' fields are read (`.values()`): no model instances, no related objects
    beyond the joins the fields name. Prefetches are dropped (they do not apply to values)."""
    fields = list(dict.fromkeys(f for c in spec.columns for f in c.fields))
    readers = [cell_reader(c) for c in spec.columns]
    source = qs.prefetch_related(None).values(*fields)
    if limit is not None:
        source = source[:limit]
    chunk: list[Row] = []
    for row in source.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _cells(spec, readers, chunk)
            chunk = []
    if chunk:
        yield from _cells(spec, readers, chunk)


def _cells(spec: Spec, readers: list[Callable[[Row], Any]], chunk: list[Row]) -> Iterator[list[Any]]:
    if spec.enrich is not None:
        spec.enrich(chunk)
    for row in chunk:
        yield [read(row) for read in readers]


def exceeds(qs: QuerySet[Any], cap: int) -> bool:
    """More than `cap` rows? Counts at most cap + 1 rows, so asking costs little on a big list."""
    return qs.prefetch_related(None)[: cap + 1].count() > cap


# --- CSV -------------------------------------------------------------------------------------------


def _defused(row: list[Any]) -> list[Any]:
    """The row neutralised. Everything else goes to the csv module as it is: None is written
    empty, numbers and dates as their str() (a naive datetime without microseconds:
    "2026-01-31 08:30:00", which Excel reads as a time)."""
    return [neutralise(v) for v in row]


def csv_stream(spec: Spec, table: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 bytes with a BOM: the header, then the rows, CSV_CHUNK_ROWS to a piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes what needs quoting; rows end in CRLF as Excel expects
    buffer.write(BOM)
    writer.writerow(spec.headers())
    written = 0
    for row in table:
        writer.writerow(_defused(row))
        written += 1
        if written == CSV_CHUNK_ROWS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            written = 0
    yield buffer.getvalue().encode()


# --- Excel -----------------------------------------------------------------------------------------


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return xlsx_value(value)


def sheet_title(title: Any) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def xlsx_file(spec: Spec, table: Iterable[list[Any]]) -> IO[bytes]:
    """The workbook in a temporary file, rewound: openpyxl's write-only mode keeps rows on disk
    while it writes, and the response streams the file, so neither holds the rows in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(spec.title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for index, col in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col.width
        cell = WriteOnlyCell(sheet, value=str(col.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table:
        sheet.append([_xlsx_cell(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return out


# --- responses -------------------------------------------------------------------------------------


def filename(stem: str, fmt: str) -> str:
    return f"gongzhi-{stem}-{timezone.localtime(clock.now()):%Y%m%d-%H%M}.{fmt}"


def _private(response: Any) -> Any:
    response["Cache-Control"] = "no-store"  # lists of people and cases stay out of caches
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(stream: Iterator[bytes], stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    return _private(response)


def xlsx_response(file: IO[bytes], stem: str) -> FileResponse:
    response = FileResponse(file, content_type=XLSX, as_attachment=True, filename=filename(stem, "xlsx"))
    return _private(response)


# --- the access log --------------------------------------------------------------------------------


_LONG_NUMBER = re.compile(r"\d{6,}[\dXx]*")


def _masked(value: str) -> str:
    """A filter value as the log may keep it: any long number masked like a phone or an ID
    number (people are searched by their full phone number, and the log never holds one)."""

    def mask(m: re.Match[str]) -> str:
        digits = m.group()
        return pii.mask_id(digits) if len(digits) >= 15 else pii.mask_phone(digits)

    return _LONG_NUMBER.sub(mask, value)


def describe(fmt: str, params: Mapping[str, str]) -> str:
    """What the log says was exported: the format and the filters as given (to re-run it)."""
    given = "，".join(f"{k}={_masked(v)}" for k, v in params.items() if v)
    return f"{fmt.upper()}：{given or '全部'}"


def export_log(*, actor: Actor, spec: Spec, fmt: str, params: Mapping[str, str]) -> None:
    """The one write of an export: for a list holding personal data, one PiiAccessLog row
    (who, when, which list, format and filters) written before any row leaves, like a
    reveal's. Masked values only ever leave in an export, so it is one row per export rather
    than one per person; the filters let an auditor re-run it and see exactly what it held.
    Labels are kept in Chinese, the language of the log, whatever the exporter reads."""
    if not spec.personal:
        return
    with translation.override("zh-hans"):
        label = str(spec.title)
    accesslog.record(
        actor=actor,
        subject_model=f"export.{spec.stem}",
        subject_id=0,
        subject_label=label,
        field=EXPORT_FIELD,
        purpose=describe(fmt, params),
    )
