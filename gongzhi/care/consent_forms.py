"""The scanned consent form: a PDF or a photo (JPEG, PNG, WebP), checked by content, not name.
Photos go through the case attachments' checks (size, pixel count before decoding, a whole
image); a PDF must start with its signature and stay under the same size. Reading a stored
form back is for the serving posts, MANAGE_CARE over the home and the auditor, logged first."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.care.models import CareSubject, Consent
from gongzhi.cases import attachments
from gongzhi.core import accesslog
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs import access


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


# --- reading a stored form ---------------------------------------------------------------------------

FORM_MODEL = "care.consent"
FORM_PURPOSE = "关爱服务：查看同意书扫描件"
FORM_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


def may_read_form(user: Actor, subject: CareSubject) -> bool:
    """Who may open a subject's signed consent: the posts that serve the subject, the holders of
    MANAGE_CARE over the home (who recorded it and answer for it), and the auditor."""
    return access.can_see_care_details(user, subject) or access.can(user, access.MANAGE_CARE, subject.home)


def form_open(*, actor: Actor, consent: Consent) -> tuple[Any, str, str] | None:
    """The stored scan opened for reading, its checked content type and a file name without any
    name in it (None when the file is gone). Refused to others; the access-log row is written
    before the file is opened."""
    subject = consent.subject
    if not may_read_form(actor, subject):
        raise PermissionDeniedError(_("您无权查看此同意书扫描件"))
    if not consent.form or not consent.form.storage.exists(consent.form.name):
        return None
    accesslog.record(
        actor=actor,
        subject_model=FORM_MODEL,
        subject_id=consent.pk,
        subject_label=f"关爱对象 {subject.person.name} 的同意书",
        field="form",
        purpose=FORM_PURPOSE,
    )
    handle = consent.form.open("rb")
    kind = consent.form_content_type or "application/octet-stream"
    return handle, kind, f"consent-{consent.pk}{FORM_EXTENSIONS.get(kind, '')}"
