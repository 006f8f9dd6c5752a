"""Cases: intake over HTTP, the scoped case list on a million cases, the category classifier.

1. Intake. The app runs under gunicorn (a child process on a free 127.0.0.1 port, DEBUG off,
   pointed at the bench database) and 8 client threads POST /api/v1/cases with a bearer token
   of a street cadre: validate, route to the area's committee post, set the dispatch deadline,
   append the first event and the dispatchers' outbox rows, read the case back. After a
   warm-up, a fixed number of requests is timed: cases/s, p50 and p99 latency. Afterwards the
   cases in the database must number the 201 answers (no lost writes). Baseline: the same
   case rows written by 8 threads on their own connections with raw SQL, one INSERT of the
   case and one of its event per transaction. Then the batch endpoint (POST
   /api/v1/cases/batch) at 50 cases a request, and at each size of BATCH_SWEEP (cases/s
   against the latency of a request); and the HTTP floor: the same POSTs with a wrong token,
   which Django and the API answer 401 without touching a case (what any request costs here).
2. List. The street is filled up to 1,000,000 cases by a bulk load (COPY on PostgreSQL,
   executemany on SQLite) spread over areas, nodes, categories, states and three years of
   dates. Then the list the web page and the API read through (cases.selectors.case_search,
   50 a page, newest first, filtered by state and by a residential area's path) is timed for
   a street-level and an area-level user, on page 1 and a deep page, each beside the same
   query written by hand. A page costs what the paginator asks: the scope, a count and the
   rows; each part is also reported alone, with the plans and the indexes they use.
3. Classifier. `train_classifier --json --source demo` (trained into a temporary VAR_DIR, so
   the development model is untouched): top-1 / 大类 top-1 / top-3 on its held-out texts (the
   half of the phrasings it was not fitted on) and on the independent eval file, beside the
   keyword rules and the majority class on the same texts; per voice, the calibration error,
   the share sent to triage and the share of off-topic texts sent to triage.
"""

import json
import os
import random
import re
import tempfile
import threading
import time
from bisect import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import accumulate
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from bench.load import Load, post_all
from bench.measure import Results, load_average, no_query_log, percentile
from bench.pages import explain, staff_post, tree_level
from bench.server import gunicorn

NAME = "cases"
SEED = 2026
STREET = "BC"
AREAS_PER_BLOCK = (6, 6, 6, 6, 7)  # 31 residential areas, as the demo street
ESTATES_PER_AREA = 3
GRIDS_PER_ESTATE = 3
BUILDINGS_PER_GRID = 10
PAGE = 50
DEEP_PAGE = 100  # page 100 (offset 4,950), or the last page when there are fewer
API_PATH = "/api/v1/cases"
BASE_DIR = Path(__file__).resolve().parents[2]
TARGET_INTAKE_RATE = 1000.0  # cases/s, docs/design.md §6
TARGET_MS = 50.0  # intake p99 and list p95, docs/design.md §6
BATCH = 50  # cases per request on the batch endpoint (its headline figures)
BATCH_SWEEP = (5, 10, 20, 50, 100)  # smaller batches: lower latency, more requests per case


LAST_STREET: "Street | None" = None  # for the reports suite, when it runs after this one


def run(results: Results, options: dict[str, Any]) -> None:
    global LAST_STREET
    with no_query_log():
        street = LAST_STREET = _build_street()
        print(f"  street {STREET}: {len(street.nodes)} nodes, {len(street.areas)} areas", flush=True)
        _intake(results, street, options)
        _case_list(results, street, options)
    _classifier(results)


# --- the street: nodes, staff, posts -------------------------------------------------------------


@dataclass
class Street:
    root: Any
    areas: list[Any]
    nodes: list[Any]  # the areas and every node below them (estates, grids, buildings)
    area_of: dict[int, int]  # node id -> area index
    buildings: list[Any]
    posts: dict[int, Any]  # area index -> the committee post that cases there are routed to
    categories: list[Any]
    street_user: Any
    area_user: Any
    area_weights: list[float] = field(default_factory=list)


def _build_street() -> Street:
    """31 areas > 93 estates > 279 grids > 2,790 buildings, written with bulk_create (no change
    history: the benchmark reads these nodes, it never edits them). Staff go through the
    orgs services: a street cadre (lists, and the API client), and one committee post per area
    answering for every 小类 (routing sends each case there) held by a dispatcher."""

    from gongzhi.geo.levels import Level
    from gongzhi.orgs.models import Category
    from gongzhi.orgs.roles import PostRole, UnitKind

    with transaction.atomic():
        (root,) = tree_level(Level.STREET, [(STREET, "基准街道", None)])
        blocks = tree_level(Level.BLOCK, [(f"{STREET}-K{k + 1}", f"第{k + 1}块区", root) for k in range(5)])
        area_items = []
        for k, n in enumerate(AREAS_PER_BLOCK):
            for _ in range(n):
                a = len(area_items) + 1
                area_items.append((f"{STREET}-R{a:02d}", f"第{a}居民区", blocks[k]))
        areas = tree_level(Level.AREA, area_items)
        estates = tree_level(
            Level.ESTATE,
            [(f"{a.code}-E{e + 1}", f"{a.name}{e + 1}村", a) for a in areas for e in range(ESTATES_PER_AREA)],
        )
        grids = tree_level(
            Level.GRID,
            [
                (f"{e.code}-G{g + 1}", f"{e.name}第{g + 1}网格", e)
                for e in estates
                for g in range(GRIDS_PER_ESTATE)
            ],
        )
        buildings = tree_level(
            Level.BUILDING,
            [(f"{g.code}-B{b + 1:02d}", f"{b + 1}号楼", g) for g in grids for b in range(BUILDINGS_PER_GRID)],
        )
    area_index = {a.path: i for i, a in enumerate(areas)}
    nodes = [*areas, *estates, *grids, *buildings]
    # A node's area is the first three codes of its path: /BC/BC-Kk/BC-Rnn/
    area_of = {n.pk: area_index["/".join(n.path.split("/")[:4]) + "/"] for n in nodes}

    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))

    def staff(
        username: str, node: Any, kind: str, role: str, cats: list[Any] | None = None
    ) -> tuple[Any, Any]:
        return staff_post(username, node, kind, role, prefix="BENCH", categories=cats)

    street_user, _ = staff("bench-street", root, UnitKind.STREET_OFFICE, PostRole.STREET_CADRE)
    posts: dict[int, Any] = {}
    area_user = None
    for i, area in enumerate(areas):
        user, post = staff(
            f"bench-area{i + 1:02d}", area, UnitKind.RESIDENTS_COMMITTEE, PostRole.COMMITTEE_STAFF, categories
        )
        posts[i] = post
        area_user = area_user or user
    rng = random.Random(SEED)
    return Street(
        root=root,
        areas=areas,
        nodes=nodes,
        area_of=area_of,
        buildings=buildings,
        posts=posts,
        categories=categories,
        street_user=street_user,
        area_user=area_user,
        area_weights=[rng.uniform(0.4, 1.6) for _ in areas],  # some areas are busier
    )


def _texts(per_category: int) -> dict[str, list[str]]:
    """Residents' wording per 小类 from the demo generator (varied, not templates)."""
    from gongzhi.demo.case_texts import sample_corpus

    pool: dict[str, list[str]] = {}
    for code, text in sample_corpus(SEED, per_category):
        pool.setdefault(code, []).append(text)
    return pool


# --- 1. intake over HTTP --------------------------------------------------------------------------


def _intake(results: Results, street: Street, options: dict[str, Any]) -> None:
    from gongzhi.api import services as api_services
    from gongzhi.cases.models import Case, CaseEvent
    from gongzhi.core.models import OutboxMessage

    total = int(options.get("intake_requests", 3000))
    clients = int(options.get("intake_clients", 8))
    workers = int(options.get("workers", 4))
    threads = int(options.get("threads", 1))
    warm = max(clients * 10, total // 10)
    _, key = api_services.token_create(user=street.street_user, name="bench")
    payloads = _intake_payloads(street, warm + total)

    queries = _intake_queries(key, payloads[0])
    batch_payloads = _intake_payloads(street, total, prefix="BATCH")
    with gunicorn(workers, threads, API_PATH) as (host, port, server_pid):
        _http_load(host, port, key, _bodies(payloads[:warm]), clients)  # every worker connects
        before = (Case.objects.count(), CaseEvent.objects.count(), OutboxMessage.objects.count())
        load_start = load_average()
        cpu_start = _cpu_snapshot(server_pid)
        run = _http_load(host, port, key, _bodies(payloads[warm:]), clients)
        cpu = _cpu_used(cpu_start, _cpu_snapshot(server_pid), run.count)
        load_end = load_average()
        after = (Case.objects.count(), CaseEvent.objects.count(), OutboxMessage.objects.count())
        batched = _http_load(
            host, port, key, _bodies(batch_payloads, BATCH), clients, path=f"{API_PATH}/batch"
        )
        sweep = _batch_sweep(host, port, key, street, total, clients)
        floor = _http_load(host, port, "gz_not-a-token", _bodies(payloads[warm:]), clients)
    http_floor = {
        "what": "the same POSTs with a wrong token: Django's middleware and the API's 401, no case",
        "requests_per_s": round(floor.count / floor.seconds, 1),
        "p50_ms": round(percentile(floor.latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(floor.latencies, 99) * 1000, 2),
        "answers": floor.answers(),
    }
    print(f"  HTTP floor: {http_floor}", flush=True)
    batch_check = {
        "answers": batched.answers(),
        "cases_written": Case.objects.filter(external_id__startswith="BATCH-").count(),
        "errors": batched.errors[:5],
    }
    print(f"  batch intake check: {batch_check}", flush=True)
    created = run.statuses.get(201, 0)
    new_cases, new_events, new_messages = (a - b for a, b in zip(after, before, strict=True))
    check = {
        "requests": total,
        "answers": run.answers(),
        "cases_written": new_cases,
        "create_events_written": new_events,
        "outbox_messages_written": new_messages,
        "no_lost_writes": new_cases == created and new_events == created,
        "errors": run.errors[:5],
    }
    print(f"  intake check: {check}", flush=True)

    raw = _raw_intake(street, payloads[warm:], clients)
    server = {"workers": workers, "threads": threads, "worker_class": "gthread" if threads > 1 else "sync"}
    common = {
        "clients": clients,
        "warm_up_requests": warm,
        "gunicorn": server,
        "load_average_start": load_start,
        "load_average_end": load_end,
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "queries_per_request": queries["warm"],
        "queries_first_request": queries["cold"],
        "check": check,
        "http_floor": http_floor,
    }
    rate = created / run.seconds
    results.add(
        "cases.intake.rate",
        value=rate,
        unit="cases/s",
        baseline=raw.count / raw.seconds,
        baseline_is=f"raw SQL, {clients} threads on own connections: INSERT case + INSERT event, commit each",
        target=f">= {TARGET_INTAKE_RATE:.0f} cases/s on 2 cores (PostgreSQL)",
        seconds=round(run.seconds, 2),
        baseline_seconds=round(raw.seconds, 2),
        **common,
    )
    for q in (50, 99):
        results.add(
            f"cases.intake.p{q}",
            value=percentile(run.latencies, q) * 1000,
            unit="ms",
            baseline=percentile(raw.latencies, q) * 1000,
            baseline_is=f"raw SQL INSERT case + event and commit, per case, p{q}",
            target=f"p99 < {TARGET_MS:.0f} ms" if q == 99 else "",
            **common,
        )
    batch_common = {**common, "batch_size": BATCH, "check": batch_check, "sweep": sweep}
    batch_common.pop("cpu")
    results.add(
        "cases.intake_batch.rate",
        value=int(str(batch_check["cases_written"])) / batched.seconds,
        unit="cases/s",
        baseline=raw.count / raw.seconds,
        baseline_is="the same raw SQL baseline as cases.intake.rate",
        target=f">= {TARGET_INTAKE_RATE:.0f} cases/s on 2 cores (PostgreSQL)",
        note=f"POST {API_PATH}/batch, {BATCH} cases a request, one transaction each",
        seconds=round(batched.seconds, 2),
        **batch_common,
    )
    results.add(
        "cases.intake_batch.p99",
        value=percentile(batched.latencies, 99) * 1000,
        unit="ms",
        baseline=percentile(raw.latencies, 99) * 1000 * BATCH,
        baseline_is=f"raw SQL p99 per case × {BATCH}",
        note="latency of one batch request",
        **batch_common,
    )
    with transaction.atomic(), connection.cursor() as cursor:  # the baseline's rows go again
        cursor.execute(
            "DELETE FROM cases_caseevent WHERE case_id IN (SELECT id FROM cases_case WHERE external_id LIKE %s)",
            ["RAW-%"],
        )
        cursor.execute("DELETE FROM cases_case WHERE external_id LIKE %s", ["RAW-%"])


def _batch_sweep(
    host: str, port: int, key: str, street: Street, total: int, clients: int
) -> dict[int, dict[str, Any]]:
    """The batch endpoint at each size of BATCH_SWEEP, `total` cases each (fresh external ids):
    a batch's latency grows with its size, so the sizes trade cases/s against p99."""
    from gongzhi.cases.models import Case

    out: dict[int, dict[str, Any]] = {}
    for size in BATCH_SWEEP:
        prefix = f"SWEEP{size}"
        load = _http_load(
            host,
            port,
            key,
            _bodies(_intake_payloads(street, total, prefix=prefix), size),
            clients,
            path=f"{API_PATH}/batch",
        )
        written = Case.objects.filter(external_id__startswith=f"{prefix}-").count()
        out[size] = {
            "cases_per_s": round(written / load.seconds, 1),
            "requests_per_s": round(load.count / load.seconds, 1),
            "p50_ms": round(percentile(load.latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(load.latencies, 99) * 1000, 1),
            "cases_written": written,
            "answers": load.answers(),
        }
        print(f"  batch of {size}: {out[size]}", flush=True)
    return out


def _intake_queries(key: str, payload: dict[str, Any]) -> dict[str, int]:
    """SQL statements of one intake request (in process, before the timed run): the first, with
    this process's reference snapshot empty, and the next, with it filled (ADR 0009)."""
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.core import refdata

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    refdata.clear()
    counts = {}
    for name in ("cold", "warm"):
        body = json.dumps({**payload, "external_id": f"BENCH-QUERIES-{name}"}, ensure_ascii=False)
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(API_PATH, body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        counts[name] = len(captured.captured_queries)
    return counts


def _intake_payloads(street: Street, n: int, prefix: str = "BENCH") -> list[dict[str, Any]]:
    rng = random.Random(SEED + (1 if prefix == "BENCH" else 2))
    texts = _texts(20)
    codes = sorted(texts)
    out = []
    for i in range(n):
        code = rng.choice(codes)
        building = rng.choice(street.buildings)
        out.append(
            {
                "node": building.code,
                "text": rng.choice(texts[code]),
                "category": code,
                "contact_phone": f"139{rng.randrange(10**8):08d}",
                "external_id": f"{prefix}-{i:07d}",
            }
        )
    return out


def _bodies(payloads: Sequence[dict[str, Any]], batch: int = 0) -> list[bytes]:
    """One JSON body per payload, or per `batch` payloads for the batch endpoint."""
    if not batch:
        return [json.dumps(p, ensure_ascii=False).encode() for p in payloads]
    return [
        json.dumps({"cases": list(payloads[i : i + batch])}, ensure_ascii=False).encode()
        for i in range(0, len(payloads), batch)
    ]


def _http_load(
    host: str, port: int, key: str, bodies: Sequence[bytes], clients: int, path: str = API_PATH
) -> Load:
    """POST every body once with one key (bench.load.post_all)."""
    return post_all(host, port, path, [(key, body) for body in bodies], clients)


def _cpu_snapshot(server_pid: int) -> dict[str, Any]:
    """CPU seconds so far, per process, of the gunicorn master and its workers and of the
    PostgreSQL backends serving the bench database (their title names it); this process's
    (the clients); and the machine's busy and total jiffies."""
    from bench.db import BENCH_DB

    tick = os.sysconf("SC_CLK_TCK")
    server: dict[int, float] = {}
    postgres: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid, cpu = int(entry.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if server_pid in (pid, ppid):
            server[pid] = cpu
        elif title.startswith("postgres:") and f" {BENCH_DB} " in title:
            postgres[pid] = cpu
    me = os.times()
    with open("/proc/stat") as f:
        jiffies = [float(x) for x in f.readline().split()[1:]]
    total = sum(jiffies[:8])
    return {
        "server": server,
        "postgres": postgres,
        "clients": me.user + me.system,
        "busy": total - jiffies[3] - jiffies[4],  # all but idle and iowait
        "total": total,
    }


def _cpu_used(before: dict[str, Any], after: dict[str, Any], requests: int) -> dict[str, Any]:
    def spent(key: str) -> float:  # processes alive at the end; those started since count whole
        return sum(cpu - before[key].get(pid, 0.0) for pid, cpu in after[key].items())

    per = max(requests, 1)
    total = after["total"] - before["total"]
    return {
        "server_ms_per_request": round(spent("server") / per * 1000, 2),
        "postgres_ms_per_request": round(spent("postgres") / per * 1000, 2),
        "client_ms_per_request": round((after["clients"] - before["clients"]) / per * 1000, 2),
        "machine_busy_share": round((after["busy"] - before["busy"]) / total, 3) if total else None,
        "note": "CPU time of the gunicorn master and workers, of the PostgreSQL backends on the "
        "bench database, and of this process (the client threads), per request; "
        "machine_busy_share is the whole machine's, other people's processes included",
    }


def _raw_intake(street: Street, payloads: Sequence[dict[str, Any]], clients: int) -> Load:
    """The floor: the same case rows (phones already encrypted, post already routed, deadline
    already computed) and a create event, one transaction per case, `clients` threads on their
    own connections."""
    from gongzhi.core import pii

    by_code = {b.code: b for b in street.buildings}
    now = datetime.now(UTC)
    rows = []
    for i, p in enumerate(payloads):
        node = by_code[p["node"]]
        category = next(c for c in street.categories if c.code == p["category"])
        post = street.posts[street.area_of[node.pk]]
        rows.append(
            (
                (node.pk, node.path, category.pk, p["text"], "api", f"RAW-{i:07d}", "received", 1, 3, "", "",
                 pii.encrypt(p["contact_phone"]), pii.mask_phone(p["contact_phone"]), post.pk,
                 now + timedelta(days=1), "", 0, "", now, now, street.street_user.pk),
                post.code,
            )
        )  # fmt: skip
    columns = (
        "node_id, node_path, category_id, text, source, external_id, state, version, rung, address, "
        "contact_name, contact_phone_enc, contact_phone_masked, post_id, dispatch_due, satisfaction, "
        "rework_count, tracking_hash, created_at, updated_at, reporter_user_id"
    )
    case_sql = f"INSERT INTO cases_case ({columns}) VALUES ({', '.join(['%s'] * 21)})"
    event_sql = (
        "INSERT INTO cases_caseevent (case_id, seq, action, from_state, to_state, actor_id, at, note, data) "
        "VALUES (%s, 1, 'create', '', 'received', %s, %s, '', %s)"
    )
    vendor = connection.vendor
    if vendor == "postgresql":
        case_sql += " RETURNING id"
    else:
        case_sql, event_sql = case_sql.replace("%s", "?"), event_sql.replace("%s", "?")
        rows = [(tuple(_sqlite_value(v) for v in r), code) for r, code in rows]
    lock = threading.Lock()
    todo = iter(range(len(rows)))
    latencies: list[float] = []
    barrier = threading.Barrier(clients + 1)

    def writer() -> None:
        conn = _raw_connection()
        mine: list[float] = []
        barrier.wait()
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                break
            row, post_code = rows[i]
            data = json.dumps({"post": post_code})
            start = time.perf_counter()
            cur = conn.cursor()
            if vendor == "postgresql":
                cur.execute(case_sql, row)
                case_id = cur.fetchone()[0]
                cur.execute(event_sql, (case_id, row[-1], row[-3], data))
                conn.commit()
            else:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute(case_sql, row)
                cur.execute(event_sql, (cur.lastrowid, row[-1], row[-3], data))
                cur.execute("COMMIT")
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=writer) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return Load(time.perf_counter() - start, latencies)


def _raw_connection() -> Any:
    """A connection of its own, configured as the app's (SQLite: WAL, busy timeout)."""
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.connect(os.environ["DATABASE_URL"])
    import sqlite3

    conn = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_value(value: Any) -> Any:
    """Datetimes as Django stores them on SQLite: naive UTC text."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


# --- 2. the case list on a million cases ----------------------------------------------------------

STATES_OLD = {"closed": 0.93, "void": 0.03, "merged": 0.02, "parked": 0.02}  # older than 60 days
STATES_MONTH = {
    "closed": 0.75, "in_progress": 0.08, "awaiting_verification": 0.05, "dispatched": 0.05,
    "parked": 0.03, "void": 0.02, "returned": 0.01, "escalated": 0.01,
}  # fmt: skip
STATES_WEEK = {
    "received": 0.15, "registered": 0.10, "dispatched": 0.25, "in_progress": 0.25,
    "awaiting_verification": 0.10, "closed": 0.12, "returned": 0.02, "escalated": 0.01,
}  # fmt: skip
SOURCES = {"resident": 0.4, "patrol": 0.3, "hotline": 0.2, "api": 0.1}
CASE_COLUMNS = (
    "id, node_id, node_path, category_id, text, source, external_id, state, version, rung, lat, lon, "
    "address, contact_name, contact_phone_enc, contact_phone_masked, post_id, dispatch_due, handle_due, "
    "satisfaction, rework_count, created_at, updated_at, closed_at, tracking_hash"
)


def _case_list(results: Results, street: Street, options: dict[str, Any]) -> None:
    from gongzhi.cases.models import Case

    wanted = int(options.get("cases", 1_000_000))
    rounds = int(options.get("list_rounds", 30))
    existing = Case.objects.filter(node_path__startswith=street.root.path).count()
    load_seconds, loaded = _bulk_cases(street, max(0, wanted - existing))
    total = Case.objects.filter(node_path__startswith=street.root.path).count()
    print(f"  loaded {loaded:,} cases in {load_seconds:.1f} s; street holds {total:,}", flush=True)
    area = street.areas[0]  # the area user's own area, filtered by both users
    load_start = load_average()
    for who, user in (("street", street.street_user), ("area", street.area_user)):
        for state in ("closed", "in_progress"):
            for page in ("page1", "deep"):
                _measure_list(results, who, user, area, state, page, rounds, total, load_seconds)
    _street_count(results, street, max(3, rounds // 3), total)
    api = _api_list(street, area, rounds)
    results.add(
        "cases.list.api_page1",
        value=api["p95"],
        unit="ms",
        baseline=api["raw_p95"],
        baseline_is="raw SQL count + page (as cases.list.*.page1), p95",
        what="GET /api/v1/cases?state=closed&node=<area>&limit=50 in process (Django test client), "
        "street user, p95",
        load_average=[load_start, load_average()],
        **{k: v for k, v in api.items() if k not in {"p95", "raw_p95"}},
    )


def _bulk_cases(street: Street, n: int) -> tuple[float, int]:
    """Cases with explicit ids in report order (ids rise with time, as they do in use)."""
    if n <= 0:
        return 0.0, 0
    start = time.perf_counter()
    rows = _case_rows(street, n)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY cases_case ({CASE_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), MAX(id)) FROM cases_case"
            )
        else:
            placeholders = ", ".join(["%s"] * len(CASE_COLUMNS.split(",")))
            cursor.executemany(f"INSERT INTO cases_case ({CASE_COLUMNS}) VALUES ({placeholders})", rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")  # as autovacuum does after a bulk insert
    return time.perf_counter() - start, n


def _case_rows(street: Street, n: int) -> Iterator[tuple[Any, ...]]:
    """Rows made as they are written (a million tuples need not sit in memory); everything
    that asks the database is done first, before a COPY holds the connection."""
    from gongzhi.core import pii

    rng = random.Random(SEED + 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        first_id = cursor.fetchone()[0] + 1
    # Where: busier and quieter areas; within one, mostly buildings, some estates and grids,
    # a few on the area itself.
    share = {3: 0.03, 4: 0.15, 5: 0.07, 6: 0.75}
    counts = Counter((street.area_of[nd.pk], nd.level) for nd in street.nodes)
    weights = [
        street.area_weights[street.area_of[nd.pk]]
        * share[nd.level]
        / counts[(street.area_of[nd.pk], nd.level)]
        for nd in street.nodes
    ]
    places = rng.choices(range(len(street.nodes)), weights=weights, k=n)
    # What: a long tail over the 小类, none unused.
    cats = street.categories[:]
    rng.shuffle(cats)
    categories = rng.choices(range(len(cats)), weights=[1 / (r + 1) ** 0.8 for r in range(len(cats))], k=n)
    texts = _texts(40)
    # When: three years, more cases lately (volume grows as the street adopts the product).
    now = datetime.now(UTC).replace(microsecond=0)
    span = 3 * 365 * 86400
    ages = sorted((span * (1 - rng.random() ** 0.7) for _ in range(n)), reverse=True)
    phone = "13912345678"
    phone_enc, phone_masked = pii.encrypt(phone), pii.mask_phone(phone)
    sqlite = connection.vendor == "sqlite"
    return _case_row_iter(street, n, first_id, rng, places, cats, categories, texts, ages, sqlite, now,
                          phone_enc, phone_masked)  # fmt: skip


def _case_row_iter(
    street: Street,
    n: int,
    first_id: int,
    rng: random.Random,
    places: list[int],
    cats: list[Any],
    categories: list[int],
    texts: dict[str, list[str]],
    ages: list[float],
    sqlite: bool,
    now: datetime,
    phone_enc: str,
    phone_masked: str,
) -> Iterator[tuple[Any, ...]]:
    tables = {
        id(t): (list(t), list(accumulate(t.values())))
        for t in (STATES_OLD, STATES_MONTH, STATES_WEEK, SOURCES)
    }

    def pick(table: dict[str, float]) -> str:
        keys, cum = tables[id(table)]
        return keys[bisect(cum, rng.random() * cum[-1])]

    def ts(value: datetime | None) -> Any:
        if value is None or not sqlite:
            return value
        return str(value.replace(tzinfo=None))  # Django's text form of a UTC datetime on SQLite

    for i in range(n):
        node = street.nodes[places[i]]
        category = cats[categories[i]]
        created = now - timedelta(seconds=ages[i])
        age_days = ages[i] / 86400
        state = pick(STATES_OLD if age_days > 60 else STATES_MONTH if age_days > 7 else STATES_WEEK)
        source = pick(SOURCES)
        routed = state not in ("received", "registered")
        closed_at = created + timedelta(hours=rng.uniform(1, 240)) if state == "closed" else None
        with_phone = rng.random() < 0.5
        yield (
            first_id + i,
            node.pk,
            node.path,
            category.pk,
            rng.choice(texts[category.code]),
            source,
            f"H{first_id + i}" if source == "hotline" else "",
            state,
            1 + (3 if routed else 0),
            2 if state == "escalated" else 3,
            None,
            None,
            "",
            "",
            phone_enc if with_phone else "",
            phone_masked if with_phone else "",
            street.posts[street.area_of[node.pk]].pk if routed else None,
            ts(created + timedelta(days=1)),
            ts(created + timedelta(days=5)) if routed else None,
            rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"]) if state == "closed" else "",
            0,
            ts(created),
            ts(closed_at or created),
            ts(closed_at),
            "",  # tracking_hash: only the report page's cases carry one
        )


def _measure_list(
    results: Results,
    who: str,
    user: Any,
    area: Any,
    state: str,
    page: str,
    rounds: int,
    total: int,
    load_seconds: float,
) -> None:
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases import selectors as case_selectors
    from gongzhi.core import paging

    filters = {"state": state, "node_path": area.path}
    matched = _raw_count(area.path, state)
    offset = 0 if page == "page1" else max(0, min((DEEP_PAGE - 1) * PAGE, (matched - 1) // PAGE * PAGE))

    base = case_selectors.case_search(user=user, filters=filters).order_by("-created_at", "-pk")
    cursor = paging.cursor_of(base[offset - 1]) if offset else ""  # where "next" leads, untimed

    def selector_page() -> tuple[float, float, float]:
        """What a list page asks of the database: the scope, the capped count, the rows after
        the cursor of the page before (keyset)."""
        user.__dict__.pop("_gongzhi_scope", None)  # computed once per request
        start = time.perf_counter()
        qs = case_selectors.case_search(user=user, filters=filters)
        scoped = time.perf_counter()
        paging.capped_count(qs)
        counted = time.perf_counter()
        page_rows = paging.keyset_page(qs, cursor=cursor, size=PAGE, count=False).rows
        done = time.perf_counter()
        assert len(page_rows) == min(PAGE, matched - offset)
        return done - start, counted - scoped, done - counted

    def offset_page() -> float:
        """The same page the old way: a full count and OFFSET (for comparison)."""
        start = time.perf_counter()
        qs = case_selectors.case_search(user=user, filters=filters)
        qs.count()
        list(qs[offset : offset + PAGE])
        return time.perf_counter() - start

    raw_page_sql = (
        "SELECT c.*, n.code, n.name, n.level, n.path, k.code, k.name, p.code, p.title "
        "FROM cases_case c JOIN geo_node n ON n.id = c.node_id "
        "LEFT JOIN orgs_category k ON k.id = c.category_id LEFT JOIN orgs_post p ON p.id = c.post_id "
        "WHERE c.node_path LIKE %s AND c.state = %s{after} ORDER BY c.created_at DESC, c.id DESC LIMIT %s"
    )
    after_args: list[Any] = []
    if cursor:
        moment, pk = paging.parse_cursor(cursor)
        after_args = [_sqlite_value(moment) if connection.vendor == "sqlite" else moment, pk]
    raw_sql = raw_page_sql.format(after=" AND (c.created_at, c.id) < (%s, %s)" if cursor else "")

    def raw_page() -> tuple[float, float, float]:
        start = time.perf_counter()
        _raw_count(area.path, state, cap=paging.COUNT_CAP + 1)
        counted = time.perf_counter()
        with connection.cursor() as db:
            db.execute(raw_sql, [area.path + "%", state, *after_args, PAGE])
            db.fetchall()
        done = time.perf_counter()
        return done - start, counted - start, done - counted

    selector_page()  # warm the caches, untimed
    raw_page()
    offset_page()
    orm: list[tuple[float, float, float]] = []
    raw: list[tuple[float, float, float]] = []
    old: list[float] = []
    for _ in range(rounds):
        orm.append(selector_page())
        raw.append(raw_page())
        old.append(offset_page())
    with CaptureQueriesContext(connection) as captured:
        qs = case_selectors.case_search(user=user, filters=filters)
        paging.keyset_page(qs, cursor=cursor, size=PAGE)
    count_sql, page_sql = captured.captured_queries[-2]["sql"], captured.captured_queries[-1]["sql"]
    plans = {"count": explain(count_sql), "page": explain(page_sql)}
    known = _case_indexes()

    def ms(samples: list[tuple[float, float, float]], part: int, q: float) -> float:
        return round(percentile([s[part] for s in samples], q) * 1000, 2)

    results.add(
        f"cases.list.{who}.{state}.{page}",
        value=ms(orm, 0, 95),
        unit="ms",
        baseline=ms(raw, 0, 95),
        baseline_is="raw SQL by hand: COUNT(*) up to 10,001 rows + the page after (created_at, id) "
        "(same joins), node_path LIKE area% AND state, p95",
        offset_and_full_count_ms={
            "p50": round(percentile(old, 50) * 1000, 2),
            "p95": round(percentile(old, 95) * 1000, 2),
        },
        target=f"p95 < {TARGET_MS:.0f} ms",
        p50=ms(orm, 0, 50),
        baseline_p50=ms(raw, 0, 50),
        count_ms={"p50": ms(orm, 1, 50), "p95": ms(orm, 1, 95)},
        rows_ms={"p50": ms(orm, 2, 50), "p95": ms(orm, 2, 95)},
        raw_count_ms={"p50": ms(raw, 1, 50), "p95": ms(raw, 1, 95)},
        raw_rows_ms={"p50": ms(raw, 2, 50), "p95": ms(raw, 2, 95)},
        user=f"{who}-level ({user.get_username()})",
        filter={"state": state, "area": area.code},
        matched=matched,
        offset=offset,
        samples=rounds,
        cases_on_street=total,
        case_load_seconds=round(load_seconds, 1),
        queries={"count": count_sql, "page": page_sql},
        plans=plans,
        indexes_used={
            k: sorted(name for name in known if re.search(rf"\b{name}\b", p)) for k, p in plans.items()
        },
    )


def _street_count(results: Results, street: Street, rounds: int, total: int) -> None:
    """The count behind page 1 of one state over the whole street (a street cadre's list): it
    runs on every page view, capped at 10,000 rows ("10,000+")."""
    from gongzhi.cases import selectors as case_selectors
    from gongzhi.core import paging

    user = street.street_user
    orm, raw = [], []
    for _ in range(rounds + 1):
        user.__dict__.pop("_gongzhi_scope", None)
        start = time.perf_counter()
        paging.capped_count(case_selectors.case_search(user=user, filters={"state": "closed"}))
        orm.append(time.perf_counter() - start)
        start = time.perf_counter()
        _raw_count(street.root.path, "closed", cap=paging.COUNT_CAP + 1)
        raw.append(time.perf_counter() - start)
    matched = _raw_count(street.root.path, "closed")
    orm, raw = orm[1:], raw[1:]  # the first warms the caches
    results.add(
        "cases.list.street_wide_count",
        value=percentile(orm, 95) * 1000,
        unit="ms",
        baseline=percentile(raw, 95) * 1000,
        baseline_is="raw SELECT COUNT(*) of at most 10,001 rows WHERE node_path LIKE street% AND state, p95",
        what="the count behind page 1 of 'closed cases' for a street cadre, no place filter",
        p50=round(percentile(orm, 50) * 1000, 2),
        matched=matched,
        cases_on_street=total,
        samples=rounds,
    )


def _raw_count(path: str, state: str, cap: int = 0) -> int:
    sql = "SELECT 1 FROM cases_case WHERE node_path LIKE %s AND state = %s" + (f" LIMIT {cap}" if cap else "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matched", [path + "%", state])
        return int(cursor.fetchone()[0])


def _case_indexes() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_case'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_case'")
        return [r[0] for r in cursor.fetchall()]


def _api_list(street: Street, area: Any, rounds: int) -> dict[str, Any]:
    """The API's list page in process: scope, count, page and the serialisation of 50 cases."""
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.api import services as api_services

    _, key = api_services.token_create(user=street.street_user, name="bench-list")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"{API_PATH}?state=closed&node={area.code}&limit={PAGE}"
    reset_queries()  # the request resets the log when it starts; capture from an empty one
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured.captured_queries)  # read now: the next request clears the log
    assert response.status_code == 200, response.content[:300]
    samples, raw = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        _raw_count(area.path, "closed", cap=10_001)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM cases_case WHERE node_path LIKE %s AND state = %s "
                "ORDER BY created_at DESC, id DESC LIMIT 50",
                [area.path + "%", "closed"],
            )
            cursor.fetchall()
        raw.append(time.perf_counter() - start)
    return {
        "p50": round(percentile(samples, 50) * 1000, 2),
        "p95": round(percentile(samples, 95) * 1000, 2),
        "raw_p95": round(percentile(raw, 95) * 1000, 2),
        "queries_per_request": queries,
        "samples": rounds,
    }


# --- 3. the classifier ---------------------------------------------------------------------------


def _classifier(results: Results) -> None:
    from django.core.management import call_command
    from django.test import override_settings

    from gongzhi.cases import classify

    per_category = 400
    out = StringIO()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, override_settings(VAR_DIR=Path(tmp)):
        call_command(
            "train_classifier", "--json", "--source", "demo", f"--per-category={per_category}", f"--seed={SEED}",
            stdout=out,
        )  # fmt: skip
    seconds = time.perf_counter() - start
    figures = json.loads(out.getvalue().strip().splitlines()[-1])

    # The baselines on the very texts the command scored: its held-out texts (the other half
    # of the phrasings, drawn the way classify.train_on_demo draws them) and the eval file's
    # texts of a 小类 (its off-topic texts are scored apart: the share sent to triage).
    training = classify.demo_corpus(SEED, per_category, part=0)
    held = classify.demo_corpus(SEED + 1, max(classify.MIN_PER_CATEGORY, per_category // 4), part=1)
    majority = [code for code, _ in Counter(code for code, _ in training).most_common(3)]
    evaluation = [(c, t) for c, t in classify.eval_set() if c != classify.OFF_TOPIC]
    sets = {
        "split": ([t for _, t in held], [c for c, _ in held]),
        "eval": ([t for _, t in evaluation], [c for c, _ in evaluation]),
    }
    for name, (texts, labels) in sets.items():
        model = figures[name]
        rules = _rule_scores(texts, labels)
        major = _ranked_scores([majority] * len(labels), labels)
        what = (
            "demo texts from the half of the phrasings the model was not fitted on (its calibration set)"
            if name == "split"
            else f"independent eval file (gongzhi/cases/data/EVAL_README.md), {model['n']} texts of a 小类, never used in training"
        )
        targets = {"top1": ">= 0.75", "parent_top1": ">= 0.82", "top3": ">= 0.90"} if name == "eval" else {}
        for metric in ("top1", "parent_top1", "top3"):
            results.add(
                f"cases.classifier.{name}.{metric}",
                value=model[metric],
                unit="share",
                baseline=rules[metric],
                baseline_is="keyword rules (classify.RULES) alone on the same texts",
                majority_class=major[metric],
                majority_is=f"always the training set's most common 小类 ({majority[0]}; top-3: {majority})",
                texts=what,
                n=model["n"],
                target=targets.get(metric, ""),
                training_texts=figures["n"],
                categories=figures["categories"],
                train_seconds=round(seconds, 1),
                ece=model["ece"],
                triage=model["triage"],
                per_voice={
                    voice: {k: f[k] for k in ("n", metric)}
                    for voice, f in model.get("voices", {}).items()
                    if f["n"]
                },
            )
    off_topic = [t for c, t in classify.eval_set() if c == classify.OFF_TOPIC]
    results.add(
        "cases.classifier.eval.off_topic_triaged",
        value=figures["eval"]["off_topic_triaged"],
        unit="share",
        texts=f"the eval file's {len(off_topic)} texts of no category (NONE)",
        baseline=_rules_triaged(off_topic),
        baseline_is="keyword rules alone: triaged when no keyword matches or the top score is below the threshold",
        target="",
    )


def _rules_triaged(texts: Sequence[str]) -> float:
    from gongzhi.cases import classify

    triaged = 0
    for text in texts:
        scores = classify.rule_scores(text)
        triaged += not scores or max(scores.values()) < classify.threshold()
    return triaged / len(texts) if texts else 0.0


def _rule_scores(texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    from gongzhi.cases import classify

    ranked = []
    for text in texts:
        scores = classify.rule_scores(text)
        ranked.append([c for c, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:3]])
    return _ranked_scores(ranked, labels)


def _ranked_scores(ranked: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, float]:
    from gongzhi.cases.classify import PARENTS

    n = len(labels)

    def parent(code: str) -> str:
        return PARENTS.get(code, code[:2])

    return {
        "top1": sum(bool(r) and r[0] == y for r, y in zip(ranked, labels, strict=True)) / n,
        "parent_top1": sum(bool(r) and parent(r[0]) == parent(y) for r, y in zip(ranked, labels, strict=True))
        / n,
        "top3": sum(y in r[:3] for r, y in zip(ranked, labels, strict=True)) / n,
    }
