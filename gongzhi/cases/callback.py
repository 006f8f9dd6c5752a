"""Callback links (回访): the reporter rates the result through a signed, expiring link.

The token is signed with Django's TimestampSigner (SECRET_KEY), carries only the case id, and
expires after CASE_CALLBACK_DAYS; a replayed link on an already-rated case is refused.
"""

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.services import case_rate
from gongzhi.core.errors import ConflictError, invalid

SALT = "gongzhi.cases.callback"


def link_days() -> int:
    """How many days a callback link stays valid (the 待回访 to-do keeps to them too)."""
    return int(getattr(settings, "CASE_CALLBACK_DAYS", 7))


def _max_age() -> int:
    return link_days() * 86400


def callback_token(case: Case) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(case.pk))


def case_for_token(token: str) -> Case:
    """The case a callback token names; ValidationError when it is forged or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        pk = int(signer.unsign(token, max_age=_max_age()))
    except signing.SignatureExpired:
        raise invalid("token", _("回访链接已过期，请联系居委会")) from None
    except (signing.BadSignature, ValueError):
        raise invalid("token", _("回访链接无效")) from None
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise invalid("token", _("回访链接无效"))
    return case


def rate_by_token(*, token: str, satisfaction: str, note: str = "") -> Case:
    case = case_for_token(token)
    if case.satisfaction:
        raise ConflictError(_("该工单已评价过，谢谢您的反馈"))
    return case_rate(case=case, satisfaction=satisfaction, note=note)
