"""Working-hour calendar: pure functions for case deadlines (docs/design.md §4 "Time is pure").

Working time is the wall-clock time inside the working periods of a working day, in the
calendar's time zone. A moment is working when it lies in [start, end) of a period. A deadline
is the *earliest* instant at which the given working time has run out: it always lies inside a
working period or exactly at a period's end (12:00, not 13:30), never inside a holiday. Counting
from a non-working moment starts at the next working moment. One working day is the full
working time of one day, so 1 working day from Monday 10:00 ends Tuesday 10:00.

Nothing here touches the database; `workcal_db.load_calendar` builds the `WorkCalendar` value.
Inputs must be aware datetimes; outputs are aware UTC datetimes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))

_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_SATURDAY = 5

Unit = Literal["hours", "days"]


def _us_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def parse_periods(text: str) -> tuple[tuple[time, time], ...]:
    """Parse "08:30-12:00,13:30-17:30" (the WORK_PERIODS setting); ValueError with the reason."""
    periods = []
    for chunk in (c.strip() for c in text.split(",")):
        if not chunk:
            continue
        try:
            start, end = (time.fromisoformat(part.strip()) for part in chunk.split("-"))
        except ValueError as exc:
            raise ValueError(f"工作时段格式应为 HH:MM-HH:MM，收到 {chunk!r}") from exc
        periods.append((start, end))
    return tuple(periods)


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods of a day, the time zone, and the days that break the Mon–Fri rule.

    `holidays` are rest days (official holidays, a street's own days off); `makeup_workdays`
    are working days (调休上班, usually a weekend). Either may also hold days that change nothing
    (a holiday on a Sunday): they are harmless.
    """

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    tz: tzinfo = SHANGHAI
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    # Derived once, for speed: periods in microseconds of day, the day's working length, and
    # the sorted days that really differ from the weekday rule (for counting by bisection).
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _day_us: int = field(init=False, repr=False, compare=False)
    _rest_weekdays: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _work_weekends: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spans = tuple((_us_of_day(s), _us_of_day(e)) for s, e in self.periods)
        if not spans:
            raise ValueError("至少需要一个工作时段")
        for (s, e), previous in zip(spans, ((0, 0), *spans), strict=False):
            if s >= e:
                raise ValueError("工作时段的开始必须早于结束")
            if s < previous[1]:
                raise ValueError("工作时段必须按时间先后排列且互不重叠")
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"同一天不能既是休息日又是工作日：{min(both)}")
        rest = tuple(sorted(d for d in self.holidays if d.weekday() < _SATURDAY))
        work = tuple(sorted(d for d in self.makeup_workdays if d.weekday() >= _SATURDAY))
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_day_us", sum(e - s for s, e in spans))
        object.__setattr__(self, "_rest_weekdays", rest)
        object.__setattr__(self, "_work_weekends", work)

    def __repr__(self) -> str:
        periods = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)
        return (
            f"WorkCalendar({periods}, {self.tz}, {len(self.holidays)} holidays, "
            f"{len(self.makeup_workdays)} make-up workdays)"
        )

    @property
    def day_length(self) -> timedelta:
        """The working time of one working day (7.5 h with the default periods)."""
        return timedelta(microseconds=self._day_us)

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.makeup_workdays or day.weekday() < _SATURDAY

    def workdays_between(self, first: date, stop: date) -> int:
        """How many working days lie in [first, stop); O(log n), no loop over the days."""
        if stop <= first:
            return 0
        weeks, extra = divmod((stop - first).days, 7)
        weekdays = weeks * 5 + sum((first.weekday() + i) % 7 < _SATURDAY for i in range(extra))
        return weekdays - _count(self._rest_weekdays, first, stop) + _count(self._work_weekends, first, stop)


def make_calendar(
    days: Mapping[date, bool],
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS,
    tz: tzinfo = SHANGHAI,
) -> WorkCalendar:
    """A calendar from {day: is_workday} overrides (the WorkDay table's shape)."""
    return WorkCalendar(
        periods=periods,
        tz=tz,
        holidays=frozenset(d for d, work in days.items() if not work),
        makeup_workdays=frozenset(d for d, work in days.items() if work),
    )


@dataclass(frozen=True)
class WorkLimit:
    """A time limit in working hours or working days (a category's 时限)."""

    amount: int
    unit: Unit = "hours"

    def __post_init__(self) -> None:
        if self.unit not in ("hours", "days"):
            raise ValueError(f"时限单位只能是 hours 或 days，收到 {self.unit!r}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError(f"时限必须是正整数，收到 {self.amount!r}")

    @classmethod
    def hours(cls, amount: int) -> WorkLimit:
        return cls(amount, "hours")

    @classmethod
    def days(cls, amount: int) -> WorkLimit:
        return cls(amount, "days")

    def working_time(self, cal: WorkCalendar) -> timedelta:
        if self.unit == "days":
            return cal.day_length * self.amount
        return timedelta(hours=self.amount)

    def __str__(self) -> str:
        return f"{self.amount} 个工作日" if self.unit == "days" else f"{self.amount} 个工作小时"


# --- public functions --------------------------------------------------------------------------


def is_working_moment(cal: WorkCalendar, dt: datetime) -> bool:
    day, us = _local(cal, dt)
    return cal.is_workday(day) and any(s <= us < e for s, e in cal._spans)


def add_working_time(start: datetime, amount: timedelta, cal: WorkCalendar) -> datetime:
    """The earliest instant by which `amount` of working time has passed since `start`."""
    if amount < timedelta(0):
        raise ValueError("工作时长不能为负")
    day, us = _local(cal, start)
    left = amount // _US
    if left == 0:
        return start.astimezone(UTC)
    if cal.is_workday(day):
        for s, e in cal._spans:
            if us < e:
                begin = max(s, us)
                if left <= e - begin:
                    return _instant(cal, day, begin + left)
                left -= e - begin
    day += _ONE_DAY
    # Whole working days are skipped in one go; the last (partial or full) day is walked below.
    day = _skip_workdays(cal, day, (left - 1) // cal._day_us)
    left = (left - 1) % cal._day_us + 1
    while not cal.is_workday(day):
        day += _ONE_DAY
    for s, e in cal._spans:
        if left <= e - s:
            return _instant(cal, day, s + left)
        left -= e - s
    raise AssertionError("unreachable: left never exceeds one working day here")


def deadline(start: datetime, limit: WorkLimit, cal: WorkCalendar) -> datetime:
    """When `limit` runs out for work that starts at `start` (aware UTC)."""
    return add_working_time(start, limit.working_time(cal), cal)


def elapsed(start: datetime, now: datetime, cal: WorkCalendar) -> timedelta:
    """Working time in [start, now); negative when `now` is before `start`."""
    d1, u1 = _local(cal, start)
    d2, u2 = _local(cal, now)
    if (d2, u2) < (d1, u1):
        return -elapsed(now, start, cal)
    if d1 == d2:
        return timedelta(microseconds=_worked(cal, d1, u1, u2))
    total = _worked(cal, d1, u1, cal._spans[-1][1]) + _worked(cal, d2, 0, u2)
    total += cal._day_us * cal.workdays_between(d1 + _ONE_DAY, d2)
    return timedelta(microseconds=total)


def remaining(now: datetime, deadline: datetime, cal: WorkCalendar) -> timedelta:
    """Working time left before `deadline`; negative (working time overdue) once passed.

    It is zero from the deadline until the next working moment; test expiry with
    `now >= deadline`, not with the sign of this value.
    """
    return elapsed(now, deadline, cal)


def fraction_used(start: datetime, deadline: datetime, now: datetime, cal: WorkCalendar) -> float:
    """Share of the working time from `start` to `deadline` used by `now` (0 before, >1 overdue)."""
    used, total = elapsed(start, now, cal), elapsed(start, deadline, cal)
    if total <= timedelta(0):
        return 1.0 if now >= deadline else 0.0
    return max(0.0, used / total)


def moment_at_fraction(start: datetime, deadline: datetime, fraction: float, cal: WorkCalendar) -> datetime:
    """When `fraction` of the working time to `deadline` is used (the 75% reminder's instant)."""
    if not 0 <= fraction <= 1:
        raise ValueError("比例必须在 0 到 1 之间")
    total = elapsed(start, deadline, cal) // _US
    return add_working_time(start, timedelta(microseconds=round(total * fraction)), cal)


def next_working_moment(cal: WorkCalendar, dt: datetime) -> datetime:
    """`dt` itself when working, else the start of the next working period."""
    day, us = _local(cal, dt)
    if cal.is_workday(day):
        for s, e in cal._spans:
            if us < e:
                return dt.astimezone(UTC) if us >= s else _instant(cal, day, s)
    day += _ONE_DAY
    while not cal.is_workday(day):
        day += _ONE_DAY
    return _instant(cal, day, cal._spans[0][0])


# --- helpers ---------------------------------------------------------------------------------


def _local(cal: WorkCalendar, dt: datetime) -> tuple[date, int]:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("需要带时区的时间（aware datetime），收到的时间没有时区")
    local = dt.astimezone(cal.tz)
    return local.date(), _us_of_day(local.time())


def _instant(cal: WorkCalendar, day: date, us: int) -> datetime:
    # Wall-clock arithmetic in the calendar's zone, then stored as UTC.
    local = datetime(day.year, day.month, day.day, tzinfo=cal.tz) + timedelta(microseconds=us)
    return local.astimezone(UTC)


def _worked(cal: WorkCalendar, day: date, a: int, b: int) -> int:
    if not cal.is_workday(day):
        return 0
    return sum(max(0, min(e, b) - max(s, a)) for s, e in cal._spans)


def _count(days: tuple[date, ...], first: date, stop: date) -> int:
    return bisect_left(days, stop) - bisect_left(days, first)


def _skip_workdays(cal: WorkCalendar, day: date, count: int) -> date:
    """A day after which `count` working days on or after `day` have passed, before the next one."""
    while count >= 5:
        # Jump whole weeks and count what they held (O(log n)); a few rounds absorb the holidays.
        stop = day + timedelta(days=count // 5 * 7)
        held = cal.workdays_between(day, stop)
        if held > count:  # more make-up days than holidays: finish day by day
            break
        day, count = stop, count - held
    while count > 0:
        if cal.is_workday(day):
            count -= 1
        day += _ONE_DAY
    return day
