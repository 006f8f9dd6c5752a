"""Periods: local days [start, end) in the street's time zone, validated with clear messages."""

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
    base = default or this_month()
    start = start or (base.start if end is None or end > base.start else end - timedelta(days=30))
    end = end or (base.end if base.end > start else start + timedelta(days=1))
    if not EARLIEST <= start < LATEST:
        raise ValidationError({"start": [_("开始日期须在2000年至2099年之间")]})
    if not EARLIEST < end <= LATEST:
        raise ValidationError({"end": [_("结束日期须在2000年至2099年之间")]})
    if end <= start:
        raise ValidationError({"end": [_("结束日期须晚于开始日期")]})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": [_("统计期间不能超过十年")]})
    return Period(start, end)
