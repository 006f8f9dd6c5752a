"""Limits on an uploaded .xlsx, checked before it is parsed and while its rows stream.

An .xlsx is a zip of XML: a 600 KB file may unpack to gigabytes, and openpyxl reads the shared
strings whole when the workbook opens, so the unpacked size is checked first from the zip's
directory (each member's declared size also bounds what zipfile will read of it). The sheet's
declared dimension is checked next, then the rows stream (read-only mode) and stop at the row
cap, whatever the dimension said.
"""

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

# A member this large and this compressible is a bomb, not a spreadsheet (real sheets pack
# 5–30 times).
RATIO_CHECKED_FROM = 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
# Templates have at most a couple of dozen columns; a sheet claiming 16,384 would make every
# row a tuple that long.
MAX_COLUMNS = 100
EMPTY_ROWS_TOLERATED = 1000


class WorkbookTooLarge(Exception):
    """The message says what was too large and what to do."""


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


def check_unpacked(data: bytes) -> None:
    """Refuse a zip whose members unpack beyond the limit or beyond a plausible ratio. A file
    that is not a zip passes: the workbook reader then says it cannot open it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    limit = int(settings.IMPORT_MAX_UNPACKED_BYTES)
    unpacked = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > RATIO_CHECKED_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > MAX_MEMBERS or unpacked > limit or bomb:
        raise WorkbookTooLarge(
            _(
                "文件解压后过大（%(size)d MB，上限 %(limit)d MB），可能已损坏：请另存为新的 .xlsx 或分成几个文件导入"
            )
            % {"size": unpacked // 1048576, "limit": limit // 1048576}
        )


def open_workbook(data: bytes) -> Any:
    """A read-only workbook, after the size checks. WorkbookTooLarge for a bomb; openpyxl's own
    exceptions for a file that is not an .xlsx (the caller words those)."""
    check_unpacked(data)
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def too_many_rows() -> WorkbookTooLarge:
    return WorkbookTooLarge(
        _("表格行数超过上限（最多 %(n)d 行数据）：请分成几个文件导入") % {"n": max_rows()}
    )


def bounded_rows(sheet: Any, header_rows: int = 1) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as values, header included; WorkbookTooLarge as soon as the sheet
    declares, or turns out to hold, more data rows than the cap. Empty (formatted) rows just
    past the cap are tolerated; a value past it, or rows going on far beyond it, are not."""
    last = header_rows + max_rows()
    declared = sheet.max_row  # from the sheet's <dimension>, read without parsing rows
    if declared is not None and declared > last:
        raise too_many_rows()
    # A dimension may also claim too few rows (openpyxl would stop there) or too many columns:
    # forget it and bound the reading ourselves. openpyxl pads up to max_row when a row lies
    # beyond it, so a sheet reaching the bound goes on past it.
    sheet.reset_dimensions()
    bound = last + EMPTY_ROWS_TOLERATED
    for number, row in enumerate(
        sheet.iter_rows(max_row=bound, max_col=MAX_COLUMNS, values_only=True), start=1
    ):
        if number <= last:
            yield row
        elif number == bound or any(v not in (None, "") for v in row):
            raise too_many_rows()
