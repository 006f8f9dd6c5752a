"""The working-hour calendar: hand-computed examples and hypothesis properties (no database).

Default periods 08:30-12:00 and 13:30-17:30 give 7.5 working hours a day. 2026 data is the real
chinesecalendar 1.11.0 data: Mid-autumn 25-27 Sep, National Day 1-7 Oct, make-up workdays
Sun 20 Sep and Sat 10 Oct; Spring Festival 15-23 Feb, make-up Sat 14 Feb and Sat 28 Feb.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.workcal import (
    WorkCalendar,
    WorkLimit,
    add_working_time,
    deadline,
    elapsed,
    fraction_used,
    is_working_moment,
    make_calendar,
    moment_at_fraction,
    next_working_moment,
    parse_periods,
    remaining,
)
from gongzhi.core.workcal_db import package_days

SH = ZoneInfo("Asia/Shanghai")
US = timedelta(microseconds=1)
REAL = make_calendar({d: w for y in (2025, 2026) for d, (w, _) in package_days(y).items()})


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def local(dt: datetime) -> datetime:
    return dt.astimezone(SH)


# --- examples, computed by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        # Fri 16:00 + 4 wh: 1.5 h on Friday, 2.5 h from Monday 08:30.
        (sh(2026, 11, 20, 16), WorkLimit.hours(4), sh(2026, 11, 23, 11)),
        # 1 wd = 7.5 wh: Mon 10:00 → Tue 10:00.
        (sh(2026, 11, 23, 10), WorkLimit.days(1), sh(2026, 11, 24, 10)),
        # Starting at a day's first moment, 1 wd ends at that day's last period end.
        (sh(2026, 11, 23, 8, 30), WorkLimit.days(1), sh(2026, 11, 23, 17, 30)),
        # Ends exactly at the morning period's end: 12:00, not 13:30.
        (sh(2026, 11, 23, 11), WorkLimit.hours(1), sh(2026, 11, 23, 12)),
        # From lunch, counting starts at 13:30.
        (sh(2026, 11, 23, 12, 30), WorkLimit.hours(1), sh(2026, 11, 23, 14, 30)),
        # From Saturday, counting starts Monday 08:30.
        (sh(2026, 11, 21, 9), WorkLimit.hours(1), sh(2026, 11, 23, 9, 30)),
        # From after hours: 4 wh = 08:30-12:00 plus 13:30-14:00 next day.
        (sh(2026, 11, 23, 19), WorkLimit.hours(4), sh(2026, 11, 24, 14)),
        # Wed 30 Sep 16:00 + 4 wh skips National Day (1-7 Oct): Thu 8 Oct 11:00.
        (sh(2026, 9, 30, 16), WorkLimit.hours(4), sh(2026, 10, 8, 11)),
        # Fri 9 Oct 16:00 + 4 wh: Saturday 10 Oct is a make-up workday.
        (sh(2026, 10, 9, 16), WorkLimit.hours(4), sh(2026, 10, 10, 11)),
        # Sat 19 Sep + 1 wh: Sunday 20 Sep is a make-up workday.
        (sh(2026, 9, 19, 10), WorkLimit.hours(1), sh(2026, 9, 20, 9, 30)),
        # 20 wd from Mon 14 Sep 10:00: working days 15-18, 20 (Sun), 21-24, 28-30 Sep, 8-10 Oct
        # (10 Oct Sat), 12-16 Oct; the 20th is Fri 16 Oct.
        (sh(2026, 9, 14, 10), WorkLimit.days(20), sh(2026, 10, 16, 10)),
        # Spring Festival: Fri 13 Feb 16:00 + 1 wd → Sat 14 Feb (make-up) 16:00.
        (sh(2026, 2, 13, 16), WorkLimit.days(1), sh(2026, 2, 14, 16)),
        # Sat 14 Feb 16:00 + 1 wd: rest 15-23 Feb, so Tue 24 Feb 16:00.
        (sh(2026, 2, 14, 16), WorkLimit.days(1), sh(2026, 2, 24, 16)),
        # Thu 31 Dec 2026 + 2 wd, with 2027 unknown to the package: 1 Jan 2027 counts.
        (sh(2026, 12, 31, 10), WorkLimit.days(2), sh(2027, 1, 4, 10)),
    ],
)
def test_deadline_examples(start: datetime, limit: WorkLimit, expected: datetime) -> None:
    result = deadline(start, limit, REAL)
    assert result == expected
    assert result.tzinfo is UTC


def test_utc_input_is_read_in_shanghai_time() -> None:
    # 08:00 UTC is 16:00 in Shanghai: the Friday example again.
    result = deadline(datetime(2026, 11, 20, 8, tzinfo=UTC), WorkLimit.hours(4), REAL)
    assert result == datetime(2026, 11, 23, 3, tzinfo=UTC)


def test_working_moments() -> None:
    assert is_working_moment(REAL, sh(2026, 11, 23, 8, 30))
    assert is_working_moment(REAL, sh(2026, 11, 23, 12) - US)
    assert not is_working_moment(REAL, sh(2026, 11, 23, 12))  # periods are [start, end)
    assert not is_working_moment(REAL, sh(2026, 11, 23, 8, 29))
    assert not is_working_moment(REAL, sh(2026, 10, 1, 10))  # National Day, a Thursday
    assert is_working_moment(REAL, sh(2026, 10, 10, 10))  # make-up Saturday
    assert not is_working_moment(REAL, sh(2026, 11, 21, 10))  # ordinary Saturday


def test_elapsed_and_remaining_examples() -> None:
    assert elapsed(sh(2026, 11, 23, 11), sh(2026, 11, 23, 14), REAL) == timedelta(hours=1, minutes=30)
    assert elapsed(sh(2026, 9, 30, 9), sh(2026, 10, 8, 9), REAL) == timedelta(hours=7, minutes=30)
    assert elapsed(sh(2026, 11, 23, 14), sh(2026, 11, 23, 11), REAL) == -timedelta(hours=1, minutes=30)
    due = sh(2026, 11, 20, 17, 30)  # a Friday's end
    assert remaining(sh(2026, 11, 20, 16), due, REAL) == timedelta(hours=1, minutes=30)
    assert remaining(sh(2026, 11, 21, 10), due, REAL) == timedelta(0)  # passed, but no work time since
    assert remaining(sh(2026, 11, 23, 9, 30), due, REAL) == -timedelta(hours=1)


def test_reminder_at_75_percent() -> None:
    start = sh(2026, 11, 23, 8, 30)
    due = deadline(start, WorkLimit.hours(4), REAL)
    assert due == sh(2026, 11, 23, 14)
    assert moment_at_fraction(start, due, 0.75, REAL) == sh(2026, 11, 23, 11, 30)
    assert fraction_used(start, due, sh(2026, 11, 23, 11, 30), REAL) == 0.75
    assert fraction_used(start, due, sh(2026, 11, 23, 13), REAL) == 0.875  # lunch does not count
    assert fraction_used(start, due, sh(2026, 11, 24, 9), REAL) == 2.0  # 8 wh used of 4
    assert fraction_used(start, due, sh(2026, 11, 22, 9), REAL) == 0.0


def test_next_working_moment() -> None:
    assert next_working_moment(REAL, sh(2026, 9, 30, 18)) == sh(2026, 10, 8, 8, 30)
    assert next_working_moment(REAL, sh(2026, 11, 23, 12, 15)) == sh(2026, 11, 23, 13, 30)
    assert next_working_moment(REAL, sh(2026, 11, 23, 9)) == sh(2026, 11, 23, 9)


def test_custom_periods_change_the_working_day() -> None:
    cal = make_calendar({}, periods=parse_periods("09:00-12:00, 14:00-18:00"))
    assert cal.day_length == timedelta(hours=7)
    assert deadline(sh(2026, 11, 23, 17), WorkLimit.hours(2), cal) == sh(2026, 11, 24, 10)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 23, 10)
    aware = sh(2026, 11, 23, 10)
    calls = [
        lambda: is_working_moment(REAL, naive),
        lambda: deadline(naive, WorkLimit.hours(1), REAL),
        lambda: add_working_time(naive, timedelta(hours=1), REAL),
        lambda: elapsed(naive, aware, REAL),
        lambda: elapsed(aware, naive, REAL),
        lambda: remaining(naive, aware, REAL),
        lambda: fraction_used(aware, aware, naive, REAL),
        lambda: next_working_moment(REAL, naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="时区"):
            call()


@pytest.mark.parametrize(
    "make",
    [
        lambda: WorkLimit(0, "hours"),
        lambda: WorkLimit(-1, "days"),
        lambda: WorkLimit(2, "weeks"),
        lambda: WorkCalendar(periods=((time(9), time(12)), (time(11), time(13)))),
        lambda: WorkCalendar(periods=((time(12), time(9)),)),
        lambda: WorkCalendar(periods=()),
        lambda: make_calendar({}, periods=parse_periods("8:30 to 12")),
        lambda: WorkCalendar(
            holidays=frozenset({date(2026, 1, 1)}), makeup_workdays=frozenset({date(2026, 1, 1)})
        ),
        lambda: add_working_time(sh(2026, 11, 23, 10), -timedelta(hours=1), REAL),
        lambda: moment_at_fraction(sh(2026, 11, 23, 10), sh(2026, 11, 23, 11), 1.5, REAL),
    ],
)
def test_bad_values_are_refused(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_workdays_between_counts_overrides() -> None:
    # Sep 2026: 22 weekdays, minus 25 Sep (Mid-autumn), plus Sun 20 Sep.
    assert REAL.workdays_between(date(2026, 9, 1), date(2026, 10, 1)) == 22
    # Oct 2026: 22 weekdays, minus 1,2,5,6,7 Oct, plus Sat 10 Oct.
    assert REAL.workdays_between(date(2026, 10, 1), date(2026, 11, 1)) == 18


# --- properties ---------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 3, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """The real 2026 calendar, or random periods (1-3 a day, to the minute) and random overrides."""
    if draw(st.booleans()):
        return REAL
    marks = sorted(draw(st.lists(st.integers(0, 1439), min_size=2, max_size=6, unique=True)))
    marks = marks[: len(marks) // 2 * 2]
    periods = tuple(
        (time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in zip(marks[::2], marks[1::2], strict=True)
    )
    return make_calendar(draw(st.dictionaries(DAYS, st.booleans(), max_size=60)), periods=periods)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 31), timezones=st.sampled_from([UTC, SH])
)
limits = st.builds(WorkLimit, st.integers(1, 200), st.sampled_from(["hours", "days"]))


def reference_elapsed(start: datetime, end: datetime, cal: WorkCalendar) -> timedelta:
    """Day by day, period by period: slow and obviously right, to check the fast counting."""
    total = timedelta(0)
    day = local(start).date()
    while day <= local(end).date():
        if cal.is_workday(day):
            for s, e in cal.periods:
                a = max(start, datetime.combine(day, s, tzinfo=SH))
                b = min(end, datetime.combine(day, e, tzinfo=SH))
                total += max(timedelta(0), b - a)
        day += timedelta(days=1)
    return total


@given(calendars(), moments, limits)
def test_deadline_is_never_inside_non_working_time(
    cal: WorkCalendar, start: datetime, limit: WorkLimit
) -> None:
    # The deadline lies in (period start, period end]: the moment just before it is working time,
    # so it is never in a holiday or a lunch break, except exactly at a period's end.
    due = deadline(start, limit, cal)
    assert due > start
    assert is_working_moment(cal, due - US)
    assert cal.is_workday(local(due - US).date())


@given(calendars(), moments, limits)
def test_elapsed_to_the_deadline_is_the_limit_and_remaining_is_zero(
    cal: WorkCalendar, start: datetime, limit: WorkLimit
) -> None:
    due = deadline(start, limit, cal)
    assert elapsed(start, due, cal) == limit.working_time(cal)
    assert remaining(due, due, cal) == timedelta(0)
    assert remaining(start, due, cal) == limit.working_time(cal)
    assert fraction_used(start, due, due, cal) == 1.0


@given(calendars(), moments, st.integers(1, 200), st.integers(1, 200), st.sampled_from(["hours", "days"]))
def test_deadline_is_monotonic_and_additive(
    cal: WorkCalendar, start: datetime, a: int, b: int, unit: str
) -> None:
    small, big = WorkLimit(min(a, b), unit), WorkLimit(max(a, b), unit)
    assert deadline(start, small, cal) <= deadline(start, big, cal)
    if a != b:
        assert deadline(start, small, cal) < deadline(start, big, cal)
    whole = deadline(start, WorkLimit(a + b, unit), cal)
    assert whole == deadline(deadline(start, WorkLimit(a, unit), cal), WorkLimit(b, unit), cal)


@given(calendars(), moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_elapsed_matches_the_slow_reference(cal: WorkCalendar, start: datetime, span: timedelta) -> None:
    end = start + span
    assert elapsed(start, end, cal) == reference_elapsed(start, end, cal)
    assert elapsed(end, start, cal) == -reference_elapsed(start, end, cal)


@given(calendars(), moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=500)))
def test_add_working_time_inverts_elapsed(cal: WorkCalendar, start: datetime, amount: timedelta) -> None:
    end = add_working_time(start, amount, cal)
    assert elapsed(start, end, cal) == amount
    if amount:  # earliest such instant: one microsecond less has not used it all
        assert elapsed(start, end - US, cal) < amount


@given(calendars(), moments, moments, moments)
def test_elapsed_is_additive(cal: WorkCalendar, a: datetime, b: datetime, c: datetime) -> None:
    assert elapsed(a, c, cal) == elapsed(a, b, cal) + elapsed(b, c, cal)


@given(DAYS)
def test_real_holidays_and_makeup_days_follow_the_package(day: date) -> None:
    official = package_days(day.year).get(day)
    expected = official[0] if official else day.weekday() < 5
    assert REAL.is_workday(day) == expected
    assert is_working_moment(REAL, datetime.combine(day, time(10), tzinfo=SH)) == expected
