"""Demo street generation (docs/design.md §6: < 60 s), against a raw INSERT of as many person rows.

The baseline is the floor for the generator's biggest table: the same number of orgs_person
rows, already sealed, written with one executemany on the same connection. The ratio shows
what planning, sealing and the other ~100k rows cost on top.
"""

import os
import time
from typing import Any

from django.db import connection, transaction

from bench.measure import Results, seconds

NAME = "demo"
SEED = 2026


def run(results: Results, options: dict[str, Any]) -> None:
    from gongzhi.core import pii
    from gongzhi.demo import sealing
    from gongzhi.demo.generator import generate
    from gongzhi.demo.reset import demo_exists, reset_demo

    scale = float(options.get("demo_scale", 1.0))
    if demo_exists():
        reset_demo()
    cpu_start = os.times()
    summary = None

    def build() -> None:
        nonlocal summary
        summary = generate(seed=SEED, scale=scale)

    elapsed = seconds(build)
    cpu = os.times()
    assert summary is not None
    cpu_seconds = (cpu.user - cpu_start.user) + (cpu.system - cpu_start.system)
    cpu_children = (cpu.children_user - cpu_start.children_user) + (
        cpu.children_system - cpu_start.children_system
    )
    persons = summary.counts["residents"] + summary.counts["staff"]
    baseline = _raw_person_insert(persons)
    results.add(
        "demo.generate",
        value=elapsed,
        unit="s",
        baseline=baseline,
        baseline_is=f"raw executemany INSERT of {persons:,} orgs_person rows",
        scale=scale,
        counts=summary.counts,
        phases=summary.seconds,
        cpu_seconds_main=round(cpu_seconds, 2),
        cpu_seconds_workers=round(cpu_children, 2),
    )
    # The generator's main cost: sealing (Fernet + HMAC + mask) of one person's two numbers.
    pairs = [(f"100{i:08d}", "99000019500101001X") for i in range(2000)]
    start = time.perf_counter()
    for pair in pairs:
        sealing.seal_one(pair)
    per_person = (time.perf_counter() - start) / len(pairs) * 1e6
    start = time.perf_counter()
    for phone, id_number in pairs:
        pii.lookup_hash(phone)
        pii.lookup_hash(id_number)
    hashing = (time.perf_counter() - start) / len(pairs) * 1e6
    results.add(
        "demo.seal_per_person",
        value=per_person,
        unit="µs",
        baseline=hashing,
        baseline_is="the keyed hashes (HMAC-SHA256) of the same two numbers, without encryption",
    )


def _raw_person_insert(count: int) -> float:
    """Seconds to insert `count` person-shaped rows with one executemany, then remove them."""
    token = "gAAAAA" + "x" * 114  # a Fernet token of an 11-digit number is 120 characters
    digest = "0" * 64
    rows = [
        (f"BENCH-{i:07d}", "张秀英", "F", "1950-01-01", False, token, digest, "100****0000", token, digest,
         "9900**********001X", "2026-01-01 00:00:00")
        for i in range(count)
    ]  # fmt: skip
    sql = (
        "INSERT INTO orgs_person (code, name, gender, birth_date, lives_alone, phone_enc, phone_hash, "
        "phone_masked, id_enc, id_hash, id_masked, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )

    def insert() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    elapsed = seconds(insert)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM orgs_person WHERE code LIKE %s", ["BENCH-%"])
    return elapsed
