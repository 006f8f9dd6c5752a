"""Tokens: created once with the key shown once, listed by prefix, revoked at once (401)."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

from gongzhi.api.models import ApiToken
from gongzhi.testing.factories import PASSWORD


def test_create_with_password_returns_key_once(api, world):
    r = api("POST", "/tokens", json={"name": "巡查App", "username": "grid", "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    key = body["key"]
    assert key.startswith("gz_") and body["prefix"] == key[:10]
    stored = ApiToken.objects.get(pk=body["id"])
    assert key not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64

    listing = api("GET", "/tokens", headers={"Authorization": f"Bearer {key}"})
    assert listing.status_code == 200
    assert key not in listing.text
    assert {t["name"] for t in listing.json()} == {"grid-test", "巡查App"}
    assert all("key" not in t for t in listing.json())
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_wrong_password_is_401_in_chinese(api, world):
    r = api("POST", "/tokens", json={"name": "x", "username": "grid", "password": "wrong"})
    assert r.status_code == 401
    assert r.json()["detail"] == "用户名或密码错误"


def test_username_pauses_after_repeated_failures(api, world):
    for _ in range(settings.RATE_LIMITS["login-user"][0]):
        api("POST", "/tokens", json={"name": "x", "username": "grid", "password": "wrong"})
    r = api("POST", "/tokens", json={"name": "x", "username": "grid", "password": PASSWORD})
    assert r.status_code == 429
    assert "锁定" in r.json()["detail"]
    assert not ApiToken.objects.filter(name="x").exists()


def test_no_credentials_is_401(api, world):
    assert api("POST", "/tokens", json={"name": "x"}).status_code == 401
    assert api("GET", "/tokens").status_code == 401
    assert api("GET", "/tokens", headers={"Authorization": "Bearer gz_nonsense"}).status_code == 401
    assert api("GET", "/tokens", headers={"Authorization": "Bearer " + "x" * 5000}).status_code == 401


def test_revoke_own_token_then_401_at_once(api, world):
    mine = api("GET", "/tokens", as_="grid").json()[0]
    assert api("DELETE", f"/tokens/{mine['id']}", as_="grid").status_code == 204
    r = api("GET", "/nodes", as_="grid")
    assert r.status_code == 401
    assert r.json()["detail"] == "令牌无效或已吊销"


def test_cannot_revoke_or_see_another_users_token(api, world):
    theirs = ApiToken.objects.get(user=world.users["street"])
    assert api("DELETE", f"/tokens/{theirs.pk}", as_="grid").status_code == 404
    assert api("DELETE", "/tokens/99999999", as_="grid").status_code == 404
    assert api("DELETE", f"/tokens/{2**70}", as_="grid").status_code == 422
    assert [t["name"] for t in api("GET", "/tokens", as_="grid").json()] == ["grid-test"]
    assert api("GET", "/nodes", as_="street").status_code == 200


def _session_cookie(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def test_session_auth_reads_and_needs_csrf_to_write(api, world):
    sid = _session_cookie(world.users["grid"])
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={sid}"}
    assert api("GET", "/nodes", headers=cookie).json()["count"] == 3

    refused = api("POST", "/tokens", headers=cookie, json={"name": "浏览器"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    secret = "a" * 32
    with_csrf = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={sid}; csrftoken={secret}", "X-CSRFToken": secret}
    created = api("POST", "/tokens", headers=with_csrf, json={"name": "浏览器"})
    assert created.status_code == 201, created.text
    assert (
        api("GET", "/tokens", headers={"Authorization": f"Bearer {created.json()['key']}"}).status_code == 200
    )


@pytest.mark.parametrize("action", ["create", "list", "revoke"])
def test_token_command(api, world, action):
    out = StringIO()
    call_command("token", "create", "committee", "--name", "命令行", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    assert api("GET", "/nodes", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    token = ApiToken.objects.get(name="命令行")
    if action == "list":
        listing = StringIO()
        call_command("token", "list", "committee", stdout=listing)
        assert token.prefix in listing.getvalue() and key not in listing.getvalue()
    if action == "revoke":
        call_command("token", "revoke", str(token.pk), stdout=StringIO())
        assert api("GET", "/nodes", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_inactive_user_token_is_401(api, world):
    world.users["grid"].is_active = False
    world.users["grid"].save()
    assert api("GET", "/nodes", as_="grid").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world):
    from datetime import UTC, datetime, timedelta

    from gongzhi.api import services
    from gongzhi.core import clock

    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    token = ApiToken.objects.get(user=world.users["grid"])
    for offset, expected in ((0, start), (30, start), (61, start + timedelta(seconds=61))):
        with clock.freeze(start + timedelta(seconds=offset)):
            assert services.token_authenticate(world.keys["grid"]) == world.users["grid"]
        token.refresh_from_db()
        assert token.last_used_at == expected
    assert services.token_authenticate(world.keys["grid"] + "x") is None
    assert services.token_authenticate("not-a-key") is None
