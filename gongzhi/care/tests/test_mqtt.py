"""The MQTT door over a real Mosquitto at 127.0.0.1:1883 (CI starts it; skipped cleanly when
none is running): shared subscription, QoS 1, acknowledged after commit, a redelivery changes
nothing, a malformed payload is counted and the consumer goes on."""

import socket
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion

from gongzhi.care import mqtt as care_mqtt
from gongzhi.care.choices import Door, Refusal
from gongzhi.care.ingest import Incoming
from gongzhi.care.models import Event, IngestCount
from gongzhi.care.tests.conftest import build_world
from gongzhi.core import clock


def broker_up() -> bool:
    try:
        with socket.create_connection((settings.CARE_MQTT_HOST, settings.CARE_MQTT_PORT), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not broker_up(), reason="no MQTT broker at CARE_MQTT_HOST:CARE_MQTT_PORT")


@pytest.fixture
def root() -> str:
    return f"gongzhi-test/{uuid.uuid4().hex[:8]}"  # a topic tree of its own: runs never mix


def publish(root: str, messages: list[tuple[str, bytes]]) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(settings.CARE_MQTT_HOST, settings.CARE_MQTT_PORT)
    client.loop_start()
    for serial, payload in messages:
        client.publish(care_mqtt.topic_of(serial, root), payload, qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def consumer(root: str, client_id: str) -> care_mqtt.Consumer:
    c = care_mqtt.Consumer(client_id=client_id, root=root, flush_seconds=0.2)
    c.start()
    assert c.subscribed.wait(5), "the broker did not confirm the subscription"
    return c


def door_events(n: int) -> list[Incoming]:
    now = clock.now()
    return [
        Incoming(device="DEV-door", event_id=f"m{i}", at=now - timedelta(seconds=n - i)) for i in range(n)
    ]


def drain(c: care_mqtt.Consumer) -> Any:
    return c.run(threading.Event(), idle_exit=1.5)


@pytest.mark.django_db(transaction=True)
def test_messages_are_stored_once_even_when_delivered_again(root):
    build_world()
    c = consumer(root, "care-test-a")
    try:
        batch = door_events(50)
        publish(
            root,
            [("DEV-door", care_mqtt.payload_of(batch[:25])), ("DEV-door", care_mqtt.payload_of(batch[25:]))],
        )
        publish(root, [("DEV-door", care_mqtt.payload_of(batch[:25]))])  # the gateway sends again
        stats = drain(c)
    finally:
        c.stop()
    assert (stats.messages, stats.stored, stats.duplicates) == (3, 50, 25)
    assert Event.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_a_gateway_batch_of_many_devices_is_one_message_and_its_redelivery_changes_nothing(root):
    w = build_world()
    c = consumer(root, "care-test-g")
    now = clock.now()
    events = [
        *door_events(3),
        Incoming(device="DEV-water_meter", event_id="w1", at=now - timedelta(seconds=30), value=100.0),
        Incoming(device="DEV-water_meter", event_id="w2", at=now - timedelta(seconds=20), value=112.5),
        Incoming(device="NOPE", event_id="n1", at=now),  # refused, counted; the rest stored
    ]
    try:
        payload = care_mqtt.gateway_payload_of(events)
        publish(root, [("gw-1", payload), ("gw-1", payload)])  # the gateway sends its batch again
        stats = drain(c)
    finally:
        c.stop()
    assert (stats.messages, stats.stored, stats.duplicates, stats.refused) == (2, 5, 5, 2)
    assert sorted(Event.objects.values_list("event_id", flat=True)) == ["m0", "m1", "m2", "w1", "w2"]
    water = w.subject.last_seen.get(signal="water")
    assert (water.reading, sum(x or 0 for x in water.slots)) == (112.5, 12.5)


@pytest.mark.django_db(transaction=True)
def test_a_consumer_that_dies_before_acknowledging_gets_the_messages_again(root):
    build_world()
    crashed = consumer(root, "care-test-b")
    publish(root, [("DEV-door", care_mqtt.payload_of(door_events(10)))])
    messages = [crashed.inbox.get(timeout=5).message]  # read on arrival; handled as a message

    class Died(Exception):
        pass

    def die() -> None:
        raise Died

    with pytest.raises(Died):  # stored and committed, then the process dies before the PUBACK
        crashed.handle(messages, before_ack=die)
    crashed.client.loop_stop()
    crashed.client.socket().close()  # no DISCONNECT: the broker sees a dead client
    assert Event.objects.count() == 10
    restarted = consumer(root, "care-test-b")  # same client id: the session and its unacked message
    try:
        stats = drain(restarted)
    finally:
        restarted.stop()
    assert (stats.messages, stats.stored, stats.duplicates) == (1, 0, 10)
    assert Event.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_malformed_payload_is_logged_counted_and_the_consumer_goes_on(root, caplog):
    build_world()
    c = consumer(root, "care-test-c")
    now = clock.now()
    try:
        publish(
            root,
            [
                ("DEV-door", b"\xff not json"),
                ("DEV-door", b'{"id": "1", "at": "yesterday"}'),
                ("DEV-door", b'[{"id": "2", "at": "2026-01-01T00:00:00"}]'),  # no offset
                ("NOPE", care_mqtt.payload_of([Incoming(device="NOPE", event_id="n1", at=now)])),
                (
                    "DEV-door",
                    care_mqtt.payload_of(
                        [Incoming(device="DEV-door", event_id="f1", at=now + timedelta(hours=2))]
                    ),
                ),
                ("DEV-door", care_mqtt.payload_of(door_events(3))),
            ],
        )
        with caplog.at_level("WARNING", logger="gongzhi.care.mqtt"):
            stats = drain(c)
    finally:
        c.stop()
    assert (stats.malformed, stats.stored) == (3, 3)
    assert len([r for r in caplog.records if "malformed message" in r.getMessage()]) == 3
    assert sorted(Event.objects.values_list("event_id", flat=True)) == ["m0", "m1", "m2"]
    counts = dict(IngestCount.objects.filter(door=Door.MQTT).values_list("reason", "count"))
    assert counts == {Refusal.MALFORMED: 3, Refusal.UNKNOWN_DEVICE: 1, Refusal.FUTURE: 1}


def test_the_broker_sends_a_whole_batch_before_the_first_acknowledgement(root):
    """The consumer announces a Receive Maximum of two batches: without it Mosquitto keeps 20
    messages unacknowledged a client, so batches never grew past 20 and backlogs overflowed the
    broker's queue (docs/care.md, "Brokers")."""
    c = care_mqtt.Consumer(client_id=f"care-test-d-{uuid.uuid4().hex[:6]}", root=root, batch=100)
    c.start()
    try:
        assert c.subscribed.wait(5)
        publish_fast(root, 150)
        deadline = time.monotonic() + 5
        while c.inbox.qsize() < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.inbox.qsize() == 150  # none acknowledged yet, all delivered
    finally:
        c.client.disconnect()
        c.client.loop_stop()


def publish_fast(root: str, n: int) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(settings.CARE_MQTT_HOST, settings.CARE_MQTT_PORT)
    client.loop_start()
    sent = [client.publish(care_mqtt.topic_of("DEV-door", root), b"{}", qos=1) for _ in range(n)]
    for info in sent:
        info.wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def test_the_topic_scheme():
    assert care_mqtt.subscription("gongzhi/care/v1", "gongzhi") == "$share/gongzhi/gongzhi/care/v1/+"
    events = care_mqtt.parse(
        "gongzhi/care/v1/WM-1", b'{"id": 7, "at": "2026-03-02T09:00:00+08:00", "value": 12.5}'
    )
    assert [(e.device, e.event_id, e.value) for e in events] == [("WM-1", "7", 12.5)]
    for bad in (b"[]", b"{}", b'{"id": true, "at": "2026-03-02T09:00:00+08:00"}', b'{"id": 1, "at": 5}'):
        with pytest.raises(care_mqtt.Malformed):
            care_mqtt.parse("gongzhi/care/v1/WM-1", bad)
    batch = care_mqtt.parse(
        "gongzhi/care/v1/gw-1",
        b'{"events": [{"device": "D-1", "id": "a", "at": "2026-03-02T09:00:00+08:00"},'
        b' {"device": "WM-2", "id": "b", "at": "2026-03-02T09:00:00+08:00", "value": 3}]}',
    )  # a gateway's batch: each event names its device, the topic names the gateway
    assert [(e.device, e.event_id, e.value) for e in batch] == [("D-1", "a", None), ("WM-2", "b", 3.0)]
    for bad in (
        b'{"events": []}',
        b'{"events": {"device": "D-1"}}',
        b'{"events": [{"id": "a", "at": "2026-03-02T09:00:00+08:00"}]}',  # no device
    ):
        with pytest.raises(care_mqtt.Malformed):
            care_mqtt.parse("gongzhi/care/v1/gw-1", bad)
