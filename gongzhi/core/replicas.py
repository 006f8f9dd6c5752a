"""Heavy reads on read replicas, everything else on the primary (docs/scaling.md "Read
replicas", ADR 0033).

`DATABASE_REPLICA_URLS` (comma-separated PostgreSQL URLs of hot standbys) gives the database
aliases replica_0, replica_1 ... (config/settings.py). Nothing goes to a replica by accident:
the router sends every write and every read to the primary, except the reads made inside
`read()` (or a view wrapped in `reading`), which the heavy readers use — the KPI pages, the
command centre, 日报/周报 generation, exports, the public board, and the API's list endpoints
when the caller asks (`?replica=1` or the header `X-Gongzhi-Replica: 1`).

A replica is used only while it keeps up:
- Read-your-writes: a user who has just written (any POST, PUT, PATCH, DELETE) reads from the
  primary for REPLICA_STICKY_SECONDS (a cookie, `ReplicaMiddleware`).
- Lag: a replica further behind than REPLICA_MAX_LAG_SECONDS, or unreachable, is passed over
  (the primary answers). Lag is measured by position first: a standby that has replayed all the
  primary has written (`pg_current_wal_insert_lsn()` on the primary) is 0 s behind however old its
  last replayed transaction is, so an idle primary does not make a current standby look late;
  only a standby short of that position is as late as its last replayed transaction
  (`now() - pg_last_xact_replay_timestamp()`). The answer is kept REPLICA_CHECK_SECONDS per
  process (a down replica: REPLICA_DOWN_SECONDS), so a request costs no check most of the time.
- `read(fresh=True)` takes a replica only if it has replayed everything the primary has
  written so far (checked now): for a reader that has just written what it reads (the 日报's
  figures right after the rollup's catch-up).
- Inside a transaction on the primary, reads stay on the primary (they may need its
  uncommitted rows).
SQLite, or no replica configured: everything on the primary, `read()` changes nothing.
"""

import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from gongzhi.core import clock

DEFAULT = "default"
COOKIE = "gz_primary_until"  # epoch seconds until which this browser reads from the primary
HEADER = "X-Gongzhi-Replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_reading: ContextVar[str | None] = ContextVar("replica_reading", default=None)
_sticky: ContextVar[bool] = ContextVar("replica_sticky", default=False)
_asked: ContextVar[bool] = ContextVar("replica_asked", default=False)


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic() of the check
    lag: float | None  # seconds behind; None: could not be asked


_seen: dict[str, Seen] = {}


def configured() -> list[str]:
    """The replica aliases in use: none unless the primary is PostgreSQL."""
    if connections[DEFAULT].vendor != "postgresql":
        return []
    return [name for name in settings.REPLICA_ALIASES if name in settings.DATABASES]


def lag(name: str) -> float | None:
    """How many seconds the replica `name` is behind the primary, asked now: 0 when it has
    replayed all the primary has written; None when it cannot be reached or asked."""
    # the insert position, not pg_current_wal_lsn() (what is written out): a commit made with
    # synchronous_commit off may not be written yet, and a standby short of it is not fresh
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (position,) = cursor.fetchone()
    try:
        with connections[name].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [position],
            )
            recovering, behind, age = cursor.fetchone()
    except DatabaseError:
        connections[name].close()  # the next use opens a new connection
        return None
    if not recovering:  # not a standby: a test mirror of the primary (or a promoted standby)
        return 0.0
    if behind is not None and behind <= 0:
        return 0.0
    return float(age) if age is not None else math.inf


def _lag_now(name: str) -> float | None:
    seen = _seen.get(name)
    now = time.monotonic()
    if seen is not None:
        keep = settings.REPLICA_CHECK_SECONDS if seen.lag is not None else settings.REPLICA_DOWN_SECONDS
        if now - seen.at < keep:
            return seen.lag
    measured = lag(name)
    _seen[name] = Seen(now, measured)
    return measured


def usable(name: str) -> bool:
    measured = _lag_now(name)
    return measured is not None and measured <= settings.REPLICA_MAX_LAG_SECONDS


def mark_down(name: str) -> None:
    """A query on `name` failed: pass it over until it is checked again."""
    connections[name].close()
    _seen[name] = Seen(time.monotonic(), None)


def forget() -> None:
    """Drop the kept checks (tests; a process that has just learnt a replica changed)."""
    _seen.clear()


def alias(*, fresh: bool = False) -> str:
    """The database for a heavy read now: a replica that keeps up, else the primary."""
    names = configured()
    if not names or _sticky.get() or connections[DEFAULT].in_atomic_block:
        return DEFAULT
    start = random.randrange(len(names))  # spread the readers over the replicas
    for name in names[start:] + names[:start]:
        if (lag(name) == 0.0) if fresh else usable(name):
            return name
    return DEFAULT


@contextmanager
def read(*, fresh: bool = False) -> Iterator[str]:
    """Reads inside the block go to a replica that keeps up (or the primary); writes still go to
    the primary. Yields the alias chosen."""
    name = alias(fresh=fresh)
    token = _reading.set(None if name == DEFAULT else name)
    try:
        yield name
    finally:
        _reading.reset(token)


@contextmanager
def read_if_asked() -> Iterator[str]:
    """`read()` when the request asked for a replica (the API's lists), else the primary."""
    if not _asked.get():
        yield DEFAULT
        return
    with read() as name:
        yield name


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def reading(view: V) -> V:
    """A heavy page: its reads on a replica (GET and HEAD only). A replica that fails during the
    page is marked down and the page is made again on the primary, so a replica that stops
    costs a slower page, never a 500."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with read() as name:
            if name == DEFAULT:
                return view(request, *args, **kwargs)
            try:
                return view(request, *args, **kwargs)
            except OperationalError:
                mark_down(name)
        return view(request, *args, **kwargs)

    return cast(V, wrapped)


class Router:
    """settings.DATABASE_ROUTERS: the primary unless inside `read()`; replicas never migrate."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reading.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db in settings.REPLICA_ALIASES else None


class ReplicaMiddleware:
    """Read-your-writes and the API's ask: a request that may have written sets a cookie keeping
    this browser on the primary for REPLICA_STICKY_SECONDS; a request carrying that cookie, still
    valid, reads from the primary. `?replica=1` or `X-Gongzhi-Replica: 1` asks `read_if_asked`
    for a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.REPLICA_ALIASES:
            return self.get_response(request)
        now = clock.now().timestamp()
        try:
            until = float(request.COOKIES.get(COOKIE, "0"))
        except ValueError:
            until = 0.0
        sticky = _sticky.set(until > now)
        asked = _asked.set(request.GET.get("replica") == "1" or request.headers.get(HEADER) == "1")
        try:
            response = self.get_response(request)
        finally:
            _sticky.reset(sticky)
            _asked.reset(asked)
        if request.method not in SAFE_METHODS and settings.REPLICA_STICKY_SECONDS > 0:
            response.set_cookie(
                COOKIE,
                f"{now + settings.REPLICA_STICKY_SECONDS:.0f}",
                max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
