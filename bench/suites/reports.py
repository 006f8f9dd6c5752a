"""Reports on a street of 1,000,000 cases: the command centre's KPIs, a weekly report, the
streamed CSV of every case, and the rollup that keeps the KPI tables.

1. The street and its cases come from the cases suite (`cases._build_street`, `_bulk_cases`:
   31 areas, 3 years, states by age); when that suite ran first in the same run, its street is
   reused. Each case then gets the events its state implies, written in SQL from the case rows
   (create with the routed post; register, dispatch and accept for cases past dispatch; submit
   and verify at the closing time for closed ones; a rating where the case holds one), so the
   KPI tables are built from events exactly as in use.
2. Rollup: `reports.rollup.rebuild()` derives every case's facts and the daily totals
   (cases/s), beside the time to read the same events and cases with raw SQL.
3. Dashboard: `reports.dashboard.dashboard()` for the street (KPIs, trend, category mix,
   rankings of areas and units, open counts) for this month and for the last year, p50/p95
   over rounds, beside raw SQL computing the closure rates for the same period straight from
   the cases table (what one would write without the tables). The KPI page's full set
   (`kpi_set`: every KPI, the exact median and p90 time to close) for the same periods, beside
   raw SQL sorting the period's closures in the cases table for the same two percentiles.
4. Weekly report: `reports.services.report_generate(kind="weekly")` for the street and one
   area (ms), beside the raw SQL counting the week's cases by category.
5. CSV export: `cases.exports.case_csv` for a street cadre, all 1,000,000 rows, in a child
   process: rows/s beside raw SQL reading the same columns, and the process's peak resident
   memory beside the same process's before the first row.
"""

import math
import os
import time
from datetime import timedelta
from typing import Any

from django.db import connection, transaction

from bench.measure import Results, load_average, no_query_log, percentile
from bench.suites import cases as case_suite

NAME = "reports"
TARGET_DASHBOARD_MS = 150.0  # docs/design.md §6


def run(results: Results, options: dict[str, Any]) -> None:
    with no_query_log():
        street = _street(options)
        _events(results, street)
        _rollup(results)
        _dashboard(results, street, int(options.get("list_rounds", 30)))
        _weekly(results, street)
        _csv(results, street)


def _street(options: dict[str, Any]) -> case_suite.Street:
    from gongzhi.cases.models import Case

    street = case_suite.LAST_STREET or case_suite._build_street()
    wanted = int(options.get("cases", 1_000_000))
    have = Case.objects.filter(node_path__startswith=street.root.path).count()
    seconds, loaded = case_suite._bulk_cases(street, max(0, wanted - have))
    print(f"  street {case_suite.STREET}: {have + loaded:,} cases ({loaded:,} loaded in {seconds:.1f} s)")
    return street


# --- 1. events from the case rows ------------------------------------------------------------------


def _events(results: Results, street: case_suite.Street) -> None:
    """The events each case's state implies, in set-based SQL (one statement per step)."""
    pg = connection.vendor == "postgresql"
    like = street.root.path + "%"

    def plus(column: str, hours: int) -> str:
        return f"{column} + interval '{hours} hours'" if pg else f"datetime({column}, '+{hours} hours')"

    post = "json_build_object('post', p.code)::jsonb" if pg else "json_object('post', p.code)"
    past_dispatch = (
        "('dispatched','in_progress','awaiting_verification','closed','parked','escalated','returned')"
    )
    steps = [
        (1, "create", "''", "'received'", "c.created_at", post, "TRUE"),
        (2, "register", "'received'", "'registered'", plus("c.created_at", 1), "'{}'", "c.state <> 'received'"),
        (3, "dispatch", "'registered'", "'dispatched'", plus("c.created_at", 2), post, f"c.state IN {past_dispatch}"),
        (4, "accept", "'dispatched'", "'in_progress'", plus("c.created_at", 3), "'{}'",
         "c.state IN ('in_progress','awaiting_verification','closed','parked')"),
        (5, "submit", "'in_progress'", "'awaiting_verification'", "COALESCE(c.closed_at, " + plus("c.created_at", 4) + ")",
         "'{}'", "c.state IN ('awaiting_verification','closed')"),
        (6, "verify", "'awaiting_verification'", "'closed'", "c.closed_at", "'{}'", "c.state = 'closed' AND c.closed_at IS NOT NULL"),
        (7, "rate", "'closed'", "'closed'", plus("c.closed_at", 24), "'{}'", "c.state = 'closed' AND c.satisfaction <> ''"),
    ]  # fmt: skip
    start = time.perf_counter()
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # the bulk-loaded cases have ids above every case that already has events (intake's)
        cursor.execute("SELECT COALESCE(MAX(case_id), 0) FROM cases_caseevent")
        after = cursor.fetchone()[0]
        for seq, action, src, dst, at, data, where in steps:
            cursor.execute(
                "INSERT INTO cases_caseevent (case_id, seq, action, from_state, to_state, actor_id, at, note, data) "
                f"SELECT c.id, {seq}, '{action}', {src}, {dst}, NULL, {at}, '', {data} "
                "FROM cases_case c LEFT JOIN orgs_post p ON p.id = c.post_id "
                f"WHERE c.node_path LIKE %s AND c.id > %s AND ({where})",
                [like, after],
            )
            written += cursor.rowcount
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_caseevent")
    seconds = time.perf_counter() - start
    print(f"  wrote {written:,} events in {seconds:.1f} s")
    results.run.setdefault("reports", {})["events_written"] = {
        "events": written,
        "seconds": round(seconds, 1),
    }


# --- 2. the rollup -------------------------------------------------------------------------------------


def _rollup(results: Results) -> None:
    from gongzhi.reports import rollup
    from gongzhi.reports.models import CategoryTotal, DayTotal, Fact

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    start = time.perf_counter()
    with connection.cursor() as cursor:  # the baseline: read what the rollup reads, nothing more
        cursor.execute(
            "SELECT id, node_path, created_at, state, dispatch_due, handle_due, satisfaction FROM cases_case"
        )
        while cursor.fetchmany(10_000):
            pass
        cursor.execute("SELECT case_id, seq, action, at, data FROM cases_caseevent ORDER BY case_id, seq")
        while cursor.fetchmany(10_000):
            pass
    raw = time.perf_counter() - start
    load_start = load_average()
    start = time.perf_counter()
    progress = rollup.rebuild()
    seconds = time.perf_counter() - start
    print(f"  rollup: {progress} in {seconds:.1f} s")
    if connection.vendor == "postgresql":  # as autovacuum soon would: plans need the statistics
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reports_fact")
            cursor.execute("VACUUM ANALYZE reports_daytotal")
            cursor.execute("VACUUM ANALYZE reports_categorytotal")
    results.add(
        "reports.rollup.rate",
        value=cases / seconds,
        unit="cases/s",
        baseline=cases / raw,
        baseline_is="raw SQL reading the same case rows and events, cases/s",
        seconds=round(seconds, 1),
        cases=cases,
        facts=Fact.objects.count(),
        day_totals=DayTotal.objects.count(),
        category_totals=CategoryTotal.objects.count(),
        load_average=[load_start, load_average()],
    )


# --- 3. the dashboard ---------------------------------------------------------------------------------


def _dashboard(results: Results, street: case_suite.Street, rounds: int) -> None:
    from gongzhi.reports import dashboard as dash
    from gongzhi.reports import kpis, periods
    from gongzhi.reports.subjects import node_subject

    subject = node_subject(street.root)
    today = periods.today()
    for name, period in (
        ("month", periods.this_month()),
        ("year", periods.Period(today - timedelta(days=364), today + timedelta(days=1))),
    ):
        dash.dashboard(subject, period, keep=False)  # warm
        _raw_rates(street, period)
        samples, tiles, raw = [], [], []
        load_start = load_average()
        for _ in range(rounds):
            start = time.perf_counter()
            kpis.kpi_set(subject, period, only=dash.TILES)
            tiles.append(time.perf_counter() - start)
            start = time.perf_counter()
            board = dash.dashboard(subject, period, keep=False)
            samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            _raw_rates(street, period)
            raw.append(time.perf_counter() - start)
        results.add(
            f"reports.dashboard_kpis.{name}",
            value=percentile(tiles, 95) * 1000,
            unit="ms",
            baseline=percentile(raw, 95) * 1000,
            baseline_is="raw SQL: received, closed and closed-on-time counts of the period straight from "
            "cases_case (no rollup), p95",
            target=f"< {TARGET_DASHBOARD_MS:.0f} ms",
            what="the command centre's KPI tiles (kpi_set with the six tile KPIs), p95",
            p50=round(percentile(tiles, 50) * 1000, 1),
            period=str(period),
            samples=rounds,
        )
        results.add(
            f"reports.dashboard.{name}",
            value=percentile(samples, 95) * 1000,
            unit="ms",
            baseline=percentile(raw, 95) * 1000,
            baseline_is="raw SQL: received, closed and closed-on-time counts of the period straight from "
            "cases_case (no rollup), p95",
            what="the whole command centre: tiles, open counts by state, trend, category mix, both rankings",
            p50=round(percentile(samples, 50) * 1000, 1),
            period=str(period),
            received=board.kpis.counts.get("received"),
            closed=board.kpis.counts.get("closed"),
            open=board.open_now,
            samples=rounds,
            load_average=[load_start, load_average()],
        )
        print(
            f"  dashboard {name}: p95 {percentile(samples, 95) * 1000:.1f} ms (raw {percentile(raw, 95) * 1000:.1f} ms)"
        )
        _kpi_page(results, street, subject, name, period, rounds)


def _kpi_page(
    results: Results, street: case_suite.Street, subject: Any, name: str, period: Any, rounds: int
) -> None:
    """The KPI page's figures: the full kpi_set, and its two exact percentiles on their own."""
    from gongzhi.reports import kpis

    full = kpis.kpi_set(subject, period)  # warm
    _raw_percentiles(street, period)
    samples, exact, raw = [], [], []
    load_start = load_average()
    for _ in range(rounds):
        start = time.perf_counter()
        full = kpis.kpi_set(subject, period)
        samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        for p in (0.5, 0.9):
            kpis.percentile_hours(subject, period, p, full.counts)
        exact.append(time.perf_counter() - start)
        start = time.perf_counter()
        expected = _raw_percentiles(street, period)
        raw.append(time.perf_counter() - start)
    found = (full["close_hours_median"].value, full["close_hours_p90"].value)
    common: dict[str, Any] = {
        "baseline": percentile(raw, 95) * 1000,
        "baseline_is": "raw SQL: the period's closures in cases_case sorted for the exact median and p90 "
        "(nearest rank), p95",
        "period": str(period),
        "samples": rounds,
        "closed": full.counts["closed"],
        "median_p90": found,
        "raw_median_p90": expected,
        "load_average": [load_start, load_average()],
    }
    results.add(
        f"reports.kpi_page.{name}",
        value=percentile(samples, 95) * 1000,
        unit="ms",
        what="the KPI page's figures (kpi_set: every KPI, exact median and p90, backlog, meetings), p95",
        p50=round(percentile(samples, 50) * 1000, 1),
        **common,
    )
    results.add(
        f"reports.percentiles.{name}",
        value=percentile(exact, 95) * 1000,
        unit="ms",
        what="the exact median and p90 time to close (kpis.percentile_hours, both), p95",
        p50=round(percentile(exact, 50) * 1000, 1),
        **common,
    )
    print(
        f"  KPI page {name}: p95 {percentile(samples, 95) * 1000:.1f} ms, percentiles {percentile(exact, 95) * 1000:.1f} ms"
        f" (raw {percentile(raw, 95) * 1000:.1f} ms); median/p90 {found}, raw {expected}"
    )


def _raw_percentiles(street: case_suite.Street, period: Any) -> tuple[float | None, ...]:
    """The exact median and p90 hours to close of the period's closures, from cases_case alone."""
    hours = "EXTRACT(EPOCH FROM closed_at - created_at) / 3600.0"
    if connection.vendor != "postgresql":
        hours = "(julianday(closed_at) - julianday(created_at)) * 24.0"
    where = "node_path LIKE %s AND state = 'closed' AND closed_at >= %s AND closed_at < %s"
    params = [street.root.path + "%", period.since, period.until]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM cases_case WHERE {where}", params)
        n = cursor.fetchone()[0]
        out: list[float | None] = []
        for p in (0.5, 0.9):
            if not n:
                out.append(None)
                continue
            rank = max(1, math.ceil(p * n))
            cursor.execute(
                f"SELECT {hours} AS h FROM cases_case WHERE {where} ORDER BY h LIMIT 1 OFFSET %s",
                [*params, rank - 1],
            )
            out.append(round(float(cursor.fetchone()[0]), 1))
    return tuple(out)


def _raw_rates(street: case_suite.Street, period: Any) -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN closed_at <= handle_due THEN 1 ELSE 0 END) FROM cases_case "
            "WHERE node_path LIKE %s AND created_at >= %s AND created_at < %s",
            [street.root.path + "%", period.since, period.until],
        )
        return tuple(cursor.fetchone())


# --- 4. the weekly report ----------------------------------------------------------------------------


def _weekly(results: Results, street: case_suite.Street) -> None:
    from gongzhi.reports import periods, services

    last_week = periods.today() - timedelta(days=7)
    week = periods.week_of(last_week)
    for who, node in (("street", street.root), ("area", street.areas[0])):
        services.report_generate(kind="weekly", node=node, start=week.start)  # warm (and stored)
        samples, raw = [], []
        for _ in range(5):
            start = time.perf_counter()
            services.report_generate(kind="weekly", node=node, start=week.start)
            samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT category_id, COUNT(*) FROM cases_case WHERE node_path LIKE %s AND created_at >= %s "
                    "AND created_at < %s GROUP BY category_id",
                    [node.path + "%", week.since, week.until],
                )
                cursor.fetchall()
            raw.append(time.perf_counter() - start)
        results.add(
            f"reports.weekly.{who}",
            value=percentile(samples, 50) * 1000,
            unit="ms",
            baseline=percentile(raw, 50) * 1000,
            baseline_is="raw SQL: the week's new cases by category, p50",
            week=str(week),
            node=node.code,
            samples=5,
        )
        print(f"  weekly report {who}: p50 {percentile(samples, 50) * 1000:.0f} ms")


# --- 5. the CSV of every case --------------------------------------------------------------------------


def _csv(results: Results, street: case_suite.Street) -> None:
    """The export runs in a child process (the same settings and database), so its peak
    resident memory is its own: measured before the first row and at the end."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django, json, sys, time\n"
        "django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.db import transaction\n"
        "from gongzhi.cases.exports import case_csv\n"
        "user = get_user_model().objects.get(pk=int(sys.argv[1]))\n"
        "def hwm():\n"
        "    # VmHWM starts afresh with this program; ru_maxrss would carry the parent's peak over exec\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1])\n"
        "before = hwm()\n"
        "size = lines = 0\n"
        "start = time.perf_counter()\n"
        "with transaction.atomic():\n"
        "    for piece in case_csv(user=user):\n"
        "        size += len(piece); lines += piece.count(b'\\n')\n"
        "seconds = time.perf_counter() - start\n"
        "after = hwm()\n"
        "print(json.dumps({'rows': lines - 1, 'bytes': size, 'seconds': seconds, 'rss_before_kb': before, 'rss_peak_kb': after}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "PII_HASH_KEY": settings.PII_HASH_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-c", code, str(street.street_user.pk)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.created_at, c.state, c.text, c.contact_phone_masked, n.name, k.name FROM cases_case c "
            "JOIN geo_node n ON n.id = c.node_id LEFT JOIN orgs_category k ON k.id = c.category_id "
            "WHERE c.node_path LIKE %s ORDER BY c.created_at DESC, c.id DESC",
            [street.root.path + "%"],
        )
        raw_rows = 0
        while batch := cursor.fetchmany(2000):
            raw_rows += len(batch)
    raw = time.perf_counter() - start
    rows, seconds = out["rows"], out["seconds"]
    results.add(
        "reports.csv.rate",
        value=rows / seconds,
        unit="rows/s",
        baseline=raw_rows / raw,
        baseline_is="raw SQL reading the same rows and joins, unformatted, rows/s",
        rows=rows,
        megabytes=round(out["bytes"] / 1e6, 1),
        seconds=round(seconds, 1),
    )
    results.add(
        "reports.csv.peak_memory",
        value=out["rss_peak_kb"] / 1024,
        unit="MB",
        baseline=out["rss_before_kb"] / 1024,
        baseline_is="the same process's peak resident memory before the first row (Django loaded), MB",
        file_megabytes=round(out["bytes"] / 1e6, 1),
        rows=rows,
    )
    print(
        f"  CSV: {rows:,} rows at {rows / seconds:,.0f} rows/s; peak RSS {out['rss_peak_kb'] / 1024:.0f} MB "
        f"(before {out['rss_before_kb'] / 1024:.0f} MB) for a {out['bytes'] / 1e6:.0f} MB file"
    )
