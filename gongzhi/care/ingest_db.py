"""The plain path's reads and writes (care.ingest on SQLite, a few statements a batch), and the
write-back of last-seen rows that a rule edit re-derives (both databases). PostgreSQL ingests by
care.ingest_sql. Nothing here checks or decides: care.ingest does.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db import connection

from gongzhi.care.models import Event, LastSeen

# A temporary table per database session, emptied at every commit, for `save_last_seen` on
# PostgreSQL; `connection.care_seen_staged` remembers the session once its creation committed.
SEEN_STAGE_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS care_seen_stage (id bigint, seen_at timestamptz, active_at timestamptz, "
    "reading float8, reading_at timestamptz, slots_start bigint, slots jsonb, quiet_at timestamptz, "
    "leak_since timestamptz) ON COMMIT DELETE ROWS"
)


@dataclass(frozen=True, slots=True)
class Bound:
    """A device as the ingest reads it (one row of a values query: no model instances, whose
    construction cost more than the SQL on a batch of 1,000)."""

    id: int
    kind: str
    subject_id: int | None
    ended: bool
    signals: list[str]
    node_path: str


@dataclass(slots=True)
class Seen:
    """A last-seen row as the ingest moves it, written back by `save_last_seen`."""

    pk: int
    subject_id: int
    signal: str
    seen_at: datetime | None
    active_at: datetime | None
    reading: float | None
    reading_at: datetime | None
    slots_start: int | None
    slots: list[float | None]
    quiet_at: datetime | None
    leak_since: datetime | None


SEEN_FIELDS = ("pk", *(f.name for f in fields(Seen) if f.name != "pk"))


def _any(column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
    """`column = ANY(array)` on PostgreSQL (one parameter, whatever the batch's size), an IN
    list elsewhere. The batch's lookups are written by hand: Django's IN of 1,000 values cost
    more CPU to build and bind than the database spent answering it."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def devices(serials: set[str]) -> dict[str, Bound]:
    where, params = _any("d.serial", serials)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.serial, d.id, d.kind, d.subject_id, s.ended_at, s.signals, s.node_path "
            "FROM care_device d LEFT JOIN care_caresubject s ON s.id = d.subject_id WHERE " + where,
            params,
        )
        return {
            serial: Bound(pk, kind, subject_id, ended is not None, _json(signals) or [], path or "")
            for serial, pk, kind, subject_id, ended, signals, path in cursor.fetchall()
        }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _ensure_stage(cursor: Any) -> None:
    raw = connection.connection
    if getattr(connection, "care_seen_staged", None) is not raw:
        cursor.execute(SEEN_STAGE_DDL)
        connection.on_commit(lambda: setattr(connection, "care_seen_staged", raw))


def stored(keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (device, event id) pairs of the batch already stored."""
    keys = list(keys)
    devices, ids = _any("device_id", {d for d, _ in keys}), _any("event_id", {i for _, i in keys})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT device_id, event_id FROM care_event WHERE {devices[0]} AND {ids[0]}", devices[1] + ids[1]
        )
        return {(d, i) for d, i in cursor.fetchall()}


def lock_last_seen(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Seen]:
    """The batch's last-seen rows, locked (FOR UPDATE, in id order: no deadlock between
    consumers): a concurrent batch carrying the same events waits here, then finds them
    stored. A pair seen for the first time gets its row first (INSERT … ON CONFLICT DO NOTHING,
    in key order, so two batches creating the same rows wait for each other in one order)."""
    rows = _select_locked(pairs)
    missing = sorted(pairs - rows.keys())
    if missing:
        LastSeen.objects.bulk_create(
            [LastSeen(subject_id=s, signal=g) for s, g in missing], ignore_conflicts=True
        )
        rows.update(_select_locked(set(missing)))
    return rows


def _seen_columns() -> str:
    return ", ".join("t.id" if n == "pk" else f"t.{n}" for n in SEEN_FIELDS)


def _seen_rows(cursor: Any) -> dict[tuple[int, str], Seen]:
    found = [(*r[:8], _json(r[8]) or [], *r[9:]) for r in cursor.fetchall()]
    return {(r[1], r[2]): Seen(*r) for r in found}


def _select_locked(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Seen]:
    if connection.vendor == "postgresql":  # exactly the batch's pairs, not subjects × signals
        keys = sorted(pairs)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_seen_columns()} FROM care_lastseen t JOIN unnest(%s::bigint[], %s::text[]) AS k(s, g) "
                "ON t.subject_id = k.s AND t.signal = k.g ORDER BY t.id FOR UPDATE OF t",
                [[k[0] for k in keys], [k[1] for k in keys]],
            )
            return _seen_rows(cursor)
    rows = (  # SQLite: the ORM converts its text datetimes; its writers are serialised anyway
        LastSeen.objects.select_for_update()
        .filter(subject_id__in={s for s, _ in pairs}, signal__in={g for _, g in pairs})
        .order_by("id")
        .values_list(*SEEN_FIELDS)
    )
    return {(r[1], r[2]): Seen(*r) for r in rows}


def insert_events(rows: list[tuple[int, int, int, str, datetime, float | None]], now: datetime) -> None:
    """(index, device id, subject id, event id, at, value) rows into care_event, ON CONFLICT DO
    NOTHING (the last guard; the lookup under the lock already left the stored ones out)."""
    if rows:
        Event.objects.bulk_create(
            [
                Event(device_id=d, subject_id=s, event_id=i, at=at, value=v, received_at=now)
                for _, d, s, i, at, v in rows
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )


# The columns the ingest moves (those of care_seen_stage but its id).
LAST_SEEN_COLUMNS = (
    "seen_at",
    "active_at",
    "reading",
    "reading_at",
    "slots_start",
    "slots",
    "quiet_at",
    "leak_since",
)


def save_last_seen(rows: "Sequence[Seen | LastSeen]") -> None:
    """Write last-seen rows back. On PostgreSQL COPY into the session's stage and one `UPDATE …
    FROM` it; elsewhere one UPDATE per row (executemany, in process on SQLite). Not
    `bulk_update`: its CASE WHEN per row and column made Django spend ~2 s of CPU per 1,000
    rows compiling expressions and PostgreSQL match each row against every WHEN
    (docs/benchmarks.md, "Care")."""
    if not rows:
        return
    table = connection.ops.quote_name(LastSeen._meta.db_table)
    names = list(LAST_SEEN_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _ensure_stage(cursor)
            cursor.execute("DELETE FROM care_seen_stage")
            with cursor.cursor.copy(f"COPY care_seen_stage (id, {', '.join(names)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(
                        [r.pk, *(json.dumps(r.slots) if n == "slots" else getattr(r, n) for n in names)]
                    )
            sets = ", ".join(f"{n} = v.{n}" for n in names)
            cursor.execute(f"UPDATE {table} AS t SET {sets} FROM care_seen_stage v WHERE t.id = v.id")
            return
        by_name = {f.name: f for f in LastSeen._meta.concrete_fields}
        fields = [by_name[n] for n in names]
        sets = ", ".join(f"{f.column} = %s" for f in fields)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE id = %s",
            [[*(f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields), r.pk] for r in rows],
        )
