"""Every login door behind one limiter (core.logins), over real HTTP: the login page,
/admin/login/ and POST /api/v1/tokens share the per-address and per-username budgets, which
live in the database, so they hold across workers; successes cost nothing."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gongzhi.core import clock
from gongzhi.core.models import RateCounter
from gongzhi.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _still_clock() -> Iterator[None]:
    """Counts are per window: hold the clock at a window's start so none rolls over mid-test."""
    with clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):
        yield


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def http(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def post_login(
    client: httpx.Client, username: str, password: str, path: str = "/login/", **headers: str
) -> int:
    """One login through the form, as a browser sends it (CSRF token from the page)."""
    page = client.get(path)
    token = TOKEN.search(page.text)
    assert token is not None, page.text[:500]
    response = client.post(
        path,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers=headers,
    )
    assert response.status_code < 500, response.text[:500]
    return response.status_code


def test_spraying_150_usernames_from_one_address_stops_at_the_address_budget(http, settings):
    assert settings.RATE_LIMITS["login-ip"] == (100, 600)
    # A forged X-Forwarded-For changes nothing: proxies are not trusted unless configured.
    statuses = [
        post_login(http, f"user{i}", "guess", **{"X-Forwarded-For": f"10.9.{i // 250}.{i % 250}"})
        for i in range(150)
    ]
    assert statuses.count(200) == 100  # the form's "wrong username or password"
    assert statuses.count(429) == 50
    assert statuses.index(429) == 100
    assert RateCounter.objects.exists()  # counted in the shared store, not in a worker's memory


def test_one_username_from_many_addresses_stops_at_the_username_budget(http, settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1  # one proxy in front: its X-Forwarded-For is the client
    UserFactory(username="wang")
    UserFactory(username="li")
    statuses = [post_login(http, "wang", "guess", **{"X-Forwarded-For": f"10.1.0.{i}"}) for i in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    # Even the right password from a fresh address waits; another account is not affected.
    assert post_login(http, "wang", PASSWORD, **{"X-Forwarded-For": "10.2.0.1"}) == 429
    assert post_login(http, "li", PASSWORD, **{"X-Forwarded-For": "10.2.0.1"}) == 302


def test_thirty_people_behind_one_nat_log_in(live_server, settings):
    people = [UserFactory(username=f"staff{i}") for i in range(30)]
    statuses = []
    for person in people:
        with httpx.Client(base_url=live_server.url, timeout=30) as browser:
            # Everyone mistypes once, then gets it right: 30 failures and 30 successes, one address.
            statuses.append(post_login(browser, person.username, "typo"))
            statuses.append(post_login(browser, person.username, PASSWORD))
            assert browser.get("/", follow_redirects=False).status_code == 200  # logged in
    assert statuses == [200, 302] * 30


def test_admin_login_shares_the_username_budget(http, settings):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert post_login(http, "root", "guess") == 200  # the login page
    for _ in range(5):
        assert post_login(http, "root", "guess", path="/admin/login/") == 200
    page = http.get("/admin/login/")
    token = TOKEN.search(page.text)
    assert token is not None
    refused = http.post(
        "/admin/login/",
        data={"username": "root", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert refused.status_code == 429 and "账号已临时锁定" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert http.get("/admin/", follow_redirects=False).status_code == 302  # not logged in


def test_api_tokens_share_the_address_budget(http, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": (5, 600)}
    UserFactory(username="grid")
    body = {"name": "x", "password": "guess"}
    statuses = [http.post("/api/v1/tokens", json={**body, "username": f"u{i}"}).status_code for i in range(5)]
    assert statuses == [401] * 5
    refused = http.post("/api/v1/tokens", json={"name": "x", "username": "grid", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["detail"] == "这个网络地址登录失败次数过多，请稍后再试"
    assert refused.headers["Retry-After"] == "600"  # the clock is at the window's start
    # The login page counts against the same budget: one address, one budget.
    assert post_login(http, "grid", PASSWORD) == 429
