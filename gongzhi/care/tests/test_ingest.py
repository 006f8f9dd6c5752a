"""The ingestion service: idempotent, refuses the bad-input list per item, keeps last seen and
the water ring, opens an SOS alert at once."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from gongzhi.care.choices import AlertState, Door, Refusal, RuleKind, Signal
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, Event, IngestCount, LastSeen
from gongzhi.care.tests.conftest import T0
from gongzhi.core import clock


def water(n: int, litres: float, at) -> Incoming:
    return Incoming(device="DEV-water_meter", event_id=f"w{n}", at=at, value=litres)


@pytest.mark.django_db
def test_redelivery_changes_nothing(world):
    batch = [Incoming(device="DEV-door", event_id=f"d{n}", at=T0 + timedelta(minutes=n)) for n in range(3)]
    batch += [water(1, 100.0, T0), water(2, 130.0, T0 + timedelta(minutes=30))]
    with clock.freeze(T0 + timedelta(hours=1)):
        first = ingest(batch, door=Door.HTTP)
        seen = {r.signal: (r.active_at, r.reading, list(r.slots)) for r in LastSeen.objects.all()}
        again = ingest(batch + batch[:2], door=Door.MQTT)
    assert (first.stored, first.duplicates, first.refused) == (5, 0, 0)
    assert (again.stored, again.duplicates, again.refused) == (0, 7, 0)
    assert Event.objects.count() == 5
    assert {r.signal: (r.active_at, r.reading, list(r.slots)) for r in LastSeen.objects.all()} == seen
    ring = LastSeen.objects.get(signal=Signal.WATER).slots
    assert sum(v or 0 for v in ring) == 30.0  # the first reading sets the meter, the second used 30 L


@pytest.mark.django_db
def test_the_bad_input_list_is_refused_per_item_and_counted(world):
    now = T0 + timedelta(days=1)
    with clock.freeze(now):
        ingest([water(1, 500.0, now - timedelta(hours=2))], door=Door.HTTP)
        result = ingest(
            [
                Incoming(device="NOPE", event_id="x1", at=now),  # unknown
                Incoming(device="DEV-smoke", event_id="x2", at=now),  # registered, never bound
                water(2, 499.0, now - timedelta(hours=1)),  # backwards
                Incoming(device="DEV-door", event_id="x3", at=now + timedelta(hours=1)),  # future
                Incoming(device="DEV-door", event_id="x4", at=now - timedelta(days=400)),  # years old
                Incoming(device="DEV-water_meter", event_id="x5", at=now),  # a meter without a reading
                Incoming(device="DEV-door", event_id="ok", at=now),
            ],
            door=Door.HTTP,
        )
    assert [(e.index, e.reason) for e in result.errors] == [
        (0, Refusal.UNKNOWN_DEVICE),
        (1, Refusal.UNBOUND_DEVICE),
        (2, Refusal.BACKWARDS),
        (3, Refusal.FUTURE),
        (4, Refusal.TOO_OLD),
        (5, Refusal.INVALID),
    ]
    assert all(e.message for e in result.errors)
    assert result.stored == 1
    assert set(Event.objects.values_list("event_id", flat=True)) == {"w1", "ok"}
    assert LastSeen.objects.get(signal=Signal.WATER).reading == 500.0
    counts = dict(IngestCount.objects.values_list("reason", "count"))
    assert counts == dict.fromkeys(
        ("unknown_device", "unbound_device", "backwards", "future", "too_old", "invalid"), 1
    )


@pytest.mark.django_db
def test_a_late_reading_is_kept_but_moves_nothing(world):
    with clock.freeze(T0 + timedelta(hours=3)):
        ingest([water(1, 100.0, T0), water(2, 150.0, T0 + timedelta(hours=2))], door=Door.HTTP)
        late = ingest([water(3, 120.0, T0 + timedelta(hours=1))], door=Door.HTTP)
    assert late.stored == 1 and not late.errors
    row = LastSeen.objects.get(signal=Signal.WATER)
    assert (row.reading, row.reading_at) == (150.0, T0 + timedelta(hours=2))


@pytest.mark.django_db
def test_an_sos_opens_its_alert_at_once_and_only_once(world):
    with clock.freeze(T0 + timedelta(minutes=5)):
        first = ingest([Incoming(device="DEV-sos", event_id="s1", at=T0)], door=Door.MQTT)
        second = ingest(
            [Incoming(device="DEV-sos", event_id="s2", at=T0 + timedelta(minutes=1))], door=Door.MQTT
        )
    assert (first.alerts, second.alerts) == (1, 0)
    alert = Alert.objects.get()
    assert (alert.kind, alert.state, alert.subject_id) == (RuleKind.SOS, AlertState.OPEN, world.subject.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_consumers_with_the_same_batch_store_it_once():
    """Two connections ingest the same events at once (a redelivery racing the first delivery),
    including the first water reading ever (its last-seen row does not exist yet): each event is
    stored once, the ring counts the water once, and neither batch deadlocks or fails."""
    from gongzhi.care.tests.conftest import build_world

    build_world()
    batch = [Incoming(device="DEV-door", event_id=f"d{n}", at=T0 + timedelta(minutes=n)) for n in range(50)]
    batch += [water(n, 100.0 + 10 * n, T0 + timedelta(minutes=n)) for n in range(50)]
    start = threading.Barrier(2)
    results: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            with clock.freeze(T0 + timedelta(hours=2)):
                results.append(ingest(batch, door=Door.MQTT))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    assert sorted(r.stored for r in results) == [0, 100]
    assert sorted(r.duplicates for r in results) == [0, 100]
    assert Event.objects.count() == 100
    row = LastSeen.objects.get(signal=Signal.WATER)
    assert (row.reading, sum(v or 0 for v in row.slots)) == (590.0, 490.0)
