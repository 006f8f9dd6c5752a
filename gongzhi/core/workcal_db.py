"""Builds the `WorkCalendar` value from settings, the WorkDay table and the chinesecalendar package.

Kept apart from `workcal` so that the deadline functions stay pure. Per day, a WorkDay row wins
over the package; days the table lacks come from the package (so a year nobody synced still
has its official holidays), and days neither knows follow the Mon–Fri rule.
"""

from collections.abc import Iterable
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from chinese_calendar import constants as official
from django.conf import settings

from gongzhi.core import refdata
from gongzhi.core.models import WorkDay
from gongzhi.core.workcal import WorkCalendar, make_calendar, parse_periods


@cache
def package_days(year: int) -> dict[date, tuple[bool, str]]:
    """{day: (is_workday, note)} for one year from the package; empty if it does not know the year."""
    days: dict[date, tuple[bool, str]] = {}
    for day, name in official.holidays.items():  # values are the English names
        if day.year == year:
            days[day] = (False, _chinese(name))
    for day, name in official.workdays.items():
        if day.year == year:
            days[day] = (True, f"调休上班（{_chinese(name)}）")
    return days


def _chinese(name: str) -> str:
    try:
        return str(official.Holiday(name).chinese)
    except ValueError:
        return name


def package_years() -> frozenset[int]:
    """The years whose official arrangements the installed package knows."""
    return frozenset(day.year for day in official.holidays)


def load_calendar(years: Iterable[int] | None = None, street: str = "") -> WorkCalendar:
    """The calendar for `years` (all years the package or the table knows when None); one query.
    With a street's code, that street's own days win over the deployment's (docs/tenancy.md)."""
    rows = WorkDay.objects.filter(street__in={"", street}).order_by("date", "street")
    if years is None:
        wanted = set(package_years())
    else:
        wanted = set(years)
        if not wanted:
            raise ValueError("years must not be empty")
        rows = rows.filter(date__gte=date(min(wanted), 1, 1), date__lte=date(max(wanted), 12, 31))
    days: dict[date, bool] = {}
    for year in sorted(wanted):
        days.update((day, work) for day, (work, _) in package_days(year).items())
    for day, work in rows.values_list("date", "is_workday"):  # "" first: the street's row wins
        if years is None or day.year in wanted:
            days[day] = work
    return make_calendar(days, periods=parse_periods(settings.WORK_PERIODS), tz=ZoneInfo(settings.TIME_ZONE))


def current_calendar(street: str = "") -> WorkCalendar:
    """The whole calendar (of one street, by its code: its own days over the deployment's),
    kept in the process's reference snapshot (core.refdata): reloaded when a WorkDay row changes
    in any process (or the day turns). The one to use on hot paths."""
    return refdata.snapshot().get(  # type: ignore[no-any-return]
        "calendar", ("all", street), lambda _key: load_calendar(street=street)
    )
