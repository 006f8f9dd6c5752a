"""The embedded beat: the production beat schedule (settings.CELERY_BEAT_SCHEDULE) run inside one
process, for a street without Redis or Celery (`make demo`, a laptop, a small server).

Production runs `celery -A config beat` and workers; the embedded mode runs `gongzhi schedule`
(or `gongzhi serve`, which starts it beside the web server). Both read the same table, so the
two modes cannot drift apart. Every scheduled task is idempotent, so the beat runs each one
once when it starts (a catch-up after downtime: yesterday's 日报, pending notifications,
overdue deadlines) and then on its schedule.

Exactly one beat runs (docs/background.md): `celery -A config beat` in production, the
embedded beat only in development or a one-process street. Whichever it is holds the beat lock
while it runs: a PostgreSQL session advisory lock on a connection of its own
(BEAT_LOCK_DATABASE_URL, else the database's), or a file lock in VAR_DIR on SQLite. A second
beat waits as a standby and takes over when the first one's process (or connection) dies; a
beat that finds its lock lost stops, so two never tick for longer than one loop.
"""

import copy
import fcntl
import logging
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dj_database_url
from celery.beat import PersistentScheduler
from celery.schedules import BaseSchedule
from celery.schedules import schedule as every
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

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


# --- one beat only ------------------------------------------------------------------------------

LOCK_KEY = zlib.crc32(b"gongzhi.beat")  # the advisory lock's id (per database)


class AdvisoryLock:
    """A PostgreSQL session advisory lock on a connection of its own: held until released or
    until the connection dies (the process killed, the server restarted)."""

    def __init__(self, url: str = "") -> None:
        params = dict(connections["default"].settings_dict)
        if url:
            parsed = dj_database_url.parse(url)
            params.update({k: parsed[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if k in parsed})
        params["CONN_MAX_AGE"] = None
        self.connection = load_backend(params["ENGINE"]).DatabaseWrapper(params, alias="beat_lock")
        self._held = False

    def acquire(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            self._held = bool(cursor.fetchone()[0])
        return self._held

    def held(self) -> bool:
        if not self._held:
            return False
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s"
                    " AND pid = pg_backend_pid() AND granted",
                    [LOCK_KEY & 0xFFFFFFFF],
                )
                self._held = cursor.fetchone()[0] > 0
        except Exception:  # the connection is gone, and the lock with it
            self._held = False
        return self._held

    def release(self) -> None:
        try:
            if self._held:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        finally:
            self._held = False
            self.connection.close()


class FileLock:
    """An exclusive flock on VAR_DIR/beat.lock: the SQLite street's beats are on one machine."""

    def __init__(self) -> None:
        self.path = settings.VAR_DIR / "beat.lock"
        self._file: Any = None

    def acquire(self) -> bool:
        handle = open(self.path, "a+")  # noqa: SIM115  # held open as long as the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the flock
            self._file = None


def beat_lock() -> AdvisoryLock | FileLock:
    if connections["default"].vendor == "postgresql":
        return AdvisoryLock(settings.BEAT_LOCK_DATABASE_URL)
    return FileLock()


def acquire_or_wait(
    lock: AdvisoryLock | FileLock, *, retry: float, sleep: Callable[[float], Any] = time.sleep
) -> None:
    """Take the beat lock, waiting as a standby while another beat holds it."""
    waiting = False
    while not lock.acquire():
        if not waiting:
            log.warning("beat: another beat holds the lock; this one waits as a standby")
            waiting = True
        sleep(retry)
    if waiting:
        log.warning("beat: the lock is ours now; this beat takes over")


class LockedScheduler(PersistentScheduler):  # type: ignore[misc]  # celery ships no type hints
    """`celery -A config beat` (CELERY_BEAT_SCHEDULER): Celery's own scheduler, run only while
    this process holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.beat_lock = beat_lock()
        acquire_or_wait(self.beat_lock, retry=settings.BEAT_LOCK_RETRY_SECONDS)
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.beat_lock.held():
            log.error("beat: the beat lock was lost (database connection gone); stopping")
            raise SystemExit(1)  # systemd restarts it: it then waits as a standby or takes over
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.beat_lock.release()
