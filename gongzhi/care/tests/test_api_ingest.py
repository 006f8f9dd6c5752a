"""The gateways' batch endpoint over real HTTP: its own token, per-item errors, idempotent,
5,000 events at most, a malformed body writes nothing."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from gongzhi.care import services
from gongzhi.care.choices import Door
from gongzhi.care.models import Event, IngestCount, LastSeen
from gongzhi.care.tests.conftest import build_world
from gongzhi.core import clock


@pytest.fixture
def http(live_server: Any, transactional_db: None) -> Iterator[tuple[httpx.Client, str]]:
    build_world()
    _gateway, token = services.gateway_create(actor=None, name="楼宇网关")
    with httpx.Client(base_url=f"{live_server.url}/api/v1/care", timeout=30) as client:
        yield client, token


def events(n: int, start: int = 0) -> list[dict[str, Any]]:
    now = clock.now()
    return [
        {"device": "DEV-door", "id": f"e{i}", "at": (now - timedelta(seconds=n - (i - start))).isoformat()}
        for i in range(start, start + n)
    ]


def test_a_gateway_posts_a_batch_once(http):
    client, token = http
    auth = {"Authorization": f"Bearer {token}"}
    batch = events(1000)
    first = client.post("/events", json={"events": batch}, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json() | {"errors": []} == {
        "received": 1000, "stored": 1000, "duplicates": 0, "refused": 0, "alerts": 0, "errors": [],
    }  # fmt: skip
    again = client.post("/events", json={"events": batch[:10] + events(5, start=1000)}, headers=auth)
    assert (again.json()["stored"], again.json()["duplicates"]) == (5, 10)
    assert Event.objects.count() == 1005
    assert LastSeen.objects.get(signal="door").active_at is not None


def test_bad_items_are_listed_by_index_counted_and_never_stored(http):
    """The issue's bad-input list through the gateway door: an unknown device, a registered one
    never bound, a time in the future, one years old, a meter reading that goes backwards and a
    meter event without a reading each get their error by index and are counted per reason;
    none is stored and the last-seen rows do not move; the good event is stored."""
    client, token = http
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    now = clock.now()
    meter = {
        "device": "DEV-water_meter",
        "id": "w1",
        "at": (now - timedelta(hours=1)).isoformat(),
        "value": 500,
    }
    assert client.post("/events", json={"events": [meter]}, headers=auth).json()["stored"] == 1
    body = {
        "events": [
            {"device": "NOPE", "id": "1", "at": now.isoformat()},
            {"device": "DEV-door", "id": "2", "at": (now + timedelta(days=1)).isoformat()},
            {"device": "DEV-door", "id": "3", "at": (now - timedelta(days=3 * 365)).isoformat()},
            {"device": "DEV-gas", "id": "4", "at": now.isoformat()},
            {"device": "DEV-water_meter", "id": "w2", "at": now.isoformat(), "value": 499},
            {"device": "DEV-water_meter", "id": "w3", "at": now.isoformat()},
            {"device": "DEV-door", "id": "5", "at": now.isoformat()},
        ]
    }
    answer = client.post("/events", json=body, headers=auth)
    assert answer.status_code == 200
    assert (answer.json()["stored"], answer.json()["refused"]) == (1, 6)
    errors = answer.json()["errors"]
    assert [(e["index"], e["reason"]) for e in errors] == [
        (0, "unknown_device"), (1, "future"), (2, "too_old"), (3, "unbound_device"), (4, "backwards"),
        (5, "invalid"),
    ]  # fmt: skip
    assert all(e["msg"] for e in errors)
    assert sorted(Event.objects.values_list("event_id", flat=True)) == ["5", "w1"]
    water = LastSeen.objects.get(signal="water")
    assert (water.reading, water.reading_at) == (500, datetime.fromisoformat(meter["at"]))
    counts = dict(IngestCount.objects.filter(door=Door.HTTP).values_list("reason", "count"))
    assert counts == dict.fromkeys(
        ("unknown_device", "future", "too_old", "unbound_device", "backwards", "invalid"), 1
    )


def test_the_endpoint_refuses_people_tokens_big_batches_and_malformed_bodies(http):
    client, token = http
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/events", json={"events": events(1)}).status_code == 401
    assert (
        client.post(
            "/events", json={"events": events(1)}, headers={"Authorization": "Bearer gz_x"}
        ).status_code
        == 401
    )
    too_many = client.post("/events", json={"events": events(5001)}, headers=auth)
    assert too_many.status_code == 422
    malformed = client.post(
        "/events", json={"events": [{"device": "DEV-door", "at": "yesterday"}]}, headers=auth
    )
    assert malformed.status_code == 422
    assert {tuple(d["loc"][-2:]) for d in malformed.json()["detail"]} >= {(0, "id"), (0, "at")}
    assert client.post("/events", content=b"{not json", headers=auth).status_code in (400, 422)
    assert Event.objects.count() == 0
    assert not IngestCount.objects.exists()  # a refused request is not an event refused
