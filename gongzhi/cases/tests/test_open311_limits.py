"""Open311's public reads are rate limited over real HTTP: per address without an api_key, per
key with one (a larger budget), and a wide date window costs more than a narrow one. Over
budget: 429, errors[] in the URL's format, Retry-After."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gongzhi.cases.open311 import keys
from gongzhi.core import clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _still_clock() -> Iterator[None]:
    """Counts are per window: hold the clock at a window's start so none rolls over mid-test."""
    with clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):
        yield


DAY = {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-02T00:00:00+08:00"}
QUARTER = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-03-31T00:00:00+08:00"}


@pytest.fixture
def open311(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.url}/open311/v2/", timeout=30) as client:
        yield client


@pytest.fixture
def budgets(settings: Any) -> None:
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "open311-list-anon": (20, 600),
        "open311-list-key": (40, 600),
    }


def statuses(client: httpx.Client, n: int, path: str = "requests.json", **query: str) -> list[int]:
    return [client.get(path, params=query).status_code for _ in range(n)]


def test_anonymous_listing_stops_at_its_budget_with_429_in_open311_shape(open311, budgets):
    assert statuses(open311, 20, **DAY) == [200] * 20  # a one-day window costs 1
    refused = open311.get("requests.json", params=DAY)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    body = refused.json()
    assert [e["code"] for e in body] == [429] and "请求过于频繁" in body[0]["description"]
    refused_xml = open311.get("requests.xml", params=DAY, headers={"Accept-Language": "en"})
    assert refused_xml.status_code == 429 and refused_xml.headers["Retry-After"]
    root = ET.fromstring(refused_xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == "429"
    assert "Too many requests" in (root.findtext("error/description") or "")
    # Single reads share the budget.
    assert open311.get("requests/20260301000001.json").status_code == 429


def test_wide_windows_cost_more(open311, budgets):
    # 89 days = 13 started weeks: one quarter-wide read spends 13 of the 20.
    assert statuses(open311, 2, **QUARTER) == [200, 429]
    assert statuses(open311, 8, **DAY) == [200] * 7 + [429]
    # With no dates the window is the last 90 days: as wide.
    assert open311.get("requests.json").status_code == 429


def test_an_api_key_gets_its_own_larger_budget(open311, budgets):
    _, key = keys.key_create(name="区大数据中心")
    assert statuses(open311, 20, **DAY) == [200] * 20
    assert open311.get("requests.json", params=DAY).status_code == 429  # anonymous: spent
    assert statuses(open311, 40, **DAY, api_key=key) == [200] * 40
    assert open311.get("requests.json", params={**DAY, "api_key": key}).status_code == 429
    assert open311.get("requests.json", params={**DAY, "api_key": "o311_forged"}).status_code == 429
