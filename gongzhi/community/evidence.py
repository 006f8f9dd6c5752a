"""Evidence for points by hand: one photo (as cases accept them) or a PDF, within the same size
cap. Checked from the file's header, never its name."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.cases import attachments
from gongzhi.core.errors import invalid

PDF_MAGIC = b"%PDF-"


def _is_pdf(upload: Any) -> bool:
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    return bool(head == PDF_MAGIC)


def validate(upload: Any) -> None:
    if upload.size > attachments.max_bytes():
        raise invalid(
            "evidence", _("佐证材料超过 %(mb)d MB") % {"mb": attachments.max_bytes() // (1024 * 1024)}
        )
    if _is_pdf(upload):
        return
    try:
        attachments.validate_files([upload])
    except ValidationError as exc:
        raise ValidationError(
            {"evidence": exc.message_dict.get("files", [_("佐证材料须为照片或PDF文件")])}
        ) from None
