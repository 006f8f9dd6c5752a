"""A volunteer's days away changed: who planned them in must let go of the days newly away, and
may give back what it let go for days they are no longer away (docs/mobilisation.md "Days away
after the rota").

community sits below mobilisation, so `volunteers.volunteer_update` cannot call the rostering
service by name. The rostering service registers its own function here when its app is ready
(MobilisationConfig.ready); the volunteer service calls it inside the transaction that writes
the days away, with only the days that changed: newly away (a stretch added, or one widened) —
what was away before was already kept off the rota — and no longer away (a stretch removed or
shortened). Like core.contributions, an explicit registry rather than a signal: whatever the
function raises rolls the change of days away back with it.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class DaysAway:
    volunteer_id: int
    person_id: int
    spans: tuple[tuple[date, date], ...]  # days newly away, (from, to) both included, in order
    back: tuple[tuple[date, date], ...] = ()  # days no longer away (a stretch removed or shortened)


Releaser = Callable[..., Any]  # (*, actor, away: DaysAway) -> Any


class AwayHook:
    """An ordered registry; registering the same callable twice keeps one."""

    def __init__(self) -> None:
        self._callbacks: list[Releaser] = []

    def register(self, callback: Releaser) -> Releaser:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def unregister(self, callback: Releaser) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def announce(self, *, actor: Any, away: DaysAway) -> None:
        if not (away.spans or away.back):
            return
        for callback in list(self._callbacks):
            callback(actor=actor, away=away)


on_days_away = AwayHook()


def _days(spans: Iterable[tuple[date, date]]) -> set[date]:
    out: set[date] = set()
    for start, end in spans:
        day = start
        while day <= end:
            out.add(day)
            day += timedelta(days=1)
    return out


def newly_away(
    before: Sequence[tuple[date, date]], after: Sequence[tuple[date, date]]
) -> tuple[tuple[date, date], ...]:
    """The days of `after` that `before` did not cover, as stretches (a stretch added, or the
    days by which one was widened). At most 20 stretches of a year each: a set of days is cheap."""
    added = sorted(_days(after) - _days(before))
    spans: list[tuple[date, date]] = []
    for day in added:
        if spans and day == spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return tuple(spans)


def no_longer_away(
    before: Sequence[tuple[date, date]], after: Sequence[tuple[date, date]]
) -> tuple[tuple[date, date], ...]:
    """The days of `before` that `after` no longer covers (a stretch removed, or the days by
    which one was shortened), as stretches."""
    return newly_away(after, before)
