"""Monthly range partitions of the event tables, PostgreSQL only (docs/scaling.md, "Partitioned
event tables"; docs/adr/0036-partitioned-event-tables.md).

Four append-mostly tables grow with time: the case events, the outbox, the reports' facts and
the care sensor events. On PostgreSQL each is a declaratively partitioned parent with one
partition per local month (`<table>_p2026_12`) and a default partition (`<table>_default`)
that catches a row outside every month created so far. SQLite keeps plain tables: the same
models and code serve both, every function here is a no-op there.

- `convert(schema_editor, table)` turns the existing plain table into a partitioned one
  (the migrations call it once): the parent, the months of the existing rows plus the default
  partition, the rows moved, the names swapped, the indexes and constraints recreated on the
  parent, the identity sequence carried on. The primary key is (id, <column>) in the database;
  Django keeps `id` as its pk (ids stay unique: one sequence feeds every partition).
- `ensure(months)` creates the next months ahead (`gongzhi partitions_ensure`, beat daily).
  A month whose rows already sit in the default partition is moved out of it, in one
  transaction.
- `archive(before)` detaches the months past each table's retention, writes each to a gzipped
  CSV under ARCHIVE_DIR and drops it; `restore(path)` brings one back and attaches it.

A unique index on a partitioned table must contain the partition key, so each unique
constraint gains the key column; `TABLES` says why each still holds the rule it guards.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core import clock


@dataclass(frozen=True)
class Partitioned:
    table: str
    column: str  # the partition key: a timestamptz (local month) or a date
    # the setting naming how many days the rows are kept; 0 keeps them for ever (no archive)
    retention_setting: str
    # rows that must not be archived with their month (the archive skips such a partition)
    keep_where: str = ""
    # (table, column) of rows that point at this table's ids without a database constraint:
    # archived, dropped and restored with the month they point into
    dependents: tuple[tuple[str, str], ...] = ()


# Unique rules, with the key column added: a case event's (case, seq) is assigned under the
# case's row lock (cases.services), so (case, seq, at) only backs it up; a care event's
# (device, event id) is checked under the last-seen lock before insert (care.ingest_sql, ingest_db)
# and a redelivered event carries its own timestamp, so (device, event id, at) still stops it.
TABLES = (
    Partitioned(
        "cases_caseevent", "at", "CASE_EVENT_RETENTION_DAYS", dependents=(("cases_attachment", "event_id"),)
    ),
    Partitioned(
        "core_outboxmessage",
        "created_at",
        "OUTBOX_RETENTION_DAYS",
        keep_where="status IN ('pending', 'failed')",
        dependents=(("notify_delivery", "message_id"),),
    ),
    Partitioned("reports_fact", "day", "REPORTS_FACT_RETENTION_DAYS"),
    Partitioned("care_event", "at", "CARE_EVENT_RETENTION_DAYS"),
)
BY_TABLE = {t.table: t for t in TABLES}
NAME = re.compile(r"^(?P<table>[a-z_]+)_p(?P<year>\d{4})_(?P<month>\d{2})$")


def enabled() -> bool:
    return connection.vendor == "postgresql"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months(first: date, last: date) -> Iterator[date]:
    month = month_start(first)
    while month <= last:
        yield month
        month = next_month(month)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def _bound(month: date, kind: str) -> str:
    """A month's bound as a SQL literal: the local midnight for a timestamptz, the day for a date."""
    if kind == "date":
        return f"'{month.isoformat()}'"
    local = datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return f"'{local.isoformat()}'"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column_type(cursor: Any, table: str, column: str) -> str:
    cursor.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
        [table, column],
    )
    return "date" if cursor.fetchone()[0] == "date" else "timestamptz"


def is_partitioned(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s AND relkind IN ('r', 'p')", [table])
    row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partitions(cursor: Any, table: str) -> list[tuple[str, date]]:
    """The table's monthly partitions, (name, month), oldest first (the default is left out)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
        [table],
    )
    found = []
    for (name,) in cursor.fetchall():
        match = NAME.match(name)
        if match and match["table"] == table:
            found.append((name, date(int(match["year"]), int(match["month"]), 1)))
    return sorted(found, key=lambda item: item[1])


def _local_month(value: Any) -> date:
    if isinstance(value, datetime):
        return month_start(value.astimezone(ZoneInfo(settings.TIME_ZONE)).date())
    return month_start(value)


def add_month(cursor: Any, spec: Partitioned, month: date, *, kind: str | None = None) -> bool:
    """Create one month's partition unless it exists; rows of that month already in the default
    partition move into it first (the attach checks the default holds none). Returns whether it
    was created. Call inside a transaction."""
    name = partition_name(spec.table, month)
    cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
    if cursor.fetchone():
        return False
    kind = kind or _column_type(cursor, spec.table, spec.column)
    low, high = _bound(month, kind), _bound(next_month(month), kind)
    table, default, column = _q(spec.table), _q(f"{spec.table}_default"), _q(spec.column)
    cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [f"{spec.table}_default"])
    if cursor.fetchone():
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {column} >= {low} AND {column} < {high} "
            f"RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved"
        )
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {_q(name)} FOR VALUES FROM ({low}) TO ({high})")
    return True


def convert(schema_editor: Any, table: str) -> None:
    """Turn the plain `table` into a monthly-partitioned one (a migration's RunPython step).
    A no-op on SQLite and on a table already partitioned."""
    if schema_editor.connection.vendor != "postgresql":
        return
    spec = BY_TABLE[table]
    old = f"{table}_unpartitioned"
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return
        kind = _column_type(cursor, table, spec.column)
        # what to recreate: indexes (but the pk), unique and foreign-key constraints
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = %s AND c.contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"SELECT min({_q(spec.column)}), max({_q(spec.column)}) FROM {_q(table)}")
        first, last = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(f"ALTER TABLE {_q(old)} ALTER COLUMN id DROP IDENTITY")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(spec.column)})"
        )
        cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
        today = clock.today()
        ahead = next_month(next_month(next_month(month_start(today))))
        wanted = set(months(today, ahead))
        if first is not None:
            wanted |= set(months(_local_month(first), _local_month(last)))
        for month in sorted(wanted):
            add_month(cursor, spec, month, kind=kind)
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
        cursor.execute(f"DROP TABLE {_q(old)} CASCADE")
        cursor.execute(
            f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id, {_q(spec.column)})"
        )
        for _name, definition in indexes:
            cursor.execute(definition)  # read before the rename: it names the new parent
        for name, contype, definition in constraints:
            if contype == "u":  # UNIQUE (a, b) → UNIQUE (a, b, <key>)
                definition = re.sub(r"\)$", f", {_q(spec.column)})", definition, count=1)
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        cursor.execute("SELECT setval(%s, %s, %s)", [cursor.fetchone()[0], last_value, is_called])
        cursor.execute(f"ANALYZE {_q(table)}")


def ensure(months_ahead: int, now: datetime | None = None) -> list[str]:
    """Create this month's and the next `months_ahead` months' partitions of every table;
    returns the names created. Idempotent."""
    if not enabled():
        return []
    today = timezone.localdate(now or clock.now())
    last = today
    for _ in range(months_ahead):
        last = next_month(month_start(last))
    created = []
    for spec in TABLES:
        with transaction.atomic(), connection.cursor() as cursor:
            if not is_partitioned(cursor, spec.table):
                continue
            for month in months(today, last):
                if add_month(cursor, spec, month):
                    created.append(partition_name(spec.table, month))
    return created


def archive_dir() -> Path:
    return Path(settings.ARCHIVE_DIR)


def archive(before: date, *, directory: Path | None = None) -> tuple[list[Path], list[str]]:
    """Detach, dump and drop every monthly partition that ends on or before `before` (a month's
    first day) and lies wholly past its table's retention. Returns the files written and the
    partitions skipped (with why). A table whose retention is 0 is never archived."""
    if not enabled():
        return [], []
    directory = directory or archive_dir()
    today = clock.today()
    written: list[Path] = []
    skipped: list[str] = []
    for spec in TABLES:
        days = int(getattr(settings, spec.retention_setting, 0) or 0)
        if days <= 0:
            continue
        cutoff = min(month_start(before), today - timedelta(days=days))
        with connection.cursor() as cursor:
            if not is_partitioned(cursor, spec.table):
                continue
            olds = [(n, m) for n, m in partitions(cursor, spec.table) if next_month(m) <= cutoff]
        for name, month in olds:
            path = _archive_one(spec, name, month, directory)
            if path is None:
                skipped.append(f"{name}: {spec.keep_where}")
            else:
                written.append(path)
    return written, skipped


def _archive_one(spec: Partitioned, name: str, month: date, directory: Path) -> Path | None:
    path = directory / spec.table / f"{name}.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # deferred FK checks of rows written earlier in this transaction would block the DROP
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if spec.keep_where:
            cursor.execute(f"SELECT 1 FROM {_q(name)} WHERE {spec.keep_where} LIMIT 1")
            if cursor.fetchone():
                return None
        cursor.execute(f"ALTER TABLE {_q(spec.table)} DETACH PARTITION {_q(name)}")
        for table, column in spec.dependents:
            rows = f"SELECT * FROM {_q(table)} WHERE {_q(column)} IN (SELECT id FROM {_q(name)})"
            _dump(cursor, f"COPY ({rows}) TO STDOUT (FORMAT csv, HEADER)", _dependent_path(path, table))
            cursor.execute(f"DELETE FROM {_q(table)} WHERE {_q(column)} IN (SELECT id FROM {_q(name)})")
        _dump(cursor, f"COPY {_q(name)} TO STDOUT (FORMAT csv, HEADER)", path)
        cursor.execute(f"DROP TABLE {_q(name)}")
    return path


def _dependent_path(path: Path, table: str) -> Path:
    return path.with_name(path.name.replace(".csv.gz", f".{table}.csv.gz"))


def _dump(cursor: Any, sql: str, path: Path) -> None:
    """COPY … TO STDOUT into a gzipped file, complete on disk before the rows are dropped."""
    partial = path.with_name(path.name + ".part")
    with gzip.open(partial, "wb") as out, cursor.copy(sql) as copy:
        for chunk in copy:
            out.write(chunk)
    partial.replace(path)


def _load(cursor: Any, table: str, path: Path) -> None:
    with (
        gzip.open(path, "rb") as source,
        cursor.copy(f"COPY {_q(table)} FROM STDIN (FORMAT csv, HEADER)") as copy,
    ):
        while chunk := source.read(1 << 16):
            copy.write(chunk)


def restore(path: Path) -> str:
    """Bring one archived month back (a file `archive` wrote) and attach it; returns its name.
    Rows of that month that came in since (in the default partition) join it."""
    name = Path(path).name.removesuffix(".csv.gz")
    match = NAME.match(name)
    if not match or match["table"] not in BY_TABLE:
        raise ValueError(f"not an archived partition: {path}")
    spec = BY_TABLE[match["table"]]
    month = date(int(match["year"]), int(match["month"]), 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
        if cursor.fetchone():
            raise ValueError(f"{name} exists already")
        staging = f"{name}_restore"
        cursor.execute(f"CREATE TEMP TABLE {_q(staging)} (LIKE {_q(spec.table)}) ON COMMIT DROP")
        _load(cursor, staging, Path(path))
        add_month(cursor, spec, month)
        cursor.execute(f"INSERT INTO {_q(name)} SELECT * FROM {_q(staging)}")
        for table, _column in spec.dependents:
            dependent = _dependent_path(Path(path), table)
            if dependent.is_file():
                _load(cursor, table, dependent)
                cursor.execute(f"ANALYZE {_q(table)}")
        cursor.execute(f"ANALYZE {_q(name)}")
    return name
