"""The rota's words for people: shift names and the reasons a rota cannot be made.

Messages go through Django's gettext (Chinese, English when the request asks) when settings
are configured, as in the product; the package also runs bare (a script, a notebook), where
the Chinese source strings are returned as they are.
"""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext

from gongzhi.mobilisation.rota.model import Shift


def _(message: str) -> str:
    return gettext(message) if settings.configured else message


def post_name(post_id: int, labels: dict[int, str] | None) -> str:
    if labels and post_id in labels:
        return labels[post_id]
    return _("岗位 %(id)s") % {"id": post_id}


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def shift_name(shift: Shift, labels: dict[int, str] | None) -> str:
    """东门 12-07 22:00–06:00: the post, the day it starts, the hours (the date is needed: a
    post repeats the same hours every day)."""
    return f"{post_name(shift.post_id, labels)} {shift.start:%m-%d} {_clock(shift.start)}–{_clock(shift.end)}"


def person_name(person_id: int) -> str:
    return _("人员 #%(id)s") % {"id": person_id}
