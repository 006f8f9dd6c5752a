"""`care_simulate` (gongzhi.demo.simulate): the day's rhythm, the silent subjects, and short
runs through the server's doors — HTTP to a live server, MQTT to a real Mosquitto (skipped
when none is running) with the care consumer storing what it publishes."""

import random
import threading
import uuid
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.care import mqtt as care_mqtt
from gongzhi.care import rules, services
from gongzhi.care.choices import ConsentBy, DeviceKind, RuleKind, Signal, SubjectKind
from gongzhi.care.models import Alert, CareSubject, Event
from gongzhi.care.tests.conftest import SH, T0, CareWorld, build_world, png_form
from gongzhi.care.tests.test_mqtt import broker_up
from gongzhi.core import clock
from gongzhi.demo import simulate
from gongzhi.geo.levels import Level
from gongzhi.testing.factories import PersonFactory, node


def add_neighbour(w: CareWorld) -> CareSubject:
    """李阿公 next door (H2), enrolled at T0 with consent and a door sensor and a water meter."""
    h2 = node("S-R1-E1-B1-H2", "1号102室", Level.HOUSEHOLD, w.tree.b1)
    li = PersonFactory(name="李阿公", home=h2, birth_date=date(1939, 8, 1), lives_alone=True)
    committee = w.users["committee"]
    with clock.freeze(T0):
        subject = services.subject_enrol(
            actor=committee, person=li, kind=SubjectKind.ALONE_80, posts=[(w.post("grid"), "grid")]
        )
        services.consent_record(
            actor=committee,
            subject=subject,
            given_by=ConsentBy.SUBJECT,
            signals=[Signal.DOOR, Signal.WATER],
            given_on=T0.date(),
            form=png_form(),
        )
        subject.refresh_from_db()
        for kind in (DeviceKind.DOOR, DeviceKind.WATER_METER):
            device = services.device_register(actor=committee, serial=f"LI-{kind}", kind=kind, household=h2)
            services.device_bind(actor=committee, device=device, subject=subject)
    return subject


def a_street(silent: set[int] = frozenset()) -> simulate.Street:  # type: ignore[assignment]
    devices = [
        simulate.SimDevice("D1", DeviceKind.DOOR, 1),
        simulate.SimDevice("W1", DeviceKind.WATER_METER, 1, reading=1000.0, daily=150),
        simulate.SimDevice("P1", DeviceKind.POWER_METER, 1, reading=50.0, daily=4),
        simulate.SimDevice("S1", DeviceKind.SOS, 1),
        simulate.SimDevice("D2", DeviceKind.DOOR, 2),
        simulate.SimDevice("W2", DeviceKind.WATER_METER, 2, reading=500.0, daily=150),
    ]
    return simulate.Street(devices, set(silent), set())


def play(sim: simulate.Simulation, at: datetime, turns: int) -> list[Any]:
    out = []
    for i in range(turns):
        out += sim.take(6, at, tick=60.0 * i)
    return out


def test_water_flows_in_the_morning_and_the_door_opens_at_market_hours() -> None:
    morning = datetime(2026, 3, 2, 7, 30, tzinfo=SH)
    sim = simulate.Simulation(a_street(), rng=random.Random(1), started=morning)
    events = play(sim, morning, 50)
    water = [e.value for d, e in events if d.serial == "W1"]
    assert water == sorted(water) and water[-1] > water[0]  # cumulative, and it moved
    assert sum(1 for d, _e in events if d.kind == DeviceKind.DOOR) > 20  # 60% a turn at 07:30
    assert not any(d.kind == DeviceKind.SOS for d, _e in events)  # presses come separately
    assert len({e.event_id for _d, e in events}) == len(events)
    night = datetime(2026, 3, 3, 3, 0, tzinfo=SH)
    sim = simulate.Simulation(a_street(), rng=random.Random(1), started=night)
    events = play(sim, night, 50)
    assert {e.value for d, e in events if d.serial == "W1"} == {1000.0}  # the tap stays shut
    assert sum(1 for d, _e in events if d.kind == DeviceKind.DOOR) < 8
    power = [e.value for d, e in events if d.serial == "P1"]
    assert power[-1] > power[0]  # the fridge runs all night


def test_silent_subjects_send_nothing_and_speed_runs_the_day_faster() -> None:
    start = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    sim = simulate.Simulation(a_street(silent={1}), rng=random.Random(2), started=start, speed=60)
    events = play(sim, start, 30)
    assert events and all(d.subject_id == 2 for d, _e in events)
    assert sim.press(start) is None  # subject 1's SOS is silent too
    assert sim.hour(start + timedelta(minutes=10)) == 20  # ten minutes at 60×: ten hours on
    water = [e.value for d, e in events if d.serial == "W2"]
    assert water[-1] - water[0] < 150  # a day's water per real day, whatever the speed


@pytest.mark.django_db
def test_load_picks_the_longest_still_doors_as_silent_and_skips_the_away() -> None:
    w = build_world()
    li = add_neighbour(w)
    assert w.subject is not None
    with clock.freeze(T0 + timedelta(hours=5)):
        services.visit_record(actor=None, subject=li, kind="checkin")  # not a door: no matter
        from gongzhi.care.ingest import Incoming, ingest

        ingest([Incoming(device="LI-door", event_id="x1", at=clock.now())], door="http")
        street = simulate.load(silent=1, rng=random.Random(3))
        assert street.silent == {w.subject.pk}  # 张阿婆's door has been still since T0
        assert {d.serial for d in street.devices} >= {"DEV-door", "DEV-water_meter", "LI-door"}
        assert "DEV-smoke" not in {d.serial for d in street.devices}  # registered, never bound
        services.away_record(
            actor=None,
            subject=w.subject,
            reason="hospital",
            starts_at=clock.now() - timedelta(hours=1),
            ends_at=clock.now() + timedelta(days=3),
        )
        street = simulate.load(silent=1, rng=random.Random(3))
        assert street.away == {w.subject.pk} and street.silent == {li.pk}


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> tuple[CareWorld, str, str]:
    w = build_world()
    _gateway, token = services.gateway_create(actor=None, name="演示网关")
    return w, f"{live_server.url}/api/v1/care/events", token


def test_a_short_run_over_http_is_stored_by_the_server(server) -> None:
    _w, url, token = server
    counts = simulate.Counts()
    sim = simulate.Simulation(simulate.load(silent=0, rng=random.Random(4)), rng=random.Random(4))
    simulate.run(
        sim,
        simulate.HttpSender(url, token, counts),
        counts,
        rate=40,
        stop=threading.Event(),
        duration=2,
        sos_every=0.5,
        flush=0.5,
    )
    sent = sum(counts.sent.values())
    assert sent >= 40 and counts.sent[DeviceKind.SOS] >= 1
    assert counts.stored == sent == Event.objects.count()
    assert counts.refused == counts.failed == 0
    assert counts.alerts == 1 == Alert.objects.filter(kind=RuleKind.SOS).count()  # one open per subject


def test_a_wrong_token_is_refused_and_counted_not_stored(server) -> None:
    _w, url, _token = server
    counts = simulate.Counts()
    sim = simulate.Simulation(simulate.load(silent=0, rng=random.Random(5)), rng=random.Random(5))
    simulate.run(
        sim,
        simulate.HttpSender(url, "gzgw_wrong", counts),
        counts,
        rate=20,
        stop=threading.Event(),
        duration=1,
    )
    assert counts.failed == sum(counts.sent.values()) > 0 and counts.stored == 0
    assert not Event.objects.exists()


def test_the_silent_subject_raises_its_alerts_after_a_sweep(server) -> None:
    """Two days after T0 (a Wednesday, 11:00): 李阿公's devices report through the server, 张阿婆
    stays silent; the rule pass finds her door still for 50 hours, and not his."""
    w, url, token = server
    li = add_neighbour(w)
    assert w.subject is not None
    later = T0 + timedelta(hours=50)
    with clock.freeze(later):  # the live server's thread reads the same clock
        street = simulate.load(silent=1, rng=random.Random(6))
        assert street.silent == {w.subject.pk}
        counts = simulate.Counts()
        simulate.run(
            simulate.Simulation(street, rng=random.Random(6)),
            simulate.HttpSender(url, token, counts),
            counts,
            rate=100,
            stop=threading.Event(),
            duration=1.5,
            flush=0.5,
        )
        assert counts.stored > 0 and counts.refused == 0
        assert not Event.objects.filter(subject=w.subject).exists()
        opened = rules.sweep().opened
    assert {a.subject_id for a in opened} == {w.subject.pk}
    assert RuleKind.NO_DOOR in {a.kind for a in opened}  # (and her power meter, still as long)
    assert not Alert.objects.filter(subject=li).exists()


@pytest.mark.skipif(not broker_up(), reason="no MQTT broker at CARE_MQTT_HOST:CARE_MQTT_PORT")
def test_a_short_run_over_mqtt_is_stored_by_the_consumer(transactional_db: None) -> None:
    build_world()
    root = f"gongzhi-test/{uuid.uuid4().hex[:8]}"
    consumer = care_mqtt.Consumer(client_id=f"sim-test-{uuid.uuid4().hex[:6]}", root=root, flush_seconds=0.2)
    consumer.start()
    try:
        assert consumer.subscribed.wait(5)
        counts = simulate.Counts()
        sim = simulate.Simulation(simulate.load(silent=0, rng=random.Random(7)), rng=random.Random(7))
        simulate.run(
            sim,
            simulate.MqttSender(counts, root=root),
            counts,
            rate=50,
            stop=threading.Event(),
            duration=1.5,
            flush=0.5,
        )
        stats = consumer.run(threading.Event(), idle_exit=1.5)
    finally:
        consumer.stop()
    sent = sum(counts.sent.values())
    assert sent >= 50
    assert stats.stored == sent == Event.objects.count() and stats.malformed == 0


@pytest.mark.django_db
def test_the_command_refuses_without_devices_and_bad_figures() -> None:
    with pytest.raises(CommandError, match="没有已绑定"):
        call_command("care_simulate", "--via", "http", "--duration", "0.1", stdout=StringIO())
    with pytest.raises(CommandError, match="须大于 0"):
        call_command("care_simulate", "--rate", "0", stdout=StringIO())
