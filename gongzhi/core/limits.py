"""Rate limits: named budgets (so many hits per window) counted in the database (ADR 0011).

Every worker and every process shares the count, because it lives in one small table
(`RateCounter`) that one statement increments atomically (`INSERT … ON CONFLICT DO UPDATE …
RETURNING`, the same SQL on SQLite and PostgreSQL). A window's count is estimated as sliding:
this window's hits plus the previous window's, weighted by how much of it still overlaps, so a
burst across a window boundary is not counted twice as cheap.

The limiter fails open: if the store cannot be reached it logs a warning and allows, because a
refused resident or a locked-out street office is worse than an unlimited minute.

Budgets are read from `settings.RATE_LIMITS` ({name: (limit, window seconds)}), documented in
README's configuration table and docs/security.md.
"""

import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from gongzhi.core import clock
from gongzhi.core.models import RateCounter

log = logging.getLogger(__name__)

_TABLE = RateCounter._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (bucket, count, expires_at) VALUES (%s, %s, %s) "
    f"ON CONFLICT (bucket) DO UPDATE SET count = {_TABLE}.count + excluded.count RETURNING count"
)
_READ = f"SELECT count FROM {_TABLE} WHERE bucket = %s"
_PRUNE = f"DELETE FROM {_TABLE} WHERE expires_at < %s"


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window: int  # seconds


@dataclass(frozen=True)
class Verdict:
    """Where a subject stands against a budget; `allowed` is False once it is spent."""

    allowed: bool
    used: float
    limit: int
    retry_after: int  # seconds until the estimate drops below the limit (at most two windows)


def budget(name: str) -> Budget:
    limit, window = settings.RATE_LIMITS[name]
    return Budget(name, int(limit), int(window))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind `RATE_LIMIT_TRUSTED_PROXIES` proxies that
    each append to X-Forwarded-For, the entry the outermost trusted proxy wrote. Entries a
    client writes itself sit further left and are never read."""
    proxies = int(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", 0))
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    return chain[-proxies] if len(chain) >= proxies else (chain[0] if chain else remote)


def _subject_key(name: str, subject: str) -> str:
    return salted_hmac("gongzhi.core.limits", f"{name}\x00{subject}").hexdigest()[:40]


def _buckets(b: Budget, subject: str) -> tuple[str, str, float, float]:
    """(this window's bucket, the previous one's, the previous one's weight, seconds into the window)"""
    now = clock.now().timestamp()
    index = math.floor(now / b.window)
    elapsed = now - index * b.window
    key = _subject_key(b.name, subject)
    return f"{b.name}:{key}:{index}", f"{b.name}:{key}:{index - 1}", 1 - elapsed / b.window, elapsed


def _verdict(
    b: Budget, current: int, previous: int, weight: float, elapsed: float, *, spent_at: float
) -> Verdict:
    """Allowed while the sliding estimate stays below `spent_at`; else how long until it drops
    below (assuming no further hits)."""
    used = current + previous * weight
    if used < spent_at:
        return Verdict(True, used, b.limit, 0)
    if spent_at <= 0:
        retry = float(b.window)
    elif current >= spent_at:
        # This window alone is over: wait for it to end, then for its weight to shrink enough.
        retry = (b.window - elapsed) + b.window * (1 - spent_at / current)
    else:
        # This window fits: wait for the previous window's share to shrink enough.
        retry = (used - spent_at) / previous * b.window
    return Verdict(False, used, b.limit, max(1, math.ceil(retry)))


def _read(cursor: object, bucket: str) -> int:
    cursor.execute(_READ, [bucket])  # type: ignore[attr-defined]
    row = cursor.fetchone()  # type: ignore[attr-defined]
    return int(row[0]) if row else 0


def _counts(b: Budget, subject: str) -> tuple[int, int, float, float] | None:
    """(this window's count, the previous one's, its weight, seconds into the window); None
    when the store is unreachable."""
    bucket, previous, weight, elapsed = _buckets(b, subject)
    try:
        # A savepoint, so a failure inside a caller's transaction does not poison it (PostgreSQL).
        with transaction.atomic(), connection.cursor() as cursor:
            return _read(cursor, bucket), _read(cursor, previous), weight, elapsed
    except DatabaseError:
        log.warning("limits: the counter store is unreachable; allowing %s", b.name, exc_info=True)
        return None


def peek(name: str, subject: str) -> Verdict:
    """Is the budget spent? Counts nothing (a login checks before it tries the password)."""
    b = budget(name)
    counts = _counts(b, subject)
    if counts is None:
        return Verdict(True, 0, b.limit, 0)
    return _verdict(b, *counts, spent_at=b.limit)


def hit(name: str, subject: str, cost: int = 1) -> Verdict:
    """Count `cost` against the budget; the verdict says whether this hit stayed within it."""
    b = budget(name)
    bucket, previous, weight, elapsed = _buckets(b, subject)
    now = clock.now()
    expires = now.fromtimestamp(now.timestamp() + 2 * b.window - elapsed, tz=now.tzinfo)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_UPSERT, [bucket, cost, expires])
            current = int(cursor.fetchone()[0])
            before = _read(cursor, previous)
            if current == cost:  # a new bucket: sweep the expired ones (amortised, indexed)
                cursor.execute(_PRUNE, [now])
    except DatabaseError:
        log.warning("limits: the counter store is unreachable; allowing %s", name, exc_info=True)
        return Verdict(True, 0, b.limit, 0)
    return _verdict(b, current, before, weight, elapsed, spent_at=b.limit + 1)


def take(name: str, subject: str, cost: int = 1) -> Verdict:
    """Spend `cost` only if it fits: a refused call costs nothing, so a client is held to the
    budget itself, not shut out for as long as it keeps asking. (Two callers at the same
    instant may both fit: the budget can be overshot by one call, never undercounted.)"""
    b = budget(name)
    cost = min(cost, b.limit)  # a call dearer than the whole budget still fits an empty one
    counts = _counts(b, subject)
    if counts is None:
        return Verdict(True, 0, b.limit, 0)
    seen = _verdict(b, *counts, spent_at=b.limit - cost + 1)
    return seen if not seen.allowed else hit(name, subject, cost)


def clear(name: str, subject: str) -> None:
    """Forget a subject's count (an administrator lifting a username's pause)."""
    key = _subject_key(name, subject)
    RateCounter.objects.filter(bucket__startswith=f"{name}:{key}:").delete()
