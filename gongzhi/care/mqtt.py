"""The MQTT door of the ingestion: a consumer (paho-mqtt, MQTT 5) feeding `care.ingest`.

Topic scheme (docs/care.md): a device, or its gateway on its behalf, publishes at QoS 1 to
`<root>/<device serial>` (root: CARE_MQTT_TOPIC_ROOT, "gongzhi/care/v1") a JSON object
`{"id": <event id>, "at": <ISO 8601 with offset>, "value": <meter reading, optional>}` or an
array of them; or a gateway publishes to `<root>/<its own name>` a batch of many devices'
events, the HTTP door's body: `{"events": [{"device", "id", "at", "value"?}, …]}` (up to 5,000).
One message per event costs the broker, paho and the consumer more than the ingest of the
event (docs/benchmarks.md, "care"): gateways should batch. Consumers subscribe with an MQTT 5
shared subscription, `$share/<group>/<root>/+`, so the broker splits the stream between them,
and ingest in batches of about `batch` events (or what came in `flush_seconds`), one
transaction each.

Delivery is at least once: messages are acknowledged (PUBACK) only after the ingest's
transaction commits, and the session survives a restart (clean start off, a session expiry),
so the broker redelivers whatever a dead consumer had not acknowledged; the ingest is
idempotent on (device, event id), so a redelivery changes nothing. A payload that cannot be
read is logged, counted (IngestCount, reason "malformed") and acknowledged: the consumer goes on.
"""

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gongzhi.care.choices import Door
from gongzhi.care.ingest import Incoming, count_malformed, ingest

logger = logging.getLogger("gongzhi.care.mqtt")
SESSION_EXPIRY = 24 * 3600  # seconds the broker keeps an absent consumer's unacknowledged messages
MAX_PAYLOAD_EVENTS = 5000


class Malformed(ValueError):
    pass


def topic_of(serial: str, root: str | None = None) -> str:
    return f"{root or settings.CARE_MQTT_TOPIC_ROOT}/{serial}"


def subscription(root: str | None = None, group: str | None = None) -> str:
    return f"$share/{group or settings.CARE_MQTT_SHARE_GROUP}/{root or settings.CARE_MQTT_TOPIC_ROOT}/+"


def gateway_payload_of(events: list[Incoming]) -> bytes:
    """A gateway's batch of several devices' events (the HTTP door's body)."""
    return json.dumps({"events": [{"device": e.device, **_item_of(e)} for e in events]}).encode()


def _item_of(e: Incoming) -> dict[str, Any]:
    return {"id": e.event_id, "at": e.at.isoformat(), **({"value": e.value} if e.value is not None else {})}


def payload_of(events: list[Incoming]) -> bytes:
    """The JSON a publisher sends for one device's events (the simulator and the tests use it)."""
    return json.dumps([_item_of(e) for e in events]).encode()


def parse(topic: str, payload: bytes) -> list[Incoming]:
    """The events of one message; Malformed when any part cannot be read (the whole message is
    refused: a publisher sends a message whole or not at all)."""
    serial = topic.rsplit("/", 1)[-1]
    if not serial or serial in {"+", "#"}:
        raise Malformed("no device in topic")
    try:
        body = orjson.loads(payload)  # checks UTF-8 too
    except orjson.JSONDecodeError as exc:
        raise Malformed("not JSON") from exc
    gateway = isinstance(body, dict) and "events" in body
    items = body["events"] if gateway else body if isinstance(body, list) else [body]
    if not isinstance(items, list) or not items or len(items) > MAX_PAYLOAD_EVENTS:
        raise Malformed("no events, or too many")
    if gateway:
        return [_item(_device(item), item) for item in items]
    return [_item(serial, item) for item in items]


def _device(item: Any) -> str:
    """A gateway batch's item names its device."""
    device = item.get("device") if isinstance(item, dict) else None
    if not isinstance(device, str) or not device:
        raise Malformed("an event of a gateway batch names no device")
    return device


def _item(serial: str, item: Any) -> Incoming:
    if not isinstance(item, dict):
        raise Malformed("an event is not an object")
    event_id, at, value = item.get("id"), item.get("at"), item.get("value")
    if not isinstance(event_id, str | int) or isinstance(event_id, bool) or not isinstance(at, str):
        raise Malformed("id or at missing")
    try:
        when = datetime.fromisoformat(at)
    except ValueError as exc:
        raise Malformed("at is not ISO 8601") from exc
    if timezone.is_naive(when):
        raise Malformed("at has no offset")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise Malformed("value is not a number")
    return Incoming(
        device=serial, event_id=str(event_id), at=when, value=float(value) if value is not None else None
    )


@dataclass(frozen=True, slots=True)
class Read:
    """A message and its events (none when it could not be read)."""

    message: mqtt.MQTTMessage
    events: list[Incoming]
    malformed: bool = False


def read(message: mqtt.MQTTMessage) -> Read:
    try:
        return Read(message, parse(message.topic, message.payload))
    except Malformed as exc:
        logger.warning("care consumer: malformed message on %s: %s", message.topic, exc)
        return Read(message, [], malformed=True)


@dataclass
class Stats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    malformed: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Consumer:
    """One consumer process's connection. Messages arrive on paho's network thread and wait in a
    queue; `run` (the caller's thread, which owns the database connection) ingests them in
    batches and acknowledges each batch after it commits."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        host: str | None = None,
        port: int | None = None,
        root: str | None = None,
        group: str | None = None,
        batch: int = 2000,
        flush_seconds: float = 0.1,
    ) -> None:
        self.host = host or settings.CARE_MQTT_HOST
        self.port = port or settings.CARE_MQTT_PORT
        self.topic = subscription(root, group)
        self.batch = batch
        self.flush_seconds = flush_seconds
        self.stats = Stats()
        self.inbox: queue.Queue[Read] = queue.Queue()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id or f"gongzhi-care-{uuid.uuid4().hex[:12]}",
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if settings.CARE_MQTT_USERNAME:
            self.client.username_pw_set(settings.CARE_MQTT_USERNAME, settings.CARE_MQTT_PASSWORD)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            logger.error("care consumer: broker refused the connection: %s", reason)
            return
        client.subscribe(self.topic, options=SubscribeOptions(qos=1))

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, properties: Any
    ) -> None:
        self.subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # Read here, on paho's network thread: while `run` waits on the database for one batch,
        # the next one's messages are parsed.
        self.inbox.put(read(message))

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY
        # Without a Receive Maximum the broker picks its own (Mosquitto: 20 unacknowledged
        # messages a client), so a batch could never hold more than 20 messages and each waited
        # `flush_seconds` for more that the broker held back until the acknowledgement. Two
        # batches' worth: one being ingested, the next arriving (docs/care.md, "Brokers").
        props.ReceiveMaximum = min(65535, max(100, 2 * self.batch))
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, stop: threading.Event, *, idle_exit: float | None = None) -> Stats:
        """Consume until `stop` is set (or, for tests and benchmarks, after `idle_exit` seconds
        with nothing to do)."""
        idle_since = time.monotonic()
        while not stop.is_set():
            taken = self._take()
            if taken:
                self._handle(taken)
                idle_since = time.monotonic()
            elif idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                break
        return self.stats

    def _take(self) -> list[Read]:
        """Messages, read, until they hold `batch` events or `flush_seconds` have passed."""
        try:
            first = self.inbox.get(timeout=self.flush_seconds)
        except queue.Empty:
            return []
        taken = [first]
        events = len(first.events)
        deadline = time.monotonic() + self.flush_seconds
        while events < self.batch:
            try:
                item = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            taken.append(item)
            events += len(item.events)
        return taken

    def handle(self, messages: list[mqtt.MQTTMessage], before_ack: Callable[[], None] | None = None) -> None:
        """Ingest a batch of messages, then acknowledge them. A database failure leaves them
        unacknowledged and queued again here (if the process dies meanwhile, the broker
        redelivers them on the next connection)."""
        self._handle([read(m) for m in messages], before_ack)

    def _handle(self, taken: list[Read], before_ack: Callable[[], None] | None = None) -> None:
        messages = [t.message for t in taken]
        events = [e for t in taken for e in t.events]
        malformed = sum(t.malformed for t in taken)
        try:
            close_old_connections()
            if malformed:
                count_malformed(Door.MQTT, malformed)
            result = ingest(events, door=Door.MQTT) if events else None
        except Exception as exc:
            # Tried again, not dropped: unacknowledged messages hold the broker's in-flight
            # window (Mosquitto: 20), so a consumer that kept failed ones aside would stall
            # (seen on SQLite, "database is locked" while the embedded beat starts up).
            self.stats.failures += 1
            if _busy(exc):  # expected now and then in embedded mode: one line, not a traceback
                logger.warning("care consumer: database busy; %d messages will be tried again", len(messages))
            else:
                logger.exception(
                    "care consumer: ingest failed; %d messages will be tried again", len(messages)
                )
            time.sleep(1)
            for item in taken:
                self.inbox.put(item)
            return
        if before_ack is not None:
            before_ack()
        for message in messages:
            self.client.ack(message.mid, message.qos)
        with self.stats.lock:
            self.stats.messages += len(messages)
            self.stats.malformed += malformed
            if result is not None:
                self.stats.stored += result.stored
                self.stats.duplicates += result.duplicates
                self.stats.refused += result.refused


def _busy(exc: BaseException) -> bool:
    """SQLite's one write lock stayed taken past its busy timeout: a wait, not a fault."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)
