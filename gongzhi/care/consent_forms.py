"""The scanned consent form: a PDF or a photo (JPEG, PNG, WebP), checked by content, not name.
Photos go through the case attachments' checks (size, pixel count before decoding, a whole
image); a PDF must start with its signature and stay under the same size."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.cases import attachments


def validate_consent_form(upload: Any) -> dict[str, list[str]]:
    """The form's errors (empty when it is fine). Marks the upload with its checked type."""
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        return {"form": [_("同意书扫描件是空文件")]}
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if size > attachments._max_bytes():
            return {"form": [_("同意书扫描件过大")]}
        upload.content_type_checked = "application/pdf"
        return {}
    try:
        attachments.validate_files([upload])
    except ValidationError as exc:
        return {"form": [str(m) for m in exc.messages]}
    fmt = attachments._image_format(upload) or "JPEG"
    upload.content_type_checked = attachments.IMAGE_FORMATS[fmt]
    return {}
