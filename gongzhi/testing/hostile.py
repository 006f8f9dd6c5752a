"""Small hostile files for tests, made in memory in milliseconds: an image whose header declares
more pixels than it holds, truncated photos, and workbooks whose size or row count lies."""

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


def truncated(fmt: str) -> bytes:
    """A real photo cut short: the header reads, the pixels do not."""
    whole = photo(fmt, (200, 150))
    return whole[: len(whole) * 2 // 3]


def xlsx_rewritten(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of an .xlsx (a zip) with some members' content replaced."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()
