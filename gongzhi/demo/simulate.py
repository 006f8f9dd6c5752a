"""The demo street's care devices living their days (`gongzhi care_simulate`, docs/care.md).

Each bound device reports in turn, at `rate` events a second in all, following a day's
rhythm in local time: the water meter moves in the morning (06–09), at noon and in the
evening (17–21) and otherwise reports its unchanged reading; the door opens mostly at market
hours (07–09, 15–17); the power meter creeps up all day. Now and then someone presses an SOS
button. The `silent` subjects — those whose door has been still longest (the demo's few
"going quiet" first) — send nothing, so the rule pass raises their alerts; subjects away
from home send nothing either.

It talks only to the server's doors: the MQTT broker (one message per device and turn, QoS
1, on care.mqtt's topics) or the gateways' HTTP endpoint with the demo gateway's token. It
reads the database once, at the start, to learn the devices, their last readings and who
is away; it never writes there.

`speed` runs the day's rhythm faster (at 60 a day passes in 24 minutes); the events still
carry the real time, as devices do, and the volumes per real hour stay those of a day, so
the rules judge them on the wall clock.
"""

import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F

from gongzhi.care.choices import SIGNAL_OF_DEVICE, DeviceKind, Signal
from gongzhi.care.ingest import Incoming
from gongzhi.care.models import AwayPeriod, Device, LastSeen
from gongzhi.core import clock

logger = logging.getLogger("gongzhi.demo.simulate")
USE_HOURS = 9.0  # hours of a day the water flows in (06–09, 11–13, 17–21)
MAX_GAP = 3600.0  # seconds of use credited to one reading at most (the first after a pause)


def water_use(hour: int) -> bool:
    return 6 <= hour < 9 or 11 <= hour < 13 or 17 <= hour < 21


def door_chance(hour: int) -> float:
    """The chance the door opens at one turn of its sensor, by local hour."""
    if 7 <= hour < 9 or 15 <= hour < 17:  # to the market and back
        return 0.6
    if 9 <= hour < 21:
        return 0.2
    return 0.02


@dataclass
class SimDevice:
    serial: str
    kind: str
    subject_id: int
    reading: float | None = None  # a meter's cumulative reading (litres, kWh)
    daily: float = 0.0  # a meter's use a day
    last: float | None = None  # monotonic seconds of its last event


@dataclass
class Street:
    devices: list[SimDevice]
    silent: set[int]  # subject ids
    away: set[int]


def load(*, silent: int, rng: random.Random) -> Street:
    """The bound devices the consent covers, their last readings, who is away now, and the
    `silent` subjects whose door has been still longest (not away)."""
    now = clock.now()
    rows = (
        Device.objects.filter(subject__isnull=False, subject__ended_at__isnull=True)
        .select_related("subject")
        .order_by("serial")
    )
    readings = {
        (s, g): r
        for s, g, r in LastSeen.objects.filter(signal__in=[Signal.WATER, Signal.POWER]).values_list(
            "subject_id", "signal", "reading"
        )
    }
    devices: list[SimDevice] = []
    for d in rows:
        assert d.subject is not None
        signal = SIGNAL_OF_DEVICE[d.kind]
        if signal not in d.subject.signals:
            continue
        reading = (
            readings.get((int(d.subject_id or 0), signal))
            if d.kind in (DeviceKind.WATER_METER, DeviceKind.POWER_METER)
            else None
        )
        daily = rng.uniform(90, 220) if d.kind == DeviceKind.WATER_METER else rng.uniform(2.5, 7)
        if d.kind in (DeviceKind.WATER_METER, DeviceKind.POWER_METER):
            reading = float(reading or rng.uniform(1000, 9000))
        devices.append(SimDevice(d.serial, d.kind, int(d.subject_id or 0), reading, daily))
    away = set(
        AwayPeriod.objects.filter(starts_at__lte=now, ends_at__gt=now).values_list("subject_id", flat=True)
    )
    watched = {d.subject_id for d in devices} - away
    doors = (
        LastSeen.objects.filter(subject_id__in=watched, signal=Signal.DOOR)
        .order_by(F("active_at").asc(nulls_first=True), "subject_id")
        .values_list("subject_id", flat=True)
    )
    return Street(devices, set(list(doors)[:silent]), away)


class Simulation:
    """Which device reports next and what it says (no input or output: tests drive it)."""

    def __init__(
        self,
        street: Street,
        *,
        speed: float = 1.0,
        rng: random.Random | None = None,
        started: datetime | None = None,
    ) -> None:
        self.rng = rng or random.Random()
        self.speed = speed
        self.started = started or clock.now()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        quiet = street.silent | street.away
        self.turns = [
            d
            for d in street.devices
            if d.subject_id not in quiet and d.kind not in (DeviceKind.SOS, DeviceKind.SMOKE, DeviceKind.GAS)
        ]
        self.rng.shuffle(self.turns)
        self.sos = [d for d in street.devices if d.kind == DeviceKind.SOS and d.subject_id not in quiet]
        self.cursor = 0
        self.seq = 0
        self.run_id = format(int(self.started.timestamp()), "x")

    def hour(self, at: datetime) -> int:
        """The local hour of the simulated day (the real one at speed 1)."""
        simulated = self.started + (at - self.started) * self.speed
        return simulated.astimezone(self.tz).hour

    def take(self, n: int, at: datetime, tick: float) -> list[tuple[SimDevice, Incoming]]:
        """Up to `n` events, the devices taking turns (a door that stays shut says nothing)."""
        out: list[tuple[SimDevice, Incoming]] = []
        if not self.turns:
            return out
        hour = self.hour(at)
        # a few turns round when the rate outruns the devices (a shut door says nothing)
        for _ in range(max(len(self.turns), 4 * n)):
            if len(out) >= n:
                break
            device = self.turns[self.cursor]
            self.cursor = (self.cursor + 1) % len(self.turns)
            event = self._event(device, at, hour, tick)
            if event is not None:
                out.append((device, event))
        return out

    def press(self, at: datetime) -> tuple[SimDevice, Incoming] | None:
        """Somebody presses an SOS button."""
        if not self.sos:
            return None
        device = self.rng.choice(self.sos)
        return device, Incoming(device=device.serial, event_id=self._id(), at=at)

    def _event(self, device: SimDevice, at: datetime, hour: int, tick: float) -> Incoming | None:
        gap = min(MAX_GAP, tick - device.last) if device.last is not None else 60.0
        if device.kind == DeviceKind.DOOR:
            if self.rng.random() >= door_chance(hour):
                return None
            device.last = tick
            return Incoming(device=device.serial, event_id=self._id(), at=at)
        assert device.reading is not None
        if device.kind == DeviceKind.WATER_METER and water_use(hour):
            device.reading += device.daily * gap / (USE_HOURS * 3600) * self.rng.uniform(0.5, 1.5)
        elif device.kind == DeviceKind.POWER_METER:
            device.reading += device.daily * gap / 86400 * self.rng.uniform(0.5, 1.5)
        device.last = tick
        return Incoming(device=device.serial, event_id=self._id(), at=at, value=round(device.reading, 3))

    def _id(self) -> str:
        self.seq += 1
        return f"sim-{self.run_id}-{self.seq}"


class Sender(Protocol):
    def send(self, events: list[tuple[SimDevice, Incoming]]) -> None: ...
    def close(self) -> None: ...


@dataclass
class Counts:
    sent: Counter[str] = field(default_factory=Counter)  # by device kind
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    alerts: int = 0
    failed: int = 0  # events the server never took (not reachable)

    def line(self) -> str:
        sent = "，".join(f"{kind} {n}" for kind, n in sorted(self.sent.items()))
        return (
            f"sent {sum(self.sent.values())} ({sent}); stored {self.stored}, duplicates {self.duplicates}, "
            f"refused {self.refused}, alerts {self.alerts}, failed {self.failed}"
        )


class HttpSender:
    """POSTs batches to the gateways' endpoint (care.ingest behind it); retries while the
    server is not up yet (it starts beside `gongzhi serve`)."""

    def __init__(self, url: str, token: str, counts: Counts, retries: int = 5) -> None:
        self.url, self.token, self.counts, self.retries = url, token, counts, retries

    def send(self, events: list[tuple[SimDevice, Incoming]]) -> None:
        for start in range(0, len(events), 5000):
            self._post(events[start : start + 5000])

    def _post(self, events: list[tuple[SimDevice, Incoming]]) -> None:
        body = json.dumps(
            {
                "events": [
                    {
                        "device": e.device,
                        "id": e.event_id,
                        "at": e.at.isoformat(),
                        **({"value": e.value} if e.value is not None else {}),
                    }
                    for _d, e in events
                ]
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        for attempt in range(self.retries):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
                break
            except urllib.error.HTTPError as exc:
                logger.error("care_simulate: the server refused a batch: %s %s", exc.code, exc.read()[:300])
                self.counts.failed += len(events)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if attempt == self.retries - 1:
                    logger.warning("care_simulate: %s not reachable (%s); batch dropped", self.url, exc)
                    self.counts.failed += len(events)
                    return
                time.sleep(2**attempt)
        self.counts.stored += answer["stored"]
        self.counts.duplicates += answer["duplicates"]
        self.counts.refused += answer["refused"]
        self.counts.alerts += answer["alerts"]

    def close(self) -> None:
        pass


class MqttSender:
    """Publishes each device's events of a turn as one message, QoS 1, on care.mqtt's topics."""

    def __init__(
        self, counts: Counts, *, host: str | None = None, port: int | None = None, root: str | None = None
    ) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.counts, self.root = counts, root
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if settings.CARE_MQTT_USERNAME:
            self.client.username_pw_set(settings.CARE_MQTT_USERNAME, settings.CARE_MQTT_PASSWORD)
        self.client.connect(host or settings.CARE_MQTT_HOST, port or settings.CARE_MQTT_PORT)
        self.client.loop_start()
        self.pending: list[Any] = []

    def send(self, events: list[tuple[SimDevice, Incoming]]) -> None:
        from gongzhi.care import mqtt as care_mqtt

        by_device: dict[str, list[Incoming]] = {}
        for _d, e in events:
            by_device.setdefault(e.device, []).append(e)
        for serial, items in by_device.items():
            info = self.client.publish(
                care_mqtt.topic_of(serial, self.root), care_mqtt.payload_of(items), qos=1
            )
            self.pending.append(info)
        self.pending = [i for i in self.pending if not i.is_published()]

    def close(self) -> None:
        for info in self.pending:
            info.wait_for_publish(5)
        self.client.disconnect()
        self.client.loop_stop()


def run(
    simulation: Simulation,
    sender: Sender,
    counts: Counts,
    *,
    rate: float,
    stop: threading.Event,
    duration: float = 0.0,
    sos_every: float = 0.0,
    flush: float = 1.0,
    alive: Callable[[], bool] = lambda: True,
) -> Counts:
    """Send `rate` events a second until `stop` is set, `duration` seconds have passed (0: no
    end) or `alive()` says no (the server that started us is gone)."""
    began = time.monotonic()
    next_sos = began + sos_every if sos_every else None
    sent = 0
    while not stop.is_set() and alive():
        tick = time.monotonic()
        elapsed = min(tick - began, duration) if duration else tick - began
        due = int(rate * elapsed) - sent
        now = clock.now()
        events = simulation.take(due, now, tick) if due > 0 else []
        if next_sos is not None and tick >= next_sos:
            pressed = simulation.press(now)
            events += [pressed] if pressed else []
            next_sos = tick + sos_every
        if events:
            sender.send(events)
            counts.sent.update(d.kind for d, _e in events)
        sent += max(due, 0)
        if duration and elapsed >= duration:
            break
        stop.wait(max(0.0, flush - (time.monotonic() - tick)))
    sender.close()
    return counts
