"""The scale suite's HTTP phases (bench/suites/scale.py, steps 1, 4 and 5): the app under
gunicorn with one Celery worker on the real broker, as deployed.

- the command centres and lists over HTTP, alone;
- intake through the batch door alone (its outbox drained by the worker as the kicks arrive:
  the outbox baseline), then under the read mix;
- the same intake with the app's broker on a closed port (every kick fails, every message stays
  pending), then the broker answering again and the real dispatcher draining the backlog.

The broker is a Redis database of its own (`--scale-broker`, default db 14 on 127.0.0.1:6379),
emptied of this suite's queues first, so another helper's worker never takes these tasks.
"""

import math
import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection

from bench import district as district_mod
from bench.load import Load, post_all
from bench.measure import Results, load_average, percentile
from bench.pages import ms
from bench.server import gunicorn
from bench.suites import cases as case_suite
from bench.suites import scale

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the outage, as test_outage.py
BEAT_LIMIT = 500  # messages one dispatch pass sends (notify.dispatch.dispatch_pending's limit)
BEAT_SECONDS = 60  # the beat sends the dispatch task every minute (CELERY_BEAT_SCHEDULE)


def run(results: Results, district: district_mod.District, options: dict[str, Any]) -> None:
    workers = int(options.get("workers", 4))
    broker = str(options.get("scale_broker", "redis://127.0.0.1:6379/14"))
    total = int(options.get("scale_intake", 3000))
    batch = int(options.get("scale_batch", 50))
    clients = int(options.get("scale_intake_clients", 4))
    readers = int(options.get("scale_readers", 4))
    rounds = int(options.get("scale_rounds", 20))
    keys = _tokens(district)
    _purge(broker)
    cache = str(options.get("scale_cache", "redis://127.0.0.1:6379/13"))
    _flush_cache(cache)
    _collectstatic()
    with _worker(broker, int(options.get("scale_worker_concurrency", 1))) as worker:
        with gunicorn(workers, 1, {"CELERY_BROKER_URL": broker, "REDIS_URL": cache}) as (host, port, server):
            urls = scale.reader_urls(district)
            quiet = _quiet_pages(results, host, port, urls, rounds, workers)
            _read_rate(
                results, host, port, urls, readers, server, float(options.get("scale_read_seconds", 15))
            )
            if options.get("scale_pages_only"):
                return
            warm = _last_message_id()  # every worker's first batches (imports, caches) untimed
            _post_all(host, port, _batches(district, keys, batch * clients * 2, batch, "WARM"), clients)
            _wait_drained(warm)
            mark = _last_message_id()
            cpu = case_suite._cpu_snapshot(server)
            start = time.perf_counter()
            alone = _post_all(host, port, _batches(district, keys, total, batch, "ALONE"), clients)
            ended = time.perf_counter()
            alone.cpu = case_suite._cpu_used(cpu, case_suite._cpu_snapshot(server), max(alone.created, 1))
            drained = _wait_drained(mark) - start
            baseline_outbox = _outbox_check(mark)
            mix_mark = _last_message_id()
            cpu = case_suite._cpu_snapshot(server)
            mixed, reads, _ = _with_readers(
                host,
                port,
                urls,
                readers,
                lambda: _post_all(host, port, _batches(district, keys, total, batch, "MIX"), clients),
            )
            mixed.cpu = case_suite._cpu_used(cpu, case_suite._cpu_snapshot(server), 1)
            _wait_drained(mix_mark)
        _intake_figures(results, alone, mixed, reads, quiet, workers, clients, readers, batch, district)
        # the outage: the app cannot reach the broker; the worker waits on the live one
        outage_mark = _last_message_id()
        with gunicorn(workers, 1, {"CELERY_BROKER_URL": DEAD_BROKER, "REDIS_URL": cache}) as (host, port, _):
            down = _post_all(host, port, _batches(district, keys, total, batch, "OUTAGE"), clients)
            time.sleep(2)  # the last requests' kicks (after their responses) have failed by now
        pending = _outbox_check(outage_mark)
        passes = math.ceil(pending["messages"] / BEAT_LIMIT) + 1
        cpu = case_suite._cpu_snapshot(worker)
        back = time.perf_counter()
        _send_dispatch(broker, passes)
        caught_up = _wait_drained(outage_mark) - back
        after = _outbox_check(outage_mark)
        worker_cpu = case_suite._cpu_used(cpu, case_suite._cpu_snapshot(worker), max(after["sent"], 1))
    messages = after["messages"]
    rate = messages / caught_up if caught_up else 0.0
    results.add(
        "scale.outbox.catch_up_rate",
        value=rate,
        unit="messages/s",
        baseline=baseline_outbox["messages"] / drained if drained else 0.0,
        baseline_is="the same intake with the broker up all along: its messages over the time from the "
        "first request until the worker had sent the last (kicks after each commit)",
        what="messages sent per second after the broker answers again: pending rows of an intake made "
        "while the app's broker was on a closed port, drained by one Celery worker running "
        f"notify.dispatch_outbox ({passes} passes sent through the broker, as the beat and the kicks send "
        f"them; one pass sends at most {BEAT_LIMIT})",
        seconds=round(caught_up, 2),
        baseline_seconds=round(drained, 2),
        baseline_tail_after_intake_s=round(drained - (ended - start), 2),
        beat_only_ceiling=f"{BEAT_LIMIT / BEAT_SECONDS:.1f} messages/s: with no fresh kick, the beat's one pass "
        f"a minute sends {BEAT_LIMIT}",
        outage_intake={"answers": down.answers(), "cases_per_s": round(down.created / down.seconds, 1)},
        pending_before=pending,
        after=after,
        exactly_once=after["sent"] == pending["messages"] == pending["pending"]
        and after["duplicate_deliveries"] == 0
        and after["duplicate_inbox_items"] == 0,
        baseline_check=baseline_outbox,
        worker_concurrency=int(options.get("scale_worker_concurrency", 1)),
        cpu_per_message=worker_cpu,  # "server" here: the Celery worker's processes
        load_average=load_average(),
    )


# --- the broker and the worker ----------------------------------------------------------------------


def _child_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "PII_HASH_KEY": settings.PII_HASH_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


def _collectstatic() -> None:
    """The pages under DEBUG off need the static files' manifest (as scripts/stack.sh does)."""
    cli = str(Path(sys.executable).parent / "gongzhi")
    subprocess.run(
        [cli, "collectstatic", "--noinput"], env=_child_env(), check=True, stdout=subprocess.DEVNULL
    )


def _purge(broker: str) -> None:
    import redis
    from django.conf import settings

    queues = [q.name for q in settings.CELERY_TASK_QUEUES]
    redis.Redis.from_url(broker).delete(*queues)


def _flush_cache(url: str) -> None:
    """The app's cache (REDIS_URL, as scripts/stack.sh sets it) is a Redis database of the suite's
    own: emptied first, so nothing a former run cached under the same keys is served."""
    import redis

    redis.Redis.from_url(url).flushdb()


@contextmanager
def _worker(broker: str, concurrency: int) -> Iterator[int]:
    """`celery -A config worker -Q notify` on the bench database and `broker`, until the block ends."""
    from django.conf import settings

    from bench.db import BENCH_DB

    log_path = Path(settings.VAR_DIR) / "bench" / f"{BENCH_DB}-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "notify", "-c", str(concurrency)]
    cmd += ["-n", f"{BENCH_DB}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=case_suite.BASE_DIR,
            env=_child_env(CELERY_BROKER_URL=broker),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while " ready." not in log_path.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not start; see {log_path}")
                time.sleep(0.3)
            yield proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _send_dispatch(broker: str, passes: int) -> None:
    """What the beat's entry sends (the task by name, routed to the notify queue), `passes` times."""
    from config import celery_app
    from gongzhi.core.outbox import DISPATCH_TASK

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = broker
    try:
        with celery_app.connection_for_write() as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "task_always_eager has no effect on send_task": as meant
            for _ in range(passes):
                celery_app.send_task(DISPATCH_TASK, connection=conn)
    finally:
        celery_app.conf.broker_url = previous


# --- the outbox -------------------------------------------------------------------------------------


def _last_message_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_outboxmessage")
        return int(cursor.fetchone()[0])


def _wait_drained(after: int, within: float = 1800.0) -> float:
    """time.perf_counter() when no message above id `after` is due any more (pending or failed)."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM core_outboxmessage WHERE id > %s AND status IN ('pending', 'failed')",
                [after],
            )
            if cursor.fetchone()[0] == 0:
                return time.perf_counter()
        time.sleep(0.05)
    raise RuntimeError(f"the outbox did not drain within {within:.0f} s")


def _outbox_check(after: int) -> dict[str, int]:
    """The messages above id `after` by status, and whether any was delivered twice."""
    from gongzhi.notify.models import Delivery, InboxItem

    delivery, inbox = Delivery._meta.db_table, InboxItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'pending'), COUNT(*) FILTER (WHERE status = 'sent'), "
            "COUNT(*) FILTER (WHERE status NOT IN ('pending', 'sent')), COUNT(*) FILTER (WHERE attempts > 1), "
            "COUNT(*) FILTER (WHERE recipient_id IS NOT NULL) FROM core_outboxmessage WHERE id > %s",
            [after],
        )
        messages, pending, sent, other, retried, personal = cursor.fetchone()
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT message_id, channel_key FROM {delivery} WHERE ok AND message_id > %s "
            "GROUP BY 1, 2 HAVING COUNT(*) > 1) AS twice",
            [after],
        )
        duplicate_deliveries = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT message_id) FROM {inbox} WHERE message_id > %s", [after]
        )
        items, distinct = cursor.fetchone()
    return {
        "messages": messages,
        "pending": pending,
        "sent": sent,
        "failed_or_dead": other,
        "retried": retried,
        "personal": personal,
        "inbox_items": items,
        "duplicate_deliveries": duplicate_deliveries,
        "duplicate_inbox_items": items - distinct,
    }


# --- intake over HTTP --------------------------------------------------------------------------------


def _tokens(district: district_mod.District) -> dict[str, str]:
    """An API token per street, of the street's cadre (a street's own hotline bridge)."""
    from gongzhi.api import services as api_services

    return {
        s.root.code: api_services.token_create(user=s.street_user, name="scale")[1] for s in district.streets
    }


def _batches(
    district: district_mod.District, keys: dict[str, str], total: int, size: int, prefix: str
) -> list[tuple[str, bytes]]:
    """(token, body) of `total` cases in batches of `size`, the streets taking turns."""
    import json
    import random

    rng = random.Random(f"{case_suite.SEED}-{prefix}")
    texts = case_suite._texts(20)
    codes = sorted(texts)
    out = []
    for b in range(math.ceil(total / size)):
        street = district.streets[b % len(district.streets)]
        items = []
        for i in range(b * size, min(total, (b + 1) * size)):
            code = rng.choice(codes)
            items.append(
                {
                    "node": rng.choice(street.buildings).code,
                    "text": rng.choice(texts[code]),
                    "category": code,
                    "contact_phone": f"139{rng.randrange(10**8):08d}",
                    "external_id": f"{prefix}-{i:07d}",
                }
            )
        out.append((keys[street.root.code], json.dumps({"cases": items}, ensure_ascii=False).encode()))
    return out


def _post_all(host: str, port: int, items: list[tuple[str, bytes]], clients: int) -> Load:
    """POST each (key, body) once to the batch door from `clients` threads."""
    return post_all(host, port, f"{case_suite.API_PATH}/batch", items, clients, timeout=120)


def _with_readers(
    host: str, port: int, urls: list[tuple[str, str, str]], readers: int, work: Any
) -> tuple[Any, scale.Timings, float]:
    """Run `work()` while `readers` threads loop over the read mix: its result, the readers'
    timings merged, and the seconds the readers ran."""
    stop = threading.Event()
    found: list[scale.Timings] = []

    def reader(seed: int) -> None:
        found.append(scale.read_mix(host, port, urls, stop, seed))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(1.0)  # the readers are under way before the first write
    try:
        result = work()
    finally:
        stop.set()
        for t in threads:
            t.join()
    ran = time.perf_counter() - began
    merged = scale.Timings()
    for t in found:
        for name, samples in t.by_name.items():
            merged.by_name.setdefault(name, []).extend(samples)
        merged.statuses.update(t.statuses)
    return result, merged, ran


def _read_rate(
    results: Results,
    host: str,
    port: int,
    urls: list[tuple[str, str, str]],
    readers: int,
    server: int,
    seconds: float,
) -> None:
    """The read mix alone, `readers` threads for `seconds`: what this app server serves, and the
    CPU each read costs (gunicorn and PostgreSQL), beside the same threads on /healthz."""
    cpu = case_suite._cpu_snapshot(server)
    _, reads, ran = _with_readers(host, port, urls, readers, lambda: time.sleep(seconds))
    count = sum(len(v) for v in reads.by_name.values())
    used = case_suite._cpu_used(cpu, case_suite._cpu_snapshot(server), max(count, 1))
    _, floor, floor_ran = _with_readers(
        host, port, [("healthz", "/healthz", "")], readers, lambda: time.sleep(5)
    )
    floor_count = len(floor.by_name.get("healthz", []))
    results.add(
        "scale.reads.rate",
        value=count / ran,
        unit="requests/s",
        baseline=floor_count / floor_ran,
        baseline_is=f"the same {readers} threads on GET /healthz (the server's floor), requests/s",
        what=f"the read mix alone ({readers} threads looping over both command centres and the three lists "
        f"for {seconds:.0f} s): requests/s this app server answers",
        per_page={
            name: {"requests": len(v), "p95_ms": scale.p95_ms(v)} for name, v in sorted(reads.by_name.items())
        },
        answers=dict(sorted((str(k), v) for k, v in reads.statuses.items())),
        cpu_per_read=used,
        load_average=load_average(),
    )


# --- pages over HTTP, alone --------------------------------------------------------------------------


def _quiet_pages(
    results: Results, host: str, port: int, urls: list[tuple[str, str, str]], rounds: int, workers: int
) -> dict[str, list[float]]:
    """Each page of the mix over HTTP, one client, `rounds` times beside /healthz."""
    out: dict[str, list[float]] = {}
    floor: list[float] = []
    conn = None
    for name, url, cookie in urls:
        for _ in range(2):  # warm: the worker's templates and caches
            conn, status, _ = scale.get(conn, host, port, url, cookie)
            assert status == 200, (url, status)
        samples = []
        load_start = load_average()
        for _ in range(rounds):
            conn, status, seconds = scale.get(conn, host, port, url, cookie)
            assert status == 200, (url, status)
            samples.append(seconds)
            conn, status, seconds = scale.get(conn, host, port, "/healthz", "")
            floor.append(seconds)
        out[name] = samples
        district = name == "command_centre.district"
        base = out["command_centre.street"] if district else floor
        results.add(
            f"scale.page.{name}",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="the same page for one street, p95"
            if district
            else "GET /healthz on the same server, p95",
            target=_target(name),
            what=f"GET {url} over HTTP (gunicorn, {workers} sync workers, DEBUG off), one client, alone",
            p50=ms(samples, 50),
            samples=rounds,
            load_average=[load_start, load_average()],
        )
    out["healthz"] = floor
    return out


def _intake_figures(
    results: Results,
    alone: Load,
    mixed: Load,
    reads: scale.Timings,
    quiet: dict[str, list[float]],
    workers: int,
    clients: int,
    readers: int,
    batch: int,
    district: district_mod.District,
) -> None:
    from gongzhi.cases.models import Case

    written = {p: Case.objects.filter(external_id__startswith=f"{p}-").count() for p in ("ALONE", "MIX")}
    reads_total = sum(len(s) for s in reads.by_name.values())
    results.add(
        "scale.intake.under_mix",
        value=mixed.created / mixed.seconds,
        unit="cases/s",
        baseline=alone.created / alone.seconds,
        baseline_is="the same intake through the batch door with no reader",
        what=f"POST /api/v1/cases/batch ({batch} cases a request, {clients} clients, the streets taking turns) "
        f"while {readers} reader threads loop over both command centres and the three lists",
        p99_ms=round(percentile(mixed.latencies, 99) * 1000, 1),
        baseline_p99_ms=round(percentile(alone.latencies, 99) * 1000, 1),
        answers=mixed.answers(),
        baseline_answers=alone.answers(),
        no_lost_writes=written["MIX"] == mixed.created and written["ALONE"] == alone.created,
        cases_written=written,
        reads={
            "seconds": round(mixed.seconds, 1),
            "requests": reads_total,
            "per_s": round(reads_total / mixed.seconds, 1),
            "answers": dict(sorted((str(k), v) for k, v in reads.statuses.items())),
        },
        cpu_per_case_alone=alone.cpu,
        cpu_whole_mix_phase=mixed.cpu,
        gunicorn={"workers": workers, "worker_class": "sync"},
        celery_worker="one, -Q notify, draining the outbox as the kicks arrive",
        load_average=load_average(),
        errors=(mixed.errors + alone.errors)[:5],
    )
    for name, samples in sorted(reads.by_name.items()):
        base = quiet.get(name, [])
        results.add(
            f"scale.mix.{name}",
            value=scale.p95_ms(samples),
            unit="ms",
            baseline=scale.p95_ms(base),
            baseline_is="the same page over HTTP alone, one client (scale.page.* and the quiet run), p95",
            what=f"p95 of this page under the mix: {readers} readers while intake runs at "
            f"{mixed.created / mixed.seconds:.0f} cases/s",
            target=_target(name),
            p50=round(percentile(samples, 50) * 1000, 1) if samples else None,
            requests=len(samples),
            streets=len(district.streets),
        )


def _target(name: str) -> str:
    if name == "command_centre.district":
        return f"p95 < {scale.TARGET_DISTRICT_MS:.0f} ms"
    if name.startswith("command_centre"):
        return f"p95 < {scale.TARGET_STREET_MS:.0f} ms"
    if name.startswith("list."):
        return f"p95 < {scale.TARGET_LIST_MS:.0f} ms"
    return "none set (issue 17 sets none for the home and case pages)"
