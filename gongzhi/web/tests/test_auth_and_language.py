"""Login, the per-username pause and per-address budget (core.logins), logout and the language switch.

The same limits over real HTTP, with the admin and the API doors: test_login_limits.py."""

from datetime import UTC, datetime

import pytest

from gongzhi.core import clock
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PASSWORD, make_staff


@pytest.fixture
def staff(world):
    return make_staff("wang", PostRole.COMMITTEE_STAFF, world.tree.r1)


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body and "账号" in body and "密码" in body
    assert "连续输错密码 10 次，账号将被锁定 15 分钟" in body


def test_login_and_logout(client, staff):
    response = login(client, "wang", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405  # logout is a POST (a form in the footer)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_login_keeps_next(client, staff):
    response = client.post(
        "/login/?next=/tree/", {"username": "wang", "password": PASSWORD, "next": "/tree/"}
    )
    assert response["Location"] == "/tree/"


def test_wrong_password_shows_a_form_error(client, staff):
    response = login(client, "wang", "wrong")
    assert response.status_code == 200
    assert 'class="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_pause_after_ten_failures_even_with_right_password(client, staff):
    with clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):  # at the start of a 15-minute window
        for _ in range(10):
            assert login(client, "wang", "wrong").status_code == 200
        response = login(client, "Wang", PASSWORD)  # the budget ignores case
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    body = response.content.decode()
    assert "账号已临时锁定" in body and "密码连续输错 10 次" in body and "请在 15 分钟后再试" in body
    assert client.get("/").status_code == 302  # not logged in


def test_per_address_budget_stops_trying_many_usernames(client, staff, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": (3, 600)}
    for name in ("a", "b", "c"):
        assert login(client, name, "wrong").status_code == 200
    response = login(client, "wang", PASSWORD)  # a fourth try from the same address
    assert response.status_code == 429
    assert "尝试过于频繁" in response.content.decode()
    assert client.get("/").status_code == 302


def test_language_switch_to_english(client, staff):
    client.force_login(staff)
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tree/"})
    assert response.status_code == 302 and response["Location"] == "/tree/"
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert 'value="en" lang="en" class="current"' in body and ">English</button>" in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_pages_load_only_local_assets(client, staff):
    client.force_login(staff)
    body = client.get("/").content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js"' in body
    assert '<link rel="stylesheet" href="/static/web/app.css">' in body
    assert "<style" not in body and "style=" not in body and "http://" not in body and "https://" not in body
    assert "<script>" not in body


def test_an_administrator_lifts_a_pause(client, staff):
    from io import StringIO

    from django.core.management import call_command

    with clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):
        for _ in range(10):
            login(client, "wang", "wrong")
        assert login(client, "wang", PASSWORD).status_code == 429
        out = StringIO()
        call_command("login_unpause", "--username", "WANG", stdout=out)
        assert "已解除账号 WANG 的登录暂停" in out.getvalue()
        assert login(client, "wang", PASSWORD).status_code == 302
