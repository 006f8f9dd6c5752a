"""The embedded beat: the production beat schedule (settings.CELERY_BEAT_SCHEDULE) run inside one
process, for a street without Redis or Celery (`make demo`, a laptop, a small server).

Production runs `celery -A config beat` and workers; the embedded mode runs `gongzhi schedule`
(or `gongzhi serve`, which starts it beside the web server). Both read the same table, so the
two modes cannot drift apart. Every scheduled task is idempotent, so the beat runs each one
once when it starts (a catch-up after downtime: yesterday's 日报, pending notifications,
overdue deadlines) and then on its schedule.
"""

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import BaseSchedule
from celery.schedules import schedule as every

log = logging.getLogger(__name__)


@dataclass
class Entry:
    """One line of the beat schedule and when it last ran (None: not yet in this process)."""

    name: str
    task: str
    schedule: BaseSchedule
    last_run: datetime | None = None


@dataclass
class Beat:
    entries: list[Entry]
    runner: Callable[[str], Any]
    ran: list[tuple[datetime, str]] = field(default_factory=list)

    def due(self, now: datetime) -> list[Entry]:
        """The entries to run at `now`: those never run here, and those their schedule says are
        due since their last run."""
        out = []
        for entry in self.entries:
            if entry.last_run is None or _is_due(entry.schedule, entry.last_run, now):
                out.append(entry)
        return out

    def tick(self, now: datetime) -> list[str]:
        """Run what is due at `now`, one task after another; a failing task is logged and
        retried on its next turn, never stops the others."""
        names = []
        for entry in self.due(now):
            try:
                self.runner(entry.task)
            except Exception:
                log.exception("beat: %s failed; it runs again on its next turn", entry.name)
            entry.last_run = now
            self.ran.append((now, entry.name))
            names.append(entry.name)
        return names


def _is_due(sched: BaseSchedule, last_run: datetime, now: datetime) -> bool:
    # Celery's schedules read "now" from nowfun: a copy answers for the given instant, so the
    # beat is a pure function of the time it is asked about (tests pass frozen times).
    probe = copy.copy(sched)
    probe.nowfun = lambda: now
    return bool(probe.is_due(last_run).is_due)


def entries_from(table: Mapping[str, Mapping[str, Any]], *, tz: Any) -> list[Entry]:
    """The settings' beat table as entries; a number of seconds becomes an interval schedule."""
    out = []
    for name, spec in table.items():
        sched = spec["schedule"]
        if isinstance(sched, int | float | timedelta):
            seconds = sched.total_seconds() if isinstance(sched, timedelta) else float(sched)
            sched = every(timedelta(seconds=seconds))
        sched = copy.copy(sched)
        # crontab entries are read in the street's time zone (00:30 local), as Celery beat does
        sched.tz = tz
        out.append(Entry(name=name, task=spec["task"], schedule=sched))
    return out
