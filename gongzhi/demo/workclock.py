"""Working-time arithmetic on whole seconds, for laying out a year of case history fast.

core.workcal answers one deadline at a time on aware datetimes (~10 µs each); the history
needs about a million such answers. Here the calendar's working periods over a window are
laid out once as epoch-second intervals with their cumulative working time, so "add working
time", "working time between" and "next working moment" are a bisection on integers. The
answers are those of core.workcal for the same calendar (a test compares them), to the second.
"""

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta

from gongzhi.core.workcal import WorkCalendar

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def moment(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


class WorkClock:
    def __init__(self, cal: WorkCalendar, first: date, last: date) -> None:
        self.cal = cal
        self.day_seconds = cal._day_us // 1_000_000
        starts: list[int] = []
        ends: list[int] = []
        cum_end: list[int] = []  # working seconds from the window's start to each period's end
        total = 0
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            if cal.is_workday(day):
                midnight = epoch(datetime(day.year, day.month, day.day, tzinfo=cal.tz))
                for s, e in cal._spans:
                    starts.append(midnight + s // 1_000_000)
                    ends.append(midnight + e // 1_000_000)
                    total += (e - s) // 1_000_000
                    cum_end.append(total)
            day += timedelta(days=1)
        self.starts, self.ends, self.cum_end = starts, ends, cum_end

    def worked(self, t: int) -> int:
        """Working seconds from the window's start to `t`."""
        i = bisect_right(self.ends, t)  # periods ending at or before t are complete
        if i >= len(self.starts):
            raise ValueError("moment beyond the work clock's window")
        before = self.cum_end[i - 1] if i else 0
        return before + max(0, t - self.starts[i])

    def at_worked(self, w: int) -> int:
        """The earliest moment by which `w` working seconds (from the window's start) passed."""
        i = bisect_left(self.cum_end, w)
        if i >= len(self.cum_end):
            raise ValueError("working time beyond the work clock's window")
        before = self.cum_end[i - 1] if i else 0
        return self.starts[i] + (w - before)

    def add(self, t: int, seconds: int) -> int:
        """core.workcal.add_working_time on seconds: `t` itself when nothing is to be added."""
        if seconds <= 0:
            return t
        return self.at_worked(self.worked(t) + seconds)

    def between(self, a: int, b: int) -> int:
        return self.worked(b) - self.worked(a)

    def limit(self, amount: int, unit: str) -> int:
        """A category's limit (WorkLimit) in working seconds."""
        return amount * self.day_seconds if unit == "days" else amount * 3600
