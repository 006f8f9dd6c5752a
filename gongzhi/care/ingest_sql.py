"""The ingest's set-based path on PostgreSQL: a batch is a few statements over a staged copy of
it, with no per-event Python beyond reading the request and one COPY row.

The steps, in one transaction (care.ingest opens it): COPY the events that passed the shape
checks into `care_in_raw`; one statement resolves their devices, refuses (and names the reason
of) the unknown, the unbound, those without consent and the meters without a reading, and
stages the rest once per (device, event id) in `care_in_stage`; the batch's last-seen rows
are locked (in id order, created first when a subject's signal is seen for the first time);
the events already stored are dropped from the stage, then the meter readings that go
backwards (a window over each row's readings in time order); the rest go into care_event.
The last-seen rows go back in one UPDATE of aggregates over the stage; only the water rows
come back to Python, a few hundred a batch, for their ring of half hours and the columns
derived from it under each subject's rules (`care.windows`). The semantics are those of the
plain path in care.ingest (SQLite's), which a test compares with this one on random batches.
ADR docs/adr/0016-care-ingestion.md and 0041 say why.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from django.db import connection
from django.db.models.expressions import RawSQL

from gongzhi.care import windows
from gongzhi.care.choices import ALARMS, METERS, RULE_OF_ALARM, SIGNAL_OF_DEVICE, Refusal, Signal
from gongzhi.care.ingest_db import Seen
from gongzhi.care.rulebook import RuleBook

if TYPE_CHECKING:
    from gongzhi.care.ingest import Incoming, IngestResult

# Per database session, emptied at every commit; created by a session's first batch.
DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS care_in_raw (idx integer, serial text, event_id text, at timestamptz, "
    "value float8) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS care_in_stage (idx integer, device_id bigint, subject_id bigint, "
    "node_path text, kind text, signal text, event_id text, at timestamptz, value float8) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS care_in_water (id bigint, slots_start bigint, slots jsonb, "
    "quiet_at timestamptz, leak_since timestamptz) ON COMMIT DELETE ROWS"
)

_SIGNAL_OF_KIND = " ".join(f"WHEN '{kind}' THEN '{signal}'" for kind, signal in SIGNAL_OF_DEVICE.items())
_METER_KINDS = ", ".join(f"'{k}'" for k in METERS)
_ALARM_KINDS = ", ".join(f"'{k}'" for k in ALARMS)
_METER_SIGNALS = f"'{Signal.WATER}', '{Signal.POWER}'"

# Resolve, refuse, stage. Answers the refused items (index, reason) and two rows of counts
# under negative indexes: -1 the events staged (one per device and event id), -2 the alarms.
CLASSIFY = f"""
WITH r AS (
  SELECT r.idx, r.event_id, r.at, r.value, d.id AS device_id, d.kind, d.subject_id, s.node_path, s.ended_at,
    s.signals, CASE d.kind {_SIGNAL_OF_KIND} END AS signal
  FROM care_in_raw r
  LEFT JOIN care_device d ON d.serial = r.serial
  LEFT JOIN care_caresubject s ON s.id = d.subject_id
), c AS (
  SELECT r.*,
    CASE WHEN device_id IS NULL THEN '{Refusal.UNKNOWN_DEVICE}'
         WHEN subject_id IS NULL OR ended_at IS NOT NULL THEN '{Refusal.UNBOUND_DEVICE}'
         WHEN NOT coalesce(signals ? signal, false) THEN '{Refusal.NO_CONSENT}'
         WHEN kind IN ({_METER_KINDS}) AND value IS NULL THEN '{Refusal.INVALID}' END AS refusal
  FROM r
), kept AS (
  INSERT INTO care_in_stage (idx, device_id, subject_id, node_path, kind, signal, event_id, at, value)
  SELECT DISTINCT ON (device_id, event_id) idx, device_id, subject_id, node_path, kind, signal, event_id, at, value
  FROM c WHERE refusal IS NULL ORDER BY device_id, event_id, idx
  RETURNING kind
)
SELECT idx, refusal FROM c WHERE refusal IS NOT NULL
UNION ALL SELECT -1, count(*)::text FROM kept
UNION ALL SELECT -2, count(*)::text FROM kept WHERE kind IN ({_ALARM_KINDS})
"""

PAIRS = "SELECT DISTINCT subject_id, signal FROM care_in_stage"
# Lock the batch's last-seen rows in id order (no deadlock between two consumers); every row is
# read (the counts), so every row is locked. Answers (rows locked, pairs in the batch).
LOCK = f"""
WITH k AS MATERIALIZED ({PAIRS}),
locked AS MATERIALIZED (
  SELECT t.id FROM care_lastseen t JOIN k ON t.subject_id = k.subject_id AND t.signal = k.signal
  ORDER BY t.id FOR UPDATE OF t
)
SELECT (SELECT count(*) FROM locked), (SELECT count(*) FROM k)
"""
# A subject's signal heard for the first time: its row, in key order (two batches creating the
# same rows wait for each other in one order); then LOCK again.
CREATE_MISSING = f"""
INSERT INTO care_lastseen (subject_id, signal, slots)
SELECT k.subject_id, k.signal, '[]'::jsonb FROM ({PAIRS}) k
WHERE NOT EXISTS (SELECT 1 FROM care_lastseen t WHERE t.subject_id = k.subject_id AND t.signal = k.signal)
ORDER BY k.subject_id, k.signal ON CONFLICT DO NOTHING
"""
# Under the lock: a concurrent batch carrying the same events has committed them, or waits.
DROP_STORED = "DELETE FROM care_in_stage s USING care_event e WHERE e.device_id = s.device_id AND e.event_id = s.event_id"

# Each staged event beside its last-seen row. A meter reading is `late` when older than the row's
# reading (stored, moves nothing); otherwise `base` is the reading it follows: the row's, or the
# highest earlier reading of the batch (the ones refused as backwards are below it, so leaving
# them in changes no maximum). `used` is what it adds (none for a meter's very first reading).
EVENTS = f"""
SELECT s.idx, s.subject_id, s.signal, s.node_path, s.at, s.value, l.id AS seen_id,
  s.signal IN ({_METER_SIGNALS}) AS meter, l.reading AS old_reading,
  (l.reading IS NULL OR l.reading_at IS NULL) AS fresh,
  (l.reading IS NOT NULL AND l.reading_at IS NOT NULL AND s.at < l.reading_at) AS late,
  greatest(
    CASE WHEN l.reading_at IS NOT NULL THEN l.reading END,
    max(CASE WHEN l.reading IS NULL OR l.reading_at IS NULL OR s.at >= l.reading_at THEN s.value END) OVER (
      PARTITION BY l.id ORDER BY s.at, s.idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
  ) AS base
FROM care_in_stage s JOIN care_lastseen l ON l.subject_id = s.subject_id AND l.signal = s.signal
"""
DROP_BACKWARDS = f"""
WITH ev AS ({EVENTS} WHERE s.signal IN ({_METER_SIGNALS}))
DELETE FROM care_in_stage s USING ev WHERE s.idx = ev.idx
  AND CASE WHEN ev.late THEN ev.value > ev.old_reading ELSE ev.value < ev.base END
RETURNING s.idx
"""
INSERT_EVENTS = """
INSERT INTO care_event (device_id, subject_id, event_id, at, value, received_at)
SELECT device_id, subject_id, event_id, at, value, %s FROM care_in_stage ON CONFLICT DO NOTHING
"""
# The water rows and, in time order, the slot and litres of each reading that is not late.
WATER = f"""
WITH ev AS ({EVENTS} WHERE s.signal = '{Signal.WATER}')
SELECT l.id, l.subject_id, min(ev.node_path), bool_or(ev.fresh), l.slots_start, l.slots::text, l.leak_since,
  coalesce(max(ev.at) FILTER (WHERE NOT ev.late), l.reading_at),
  coalesce(json_agg(json_build_array(floor(extract(epoch FROM ev.at) / {windows.SLOT_SECONDS})::bigint,
    ev.value - ev.base) ORDER BY ev.at, ev.idx) FILTER (WHERE NOT ev.late), '[]')::text
FROM ev JOIN care_lastseen l ON l.id = ev.seen_id GROUP BY l.id
"""
# Every touched row in one statement: the water rows take their ring from care_in_water.
UPDATE_LAST_SEEN = f"""
WITH ev AS ({EVENTS}),
a AS (
  SELECT seen_id, bool_or(meter) AS meter, max(at) AS max_at,
    min(at) FILTER (WHERE meter AND fresh) AS first_at,
    max(at) FILTER (WHERE meter AND NOT late AND value - base > 0) AS moved_at,
    max(value) FILTER (WHERE meter AND NOT late) AS reading,
    max(at) FILTER (WHERE meter AND NOT late) AS reading_at
  FROM ev GROUP BY seen_id
)
UPDATE care_lastseen t SET
  seen_at = greatest(t.seen_at, a.max_at),
  active_at = CASE WHEN a.meter THEN greatest(coalesce(t.active_at, a.first_at), a.moved_at)
                   ELSE greatest(t.active_at, a.max_at) END,
  reading = coalesce(a.reading, t.reading),
  reading_at = coalesce(a.reading_at, t.reading_at),
  slots_start = CASE WHEN w.id IS NULL THEN t.slots_start ELSE w.slots_start END,
  slots = CASE WHEN w.id IS NULL THEN t.slots ELSE w.slots END,
  quiet_at = CASE WHEN w.id IS NULL THEN t.quiet_at ELSE w.quiet_at END,
  leak_since = CASE WHEN w.id IS NULL THEN t.leak_since ELSE w.leak_since END
FROM a LEFT JOIN care_in_water w ON w.id = a.seen_id
WHERE t.id = a.seen_id
"""
ALARMS_STAGED = f"SELECT subject_id, node_path, kind, at FROM care_in_stage WHERE kind IN ({_ALARM_KINDS}) ORDER BY at, idx"


def applies() -> bool:
    """Whether this database takes the set-based path (PostgreSQL; SQLite takes the plain one)."""
    return connection.vendor == "postgresql"


def write(
    events: Sequence["Incoming"],
    refused: dict[int, str],
    result: "IngestResult",
    now: datetime,
    derive: Callable[[Seen, RuleBook, str], None],
) -> list[tuple[int, str, str, datetime]]:
    """Store the batch's events that pass (all but `refused`, which gains the refusals found
    here); fill the result's counts; answer the alarms stored (subject, node path, rule, at).
    `derive` sets a water row's `quiet_at` and `leak_since` (care.ingest.derive_water_row)."""
    with connection.cursor() as cursor:
        _ensure_tables(cursor)
        cursor.execute("DELETE FROM care_in_raw; DELETE FROM care_in_stage; DELETE FROM care_in_water")
        with cursor.cursor.copy("COPY care_in_raw (idx, serial, event_id, at, value) FROM STDIN") as copy:
            for i, e in enumerate(events):
                if i not in refused:
                    copy.write_row((i, e.device, e.event_id, e.at, e.value))
        # The staged batch's joins are index probes into cached tables; priced as reads from a
        # disk (the default 4), the planner scanned care_lastseen whole instead (docs/benchmarks.md,
        # "care"). For this transaction only.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute(CLASSIFY)
        staged = alarms = 0
        for idx, reason in cursor.fetchall():
            if idx >= 0:
                refused[idx] = reason
            elif idx == -1:
                staged = int(reason)
            else:
                alarms = int(reason)
        accepted = len(events) - len(refused)
        result.duplicates += accepted - staged  # the same event twice in one batch
        if not staged:
            return []
        _lock(cursor)
        cursor.execute(DROP_STORED)
        result.duplicates += cursor.rowcount
        cursor.execute(DROP_BACKWARDS)
        for (idx,) in cursor.fetchall():
            refused[idx] = Refusal.BACKWARDS
        cursor.execute(INSERT_EVENTS, [now])
        result.stored = cursor.rowcount
        if not result.stored:
            return []
        _water(cursor, derive)
        cursor.execute(UPDATE_LAST_SEEN)
        if not alarms:
            return []
        cursor.execute(ALARMS_STAGED)
        return [(s, path, RULE_OF_ALARM[kind], at) for s, path, kind, at in cursor.fetchall()]


def _ensure_tables(cursor: Any) -> None:
    raw = connection.connection
    if getattr(connection, "care_in_tables", None) is not raw:
        cursor.execute(DDL)
        # remembered once committed: a rolled-back transaction takes its CREATE with it
        connection.on_commit(lambda: setattr(connection, "care_in_tables", raw))


def _lock(cursor: Any) -> None:
    cursor.execute(LOCK)
    locked, pairs = cursor.fetchone()
    if locked < pairs:
        cursor.execute(CREATE_MISSING)
        cursor.execute(LOCK)


def _water(cursor: Any, derive: Callable[[Seen, RuleBook, str], None]) -> None:
    """The water rows' rings, moved by their readings in time order, and the columns derived
    from them; into care_in_water for the UPDATE."""
    cursor.execute(WATER)
    found = cursor.fetchall()
    if not found:
        return
    book = RuleBook.load(
        RawSQL(f"SELECT DISTINCT subject_id FROM care_in_stage WHERE signal = '{Signal.WATER}'", [])
    )
    rows = []
    for pk, subject_id, path, fresh, start, slots, leak_since, reading_at, readings in found:
        ring = None if fresh else windows.ring_from_row(start, orjson.loads(slots))
        for slot, used in orjson.loads(readings):
            if ring is None:  # a meter's first reading, or a ring that could not be read
                ring = windows.new_ring_at(slot)
            ring = (
                windows.add_at(ring, slot, used)
                if used is not None and used > 0
                else windows.advance(ring, slot)
            )
        row = Seen(pk, subject_id, Signal.WATER, None, None, None, reading_at, None, [], None, leak_since)
        if ring is not None:
            row.slots_start, row.slots = ring
        else:  # only late readings: the ring as it was
            row.slots_start, row.slots = start, orjson.loads(slots)
        derive(row, book, path)
        rows.append(row)
    with cursor.cursor.copy(
        "COPY care_in_water (id, slots_start, slots, quiet_at, leak_since) FROM STDIN"
    ) as copy:
        for r in rows:
            copy.write_row((r.pk, r.slots_start, orjson.dumps(r.slots).decode(), r.quiet_at, r.leak_since))
