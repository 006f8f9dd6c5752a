"""Scale (issue 17): a district of many streets on one PostgreSQL primary, its replica, intake
under a read mix, and the outbox after a broker outage. PostgreSQL only.

The district (bench/district.py): `--scale-streets` streets of `--scale-areas` areas, each
filled with `--scale-cases` cases by COPY, their events, the rollup's rebuild and ANALYZE.
Every figure stands beside a baseline measured in the same run:

1. Command centre: `reports.dashboard.dashboard()` (what the page draws) for one street and for
   the district (all its streets), p95, in process; and the page `/dashboard/?node=…` over
   real HTTP (gunicorn). Baselines: a trivial indexed query (one geo_node row by primary key) /
   `/healthz` over the same server; the district's page also against the street's page.
2. List pages (in process, Django's test client, as bench/pages.py): a committee's dispatch
   queue, a street cadre's case list, the district cadre's case list, p95, each beside one
   raw SQL count (capped as the page's) and one raw SQL page of the same rows.
3. Replica: with the hot standby on 127.0.0.1:5433 (`scripts/replica.sh start`), the
   district's command centre selector and a raw count on the replica's connection, beside
   the same on the primary; and how long a committed row takes to be visible there.
4. Intake and reads over HTTP (bench/scale_http.py): the read mix alone (`--scale-readers`
   threads over both command centres and the three lists): requests/s and CPU per read,
   beside /healthz. Cases/s through `POST /api/v1/cases/batch` (`--scale-batch` cases a
   request, `--scale-intake-clients` threads, each street's cadre's token), with a worker on
   the real broker draining the outbox as in production; then the same under the read mix;
   the readers' p95 under the mix beside the same pages measured alone.
5. Outbox catch-up (bench/scale_http.py): the same intake while the broker is unreachable
   (the app's CELERY_BROKER_URL on a closed port): every message stays pending; then the broker
   answers and the real dispatcher drains them (`dispatch_outbox` sent through the broker, as
   the beat and the kicks send it) — messages/s, each sent exactly once; baseline: the
   messages of the intake with the broker up all along (step 4), drained by the same worker.
"""

import http.client
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import district as district_mod
from bench.measure import Results, load_average, no_query_log, percentile
from bench.pages import client_for, ms, page_queries, timed_beside

NAME = "scale"
TARGET_STREET_MS = 150.0  # issue 17: the command centre for one street, p95
TARGET_DISTRICT_MS = 500.0  # and for the district
TARGET_LIST_MS = 50.0  # list pages p95
REPLICA_PORT = 5433


def run(results: Results, options: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        reason = "the scale suite runs on PostgreSQL only (partitions, replica, COPY): set DATABASE_URL"
        print(f"  skipped: {reason}", flush=True)
        results.run["scale"] = {"skipped": reason}
        return
    streets = int(options.get("scale_streets", 3))
    areas = int(options.get("scale_areas", 6))
    per_street = int(options.get("scale_cases", 10_000))
    rounds = int(options.get("scale_rounds", 20))
    results.run["scale_uptime_start"] = _uptime()
    with no_query_log():
        district = district_mod.build(streets, areas)
        print(f"  district {district.root.code}: {streets} streets × {areas} areas", flush=True)
        district_mod.fill(district, per_street)
        district_mod.residents(district, int(options.get("scale_residents", 20_000)))
        info = {
            "streets": streets,
            "areas_per_street": areas,
            "cases_per_street": per_street,
            "cases": district.cases,
            "events": district.events,
            "residents": district.residents,
            "nodes": sum(len(s.nodes) + 1 for s in district.streets) + 1,
            "seconds": {
                "tree_and_staff": round(district.build_seconds, 1),
                "cases_copy": round(district.cases_seconds, 1),
                "events_sql": round(district.events_seconds, 1),
                "rollup_rebuild_and_analyze": round(district.rollup_seconds, 1),
                "residents": round(district.residents_seconds, 1),
            },
            "load_average_after_fill": load_average(),
        }
        results.run["scale"] = info
        print(f"  filled: {info}", flush=True)
        _command_centre(results, district, rounds)
        _lists(results, district, rounds)
        if not options.get("scale_pages_only"):
            _replica(results, district, rounds)
        from bench import scale_http  # its HTTP phases use this module's helpers

        scale_http.run(results, district, options)
    results.run["scale_uptime_end"] = _uptime()


def _uptime() -> str:
    """The machine's `uptime` line: the load these figures were taken under."""
    import subprocess

    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# --- 1. the command centre, in process -----------------------------------------------------------


def _trivial(node_id: int) -> Callable[[], Any]:
    def query() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code FROM geo_node WHERE id = %s", [node_id])
            return cursor.fetchone()

    return query


def _command_centre(results: Results, district: district_mod.District, rounds: int) -> None:
    from gongzhi.reports import dashboard as dash
    from gongzhi.reports import periods
    from gongzhi.reports.subjects import node_subject

    street = district.streets[0]
    period = periods.this_month()  # the page's default
    out: dict[str, float] = {}
    for who, node, viewer, target in (
        ("street", street.root, street.street_user, TARGET_STREET_MS),
        ("district", district.root, district.district_user, TARGET_DISTRICT_MS),
    ):
        subject = node_subject(node)
        board: list[Any] = []
        load_start = load_average()
        samples, base = timed_beside(
            lambda s=subject, v=viewer, b=board: b.append(dash.dashboard(s, period, viewer=v, keep=False)),
            _trivial(node.pk),
            rounds,
        )
        last = board[-1]
        out[who] = ms(samples, 95)
        with CaptureQueriesContext(connection) as captured:
            dash.dashboard(subject, period, viewer=viewer, keep=False)
        details: dict[str, Any] = {}
        if who == "district":
            details["street_p95_ms"] = out["street"]
            details["district_over_street"] = (
                round(out["district"] / out["street"], 2) if out["street"] else None
            )
        results.add(
            f"scale.command_centre.{who}",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="a trivial indexed query (one geo_node row by primary key), p95",
            target=f"p95 < {target:.0f} ms",
            what=f"reports.dashboard.dashboard() for {node.code} (this month), computed afresh (keep=False: the figures a rollup run fixes, before they are kept)",
            p50=ms(samples, 50),
            samples=rounds,
            received=last.kpis.counts.get("received"),
            open=last.open_now,
            areas_ranked=len(last.areas.entries) if last.areas is not None else None,
            queries=len(captured.captured_queries),
            load_average=[load_start, load_average()],
            **details,
        )


# --- 2. list pages, in process ---------------------------------------------------------------------


RAW_PAGE = (
    "SELECT c.*, n.code, n.name, k.code, k.name, p.code, p.title FROM cases_case c "
    "JOIN geo_node n ON n.id = c.node_id LEFT JOIN orgs_category k ON k.id = c.category_id "
    "LEFT JOIN orgs_post p ON p.id = c.post_id WHERE {where} ORDER BY {order} LIMIT 50"
)


def _raw_list(where: str, order: str, params: list[Any]) -> Callable[[], Any]:
    """One capped count and one page of rows, as the page's paginator asks, in raw SQL."""

    def query() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM cases_case c WHERE {where} LIMIT 10001) AS m", params
            )
            cursor.fetchone()
            cursor.execute(RAW_PAGE.format(where=where, order=order), params)
            return cursor.fetchall()

    return query


def list_pages(district: district_mod.District) -> list[tuple[str, Any, str, Callable[[], Any]]]:
    """(name, user, url, raw baseline) of the list pages the suite times, in process and over HTTP."""
    from gongzhi.web.cases.lists import QUEUE_STATES

    street = district.streets[0]
    area = street.areas[0]
    queue_states = [str(s) for s in QUEUE_STATES]
    in_list = ", ".join(["%s"] * len(queue_states))
    return [
        (
            "queue",
            street.area_user,
            "/cases/queue/",
            _raw_list(
                f"c.node_path LIKE %s AND c.rung >= 3 AND c.state IN ({in_list})",
                "c.created_at, c.id",
                [area.path + "%", *queue_states],
            ),
        ),
        (
            "street_list",
            street.street_user,
            "/cases/?state=in_progress",
            _raw_list(
                "c.node_path LIKE %s AND c.state = %s",
                "c.created_at DESC, c.id DESC",
                [street.root.path + "%", "in_progress"],
            ),
        ),
        (
            "district_list",
            district.district_user,
            "/cases/?state=in_progress",
            _raw_list(
                "c.node_path LIKE %s AND c.state = %s",
                "c.created_at DESC, c.id DESC",
                [district.root.path + "%", "in_progress"],
            ),
        ),
    ]


def _lists(results: Results, district: district_mod.District, rounds: int) -> None:
    for name, user, url, raw in list_pages(district):
        client = client_for(user)
        queries, response, _ = page_queries(client, url)
        rows = response.content.decode().count('href="/cases/')
        load_start = load_average()
        samples, base = timed_beside(lambda c=client, u=url: c.get(u), raw, rounds)
        results.add(
            f"scale.list.{name}",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="raw SQL: the same filter's count capped at 10,001 and its first page of 50 "
            "with the place, category and post joined, p95",
            target=f"p95 < {TARGET_LIST_MS:.0f} ms",
            what=f"GET {url} in process (Django test client) as {user.get_username()}",
            p50=ms(samples, 50),
            baseline_p50=ms(base, 50),
            queries_per_page=queries,
            case_links=rows,
            bytes=len(response.content),
            samples=rounds,
            load_average=[load_start, load_average()],
        )


# --- 3. the replica ---------------------------------------------------------------------------------


@contextmanager
def replica_alias() -> Iterator[tuple[str | None, str]]:
    """The hot standby on 5433 as alias `scale_replica` for this process (the bench database
    reaches it by streaming replication): (alias, ""), or (None, why) when it does not stream."""
    from django.conf import settings
    from django.db import connections

    from gongzhi.core import replicas

    name = "scale_replica"
    config = {**connections.settings["default"], "PORT": str(REPLICA_PORT), "OPTIONS": {"connect_timeout": 2}}
    connections.settings[name] = config
    settings.REPLICA_ALIASES.append(name)
    replicas.forget()
    try:
        with connections[name].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            (recovering,) = cursor.fetchone()
        if not recovering:
            raise RuntimeError(f"port {REPLICA_PORT} answers but is not a standby")
    except Exception as exc:  # no standby: the figure is skipped with the reason
        found: tuple[str | None, str] = (None, f"{type(exc).__name__}: {exc}".strip()[:300])
    else:
        found = (name, "")
    try:
        yield found
    finally:
        connections[name].close()
        del connections[name]  # the wrapper too: a later use reads the settings afresh
        settings.REPLICA_ALIASES.remove(name)
        del connections.settings[name]
        replicas.forget()


def _replica(results: Results, district: district_mod.District, rounds: int) -> None:
    from django.db import connections

    from gongzhi.core import replicas
    from gongzhi.reports import dashboard as dash
    from gongzhi.reports import periods
    from gongzhi.reports.subjects import node_subject

    with replica_alias() as (name, reason):
        if name is None:
            why = f"no streaming standby on 127.0.0.1:{REPLICA_PORT} ({reason}); run scripts/replica.sh start"
            print(f"  replica: skipped: {why}", flush=True)
            results.run.setdefault("scale", {})["replica_skipped"] = why
            return
        visible = _replication_delay(name)
        subject = node_subject(district.root)
        period = periods.this_month()
        chosen: list[str] = []

        def on_replica() -> None:
            with replicas.read() as alias:
                chosen.append(alias)
                dash.dashboard(subject, period, keep=False)

        def on_primary() -> None:
            dash.dashboard(subject, period, keep=False)

        load_start = load_average()
        samples, base = timed_beside(on_replica, on_primary, rounds)
        results.add(
            "scale.replica.command_centre_district",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="the same call with every read on the primary, p95",
            what="reports.dashboard.dashboard() for the district inside core.replicas.read() (the page's path), p95",
            p50=ms(samples, 50),
            baseline_p50=ms(base, 50),
            read_on=dict(Counter(chosen)),
            samples=rounds,
            replication_visible_ms=visible,
            note="the standby runs on the same 2 cores as the primary: this shows the reads are served "
            "there at the same cost, not the capacity a standby on its own machine adds",
            load_average=[load_start, load_average()],
        )
        sql = "SELECT state, COUNT(*) FROM cases_case WHERE node_path LIKE %s GROUP BY state"
        args = [district.root.path + "%"]

        def raw(alias: str) -> Callable[[], Any]:
            def query() -> Any:
                with connections[alias].cursor() as cursor:
                    cursor.execute(sql, args)
                    return cursor.fetchall()

            return query

        assert sorted(raw(name)()) == sorted(raw("default")()), "the standby's answer differs"
        samples, base = timed_beside(raw(name), raw("default"), rounds)
        results.add(
            "scale.replica.count_by_state",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="the same statement on the primary, p95",
            what=f"{sql} over the district's {district.cases:,} cases, on the standby, p95",
            p50=ms(samples, 50),
            baseline_p50=ms(base, 50),
            samples=rounds,
        )


def _replication_delay(name: str, tries: int = 5) -> dict[str, float]:
    """Milliseconds from a commit on the primary until the standby shows the row (p50 / max of
    `tries`), polling every millisecond: a session-less reader's staleness."""
    from django.db import connections

    seen = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS scale_probe (n integer)")
    for n in range(tries):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO scale_probe VALUES (%s)", [n])  # autocommit: committed here
        start = time.perf_counter()
        while time.perf_counter() - start < 10:
            try:
                with connections[name].cursor() as cursor:
                    cursor.execute("SELECT 1 FROM scale_probe WHERE n = %s", [n])
                    if cursor.fetchone():
                        break
            except Exception:  # the table's creation not yet replayed
                connections[name].close()
            time.sleep(0.001)
        seen.append((time.perf_counter() - start) * 1000)
    return {"p50": round(percentile(seen, 50), 2), "max": round(max(seen), 2), "tries": tries}


# --- shared by the HTTP phases (bench/scale_http.py) ---------------------------------------------------


@dataclass
class Timings:
    by_name: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, status: int) -> None:
        with self.lock:
            self.by_name.setdefault(name, []).append(seconds)
            self.statuses[status] += 1


def get(
    conn: http.client.HTTPConnection | None, host: str, port: int, url: str, cookie: str
) -> tuple[http.client.HTTPConnection | None, int, float]:
    """One GET on a keep-alive connection (reopened when the server closes it)."""
    conn = conn or http.client.HTTPConnection(host, port, timeout=120)
    start = time.perf_counter()
    conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    seconds = time.perf_counter() - start
    if response.will_close:
        conn.close()
        conn = None
    return conn, response.status, seconds


def session_cookie(user: Any) -> str:
    from django.conf import settings

    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def reader_urls(district: district_mod.District) -> list[tuple[str, str, str]]:
    """(name, url, cookie) of the read mix: both command centres and the three lists."""
    street = district.streets[0]
    out = [
        ("command_centre.street", f"/dashboard/?node={street.root.code}", session_cookie(street.street_user)),
        (
            "command_centre.district",
            f"/dashboard/?node={district.root.code}",
            session_cookie(district.district_user),
        ),
    ]
    out += [(f"list.{name}", url, session_cookie(user)) for name, user, url, _ in list_pages(district)]
    return out + other_pages(district)


def other_pages(district: district_mod.District) -> list[tuple[str, str, str]]:
    """The rest of a day's pages: both leaders' home pages (the per-node figures, the to-dos),
    a committee's 我的工单 and one of its area's cases."""
    from gongzhi.cases.models import Case

    street = district.streets[0]
    case = Case.objects.filter(node_path__startswith=street.areas[0].path).order_by("-id").first()
    committee = session_cookie(street.area_user)
    out = [
        ("home.street", "/", session_cookie(street.street_user)),
        ("home.district", "/", session_cookie(district.district_user)),
        ("list.mine", "/cases/mine/", committee),
    ]
    return out + ([("case_page", f"/cases/{case.pk}/", committee)] if case else [])


def read_mix(
    host: str, port: int, urls: list[tuple[str, str, str]], stop: threading.Event, seed: int
) -> Timings:
    """One reader thread's loop until `stop`: a random page of the mix, again and again."""
    timings = Timings()
    rng = random.Random(seed)
    conn = None
    while not stop.is_set():
        name, url, cookie = rng.choice(urls)
        try:
            conn, status, seconds = get(conn, host, port, url, cookie)
        except (OSError, http.client.HTTPException):
            conn = None
            timings.add(name, 0.0, 0)
            continue
        timings.add(name, seconds, status)
    return timings


def p95_ms(samples: list[float]) -> float:
    return round(percentile(samples, 95) * 1000, 1) if samples else 0.0
