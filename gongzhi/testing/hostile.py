"""Small hostile files for tests, made in memory in milliseconds: an image whose header declares
more pixels than it holds, and workbooks whose size or row count lies."""

import struct
import zipfile
import zlib
from io import BytesIO

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A valid-looking PNG of under 100 bytes whose header declares width × height RGB pixels
    (its data is empty: decoding it would first allocate the whole image)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b""))
        + _png_chunk(b"IEND", b"")
    )


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, fmt)
    return out.getvalue()


def xlsx_rewritten(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of an .xlsx (a zip) with some members' content replaced."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


SHEET_XML = "xl/worksheets/sheet1.xml"


def xlsx(headers: list[str], rows: list[list[object]], title: str = "Sheet") -> bytes:
    """A plain workbook; texts starting with "=" are stored as text, not formulas."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as Excel keeps '=...
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read(SHEET_XML).decode()


def claiming_rows(data: bytes, rows: int) -> bytes:
    """The workbook with its first sheet's <dimension> claiming `rows` rows (a few KB file)."""
    xml = _sheet_xml(data)
    start = xml.index('<dimension ref="') + len('<dimension ref="')
    end = xml.index('"', start)
    return xlsx_rewritten(data, {SHEET_XML: (xml[:start] + f"A1:I{rows}" + xml[end:]).encode()})


def with_far_row(data: bytes, row: int, value: str = "x") -> bytes:
    """The workbook with one more cell far down its first sheet (and its dimension left small)."""
    xml = _sheet_xml(data)
    far = f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    return xlsx_rewritten(data, {SHEET_XML: xml.replace("</sheetData>", far + "</sheetData>").encode()})


def bomb(data: bytes, unpacked_mb: int) -> bytes:
    """The workbook with its first sheet padded (an XML comment) to about `unpacked_mb` MB:
    the file stays a few KB, since the padding packs a thousandfold."""
    xml = _sheet_xml(data)
    padded = xml.replace("<sheetData>", "<sheetData><!--" + " " * (unpacked_mb * 1024 * 1024) + "-->", 1)
    return xlsx_rewritten(data, {SHEET_XML: padded.encode()})
