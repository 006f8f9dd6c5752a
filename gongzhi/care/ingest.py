"""One ingestion service behind two doors (the batch HTTP endpoint and the MQTT consumer).

`ingest(events, door=...)` checks each event, refuses (and counts, never stores) what it must,
and in one transaction inserts the raw events and upserts each subject's last-seen row per
signal. It is idempotent on (device, event id): the last-seen rows of the batch are locked
first, then the events already stored are looked up, so a redelivered event — in the same
batch, a later one, or a concurrent consumer's — changes nothing. Alarms open their alerts in
the same transaction. ADR docs/adr/0016-care-ingestion.md says why it is built this way. On PostgreSQL the batch is a
few set-based statements (care.ingest_sql); SQLite takes the plain path below, event by event
(its statements in care.ingest_db).
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.care import ingest_db, ingest_sql, windows
from gongzhi.care.choices import (
    ALARMS,
    METERS,
    RULE_OF_ALARM,
    SIGNAL_OF_DEVICE,
    Refusal,
    RuleKind,
    Signal,
)
from gongzhi.care.ingest_db import Bound, Seen
from gongzhi.care.models import IngestCount, LastSeen
from gongzhi.care.rulebook import RuleBook
from gongzhi.care.rules import open_alarms
from gongzhi.core import clock

MAX_BATCH = 5000
FUTURE_SKEW = timedelta(minutes=5)  # a device clock a little ahead is not an error
MAX_READING = 1e12


@dataclass(frozen=True)
class Incoming:
    """One event as a gateway or a device sends it: the device's serial, its own event id, when
    it happened and, for a meter, the cumulative reading (litres or kWh)."""

    device: str
    event_id: str
    at: datetime
    value: float | None = None


@dataclass(frozen=True)
class ItemError:
    index: int
    reason: str
    message: str


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[ItemError] = field(default_factory=list)
    alerts: int = 0

    @property
    def refused(self) -> int:
        return len(self.errors)


def _messages() -> dict[str, str]:
    return {
        Refusal.UNKNOWN_DEVICE: _("设备未登记"),
        Refusal.UNBOUND_DEVICE: _("设备未绑定关爱对象"),
        Refusal.NO_CONSENT: _("关爱对象未同意采集此类信号"),
        Refusal.BACKWARDS: _("读数比之前的读数小（倒退）"),
        Refusal.FUTURE: _("时间晚于当前时间"),
        Refusal.TOO_OLD: _("时间过早，超出可接收的期限"),
        Refusal.INVALID: _("内容无效"),
    }


def ingest(events: Sequence[Incoming], *, door: str) -> IngestResult:
    """Store what may be stored; the result lists the refused items by index with a reason."""
    now = clock.now()
    result = IngestResult(received=len(events))
    refused: dict[int, str] = {}
    oldest = now - timedelta(days=settings.CARE_EVENT_MAX_AGE_DAYS)
    for i, e in enumerate(events):
        reason = _shape(e, now, oldest)
        if reason:
            refused[i] = reason
    if ingest_sql.applies():
        with transaction.atomic():
            if len(refused) < len(events):
                _alarms(ingest_sql.write(events, refused, result, now, derive_water_row), result, now)
            _count(refused, door, now)
    else:
        _plain(events, refused, result, now, door)
    messages = _messages()
    result.errors = [ItemError(i, reason, messages[reason]) for i, reason in sorted(refused.items())]
    return result


def _plain(
    events: Sequence[Incoming], refused: dict[int, str], result: IngestResult, now: datetime, door: str
) -> None:
    """SQLite's path, event by event in Python (its writers are serialised anyway); PostgreSQL
    takes care.ingest_sql, whose semantics a test compares with these."""
    devices = ingest_db.devices({e.device for e in events})
    accepted: dict[tuple[int, str], tuple[int, Incoming, Bound]] = {}
    for i, e in enumerate(events):
        if i in refused:
            continue
        device = devices.get(e.device)
        reason = _bound(device, e)
        if reason:
            refused[i] = reason
            continue
        assert device is not None
        key = (device.id, e.event_id)
        if key in accepted:
            result.duplicates += 1  # the same event twice in one batch
            continue
        accepted[key] = (i, e, device)
    with transaction.atomic():
        if accepted:
            _write(accepted, refused, result, now)
        _count(refused, door, now)


def _shape(e: Incoming, now: datetime, oldest: datetime) -> str:
    if not e.device or not e.event_id or len(e.device) > 64 or len(e.event_id) > 64:
        return Refusal.INVALID
    if timezone.is_naive(e.at):
        return Refusal.INVALID
    if e.at > now + FUTURE_SKEW:
        return Refusal.FUTURE
    if e.at < oldest:
        return Refusal.TOO_OLD
    if e.value is not None and (not math.isfinite(e.value) or not 0 <= e.value < MAX_READING):
        return Refusal.INVALID
    return ""


def _bound(device: Bound | None, e: Incoming) -> str:
    if device is None:
        return Refusal.UNKNOWN_DEVICE
    if device.subject_id is None or device.ended:
        return Refusal.UNBOUND_DEVICE
    if SIGNAL_OF_DEVICE[device.kind] not in device.signals:
        return Refusal.NO_CONSENT
    if device.kind in METERS and e.value is None:
        return Refusal.INVALID
    return ""


def _write(
    accepted: dict[tuple[int, str], tuple[int, Incoming, Bound]],
    refused: dict[int, str],
    result: IngestResult,
    now: datetime,
) -> None:
    pairs = {(int(d.subject_id or 0), SIGNAL_OF_DEVICE[d.kind]) for _, _, d in accepted.values()}
    rows = ingest_db.lock_last_seen(pairs)
    stored = ingest_db.stored(accepted.keys())
    fresh = sorted(
        ((i, e, d) for key, (i, e, d) in accepted.items() if key not in stored),
        key=lambda t: t[1].at,  # stable: arrival order within a moment
    )
    result.duplicates += len(accepted) - len(fresh)
    new_events: list[tuple[int, int, int, str, datetime, float | None]] = []
    touched: set[tuple[int, str]] = set()
    alarms: list[tuple[int, str, str, datetime]] = []
    paths: dict[int, str] = {}
    for i, e, device in fresh:
        subject_id = int(device.subject_id or 0)
        row = rows[(subject_id, SIGNAL_OF_DEVICE[device.kind])]
        if device.kind in METERS and not _read(row, e):
            refused[i] = Refusal.BACKWARDS
            continue
        if device.kind not in METERS:
            row.active_at = max(row.active_at or e.at, e.at)
        row.seen_at = max(row.seen_at or e.at, e.at)
        touched.add((row.subject_id, row.signal))
        paths[subject_id] = device.node_path
        new_events.append((i, device.id, subject_id, e.event_id, e.at, e.value))
        if device.kind in ALARMS:
            alarms.append((subject_id, device.node_path, RULE_OF_ALARM[device.kind], e.at))
    ingest_db.insert_events(new_events, now)
    result.stored = len(new_events)
    changed = [rows[k] for k in touched]
    _derive_water([r for r in changed if r.signal == Signal.WATER], paths)
    ingest_db.save_last_seen(changed)
    _alarms(alarms, result, now)


def _alarms(alarms: list[tuple[int, str, str, datetime]], result: IngestResult, now: datetime) -> None:
    """SOS, smoke, gas: the alerts open, and the posts and contacts are told, in the ingest's
    transaction."""
    opened = open_alarms(alarms, now)
    result.alerts = len(opened)
    if opened:
        from gongzhi.care import chain

        chain.notify_now(opened, now)


def _read(row: Seen, e: Incoming) -> bool:
    """Apply a meter reading to its last-seen row; False when it goes backwards. A reading older
    than the last one (late, out of order) is stored but moves nothing."""
    value = float(e.value or 0.0)
    if row.reading is None or row.reading_at is None:
        row.reading, row.reading_at = value, e.at
        if row.signal == Signal.WATER:
            row.slots_start, row.slots = windows.new_ring(e.at)
        row.active_at = row.active_at or e.at
        return True
    if e.at >= row.reading_at:
        if value < row.reading:
            return False
        used = value - row.reading
        row.reading, row.reading_at = value, e.at
        if used > 0:
            row.active_at = max(row.active_at or e.at, e.at)
            if row.signal == Signal.WATER:
                ring = windows.ring_from_row(row.slots_start, row.slots) or windows.new_ring(e.at)
                row.slots_start, row.slots = windows.add(ring, e.at, used)
        elif row.signal == Signal.WATER:
            ring = windows.ring_from_row(row.slots_start, row.slots) or windows.new_ring(e.at)
            row.slots_start, row.slots = windows.advance(ring, windows.slot_of(e.at))
        return True
    return value <= row.reading


def _derive_water(rows: list[Seen], paths: dict[int, str]) -> None:
    """`quiet_at` and `leak_since` under each subject's own water rules."""
    if not rows:
        return
    book = RuleBook.load({r.subject_id for r in rows})
    for row in rows:
        derive_water_row(row, book, paths[row.subject_id])


def derive_water_row(row: "Seen | LastSeen", book: RuleBook, node_path: str) -> None:
    ring = windows.ring_from_row(row.slots_start, row.slots)
    if ring is None:
        row.quiet_at = row.leak_since = None
        return
    low = book.params(row.subject_id, node_path, RuleKind.WATER_LOW)
    row.quiet_at = (
        windows.quiet_at(ring, window_hours=low.hours or 12.0, min_litres=low.litres or 10.0)
        if low.enabled
        else None
    )
    leak = book.params(row.subject_id, node_path, RuleKind.WATER_LEAK)
    if leak.enabled and windows.leaking(ring, max_litres_day=leak.litres or 2000.0):
        row.leak_since = row.leak_since or row.reading_at
    else:
        row.leak_since = None


def _count(refused: dict[int, str], door: str, now: datetime) -> None:
    """Add the refusals to the day's counters (one row per door and reason)."""
    if not refused:
        return
    day = timezone.localdate(now)
    for reason, n in Counter(refused.values()).items():
        IngestCount.objects.bulk_create(
            [IngestCount(day=day, door=door, reason=reason, count=0)], ignore_conflicts=True
        )
        IngestCount.objects.filter(day=day, door=door, reason=reason).update(count=F("count") + n)


def count_malformed(door: str, n: int = 1) -> None:
    """A message that could not even be read as events (the MQTT consumer's bad payloads)."""
    with transaction.atomic():
        _count(dict.fromkeys(range(n), Refusal.MALFORMED), door, clock.now())
