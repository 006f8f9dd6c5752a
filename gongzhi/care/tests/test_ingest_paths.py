"""PostgreSQL ingests a batch by set-based statements (care.ingest_sql), SQLite event by event
in Python (care.ingest's plain path). The same random batches — duplicates within and across
batches, late and backwards readings, meters without a reading, unknown, unbound and
unconsented devices, two water meters on one subject, alarms — must leave the same answers,
events, last-seen rows (the water ring to the last bit), alerts and refusal counts."""

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from gongzhi.care import ingest_sql, services
from gongzhi.care.choices import DEVICE_SIGNALS, Door, Signal
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, CareSubject, Event, IngestCount, LastSeen
from gongzhi.care.tests.conftest import T0, CareWorld
from gongzhi.core import clock

NOW = T0 + timedelta(days=2)
DEVICES = ["DEV-door", "DEV-water_meter", "DEV-water2", "DEV-power_meter", "DEV-sos", "DEV-smoke", "NOPE"]


def _batches(seed: int) -> list[list[Incoming]]:
    rng = random.Random(seed)
    readings = {"DEV-water_meter": 1000.0, "DEV-water2": 50.0, "DEV-power_meter": 300.0, "DEV-smoke": 1.0}
    out = []
    for b in range(6):
        batch = []
        for k in range(rng.randint(1, 60)):
            device = rng.choice(DEVICES)
            at = NOW - timedelta(minutes=rng.uniform(0, 40 * 60))  # times out of order: some late
            value = None
            if device in readings:
                step = rng.choice(
                    [0.0, 0.0, rng.uniform(0.1, 40.0), -rng.uniform(0.1, 5.0)]
                )  # some backwards
                readings[device] = max(0.0, readings[device] + step)
                value = None if rng.random() < 0.05 else round(readings[device], 3)
            event_id = f"e{rng.randint(0, 25)}" if rng.random() < 0.3 else f"b{b}-{k}"  # repeats
            batch.append(Incoming(device=device, event_id=event_id, at=at, value=value))
        out.append(batch)
    return [*out, out[0] + out[1][:5]]  # and a redelivery


def _run(batches: list[list[Incoming]]) -> dict[str, Any]:
    answers = []
    with clock.freeze(NOW):
        for batch in batches:
            r = ingest(batch, door=Door.HTTP)
            answers.append(
                (r.received, r.stored, r.duplicates, r.alerts, [(e.index, e.reason) for e in r.errors])
            )
    seen = LastSeen.objects.order_by("subject_id", "signal").values_list(
        "subject_id", "signal", "seen_at", "active_at", "reading", "reading_at", "slots_start", "slots",
        "quiet_at", "leak_since",
    )  # fmt: skip
    return {
        "answers": answers,
        "events": sorted(Event.objects.values_list("device__serial", "event_id", "at", "value")),
        "last_seen": list(seen),
        "alerts": sorted(Alert.objects.values_list("subject_id", "kind", "state")),
        "counts": sorted(IngestCount.objects.values_list("door", "reason", "count")),
    }


def _rolled_back(batches: list[list[Incoming]]) -> dict[str, Any]:
    with transaction.atomic():
        found = _run(batches)
        transaction.set_rollback(True)
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(8))
def test_the_set_based_path_does_what_the_plain_path_does(
    world: CareWorld, monkeypatch: Any, seed: int
) -> None:
    with clock.freeze(T0):
        second = services.device_register(
            actor=world.users["committee"], serial="DEV-water2", kind="water_meter", household=world.tree.h1
        )
        services.device_bind(actor=world.users["committee"], device=second, subject=world.subject)
    if seed % 2:  # the consent leaves power out: the power meter's events are refused
        CareSubject.objects.filter(pk=world.subject.pk).update(
            signals=[s for s in DEVICE_SIGNALS if s != Signal.POWER]
        )
    if seed % 3 == 0:  # a water row heard for the first time in a batch
        LastSeen.objects.filter(signal=Signal.WATER).delete()
    batches = _batches(seed)
    set_based = _rolled_back(batches)
    monkeypatch.setattr(ingest_sql, "applies", lambda: False)
    plain = _rolled_back(batches)
    answers = plain["answers"]
    assert (
        sum(a[1] for a in answers) and sum(a[2] for a in answers) and any(a[4] for a in answers)
    )  # not vacuous
    assert any(r[1] == Signal.WATER and r[7] for r in plain["last_seen"])  # a ring was kept
    for key in plain:
        assert set_based[key] == plain[key], key
