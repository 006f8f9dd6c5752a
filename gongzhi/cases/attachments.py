"""Photos and documents on case events: type, size and pixel count checked, images thumbnailed,
stored through Django's storage (local files in embedded mode, any storage backend in production).

An image is checked from its header before any pixel is decoded: a small file may declare
20000×20000 pixels (a decompression bomb) and decoding it would take gigabytes. Pillow's own
guard (MAX_IMAGE_PIXELS) is set to the same cap, so a bomb is refused even by code that opens
an image some other way.
"""

import warnings
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gongzhi.cases.models import Attachment, CaseEvent

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMB_SIZE = (320, 320)
# A phone's photo is 12–50 MP; anything above the cap is refused from its header.
DEFAULT_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = int(getattr(settings, "CASE_ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


class _TooManyPixels(Exception):
    pass


def _max_bytes() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024))


def _max_pixels() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _image_format(upload: Any) -> str | None:
    """The format read from the header, or None for anything that is not a whole JPEG, PNG or
    WebP; _TooManyPixels for a declared size above the cap (checked before any decoding)."""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that, and raises above: both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > _max_pixels():
                    raise _TooManyPixels
                image.verify()
                fmt = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _TooManyPixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    return fmt if fmt in IMAGE_FORMATS else None


def validate_files(files: list[Any]) -> None:
    """Only JPEG, PNG or WebP images, each within the size and pixel limits; checked by content,
    not name."""
    errors: list[str] = []
    for upload in files:
        name = getattr(upload, "name", "")
        if upload.size > _max_bytes():
            errors.append(_("%(name)s 超过 %(mb)d MB") % {"name": name, "mb": _max_bytes() // (1024 * 1024)})
            continue
        try:
            fmt = _image_format(upload)
        except _TooManyPixels:
            errors.append(
                _("%(name)s 像素过多（上限 %(mp)d 百万像素），请缩小后再上传")
                % {"name": name, "mp": _max_pixels() // 1_000_000}
            )
            continue
        if fmt is None or not _decodes(upload):
            errors.append(_("%(name)s 不是图片或已损坏（仅支持 JPG、PNG、WebP）") % {"name": name})
    if errors:
        raise ValidationError({"files": errors})


def attach_files(event: CaseEvent, files: list[Any], kind: str = "") -> None:
    for upload in files:
        fmt = _image_format(upload) or "JPEG"
        attachment = Attachment(event=event, content_type=IMAGE_FORMATS[fmt], size=upload.size, kind=kind)
        attachment.file.save(upload.name, upload, save=False)
        attachment.thumbnail.save(f"thumb_{upload.name}", _thumbnail(upload), save=False)
        attachment.save()


def _decodes(upload: Any) -> bool:
    """verify() reads a PNG's chunks but not a JPEG's data: a truncated photo would fail only
    while its thumbnail is made, inside the write. Making it here refuses it first (a JPEG is
    decoded at reduced scale, so this is cheap). In a process that has imported WeasyPrint
    (PDF documents), Pillow's LOAD_TRUNCATED_IMAGES is on and a cut photo reads with its
    missing part grey instead: accepted, never a crash."""
    try:
        _thumbnail(upload)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return True


def _thumbnail(upload: Any) -> ContentFile:
    upload.seek(0)
    with Image.open(upload) as image:
        image.thumbnail(THUMB_SIZE)
        out = BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue())


def image_content_type(upload: Any) -> str | None:
    """The content type of an image `validate_files` accepts, read from its header (None for
    anything else). For other packages storing checked photos of their own."""
    try:
        fmt = _image_format(upload)
    except _TooManyPixels:
        return None
    return IMAGE_FORMATS[fmt] if fmt else None


def thumbnail(upload: Any) -> ContentFile:
    """The small JPEG of a checked image."""
    try:
        return _thumbnail(upload)
    finally:
        upload.seek(0)


def max_bytes() -> int:
    return _max_bytes()
