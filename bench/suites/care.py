"""Care (issue 14): ingestion through both doors, the rule pass, and an SOS to the outbox.

The world: a street of `--care-subjects` watched subjects (100,000), one household each, in
areas of 5,000 households, each with a grid worker's post; every subject enrolled with consent
for all signals (the `signals` column the consent service sets; no Consent rows, no scanned
forms), a door sensor, a water meter and a power meter bound, and last-seen rows for the three
signals. A small share is silent, measured from `sweep_at`, a daytime moment (quiet hours hold
the silence rules at night). Written with bulk_create: the benchmark reads the world, it
never edits it through the services.

1. Rule pass (`care.rules.sweep`) over the whole street: the first pass (which opens the alerts)
   and the steady state (every later pass: the same candidates, their alerts already open).
   Baseline: one raw SQL statement selecting the same candidates from the last-seen table.
2. Ingestion, the service alone (`care.ingest.ingest`, batches of `--care-batch`, one thread,
   in process). Baseline: COPY of the same event rows into care_event.
3. Ingestion over HTTP: gunicorn (`--workers` sync workers, DEBUG off) and `--care-clients`
   threads POST /api/v1/care/events with a gateway token, `--care-batch` events a request.
   Stored events must equal events sent. Baseline: the same COPY; multi-row INSERTs of 1,000
   rows, one commit each, in the details.
4. Ingestion over MQTT: `--care-consumers` `gongzhi care_consume` processes on the local broker
   (127.0.0.1:1883, a topic root and share group of their own for this run), one publisher
   sending `--care-mqtt-events` events at QoS 1, `--care-per-message` events a message. Time
   from the first publish to the last event stored; stored must equal sent. Baseline: the same
   messages through bare paho subscribers on the same shared subscription that only
   acknowledge (the broker and client's ceiling, no database).
5. SOS → outbox: `--care-sos` SOS presses, one at a time, each from a different subject: over
   HTTP (the answer comes after the commit that wrote the alert and its outbox rows) and over
   MQTT (the publisher polls for the alert's notification). Baseline: INSERT event, alert and
   outbox row by hand in one transaction.
"""

import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from bench.measure import Results, load_average, no_query_log, percentile

NAME = "care"
SEED = 2026
STREET = "CB"
PER_AREA = 5000
PER_BUILDING = 100
EVENTS_PATH = "/api/v1/care/events"
TARGET_HTTP = 50_000.0  # events/s, issue 14
TARGET_MQTT = 20_000.0
TARGET_SWEEP_S = 1.0
TARGET_SOS_S = 1.0
SILENT = {"door": 0.01, "power": 0.005, "water": 0.005, "leak": 0.0005, "visit": 0.002}
MIX: dict[str, float] = {"door": 0.5, "water_meter": 0.3, "power_meter": 0.2}  # sensor events in a stream
BASE_DIR = Path(__file__).resolve().parents[2]


def run(results: Results, options: dict[str, Any]) -> None:
    subjects = int(options.get("care_subjects", 100_000))
    with no_query_log():
        start = time.perf_counter()
        world = _build_world(subjects, sos=int(options.get("care_sos", 200)))
        print(f"  world: {subjects} subjects in {time.perf_counter() - start:.1f} s", flush=True)
        planned = sum(
            int(options.get(k, 0)) for k in ("care_service_events", "care_http_events", "care_mqtt_events")
        )
        world.step = min(timedelta(milliseconds=10), timedelta(hours=2.5) / max(1, int(planned * 1.2)))
        _rule_pass(results, world, int(options.get("care_rounds", 10)))
        _ingest_service(results, world, options)
        _ingest_http(results, world, options)
        _ingest_mqtt(results, world, options)


# --- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    street: Any
    subject_ids: list[int]
    serials: dict[str, list[tuple[int, int, str]]]  # device kind -> [(device id, subject id, serial)]
    sweep_at: datetime
    expected: dict[str, int]  # rule kind -> candidates the rule pass must find
    gateway_key: str
    readings: dict[str, float] = field(default_factory=dict)  # meter serial -> last reading sent
    clock: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=3))
    sos_free: list[tuple[int, int, str]] = field(default_factory=list)  # SOS devices not yet pressed
    step: timedelta = timedelta(milliseconds=10)

    def next_at(self) -> datetime:
        """Event times rise through the whole run (a meter's readings must not go backwards),
        from three hours ago; `step` keeps the last one in the past."""
        self.clock += self.step
        return self.clock


def _sweep_moment() -> datetime:
    """Now, or 21:00 of the evening before when now lies in the default quiet hours (22:00–07:00):
    the silence rules would hold every alert until morning."""
    sh = ZoneInfo("Asia/Shanghai")
    now = datetime.now(sh).replace(microsecond=0)
    if 7 <= now.hour < 22:
        return now
    evening = now.replace(hour=21, minute=0, second=0)
    return evening if now.hour >= 22 else evening - timedelta(days=1)


def _build_world(n: int, sos: int) -> World:
    from django.contrib.auth import get_user_model

    from gongzhi.care import services as care_services
    from gongzhi.care.choices import DEVICE_SIGNALS, DeviceKind, Duty, RuleKind, Signal, SubjectKind
    from gongzhi.care.models import Assignment, CareSubject, Device, LastSeen
    from gongzhi.care.rules import rules_ensure
    from gongzhi.geo.levels import Level
    from gongzhi.geo.models import Node
    from gongzhi.geo.services import path_for
    from gongzhi.orgs import services as org_services
    from gongzhi.orgs.models import Person
    from gongzhi.orgs.roles import PostRole, UnitKind

    rng = random.Random(SEED)
    t = _sweep_moment()
    now = datetime.now(UTC)

    def nodes(level: int, items: list[tuple[str, str, Any]]) -> list[Any]:
        objs = [Node(code=c, name=name, level=level, parent=p, path=path_for(c, p)) for c, name, p in items]
        return Node.objects.bulk_create(objs, batch_size=5000)

    with transaction.atomic():
        (street,) = nodes(Level.STREET, [(STREET, "关爱基准街道", None)])
        (block,) = nodes(Level.BLOCK, [(f"{STREET}-K1", "第一块区", street)])
        n_areas = max(1, -(-n // PER_AREA))
        areas = nodes(
            Level.AREA, [(f"{STREET}-R{a + 1:02d}", f"第{a + 1}居民区", block) for a in range(n_areas)]
        )
        buildings = nodes(
            Level.BUILDING,
            [
                (f"{a.code}-B{b + 1:02d}", f"{b + 1}号楼", a)
                for i, a in enumerate(areas)
                for b in range(-(-min(PER_AREA, n - i * PER_AREA) // PER_BUILDING))
            ],
        )
        homes = nodes(
            Level.HOUSEHOLD,
            [(f"{buildings[i // PER_BUILDING].code}-H{i % PER_BUILDING + 1:03d}", "户", buildings[i // PER_BUILDING]) for i in range(n)],
        )  # fmt: skip
    user_model = get_user_model()
    posts = []
    for i, area in enumerate(areas):
        name = f"bench-care-grid{i + 1:02d}"
        user = user_model.objects.create_user(username=name)
        person = org_services.person_upsert(actor=None, code=f"BENCH-{name}", name=name)
        Person.objects.filter(pk=person.pk).update(user=user)
        unit = org_services.unit_upsert(
            actor=None, code=f"BENCH-U-{name}", name=area.name, kind=UnitKind.RESIDENTS_COMMITTEE, node=area
        )
        posts.append(
            org_services.post_upsert(
                actor=None, code=f"BENCH-P-{name}", unit=unit, node=area, title="网格员",
                person=person, role=PostRole.GRID_WORKER, active_from=date(2020, 1, 1),
            )
        )  # fmt: skip
    rules_ensure(street)

    def hours_ago(lo: float, hi: float) -> datetime:
        return t - timedelta(hours=rng.uniform(lo, hi))

    expected = dict.fromkeys(
        [
            RuleKind.NO_DOOR,
            RuleKind.NO_POWER,
            RuleKind.WATER_LOW,
            RuleKind.WATER_LEAK,
            RuleKind.VISIT_OVERDUE,
        ],
        0,
    )
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                Person(code=f"{STREET}-P{i:06d}", name=f"关爱对象{i}", home=h, birth_date=date(1940, 1, 1), lives_alone=True)
                for i, h in enumerate(homes)
            ],
            batch_size=5000,
        )  # fmt: skip
        subject_rows = []
        for person, home in zip(people, homes, strict=True):
            overdue = rng.random() < SILENT["visit"]
            expected[RuleKind.VISIT_OVERDUE] += overdue
            due = t - timedelta(days=rng.uniform(2, 5)) if overdue else t + timedelta(days=rng.uniform(1, 6))
            subject_rows.append(
                CareSubject(
                    person=person, kind=SubjectKind.ALONE_80, home=home, node_path=home.path,
                    visit_every_days=7, visit_due_at=due, signals=list(DEVICE_SIGNALS), enrolled_at=t - timedelta(days=30),
                )
            )  # fmt: skip
        subjects = CareSubject.objects.bulk_create(subject_rows, batch_size=5000)
        Assignment.objects.bulk_create(
            [
                Assignment(subject=s, post=posts[i // PER_AREA], duty=Duty.GRID)
                for i, s in enumerate(subjects)
            ],
            batch_size=5000,
        )
        kinds = [DeviceKind.DOOR, DeviceKind.WATER_METER, DeviceKind.POWER_METER]
        device_rows = [
            Device(
                serial=f"{STREET}{i:06d}-{kind}", kind=kind, household=s.home, subject=s,
                bound_at=t - timedelta(days=30), registered_at=t - timedelta(days=30),
            )
            for i, s in enumerate(subjects)
            for kind in (*kinds, *([DeviceKind.SOS] if i < 2 * sos else []))
        ]  # fmt: skip
        devices = Device.objects.bulk_create(device_rows, batch_size=5000)
        seen = []
        meter_at = now - timedelta(hours=4)  # before every event the run sends
        for s in subjects:
            silent = rng.random() < SILENT["door"]
            expected[RuleKind.NO_DOOR] += silent
            door_at = hours_ago(50, 100) if silent else hours_ago(0.5, 20)
            seen.append(LastSeen(subject=s, signal=Signal.DOOR, seen_at=door_at, active_at=door_at))
            silent = rng.random() < SILENT["power"]
            expected[RuleKind.NO_POWER] += silent
            power_at = hours_ago(30, 60) if silent else hours_ago(0.5, 10)
            seen.append(
                LastSeen(subject=s, signal=Signal.POWER, seen_at=power_at, active_at=power_at, reading=500.0, reading_at=meter_at)
            )  # fmt: skip
            quiet = rng.random() < SILENT["water"]
            leak = rng.random() < SILENT["leak"]
            expected[RuleKind.WATER_LOW] += quiet
            expected[RuleKind.WATER_LEAK] += leak
            seen.append(
                LastSeen(
                    subject=s, signal=Signal.WATER, seen_at=hours_ago(0.1, 1), active_at=hours_ago(0.1, 4),
                    reading=1000.0, reading_at=meter_at,
                    quiet_at=hours_ago(0, 5) if quiet else t + timedelta(hours=rng.uniform(1, 10)),
                    leak_since=hours_ago(1, 3) if leak else None,
                )
            )  # fmt: skip
        LastSeen.objects.bulk_create(seen, batch_size=5000)
    _, key = care_services.gateway_create(actor=None, name="bench gateway")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "geo_node",
                "orgs_person",
                "care_caresubject",
                "care_device",
                "care_lastseen",
                "care_assignment",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")  # as autovacuum does after a bulk load
    serials: dict[str, list[tuple[int, int, str]]] = {}
    for d in devices:
        serials.setdefault(d.kind, []).append((d.pk, int(d.subject_id or 0), d.serial))
    readings = {d.serial: (1000.0 if d.kind == DeviceKind.WATER_METER else 500.0) for d in devices}
    return World(
        street=street,
        subject_ids=[s.pk for s in subjects],
        serials=serials,
        sweep_at=t,
        expected={str(k): v for k, v in expected.items()},
        gateway_key=key,
        readings=readings,
        sos_free=list(serials.get(DeviceKind.SOS, [])),
    )


def _events(world: World, n: int, prefix: str, rng: random.Random, run: int = 1) -> list[dict[str, Any]]:
    """`n` sensor events (door passages, water and power readings) from random devices, `run`
    in a row from each, times rising, each meter's reading growing."""
    kinds, weights = list(MIX), list(MIX.values())
    out = []
    kind, serial = "", ""
    for k in range(n):
        if k % run == 0:
            kind = rng.choices(kinds, weights)[0]
            _, _, serial = rng.choice(world.serials[kind])
        event: dict[str, Any] = {
            "device": serial,
            "id": f"{prefix}-{k:08d}",
            "at": world.next_at().isoformat(),
        }
        if kind != "door":
            world.readings[serial] += (
                rng.uniform(0.5, 20.0) if kind == "water_meter" else rng.uniform(0.01, 0.3)
            )
            event["value"] = round(world.readings[serial], 3)
        out.append(event)
    return out


def _incoming(events: Sequence[dict[str, Any]]) -> list[Any]:
    from gongzhi.care.ingest import Incoming

    return [Incoming(e["device"], e["id"], datetime.fromisoformat(e["at"]), e.get("value")) for e in events]


def _stored(prefix: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM care_event WHERE event_id LIKE %s", [prefix + "-%"])
        return int(cursor.fetchone()[0])


# --- 1. the rule pass ------------------------------------------------------------------------------


CANDIDATES_SQL = """
SELECT l.subject_id, 'no_door' FROM care_lastseen l JOIN care_caresubject s ON s.id = l.subject_id
 WHERE l.signal = 'door' AND l.active_at < %(door)s AND s.node_path LIKE %(path)s AND s.ended_at IS NULL
UNION ALL
SELECT l.subject_id, 'no_power' FROM care_lastseen l JOIN care_caresubject s ON s.id = l.subject_id
 WHERE l.signal = 'power' AND l.active_at < %(power)s AND s.node_path LIKE %(path)s AND s.ended_at IS NULL
UNION ALL
SELECT l.subject_id, 'water_low' FROM care_lastseen l JOIN care_caresubject s ON s.id = l.subject_id
 WHERE l.signal = 'water' AND l.quiet_at <= %(now)s AND s.node_path LIKE %(path)s AND s.ended_at IS NULL
UNION ALL
SELECT l.subject_id, 'water_leak' FROM care_lastseen l JOIN care_caresubject s ON s.id = l.subject_id
 WHERE l.signal = 'water' AND l.leak_since IS NOT NULL AND s.node_path LIKE %(path)s AND s.ended_at IS NULL
UNION ALL
SELECT s.id, 'visit_overdue' FROM care_caresubject s
 WHERE s.visit_due_at < %(visit)s AND s.node_path LIKE %(path)s AND s.ended_at IS NULL
"""


def _rule_pass(results: Results, world: World, rounds: int) -> None:
    from gongzhi.care import rules
    from gongzhi.care.models import Alert

    t = world.sweep_at
    params = {
        "door": t - timedelta(hours=48),
        "power": t - timedelta(hours=24),
        "now": t,
        "visit": t - timedelta(hours=24),
        "path": world.street.path + "%",
    }

    def raw() -> list[tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(CANDIDATES_SQL, params)
            return list(cursor.fetchall())

    start = time.perf_counter()
    first = rules.sweep(t)
    first_s = time.perf_counter() - start
    opened = Alert.objects.filter(node_path__startswith=world.street.path).count()
    steady, raw_s = [], []
    candidates = 0
    for _ in range(rounds):
        start = time.perf_counter()
        again = rules.sweep(t)
        steady.append(time.perf_counter() - start)
        candidates = again.candidates
        assert not again.opened, "a steady-state pass opened alerts"
        start = time.perf_counter()
        rows = raw()
        raw_s.append(time.perf_counter() - start)
    found: dict[str, int] = {}
    for _, kind in rows:
        found[kind] = found.get(kind, 0) + 1
    check = {
        "expected_candidates": world.expected,
        "raw_sql_candidates": dict(sorted(found.items())),
        "sweep_candidates": candidates,
        "alerts_opened_first_pass": len(first.opened),
        "alerts_in_database": opened,
    }
    print(f"  rule pass check: {check}", flush=True)
    common = {
        "subjects": len(world.subject_ids),
        "last_seen_rows": 3 * len(world.subject_ids),
        "sweep_at": t.isoformat(),
        "check": check,
        "rounds": rounds,
        "load_average": load_average(),
        "target": f"< {TARGET_SWEEP_S:g} s for 100,000 watched subjects",
    }
    results.add(
        "care.rule_pass.first",
        value=first_s,
        unit="s",
        baseline=percentile(raw_s, 50),
        baseline_is="one raw SQL statement selecting the same candidates (UNION ALL of the five rules), p50",
        what="the first pass: finds the silent subjects and opens their alerts",
        **common,
    )
    results.add(
        "care.rule_pass.steady.p50",
        value=percentile(steady, 50),
        unit="s",
        baseline=percentile(raw_s, 50),
        baseline_is="the same raw SQL, p50",
        what="every later pass: the same candidates, their alerts already open, nothing opened",
        p95=round(percentile(steady, 95), 4),
        baseline_p95=round(percentile(raw_s, 95), 4),
        **common,
    )


# --- 2. the service alone --------------------------------------------------------------------------


def _ingest_service(results: Results, world: World, options: dict[str, Any]) -> None:
    from gongzhi.care.choices import Door
    from gongzhi.care.ingest import ingest

    batch = int(options.get("care_batch", 1000))
    n = int(options.get("care_service_events", 50_000))
    rng = random.Random(SEED + 1)
    events = _events(world, n, "SVC", rng)
    batches = [_incoming(events[i : i + batch]) for i in range(0, n, batch)]
    stored = refused = 0
    start = time.perf_counter()
    for b in batches:
        r = ingest(b, door=Door.HTTP)
        stored += r.stored
        refused += r.refused
    seconds = time.perf_counter() - start
    raw = _raw_rates(world, events)
    check = {"sent": n, "stored": _stored("SVC"), "stored_reported": stored, "refused": refused}
    print(f"  service check: {check}", flush=True)
    results.add(
        "care.ingest.service.rate",
        value=n / seconds,
        unit="events/s",
        baseline=raw["copy"],
        baseline_is="COPY of the same event rows into care_event, one connection, one transaction",
        multi_row_insert_rate=raw["insert"],
        copy_1000_a_commit_rate=raw.get("copy_batches"),
        what=f"care.ingest.ingest in process, one thread, {batch} events a call (no HTTP, no JSON)",
        target=f">= {TARGET_HTTP:,.0f} events/s (the HTTP door's target)",
        seconds=round(seconds, 2),
        batch=batch,
        check=check,
        load_average=load_average(),
    )


def _raw_rates(world: World, events: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The floor of a write: the same rows (device and subject ids already known) written by COPY,
    and by multi-row INSERTs of 1,000 rows with a commit each; then deleted again."""
    ids = {
        serial: (device_id, subject_id)
        for rows in world.serials.values()
        for device_id, subject_id, serial in rows
    }
    now = datetime.now(UTC)
    rows = [
        (*ids[e["device"]], "RAW-" + e["id"], datetime.fromisoformat(e["at"]), e.get("value"), now)
        for e in events
    ]
    columns = "device_id, subject_id, event_id, at, value, received_at"
    out = {}
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY care_event ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO care_event ({columns}) VALUES (%s, %s, %s, %s, %s, %s)", rows)
    out["copy"] = len(rows) / (time.perf_counter() - start)
    _delete_raw()
    if connection.vendor == "postgresql":  # what a batch of the endpoint's size gets: 1,000 a commit
        start = time.perf_counter()
        for i in range(0, len(rows), 1000):
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY care_event ({columns}) FROM STDIN") as copy,
            ):
                for row in rows[i : i + 1000]:
                    copy.write_row(row)
        out["copy_batches"] = round(len(rows) / (time.perf_counter() - start), 1)
        _delete_raw()
    multi = [(d, s, "RAW2-" + e[4:], at, v, r) for d, s, e, at, v, r in rows]
    start = time.perf_counter()
    for i in range(0, len(multi), 1000):
        chunk = multi[i : i + 1000]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO care_event ({columns}) VALUES {values} ON CONFLICT DO NOTHING",
                [x for row in chunk for x in row],
            )
    out["insert"] = round(len(rows) / (time.perf_counter() - start), 1)
    _delete_raw()
    return out


def _delete_raw() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM care_event WHERE event_id LIKE 'RAW%%'")


# --- 3. HTTP ---------------------------------------------------------------------------------------


def _ingest_http(results: Results, world: World, options: dict[str, Any]) -> None:
    from bench.server import gunicorn
    from bench.suites.cases import _cpu_snapshot, _cpu_used, _http_load

    batch = int(options.get("care_batch", 1000))
    n = int(options.get("care_http_events", 200_000))
    clients = int(options.get("care_clients", 4))
    workers = int(options.get("workers", 4))
    threads = int(options.get("threads", 1))
    rng = random.Random(SEED + 2)
    warm = _events(world, max(batch * workers * 2, n // 20), "HTTPW", rng)
    events = _events(world, n, "HTTP", rng)

    def bodies(items: list[dict[str, Any]]) -> list[bytes]:
        return [json.dumps({"events": items[i : i + batch]}).encode() for i in range(0, len(items), batch)]

    with gunicorn(workers, threads) as (host, port, server_pid):
        _http_load(host, port, world.gateway_key, bodies(warm), clients, path=EVENTS_PATH)
        load_start = load_average()
        cpu_start = _cpu_snapshot(server_pid)
        run = _http_load(host, port, world.gateway_key, bodies(events), clients, path=EVENTS_PATH)
        cpu = _cpu_used(cpu_start, _cpu_snapshot(server_pid), run.count)
        load_end = load_average()
        sos = _sos_http(world, host, port, int(options.get("care_sos", 200)))
    raw = _raw_rates(world, events)
    stored = _stored("HTTP")
    check = {
        "sent": n,
        "stored": stored,
        "stored_equals_sent": stored == n,
        "answers": run.answers(),
        "errors": run.errors[:5],
    }
    print(f"  HTTP check: {check}", flush=True)
    server = {"workers": workers, "threads": threads, "worker_class": "gthread" if threads > 1 else "sync"}
    results.add(
        "care.ingest.http.rate",
        value=stored / run.seconds,
        unit="events/s",
        baseline=raw["copy"],
        baseline_is="COPY of the same event rows into care_event, one connection, one transaction",
        multi_row_insert_rate=raw["insert"],
        copy_1000_a_commit_rate=raw.get("copy_batches"),
        target=f">= {TARGET_HTTP:,.0f} events/s with batches of 1,000",
        what=f"POST {EVENTS_PATH}, {batch} events a request, {clients} client threads, gunicorn",
        gunicorn=server,
        clients=clients,
        batch=batch,
        requests=run.count,
        request_p50_ms=round(percentile(run.latencies, 50) * 1000, 1),
        request_p99_ms=round(percentile(run.latencies, 99) * 1000, 1),
        seconds=round(run.seconds, 2),
        cpu=cpu,
        cpu_note=f"per request of {batch} events",
        load_average_start=load_start,
        load_average_end=load_end,
        check=check,
    )
    _add_sos(results, "http", sos, world)


# --- 5. SOS → outbox -------------------------------------------------------------------------------


def _sos_http(world: World, host: str, port: int, n: int) -> list[float]:
    """One SOS a request; the answer leaves after the commit that wrote the alert and its outbox
    rows, so the request's time bounds the event → outbox latency."""
    headers = {"Authorization": f"Bearer {world.gateway_key}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(host, port, timeout=30)
    out = []
    for k in range(n):
        _, _, serial = world.sos_free.pop()
        body = json.dumps(
            {"events": [{"device": serial, "id": f"SOS-H-{k}", "at": datetime.now(UTC).isoformat()}]}
        )
        start = time.perf_counter()
        conn.request("POST", EVENTS_PATH, body.encode(), headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
        out.append(time.perf_counter() - start)
        assert response.status == 200 and answer["alerts"] == 1, answer
        if response.will_close:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.close()
    return out


def _add_sos(results: Results, door: str, samples: list[float], world: World) -> None:
    from gongzhi.care.models import Alert
    from gongzhi.core.models import OutboxMessage

    prefix = "SOS-H" if door == "http" else "SOS-M"
    alerts = list(
        Alert.objects.filter(kind="sos", subject__devices__kind="sos", notified_at__isnull=False)
        .filter(node_path__startswith=world.street.path)
        .values_list("pk", flat=True)
    )
    told = OutboxMessage.objects.filter(kind="care.alert", payload__alert_id__in=alerts).count()
    raw = _raw_sos(world, len(samples))
    check = {"presses": len(samples), "sos_alerts_notified_so_far": len(alerts), "outbox_rows_for_them": told}
    print(f"  SOS {door} check: {check}", flush=True)
    for q in (50, 99):
        results.add(
            f"care.sos_to_outbox.{door}.p{q}",
            value=percentile(samples, q) * 1000,
            unit="ms",
            baseline=percentile(raw, q) * 1000,
            baseline_is=f"INSERT event + alert + outbox row by hand, one transaction, p{q}",
            target=f"< {TARGET_SOS_S * 1000:.0f} ms",
            what=(
                "POST of one SOS event until the answer (sent after the commit of the alert and its outbox rows)"
                if door == "http"
                else "publish of one SOS message until the alert's outbox rows are visible to another connection"
            ),
            samples=len(samples),
            event_ids=prefix,
            check=check,
        )


def _raw_sos(world: World, n: int) -> list[float]:
    """The floor: the event, the alert and one outbox row written by hand, one commit each."""
    device_id, subject_id, _ = world.serials["door"][0]
    out = []
    for k in range(max(n, 1)):
        now = datetime.now(UTC)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO care_event (device_id, subject_id, event_id, at, value, received_at) "
                "VALUES (%s, %s, %s, %s, NULL, %s)",
                [device_id, subject_id, f"RAW-SOS-{k}", now, now],
            )
            cursor.execute(
                "INSERT INTO care_alert (subject_id, kind, state, node_path, opened_at, detail, false_alarm, "
                "outcome, outcome_note) VALUES (%s, 'smoke', 'closed', '/RAW/', %s, '', false, '', '')",
                [subject_id, now],
            )
            cursor.execute(
                "INSERT INTO core_outboxmessage (kind, node_path, subject, body, payload, status, attempts, "
                "next_attempt_at, last_error, created_at) "
                "VALUES ('bench.raw', '/RAW/', 'x', 'x', '{}', 'sent', 0, %s, '', %s)",
                [now, now],
            )
        out.append(time.perf_counter() - start)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM care_event WHERE event_id LIKE 'RAW-SOS-%%'")
        cursor.execute("DELETE FROM care_alert WHERE node_path = '/RAW/'")
        cursor.execute("DELETE FROM core_outboxmessage WHERE kind = 'bench.raw'")
    return out


# --- 4. MQTT ---------------------------------------------------------------------------------------


def _ingest_mqtt(results: Results, world: World, options: dict[str, Any]) -> None:
    n = int(options.get("care_mqtt_events", 100_000))
    per = max(1, int(options.get("care_per_message", 1)))
    consumers = int(options.get("care_consumers", 2))
    broker = str(options.get("care_broker", "private"))
    if broker == "private":
        if not shutil.which("mosquitto", path=f"{os.environ.get('PATH', '')}:/usr/sbin"):
            print("  MQTT: no mosquitto binary for a private broker; skipped", flush=True)
            return
        with _private_broker() as (host, port):
            _mqtt_run(results, world, options, host, port, n, per, consumers, "private mosquitto")
        return
    host, _, port_text = broker.rpartition(":")
    if not _broker_up(host, int(port_text)):
        print(f"  MQTT: no broker on {broker}; skipped", flush=True)
        return
    _mqtt_run(results, world, options, host, int(port_text), n, per, consumers, f"mosquitto on {broker}")


def _mqtt_run(
    results: Results,
    world: World,
    options: dict[str, Any],
    host: str,
    port: int,
    n: int,
    per: int,
    consumers: int,
    broker: str,
) -> None:
    run_id = uuid.uuid4().hex[:8]
    root, group = f"bench/{run_id}/care/v1", f"bench{run_id}"
    rng = random.Random(SEED + 3)
    warm = _messages(world, max(200, n // 50), per, "MQW", rng)
    messages = _messages(world, n, per, "MQ", rng)

    # the baseline first: bare subscribers that only acknowledge
    publisher = _Publisher(host, port)
    try:
        with _bare_subscribers(host, port, f"{root}bare", group, consumers) as wait_bare:
            start = time.perf_counter()
            publisher.send(f"{root}bare", messages)
            published_bare = time.perf_counter() - start
            received, bare_s = wait_bare(start)
        bare_rate = received * per / bare_s if bare_s else 0.0
        with _consumers(host, port, root, group, consumers) as stats:
            publisher.send(root, warm)
            _wait_stored("MQW", sum(m.count(b'"id"') for _, m in warm), timeout=120)
            load_start = load_average()
            start = time.perf_counter()
            publisher.send(root, messages)
            published = time.perf_counter() - start
            stored, seconds = _wait_stored("MQ", n, timeout=300, since=start)
            load_end = load_average()
            sos = _sos_mqtt(publisher, world, root, int(options.get("care_sos", 200)))
    finally:
        publisher.close()
    check = {
        "sent": n,
        "messages": len(messages),
        "stored": stored,
        "stored_equals_sent": stored == n,
        "consumers": stats,
        "bare_subscribers_received": received,
    }
    print(f"  MQTT check: {check}", flush=True)
    results.add(
        "care.ingest.mqtt.rate",
        value=stored / seconds if seconds else 0.0,
        unit="events/s",
        baseline=bare_rate,
        baseline_is=f"the same messages through {consumers} bare paho subscribers on a shared subscription "
        "that only acknowledge (broker and client ceiling, no database)",
        target=f">= {TARGET_MQTT:,.0f} events/s with {consumers} consumers",
        what=f"{consumers} `gongzhi care_consume` processes, $share/{group}/{root}/+, QoS 1, {per} event(s) a message; "
        "from the first publish until the last event is stored",
        events_per_message=per,
        publish_seconds=round(published, 2),
        publish_rate=round(len(messages) / published, 1),
        bare_publish_rate=round(len(messages) / published_bare, 1),
        seconds=round(seconds, 2),
        broker=broker,
        load_average_start=load_start,
        load_average_end=load_end,
        check=check,
    )
    _add_sos(results, "mqtt", sos, world)


def _messages(world: World, n: int, per: int, prefix: str, rng: random.Random) -> list[tuple[str, bytes]]:
    """(topic's last level, payload) messages, `n` events in all: with `per` 1, one device's
    event a message on its own topic; otherwise gateway batches of `per` events from random
    devices on the gateway's topic (the HTTP door's body, docs/care.md)."""
    events = _events(world, n, prefix, rng)
    if per == 1:
        return [
            (e["device"], json.dumps({k: v for k, v in e.items() if k != "device"}).encode()) for e in events
        ]
    return [
        ("gw-bench", json.dumps({"events": events[i : i + per]}).encode()) for i in range(0, len(events), per)
    ]


BROKER_CONF = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
# Production setting (docs/care.md, "Brokers"): the default of 1,000 queued messages a client
# drops QoS 1 messages as soon as the consumers fall that far behind a burst.
max_queued_messages 0
log_dest stdout
log_type error
log_type warning
"""


@contextmanager
def _private_broker() -> Iterator[tuple[str, int]]:
    """The machine's mosquitto binary on a free port with the queue limit of a production
    broker, for this run only (the shared 127.0.0.1:1883 keeps its defaults for everyone's tests)."""
    import socket

    from django.conf import settings

    from bench.db import BENCH_DB

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / f"{BENCH_DB}-mosquitto.conf"
    conf.write_text(BROKER_CONF.format(port=port))
    binary = shutil.which("mosquitto", path=f"{os.environ.get('PATH', '')}:/usr/sbin") or "mosquitto"
    with (folder / f"{BENCH_DB}-mosquitto.log").open("w") as log:
        proc = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while not _broker_up("127.0.0.1", port):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"the private mosquitto did not start; see {log.name}")
                time.sleep(0.1)
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _broker_up(host: str, port: int) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


class _Publisher:
    """One QoS 1 publishing connection; `send` returns once the broker has acknowledged every
    message it was given.

    At most `WINDOW` messages are unacknowledged: `send` waits for a PUBACK before it hands
    paho another. It used to hand paho every message at once: paho queued those beyond its
    in-flight limit (1,000) and, on each PUBACK, walked its queue from the start past the
    in-flight ones to find the next to send (`Client._update_inflight`): ~1,000 steps of Python
    a PUBACK under paho's lock, ~10^8 for 100,000 messages, while the sending thread competed
    for the same lock and the interpreter. The likely cause of session 8's stall (no PUBACK for
    120 s at load 8–10); not reproduced here (TODO: a run of 100,000 one-event messages). Within
    the window paho's queue stays empty, and a publisher stays within the broker's Receive
    Maximum, as MQTT 5 requires."""

    WINDOW = 500

    def __init__(self, host: str, port: int) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.window = self.WINDOW
        self.client.max_inflight_messages_set(self.window)
        self.free = threading.BoundedSemaphore(self.window)
        self.client.on_publish = lambda *args: self.free.release()
        self.client.on_connect = self._on_connect
        self.connected = threading.Event()
        self.client.connect(host, port)
        self.client.loop_start()
        if not self.connected.wait(10):
            raise RuntimeError("the broker did not answer the publisher's CONNECT")

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        limit = getattr(properties, "ReceiveMaximum", None) if properties is not None else None
        # the broker's own in-flight limit for this client, from its CONNACK
        if limit and limit < self.window and not self.connected.is_set():
            for _ in range(self.window - limit):
                self.free.acquire()
            self.window = limit
        self.connected.set()

    def send(self, root: str, messages: Sequence[tuple[str, bytes]]) -> None:
        for serial, payload in messages:
            if not self.free.acquire(timeout=120):
                raise RuntimeError("the broker stopped acknowledging publishes")
            self.client.publish(f"{root}/{serial}", payload, qos=1)
        for _ in range(self.window):  # every message acknowledged: the whole window free again
            if not self.free.acquire(timeout=120):
                raise RuntimeError("the broker stopped acknowledging publishes")
        for _ in range(self.window):
            self.free.release()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _wait_stored(prefix: str, n: int, timeout: float, since: float | None = None) -> tuple[int, float]:
    """Poll until `n` events of the prefix are stored or nothing new arrives for `timeout`
    seconds; (stored, seconds since `since` at the moment the count was reached)."""
    last, last_change = -1, time.perf_counter()
    while True:
        count = _stored(prefix)
        now = time.perf_counter()
        if count >= n:
            return count, now - (since or now)
        if count != last:
            last, last_change = count, now
        elif now - last_change > timeout:
            return count, last_change - (since or last_change)
        time.sleep(0.05)


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


@contextmanager
def _consumers(host: str, port: int, root: str, group: str, n: int) -> Iterator[list[dict[str, Any]]]:
    """`n` `gongzhi care_consume` processes; on exit they are stopped (SIGTERM: they finish their
    batch and print their counters), their sessions removed from the broker."""
    from django.conf import settings

    from bench.db import BENCH_DB

    env = _child_env(
        CARE_MQTT_HOST=host, CARE_MQTT_PORT=str(port), CARE_MQTT_TOPIC_ROOT=root, CARE_MQTT_SHARE_GROUP=group
    )
    ids = [f"{group}-consumer{i + 1}" for i in range(n)]
    log_dir = Path(settings.VAR_DIR) / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    stats: list[dict[str, Any]] = []
    cmd = [sys.executable, "-c", "from config.cli import main; main()", "care_consume"]
    try:
        for client_id in ids:
            log = (log_dir / f"{BENCH_DB}-{client_id}.log").open("w")
            procs.append(
                (
                    subprocess.Popen(
                        [*cmd, "--client-id", client_id],
                        cwd=BASE_DIR,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        time.sleep(3)  # connect and subscribe; the warm-up that follows proves they consume
        yield stats
    finally:
        for proc, _ in procs:
            proc.terminate()
        for (proc, log), client_id in zip(procs, ids, strict=True):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
            text = (log_dir / f"{BENCH_DB}-{client_id}.log").read_text()
            found = re.search(r"Stats\((.*)\)", text)
            stats.append(
                {"client_id": client_id, **{k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", found.group(1))}}
                if found
                else {"client_id": client_id, "log_tail": text[-300:]}
            )
        _drop_sessions(host, port, ids)


def _drop_sessions(host: str, port: int, client_ids: Sequence[str]) -> None:
    """Reconnect each consumer's client id with a clean start and no session expiry, so the
    broker forgets the bench's persistent sessions."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    for client_id in client_ids:
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        try:
            client.connect(host, port, clean_start=True)
            client.loop_start()
            time.sleep(0.2)
            client.disconnect()
            client.loop_stop()
        except OSError:
            pass


BARE_SUBSCRIBER = """
import sys, time, paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.subscribeoptions import SubscribeOptions
host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = 0
last = time.time()
def on_message(client, userdata, message):
    global n, last
    client.ack(message.mid, message.qos)
    n += 1
    last = time.time()
c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5, manual_ack=True)
c.on_message = on_message
c.on_connect = lambda cl, u, f, r, p: cl.subscribe(topic, options=SubscribeOptions(qos=1))
c.connect(host, port)
c.loop_start()
print("ready", flush=True)
while True:
    time.sleep(0.2)
    if n and time.time() - last > 3:
        break
c.disconnect()
c.loop_stop()
print(f"received {n} last {last}", flush=True)
"""


@contextmanager
def _bare_subscribers(host: str, port: int, root: str, group: str, n: int) -> Iterator[Any]:
    topic = f"$share/{group}/{root}/+"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BARE_SUBSCRIBER, host, str(port), topic],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    time.sleep(1)

    def wait(start: float) -> tuple[int, float]:
        received, last = 0, 0.0
        for p in procs:
            out, _ = p.communicate(timeout=600)
            found = re.search(r"received (\d+) last ([\d.]+)", out)
            if found:
                received += int(found.group(1))
                last = max(last, float(found.group(2)))
        wall_start = time.time() - (time.perf_counter() - start)
        return received, max(0.0, last - wall_start)

    try:
        yield wait
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def _sos_mqtt(publisher: _Publisher, world: World, root: str, n: int) -> list[float]:
    """One SOS message at a time; poll (every 2 ms, another connection) until its alert has been
    notified, which happens in the same transaction as its outbox rows."""
    from gongzhi.care.models import Alert

    out = []
    for k in range(n):
        _, subject_id, serial = world.sos_free.pop()
        payload = json.dumps({"id": f"SOS-M-{k}", "at": datetime.now(UTC).isoformat()}).encode()
        start = time.perf_counter()
        publisher.send(root, [(serial, payload)])
        deadline = start + 30
        while not Alert.objects.filter(subject_id=subject_id, kind="sos", notified_at__isnull=False).exists():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"SOS of subject {subject_id} never reached the outbox")
            time.sleep(0.002)
        out.append(time.perf_counter() - start)
    return out
