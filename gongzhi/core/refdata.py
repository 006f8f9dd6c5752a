"""Reference data kept in each process, checked against one number in the database.

The tree, the categories and the 三定 roster change a few times a day and are read on every
intake (place by code, category by code, the route, the dispatchers to notify, the caller's
scope). Reading them through the ORM cost most of an intake's CPU (ADR 0009). Instead:

- `gongzhi_refstamp` holds one row, one number (the stamp). Database triggers on the tables in
  `WATCHED` give it a new random value whenever one of their rows changes — insert, update,
  delete, truncate — in the same transaction as the change, so it is never missed, whatever
  wrote the row (a service, the admin, bulk_create, raw SQL, a restore). Random rather than +1:
  a rolled-back change returns the old stamp, and the next change must not reuse the value a
  process may have cached under.
- `snapshot()` reads the stamp (one primary-key read) and hands back this process's snapshot
  for it and today's date (active posts depend on the day), a fresh empty one when either moved.
  A snapshot fills lazily: `get_many` loads only the keys it lacks, in one call of the loader.
- `pinned()` reads the stamp once for a block (an intake request) instead of at every lookup;
  `RequestSnapshotMiddleware` does the same for every GET: the stamp is read at the request's
  first lookup and kept until its end (a page asked it up to eight times).

Values in a snapshot are shared between requests and threads: treat them as read-only.
The triggers are (re)created after every `migrate` (`install`, from CoreConfig.ready), so a
table rebuilt by a later migration — SQLite rebuilds tables to alter them — gets its trigger back.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from threading import Lock
from typing import Any

from django.db import connection

from gongzhi.core import clock

TABLE = "gongzhi_refstamp"


@dataclass(frozen=True)
class Watch:
    """Which changes of a table's rows move the stamp: the columns whose *value* must change,
    and when an inserted row counts (None: never)."""

    columns: tuple[str, ...]
    insert_when: str | None = None


# table -> None: any row change moves the stamp; or a Watch. A resident's phone, a login time:
# they change often, the snapshot holds neither, and they must not empty every process's snapshot.
WATCHED: dict[str, Watch | None] = {
    "geo_node": None,
    "orgs_category": None,
    "cases_categorypolicy": None,
    "cases_streetcategorylimit": None,
    "orgs_unit": None,
    "orgs_post": None,
    "orgs_post_categories": None,
    # a holder's name shows in answers; an account's person decides its scope
    "orgs_person": Watch(("name", "user_id"), insert_when="NEW.user_id IS NOT NULL"),
    "auth_user": Watch(("is_active", "is_superuser")),
    # a user's permissions and groups decide the city view (access.can_view_city), kept here
    "auth_user_user_permissions": None,
    "auth_user_groups": None,
    "auth_group_permissions": None,
    "core_workday": None,
}

MAX_ENTRIES = 20_000  # per kind of lookup: a street's nodes and routes, not a city's households


class _Absent:
    """Cached 'no such row' (an unknown code, a building with no post)."""


ABSENT = _Absent()


@dataclass
class Snapshot:
    stamp: int
    day: date
    _kinds: dict[str, "OrderedDict[Hashable, Any]"] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def get_many(
        self, kind: str, keys: Iterable[Any], load: Callable[[list[Any]], dict[Any, Any]]
    ) -> dict[Any, Any]:
        """{key: value} for the keys `load` knows; the ones this snapshot lacks are loaded in
        one call, and those `load` does not return are remembered as absent."""
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            held = self._kinds.setdefault(kind, OrderedDict())
            found = {k: held[k] for k in wanted if k in held}
            for k in found:
                held.move_to_end(k)  # the least recently used go first
        missing = [k for k in wanted if k not in found]
        if missing:
            loaded = load(missing)
            with self._lock:
                for k in missing:
                    found[k] = held[k] = loaded.get(k, ABSENT)
                while len(held) > MAX_ENTRIES:
                    held.popitem(last=False)
        return {k: v for k, v in found.items() if v is not ABSENT}

    def get(self, kind: str, key: Hashable, load: Callable[[Any], Any]) -> Any:
        """One value (None when `load` gives None), loaded when this snapshot lacks it."""
        found = self.get_many(kind, [key], lambda keys: {k: v for k in keys if (v := load(k)) is not None})
        return found.get(key)


_current: Snapshot | None = None
_swap = Lock()
_pinned: ContextVar[Snapshot | None] = ContextVar("refdata_pinned", default=None)
# A request's slot: empty until its first lookup, then that lookup's snapshot (RequestSnapshotMiddleware).
_slot: ContextVar[list[Snapshot] | None] = ContextVar("refdata_slot", default=None)


def read_stamp() -> int | None:
    """The database's stamp; None if its row is gone (then nothing is kept between calls)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else None


def snapshot() -> Snapshot:
    """This process's snapshot for the database's current stamp and today's date."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    slot = _slot.get()
    if slot:
        return slot[0]
    found = _for(read_stamp(), clock.today())
    if slot is not None:
        slot.append(found)
    return found


def _for(stamp: int | None, day: date) -> Snapshot:
    global _current
    if stamp is None:  # no stamp to check against: a snapshot for this call alone
        return Snapshot(stamp=0, day=day)
    current = _current
    if current is not None and current.stamp == stamp and current.day == day:
        return current
    with _swap:
        if _current is None or _current.stamp != stamp or _current.day != day:
            _current = Snapshot(stamp=stamp, day=day)
        return _current


@contextmanager
def pinned() -> Iterator[Snapshot]:
    """Read the stamp once for the block (inside another pinned block: keep its snapshot):
    lookups inside share one snapshot. For blocks that do not change reference data themselves
    (an intake); a change made inside is not seen."""
    held = snapshot()
    token = _pinned.set(held)
    try:
        yield held
    finally:
        _pinned.reset(token)


@contextmanager
def lazily_pinned() -> Iterator[None]:
    """Inside the block the first lookup reads the stamp and every later one reuses its
    snapshot; a block that never looks anything up reads nothing."""
    token = _slot.set([])
    try:
        yield
    finally:
        _slot.reset(token)


class RequestSnapshotMiddleware:
    """One reading of the stamp per GET or HEAD (lazily, at its first lookup): a page's many
    lookups (scope, categories, roster, calendar) share one snapshot. Writes are left alone: a
    POST that changes reference data must see its own change (as `pinned()` says)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with lazily_pinned():
            return self.get_response(request)


def clear() -> None:
    """Forget this process's snapshot (tests, so that each starts cold)."""
    global _current
    with _swap:
        _current = None


# --- the stamp table and its triggers ----------------------------------------------------------


def install(using: str = "default", **_kwargs: Any) -> None:
    """Create the stamp table and a trigger on each watched table (idempotent; post_migrate)."""
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    statements = _postgresql(existing) if conn.vendor == "postgresql" else _sqlite(existing)
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _postgresql(existing: set[str]) -> list[str]:
    out = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), stamp bigint NOT NULL)",
        f"INSERT INTO {TABLE} VALUES (1, (random() * 9e18)::bigint) ON CONFLICT (id) DO NOTHING",
        "CREATE OR REPLACE FUNCTION gongzhi_refstamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {TABLE} SET stamp = (random() * 9e18)::bigint WHERE id = 1; RETURN NULL; END $$",
    ]
    run = "EXECUTE FUNCTION gongzhi_refstamp_bump()"
    for table, watch in WATCHED.items():
        if table not in existing:
            continue
        if watch is None:  # one bump per statement, whatever it wrote
            out.append(
                f"CREATE OR REPLACE TRIGGER {table}_refstamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT {run}"
            )
            continue
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watch.columns)
        out += [
            f"CREATE OR REPLACE TRIGGER {table}_refstamp_u AFTER UPDATE OF {', '.join(watch.columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) {run}",
            f"CREATE OR REPLACE TRIGGER {table}_refstamp_d AFTER DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT {run}",
        ]
        if watch.insert_when:
            out.append(
                f"CREATE OR REPLACE TRIGGER {table}_refstamp_i AFTER INSERT ON {table} "
                f"FOR EACH ROW WHEN ({watch.insert_when}) {run}"
            )
    return out


def _sqlite(existing: set[str]) -> list[str]:
    out = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY CHECK (id = 1), stamp integer NOT NULL)",
        f"INSERT OR IGNORE INTO {TABLE} VALUES (1, random())",
    ]
    bump = f"BEGIN UPDATE {TABLE} SET stamp = random() WHERE id = 1; END"
    for table, watch in WATCHED.items():
        if table not in existing:
            continue
        events: list[tuple[str, str, str]]  # (event, name suffix, WHEN clause)
        if watch is None:
            events = [("INSERT", "i", ""), ("UPDATE", "u", ""), ("DELETE", "d", "")]
        else:
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watch.columns)
            events = [(f"UPDATE OF {', '.join(watch.columns)}", "u", f"WHEN {changed}"), ("DELETE", "d", "")]
            if watch.insert_when:
                events.append(("INSERT", "i", f"WHEN {watch.insert_when}"))
        for event, suffix, when in events:  # dropped first: a changed WATCHED entry takes effect
            name = f"{table}_refstamp_{suffix}"
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when} {bump}")
    return out
