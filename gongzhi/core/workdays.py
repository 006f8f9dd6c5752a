"""The working calendar's writer and its health: which years are confirmed, and the warning
shown to admins and on the command centre when next year's holidays are not yet entered.

chinesecalendar knows only the years the State Council had announced when it was released; a
deadline computed in an unknown year follows the bare Monday–Friday rule and can fall on New
Year's Day or in the Spring Festival. The notice usually comes out in November, so from then on
the next year must be entered (the calendar import template, or the admin) before deadlines
cross into it (docs/working-calendar.md).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import refdata
from gongzhi.core.actors import Actor
from gongzhi.core.models import WorkDay
from gongzhi.core.workcal_db import package_years

WARN_FROM_MONTH = 11  # the State Council's notice for next year usually appears in November


def year_confirmed(year: int) -> bool:
    """A year is confirmed when the package knows its arrangements, or the street has entered
    at least one rest day of it itself (an admin row or an import)."""
    return year in confirmed_years()


def confirmed_years() -> frozenset[int]:
    """The confirmed years, kept in the process's reference snapshot beside the calendar
    (core.refdata): a WorkDay change reloads them, so marking every deadline on a page and
    warning on every admin page read no table."""
    return refdata.snapshot().get("calendar", "confirmed", lambda _key: _load_confirmed())  # type: ignore[no-any-return]


def _load_confirmed() -> frozenset[int]:
    entered = WorkDay.objects.filter(source=WorkDay.Source.ADMIN, is_workday=False).dates("date", "year")
    return package_years() | {day.year for day in entered}


def deadline_unconfirmed(due: datetime | None) -> bool:
    """True when a deadline falls in a year whose holidays nobody has confirmed: it was counted
    on the Monday–Friday rule and may land on a holiday."""
    if due is None:
        return False
    return not year_confirmed(due.astimezone(ZoneInfo(settings.TIME_ZONE)).year)


def calendar_warning(today: date) -> str | None:
    """What admins and the command centre are told, or None when the calendar is in order."""
    if not year_confirmed(today.year):
        return _(
            "%(year)s 年的法定节假日和调休尚未录入：时限暂按周一至周五计算，可能落在节假日。"
            "请按国务院办公厅通知，在“导入 → 工作日历”中录入。"
        ) % {"year": today.year}
    if today.month >= WARN_FROM_MONTH and not year_confirmed(today.year + 1):
        return _(
            "%(year)s 年的法定节假日和调休尚未录入：跨年的时限暂按周一至周五计算，可能落在元旦或春节。"
            "国务院办公厅的通知发布后，请在“导入 → 工作日历”中录入。"
        ) % {"year": today.year + 1}
    return None


@transaction.atomic
def workday_set(
    *, actor: Actor | None, day: date, is_workday: bool, note: str = "", street: str = ""
) -> WorkDay:
    """Enter one day of the street's calendar (a holiday, a make-up workday); the street's own
    entry always wins over the package (source=admin). `street` (a street's code) keeps the day
    to that street, "" gives it to every street. `actor` is checked by the caller's door: the
    admin, or the import's street-level power."""
    note = (note or "").strip()
    if len(note) > 60:
        raise ValidationError({"note": _("最多 %(n)s 个字") % {"n": 60}})
    row, _created = WorkDay.objects.update_or_create(
        date=day,
        street=street,
        defaults={"is_workday": is_workday, "note": note, "source": WorkDay.Source.ADMIN},
    )
    return row
