"""Raw row inserts for the history (cases, events, meetings): COPY on PostgreSQL, executemany
on SQLite, with ids reserved up front so that rows can name each other before they exist.

Values are given in the form the database stores (what Django's field adapters produce):
datetimes as UTC text, dates as ISO text, JSON as json.dumps text. Columns the caller does
not give get the field's default, so a column added to a model later does not break this.
"""

import json
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, models

from gongzhi.core import clock

_NAIVE_EPOCH = datetime(1970, 1, 1)


timings: dict[str, float] = {}  # seconds per table, for the generator's summary
_suffix = ""  # "+00" on PostgreSQL (set by prepare()): a UTC timestamptz literal


def prepare() -> None:
    """Read the database vendor once (the connection proxy is slow to ask per value)."""
    global _suffix
    _suffix = "+00" if connection.vendor == "postgresql" else ""


_days: dict[int, str] = {}


def ts(seconds: int | None) -> str | None:
    """An epoch second as the database keeps a UTC datetime ("2026-11-20 07:30:00")."""
    if seconds is None:
        return None
    day, rest = divmod(seconds, 86400)
    prefix = _days.get(day)
    if prefix is None:
        prefix = _days[day] = f"{_NAIVE_EPOCH + timedelta(days=day):%Y-%m-%d} "
    hours, rest = divmod(rest, 3600)
    return f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{_suffix}"


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def js(value: Any) -> str:
    return json.dumps(value)  # as JSONField stores it (ensure_ascii, default separators)


def reserve_ids(model: type[models.Model], n: int) -> int:
    """The first of `n` consecutive new primary keys for `model` (the caller inserts them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = max(int(cursor.fetchone()[0]), top + 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(n, 1) - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0]) + 1


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows of `columns` (attnames; give "id" to set keys); other columns get defaults."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {unknown}")
    extra = [f for name, f in fields.items() if name not in columns and not f.primary_key]
    defaults = tuple(_default(f) for f in extra)
    names = [fields[c].column for c in columns] + [f.column for f in extra]
    table = model._meta.db_table
    start = time.perf_counter()
    try:
        return _insert(table, names, rows, defaults)
    finally:
        key = f"insert_{model._meta.model_name}"
        timings[key] = round(timings.get(key, 0.0) + time.perf_counter() - start, 2)


def _insert(table: str, names: list[str], rows: Iterable[Sequence[Any]], defaults: tuple[Any, ...]) -> int:
    count = 0
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *defaults) if defaults else row)
                count += 1
        return count
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(names))})"
    connection.ensure_connection()
    raw = connection.connection
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append((*row, *defaults) if defaults else row)
        if len(batch) >= 20000:
            raw.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def _default(field: models.Field) -> Any:  # type: ignore[type-arg]
    value = field.get_default()
    if isinstance(value, dict | list):
        return js(value)
    if isinstance(value, bool) and connection.vendor != "postgresql":
        return int(value)
    if isinstance(value, datetime | date):
        return str(value)
    return value


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved model instances as bulk_create would (ids given from reserve_ids, auto_now
    fields stamped), without its per-value compiler machinery: the street's ~160k nodes and
    persons went through bulk_create at ~40 µs a row."""
    if not objs:
        return
    first = reserve_ids(model, len(objs))
    now = clock.now()
    fields = list(model._meta.concrete_fields)
    relations = [f for f in fields if isinstance(f, models.ForeignKey)]
    auto_now = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for offset, obj in enumerate(objs):
        obj.pk = first + offset
        for relation in relations:  # a parent given before it had its id (as bulk_create does)
            if getattr(obj, relation.attname) is None:
                parent = relation.get_cached_value(obj, None)
                if parent is not None:
                    setattr(obj, relation.name, parent)  # sets the id, keeps the object cached
        for stamped in auto_now:
            if getattr(stamped, "auto_now", False) or getattr(obj, stamped.attname) is None:
                setattr(obj, stamped.attname, now)
    converters = [(f.attname, _converter(f)) for f in fields]
    rows = ([convert(getattr(obj, name)) for name, convert in converters] for obj in objs)
    insert(model, [name for name, _c in converters], rows)
    db = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db


def _same(value: Any) -> Any:
    return value


def _converter(field: models.Field) -> Any:  # type: ignore[type-arg]
    """How a field's Python value is stored (what its get_db_prep_save gives, as COPY text or a
    SQLite parameter)."""
    pg = connection.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, cls=field.encoder)
    if isinstance(field, models.DateTimeField):
        if pg:
            return _same
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if isinstance(field, models.DateField):
        return _same if pg else (lambda v: None if v is None else v.isoformat())
    if isinstance(field, models.BooleanField):
        return _same if pg else (lambda v: None if v is None else int(v))
    if isinstance(
        field, (models.CharField, models.TextField, models.IntegerField, models.FloatField, models.ForeignKey)
    ):
        return _same
    return lambda v: field.get_db_prep_save(v, connection)
