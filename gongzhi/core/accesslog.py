"""The one writer of the personal-data access log (PiiAccessLog, docs/personal-data.md).

Every path that lets a person's number out, or looks someone up by it, writes its row here
before anything leaves: a reveal (a person's phone or ID number, a case's contact phone), a
search by phone or ID number, an export of a list with personal data. Rows hold labels and
masked values only, never a clear number.
"""

from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import invalid
from gongzhi.core.models import PiiAccessLog

MIN_PURPOSE = 2  # characters: "核实" is a purpose, "a" is not


def required_purpose(purpose: str | None) -> str:
    """The purpose a reveal must give, trimmed; a ValidationError on `purpose` when missing."""
    text = (purpose or "").strip()
    if len(text) < MIN_PURPOSE:
        raise invalid("purpose", _("请填写查看用途"))
    return text


def record(
    *,
    actor: Actor,
    subject_model: str,
    subject_id: int,
    subject_label: str,
    field: str,
    purpose: str,
) -> PiiAccessLog:
    """Append one row (who, when, whose or which list, which field or search, why)."""
    return PiiAccessLog.objects.create(
        at=clock.now(),
        actor=recorded(actor),  # who looked; nobody signed in is refused (403)
        subject_model=subject_model[:60],
        subject_id=subject_id,
        subject_label=subject_label[:120],
        field=field[:40],
        purpose=purpose.strip()[:200],
    )
