"""Periods: local days [start, end) in the street's time zone, validated with clear messages.

`from_query` reads the period a page asks for: `start` and `end`, both days included (the
pages' `end` is the last day shown; `to`, its old name, is still read so that saved links keep
working). The API's `end` is excluded and goes straight to `period`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 1, 1)
MAX_DAYS = 3700  # about ten years: enough for any comparison, bounded for the database


@dataclass(frozen=True)
class Period:
    start: date  # first day included
    end: date  # first day not included

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def since(self) -> datetime:
        return local_midnight(self.start)

    @property
    def until(self) -> datetime:
        return local_midnight(self.end)

    def __str__(self) -> str:
        if self.days == 1:
            return f"{self.start:%Y-%m-%d}"
        return f"{self.start:%Y-%m-%d} ~ {self.last_day:%Y-%m-%d}"


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def today() -> date:
    return timezone.localtime(clock.now(), timezone.get_default_timezone()).date()


def this_month() -> Period:
    """From the first of the month to today, today included (the dashboard's default)."""
    now = today()
    return Period(now.replace(day=1), now + timedelta(days=1))


def last_days(n: int) -> Period:
    now = today()
    return Period(now - timedelta(days=n - 1), now + timedelta(days=1))


def week_of(day: date) -> Period:
    """The Monday-to-Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=7))


def day_of(day: date) -> Period:
    return Period(day, day + timedelta(days=1))


def period(start: date | None, end: date | None, *, default: Period | None = None) -> Period:
    """A checked period from optional bounds (`end` excluded). Missing bounds come from the
    default (this month); a reversed, empty, too long or out-of-range period is a
    ValidationError on the field at fault."""
    _check_bounds(start, end)  # before deriving a missing bound: the day after 9999-12-31 is no date
    base = default or this_month()
    start = start or (base.start if end is None or end > base.start else end - timedelta(days=30))
    end = end or (base.end if base.end > start else start + timedelta(days=1))
    _check_bounds(start, end)
    if end <= start:
        raise ValidationError({"end": [_("结束日期须晚于开始日期")]})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": [_("统计期间不能超过十年")]})
    return Period(start, end)


def _check_bounds(start: date | None, end: date | None) -> None:
    if start is not None and not EARLIEST <= start < LATEST:
        raise ValidationError({"start": [_("开始日期须在2000年至2099年之间")]})
    if end is not None and not EARLIEST < end <= LATEST:
        raise ValidationError({"end": [_("结束日期须在2000年至2099年之间")]})


LAST_DAY_NAMES = ("end", "to")  # the pages' last day; `to` is its old name, still read


def _day(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({field: [_("日期格式应为 YYYY-MM-DD")]}) from exc


def days_asked(query: Mapping[str, str]) -> tuple[date | None, date | None]:
    """The first and the last day a page's query names (either may be missing), checked: a
    date that does not parse, a last day before the first or past 2099 is a ValidationError
    on `start` or `end`."""
    start = _day(query.get("start"), "start")
    raw_end = next((query.get(name) for name in LAST_DAY_NAMES if (query.get(name) or "").strip()), None)
    end = _day(raw_end, "end")
    if end is not None and end >= LATEST:  # checked here: the day after it may not exist
        raise ValidationError({"end": [_("结束日期须在2000年至2099年之间")]})
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": [_("结束日期须晚于开始日期")]})
    return start, end


def from_days(start: date | None, end: date | None, *, default: Period | None = None) -> Period:
    """[start, end] with both days included; neither given is the default (this month)."""
    if start is None and end is None:
        return default or this_month()
    return period(start, end + timedelta(days=1) if end else None)


def from_query(query: Mapping[str, str], *, default: Period | None = None) -> Period:
    """The period a page's query asks for (`start`, `end` included, `to` read as `end`)."""
    return from_days(*days_asked(query), default=default)


def page_params(p: Period) -> dict[str, str]:
    """What a page's link writes for a period, read back by from_query (`end` included)."""
    return {"start": p.start.isoformat(), "end": p.last_day.isoformat()}
