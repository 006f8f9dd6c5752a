"""Keeps the KPI tables (Fact, DayTotal) in step with the case events.

Whenever a case gets an event its facts are derived again from all its events (reports.facts)
and replaced; the daily totals of every (day, area) whose facts changed are counted again
from the facts. Derivation is idempotent, so running any of these twice, or over a range
already done, changes nothing.

- `catch_up()`: what a page or an API read calls first: the events since the last run, if
  there are few (a read never does a big job) and the tables were brought up to date more than
  REPORTS_READ_FRESH_SECONDS ago (under a stream of events most reads do not write); otherwise
  the figures are as of `built_at`.
- `refresh()`: the scheduled run (Celery beat every 10 minutes, or cron `gongzhi
  reports_rollup`): reads again from the last settled event, so an event whose transaction
  committed late is not missed, and settles what is older than LAG.
- `rebuild()`: everything from scratch (after a tree move or an upgrade), `rebuild_days()`: the
  cases touched on some days.
- `recount()`: the same figures straight from the events, without the tables: the reference
  the tests compare the tables with (and `gongzhi reports_rollup --check`).

See docs/adr/0006-kpi-rollup.md.
"""

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q, Subquery
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core import clock, stats
from gongzhi.geo import streets as geo_streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Post
from gongzhi.reports import facts as f
from gongzhi.reports.models import CategoryTotal, CityNode, DayTotal, Fact, RollupState

BATCH = 1000  # cases derived per round trip
READ_LIMIT = 500  # a read catches up on at most this many new events itself (bounded latency)
LAG = timedelta(minutes=10)  # an event older than this has surely committed
Pair = tuple[date, int]  # (day, area id)


@dataclass
class Progress:
    cases: int = 0
    pairs: int = 0
    skipped: bool = False  # another run holds the lock, or too much for a read to do
    built_at: datetime | None = None
    run: int = 0  # the last scheduled run's token (RollupState.run); 0: none yet

    def __str__(self) -> str:
        return f"重算工单 {self.cases} 件，更新日汇总 {self.pairs} 组"


# --- the grain ------------------------------------------------------------------------------------


def grains() -> dict[str, int]:
    """Codes of the nodes that daily totals are kept for: every node at the residential-area
    level or above (a case's grain is the deepest of them on its path)."""
    return dict(Node.objects.filter(level__lte=Level.AREA).values_list("code", "id"))


def grain_of(path: str, grain_ids: dict[str, int]) -> int:
    codes = [c for c in path.split("/") if c]
    for code in reversed(codes):
        if code in grain_ids:
            return grain_ids[code]
    # a tree whose root lies below the area level: its root is the grain
    root = Node.objects.filter(code=codes[0]).values_list("id", flat=True).first() if codes else None
    if root is None:
        raise ValueError(f"no node for path {path!r}")
    grain_ids[codes[0]] = root
    return root


def grain_ancestors() -> dict[int, list[int]]:
    """For each grain node, itself and the grain nodes above it (its block, its street): the
    nodes whose category totals count its cases."""
    rows = list(Node.objects.filter(level__lte=Level.AREA).values_list("id", "code", "path"))
    ids = {code: pk for pk, code, _path in rows}
    return {pk: [ids[c] for c in path.split("/") if c in ids] for pk, _code, path in rows}


# --- reading cases and events ------------------------------------------------------------------------


def case_rows(ids: Iterable[int]) -> list[f.CaseRow]:
    fields = (
        *("id", "node_path", "created_at", "state", "dispatch_due", "handle_due", "satisfaction"),
        *("category_id", "post__code"),
    )
    return [f.CaseRow(*row) for row in Case.objects.filter(pk__in=list(ids)).values_list(*fields)]


def event_rows(ids: Iterable[int]) -> dict[int, list[f.EventRow]]:
    """The events of these cases in order, read with plain SQL: Django's per-value converters
    were half the cost of a rebuild. SQLite hands back the naive UTC time Django stored (as text
    or a datetime) and the JSON as text; PostgreSQL aware datetimes."""
    out: dict[int, list[f.EventRow]] = defaultdict(list)
    ids = list(ids)
    if not ids:
        return out
    qs = CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "seq")
    sql, params = qs.values_list("case_id", "seq", "action", "at", "data").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for case_id, seq, action, at, data in cursor.fetchall():
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            if at.tzinfo is None:  # SQLite: naive UTC, as Django stores it
                at = at.replace(tzinfo=UTC)
            if isinstance(data, str):
                data = json.loads(data)
            out[case_id].append(f.EventRow(seq, action, at, data or {}))
    return out


def derive(ids: list[int]) -> list[f.Fact]:
    """The facts of these cases, from their rows and events (no table of ours is read)."""
    events = event_rows(ids)
    out: list[f.Fact] = []
    for case in case_rows(ids):
        out.extend(f.facts_of(case, events.get(case.id, [])))
    return out


def _post_ids(found: list[f.Fact]) -> dict[str, int]:
    codes = {x.post_code for x in found if x.post_code}
    return dict(Post.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}


# --- writing the tables ------------------------------------------------------------------------------


def _store(ids: list[int], grain_ids: dict[str, int], *, replace: bool = True) -> set[Pair]:
    """Replace the stored facts of these cases; the (day, area) pairs whose totals changed."""
    dirty: set[Pair] = set()
    if replace:
        old = Fact.objects.filter(case_id__in=ids)
        dirty.update(old.values_list("day", "area_id").distinct())
        old.delete()
    found = derive(ids)
    posts = _post_ids(found)
    rows = [
        (
            x.case_id,
            x.kind,
            x.day,
            x.at,
            grain_of(x.node_path, grain_ids),
            x.node_path,
            posts.get(x.post_code) if x.post_code else None,
            x.ok,
            x.local,
            x.value,
            x.hours_bucket,
            x.category_id,
        )
        for x in found
    ]
    _insert_facts(rows)
    dirty.update((r[2], r[4]) for r in rows)
    return dirty


FACT_COLUMNS = (
    *("case_id", "kind", "day", "at", "area_id", "node_path", "post_id", "ok", "local", "value"),
    *("hours_bucket", "category_id"),
)


def _insert_facts(rows: list[tuple[Any, ...]]) -> None:
    """Facts written with one prepared INSERT per batch: a rebuild writes millions of them, and
    building a model instance for each cost more than deriving it (bulk_create: ~4x slower)."""
    if not rows:
        return
    ops = connection.ops
    adapted = [
        (r[0], r[1], ops.adapt_datefield_value(r[2]), ops.adapt_datetimefield_value(r[3]), *r[4:])
        for r in rows
    ]
    table = connection.ops.quote_name(Fact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in FACT_COLUMNS)
    marks = ", ".join(["%s"] * len(FACT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", adapted)


def counted() -> dict[str, Count]:
    return {name: Count("pk", filter=Q(**c.lookups())) for name, c in f.COUNTERS.items()}


def _total(pairs: set[Pair]) -> int:
    """Count the daily totals of these (day, area) pairs again from the facts, and the
    category totals of those days for the areas and the grain nodes above them."""
    by_day: dict[date, set[int]] = defaultdict(set)
    for day, area in pairs:
        by_day[day].add(area)
    for day, areas in by_day.items():
        DayTotal.objects.filter(day=day, area_id__in=areas).delete()
        _insert_totals(Fact.objects.filter(day=day, area_id__in=areas))
    if pairs:
        above = grain_ancestors()
        nodes = {n for _day, area in pairs for n in above.get(area, [area])}
        days = sorted(by_day)
        for i in range(0, len(days), 200):
            chunk = days[i : i + 200]
            CategoryTotal.objects.filter(day__in=chunk, node_id__in=nodes).delete()
            _insert_categories(above, nodes, chunk)
    return len(pairs)


def _total_everything() -> int:
    DayTotal.objects.all().delete()
    CategoryTotal.objects.all().delete()
    above = grain_ancestors()
    _insert_categories(above, set(above), None)
    return _insert_totals(Fact.objects.all())


def _insert_categories(above: dict[int, list[int]], nodes: set[int], days: list[date] | None) -> int:
    """The category totals of these grain nodes (on these days, or all), counted from the
    receive facts and written by one INSERT … SELECT: each fact counts for its area and every
    grain node above it (a join on the (area, node) pairs as VALUES)."""
    links = [(area, node) for area, up in above.items() for node in up if node in nodes]
    if not links or days == []:
        return 0
    quote = connection.ops.quote_name
    fact, total = quote(Fact._meta.db_table), quote(CategoryTotal._meta.db_table)
    values = ", ".join(f"({int(area)}, {int(node)})" for area, node in links)  # ids: typed literals
    where = "f.kind = %s"
    params: list[Any] = [f.RECEIVE]
    if days is not None:
        where += f" AND f.day IN ({', '.join(['%s'] * len(days))})"
        params.extend(connection.ops.adapt_datefield_value(d) for d in days)
    sql = (
        f"INSERT INTO {total} (day, node_id, category_id, received) "
        "SELECT f.day, g.column2, f.category_id, COUNT(*) "
        f"FROM {fact} f JOIN (VALUES {values}) g ON g.column1 = f.area_id "
        f"WHERE {where} GROUP BY f.day, g.column2, f.category_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _insert_totals(facts: Any) -> int:
    """The daily totals of these facts, counted and written by the database in one
    INSERT … SELECT (a rebuild writes ~100,000 of them; through model instances that took
    longer than deriving every fact)."""
    grouped = facts.values("day", "area_id", "post_id").annotate(**counted()).order_by()
    try:
        select, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # an empty IN (): nothing to count
        return 0
    names = ["day", "area_id", "post_id", *f.COUNTERS]  # the SELECT's order: values, then annotate
    quote = connection.ops.quote_name
    columns = ", ".join(quote(n) for n in names)
    # every row carries the district's code: the city database holds several districts' rows
    sql = (
        f"INSERT INTO {quote(DayTotal._meta.db_table)} (district, {columns}) SELECT %s, g.* FROM ({select}) g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.DISTRICT_CODE, *params])
        return max(cursor.rowcount, 0)


def stamp_district() -> int:
    """Give the day totals written before DISTRICT_CODE was set (or changed) this district's
    code (gongzhi city_publish). Returns the rows changed."""
    return DayTotal.objects.exclude(district=settings.DISTRICT_CODE).update(district=settings.DISTRICT_CODE)


def sync_city_nodes() -> int:
    """Keep CityNode (what the city view names day totals by) in step with the tree: the
    district's row and one per grain node with its street's code and name (`geo.streets`: the
    path's root, or its second segment under a district node, which itself is the district's
    row 0, not a street's). Only the rows that differ are written (the table is replicated to
    the city). Returns the rows written."""
    district = settings.DISTRICT_CODE
    rows = list(Node.objects.filter(level__lte=Level.AREA).values_list("id", "level", "path", "code", "name"))
    streets = {code: name for _pk, level, _path, code, name in rows if level == Level.STREET}
    want: dict[int, tuple[int, str, str]] = {0: (0, district, settings.DISTRICT_NAME)}
    for pk, level, path, code, name in rows:
        if level == Level.DISTRICT:
            continue
        top = geo_streets.street_code(path) or code
        want[pk] = (level, top, streets.get(top, name if level == Level.STREET else ""))
    have = {
        r[0]: (r[1], r[2], r[3])
        for r in CityNode.objects.filter(district=district).values_list("node_id", "level", "code", "name")
    }
    gone = [pk for pk in have if pk not in want]
    changed = [pk for pk, row in want.items() if have.get(pk) != row]
    with transaction.atomic():
        CityNode.objects.filter(district=district, node_id__in=gone + changed).delete()
        CityNode.objects.bulk_create(
            CityNode(district=district, node_id=pk, level=want[pk][0], code=want[pk][1], name=want[pk][2])
            for pk in changed
        )
    return len(gone) + len(changed)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def _touched(after: int, upto: int) -> list[int]:
    rows = CaseEvent.objects.filter(id__gt=after, id__lte=upto).values_list("case_id", flat=True)
    return sorted(set(rows))


# A long run ANALYZEs the facts after these rounds, inside its transaction (ANALYZE samples the
# transaction's own rows): a first build starts from the statistics of empty tables, and each
# round's `case_id IN (…)` was then planned as a scan of every fact written so far, work that
# grows with the table (216 scans, 252 million rows in 12 minutes of a 1,000,000-case build:
# docs/scaling.md "The district run"). Each tenfold growth gets fresh statistics.
ANALYZE_ROUNDS = (3, 30, 300)


def _apply(ids: list[int]) -> Progress:
    grain_ids = grains()
    dirty: set[Pair] = set()
    for round_, chunk in enumerate(_chunks(ids), 1):
        dirty |= _store(chunk, grain_ids)
        if round_ in ANALYZE_ROUNDS:
            _analyze()
    return Progress(cases=len(ids), pairs=_total(dirty))


# --- the state row and its lock ------------------------------------------------------------------------


def _state(*, skip_locked: bool) -> RollupState | None:
    """The state row, locked for this transaction (None when another run holds it)."""
    try:
        with transaction.atomic():
            RollupState.objects.get_or_create(pk=1)
    except IntegrityError:  # created meanwhile by another run
        pass
    return RollupState.objects.select_for_update(skip_locked=skip_locked).filter(pk=1).first()


def latest_event_id() -> int:
    return CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0


def peek() -> tuple[int, int, datetime | None, int]:
    """(processed id, latest event id, built at, run) in one query."""
    latest = CaseEvent.objects.order_by("-id").values("id")[:1]
    row = (
        RollupState.objects.filter(pk=1)
        .annotate(latest=Subquery(latest))
        .values_list("processed_id", "latest", "built_at", "run")
        .first()
    )
    if row is None:
        return 0, latest_event_id(), None, 0
    return row[0], row[1] or 0, row[2], row[3]


def new_run() -> int:
    """A fresh run token (RollupState.run): positive, random, never 0 (no run yet)."""
    return secrets.randbits(62) + 1


def _mark_run() -> None:
    RollupState.objects.filter(pk=1).update(run=new_run())


# --- the entry points ------------------------------------------------------------------------------------


# a run that derived this many cases wrote enough facts to move the planner's statistics
BULK_CASES = 1000


def _analyze() -> None:
    """Statistics for the tables a bulk run wrote (core.stats): the KPI pages plan from them."""
    stats.analyze(Fact, DayTotal, CategoryTotal)


def catch_up(*, limit: int | None = READ_LIMIT) -> Progress:
    """Take in the events since the last run, unless there are more than `limit` of them or
    another run is at it (then the figures are as of `built_at`)."""
    processed, latest, built_at, run = peek()
    if latest <= processed:
        return Progress(built_at=built_at, run=run)
    if limit is not None and built_at is not None:
        age = clock.now() - built_at  # a clock set back (tests) never counts as fresh
        if timedelta(0) <= age < timedelta(seconds=settings.REPORTS_READ_FRESH_SECONDS):
            return Progress(built_at=built_at, run=run)  # a read within the window: as of built_at
    if limit is not None:
        # counted, not taken from the ids' difference: ids have gaps (rolled-back inserts)
        pending = CaseEvent.objects.filter(id__gt=processed).order_by().values("id")[: limit + 1].count()
        if pending > limit:
            return Progress(skipped=True, built_at=built_at, run=run)
    with transaction.atomic():
        state = _state(skip_locked=True)
        if state is None:
            return Progress(skipped=True, built_at=built_at, run=run)
        latest = latest_event_id()
        progress = _apply(_touched(state.processed_id, latest))
        state.processed_id = max(state.processed_id, latest)
        state.built_at = clock.now()
        state.save()
    if progress.cases >= BULK_CASES:  # the first build after a demo or a restore, a long catch-up
        _analyze()
    progress.built_at, progress.run = state.built_at, state.run
    return progress


def refresh() -> Progress:
    """The scheduled run: every event since the last settled one, then settle what is old."""
    with transaction.atomic():
        state = _state(skip_locked=False)
        assert state is not None
        latest = latest_event_id()
        progress = _apply(_touched(state.settled_id, latest))
        recent = CaseEvent.objects.filter(
            id__gt=state.settled_id, id__lte=latest, at__gte=timezone.now() - LAG
        ).aggregate(m=Min("id"))["m"]
        state.settled_id = max(state.settled_id, recent - 1 if recent else latest)
        state.processed_id = max(state.processed_id, latest)
        state.built_at = clock.now()
        state.run = new_run()
        state.save()
        sync_city_nodes()
    if progress.cases >= BULK_CASES:  # the first build after a demo or a restore, a long catch-up
        _analyze()
    progress.built_at, progress.run = state.built_at, state.run
    return progress


def rebuild() -> Progress:
    """Everything again from the events (after moving nodes of the tree, or an upgrade)."""
    with transaction.atomic():
        state = _state(skip_locked=False)
        assert state is not None
        latest = latest_event_id()
        Fact.objects.all().delete()
        grain_ids = grains()
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        for round_, chunk in enumerate(_chunks(ids), 1):
            _store(chunk, grain_ids, replace=False)
            if round_ in ANALYZE_ROUNDS:
                _analyze()
        pairs = _total_everything()
        state.processed_id = state.settled_id = latest
        state.built_at = clock.now()
        state.run = new_run()
        state.save()
        sync_city_nodes()
    _analyze()
    return Progress(cases=len(ids), pairs=pairs, built_at=state.built_at, run=state.run)


def rebuild_days(start: date, end: date) -> Progress:
    """The cases reported or acted on in the local days [start, end), derived again."""
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    until = timezone.make_aware(datetime.combine(end, datetime.min.time()), tz)
    acted = CaseEvent.objects.filter(at__gte=since, at__lt=until).values_list("case_id", flat=True)
    reported = Case.objects.filter(created_at__gte=since, created_at__lt=until).values_list("pk", flat=True)
    with transaction.atomic():
        _state(skip_locked=False)
        _mark_run()
        return _apply(sorted(set(acted) | set(reported)))


def follow_move(*, node: Node, old_path: str, new_path: str) -> Progress:
    """The KPI tables after `node` moved from `old_path` to `new_path` (geo.signals.node_moved,
    inside the move's transaction; the copies of the paths, facts included, are rewritten).

    - Below the area level (an estate to another area, a grid, a building): its cases' grain
      changes, so their facts are derived again and the totals of the old and the new (day,
      area) pairs counted again — the catch-up's own path (`_apply`).
    - At the area level or above (an area to another block, a street under a district): every
      grain node keeps its id, so facts and day totals stand; only the category totals of the
      grain nodes it left or joined (the ancestors not shared) are counted again.
    """
    with transaction.atomic():
        _state(skip_locked=False)  # never interleaved with a catch-up
        _mark_run()  # the figures of the places it left and joined change
        if node.level > Level.AREA:
            ids = list(
                Case.objects.filter(node_path__startswith=new_path)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            return _apply(ids)
        grain_ids = grains()

        def above(path: str) -> set[int]:
            return {grain_ids[c] for c in path.split("/") if c and c != node.code and c in grain_ids}

        changed = above(old_path) ^ above(new_path)
        if changed:
            CategoryTotal.objects.filter(node_id__in=changed).delete()
            _insert_categories(grain_ancestors(), changed, None)
        sync_city_nodes()
        return Progress(pairs=len(changed))


# --- the reference: the same counters straight from the events ----------------------------------------


def recount(*, paths: list[str], start: date, end: date, post_ids: set[int] | None = None) -> dict[str, int]:
    """The counters of the cases under `paths` for the local days [start, end), derived from
    the events now, reading none of the KPI tables."""
    ids = list(Case.objects.filter(access.paths_q(paths)).values_list("pk", flat=True))
    found = [x for x in derive(ids) if start <= x.day < end]
    if post_ids is not None:
        codes = dict(Post.objects.filter(pk__in=post_ids).values_list("code", "id"))
        found = [x for x in found if x.post_code in codes]
    return f.count(found)


def closing_hours(*, paths: list[str], start: date, end: date) -> list[float]:
    """The hours to close of the closures in the period, sorted (reference for percentiles)."""
    ids = list(Case.objects.filter(access.paths_q(paths)).values_list("pk", flat=True))
    return sorted(x.value or 0.0 for x in derive(ids) if x.kind == f.CLOSE and start <= x.day < end)
