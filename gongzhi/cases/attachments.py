"""Photos and documents on case events: type and size checked, images thumbnailed, stored
through Django's storage (local files in embedded mode, any storage backend in production)."""

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMB_SIZE = (320, 320)


def _max_bytes() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024))


def _image_format(upload: Any) -> str | None:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return fmt if fmt in IMAGE_FORMATS else None


def validate_files(files: list[Any]) -> None:
    """Only JPEG, PNG or WebP images, each within the size limit; checked by content, not name."""
    errors: list[str] = []
    for upload in files:
        name = getattr(upload, "name", "")
        if upload.size > _max_bytes():
            errors.append(_("%(name)s 超过 %(mb)d MB") % {"name": name, "mb": _max_bytes() // (1024 * 1024)})
        elif _image_format(upload) is None:
            errors.append(_("%(name)s 不是图片（仅支持 JPG、PNG、WebP）") % {"name": name})
    if errors:
        raise ValidationError({"files": errors})


def attach_files(event: Any, files: list[Any], kind: str = "") -> None:
    from gongzhi.cases.models import Attachment

    for upload in files:
        fmt = _image_format(upload) or "JPEG"
        attachment = Attachment(event=event, content_type=IMAGE_FORMATS[fmt], size=upload.size, kind=kind)
        attachment.file.save(upload.name, upload, save=False)
        attachment.thumbnail.save(f"thumb_{upload.name}", _thumbnail(upload), save=False)
        attachment.save()


def _thumbnail(upload: Any) -> ContentFile:
    upload.seek(0)
    with Image.open(upload) as image:
        image.thumbnail(THUMB_SIZE)
        out = BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue())
