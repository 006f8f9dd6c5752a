"""One secret-key implementation for API tokens and Open311 keys (issue 12, item 4)."""

from datetime import timedelta

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.api.models import ApiToken
from gongzhi.cases.open311 import keys as open311_keys
from gongzhi.cases.open311_keys import Open311Key
from gongzhi.core import clock, pii, secret_keys
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_prefix_and_keyed_digest_only(db):
    token, key = api_services.token_create(user=UserFactory(), name="脚本")
    assert key.startswith("gz_") and token.prefix == key[: secret_keys.PREFIX_LEN]
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in stored.key_hash and stored.key_hash == secret_keys.digest(api_services.TOKENS, key)
    assert api_services.token_authenticate(key) == token.user
    assert api_services.token_authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert api_services.token_authenticate(key + "x" * 100) is None


def test_both_kinds_share_the_implementation_but_never_each_others_keys(db):
    _row, o311 = open311_keys.key_create(name="热线桥")
    _token, token_key = api_services.token_create(user=UserFactory(), name="脚本")
    assert open311_keys.key_check(o311) is not None
    assert api_services.token_authenticate(o311) is None and open311_keys.key_check(token_key) is None
    # the same clear text under the two purposes gives two digests
    same = "gz_" + "a" * 40
    assert secret_keys.digest(api_services.TOKENS, same) != secret_keys.digest(open311_keys.KEYS, same)


def test_keys_sharing_a_prefix_are_told_apart_by_their_digest(db):
    first, key = open311_keys.key_create(name="甲")
    other = key[: secret_keys.PREFIX_LEN] + "z" * 40  # a second key with the same first characters
    second = Open311Key.objects.create(
        name="乙",
        prefix=first.prefix,
        key_hash=secret_keys.digest(open311_keys.KEYS, other),
        created_at=clock.now(),
    )
    assert open311_keys.key_check(key).pk == first.pk
    assert open311_keys.key_check(other).pk == second.pk
    assert open311_keys.key_check(key[: secret_keys.PREFIX_LEN] + "y" * 40) is None


def test_revoked_keys_never_match(db):
    row, key = open311_keys.key_create(name="热线桥")
    open311_keys.key_revoke(key=row)
    open311_keys.key_revoke(key=row)  # idempotent
    assert open311_keys.key_check(key) is None
    token, token_key = api_services.token_create(user=UserFactory(), name="脚本")
    api_services.token_revoke(token=token)
    assert api_services.token_authenticate(token_key) is None


def test_last_use_is_marked_at_most_once_a_minute(db):
    row, key = open311_keys.key_create(name="热线桥")
    start = clock.now()
    with clock.freeze(start):
        open311_keys.key_check(key)
    assert Open311Key.objects.get(pk=row.pk).last_used_at == start
    with clock.freeze(start + timedelta(seconds=30)):
        open311_keys.key_check(key)
    assert Open311Key.objects.get(pk=row.pk).last_used_at == start
    with clock.freeze(start + timedelta(minutes=2)):
        open311_keys.key_check(key)
    assert Open311Key.objects.get(pk=row.pk).last_used_at == start + timedelta(minutes=2)


def test_an_open311_key_hashed_the_old_way_works_and_is_rehashed(db):
    clear = "o311_" + "k" * 40
    row = Open311Key.objects.create(
        name="旧密钥",
        prefix=clear[: secret_keys.PREFIX_LEN],
        key_hash=pii.lookup_hash(clear),
        created_at=clock.now(),
    )
    assert open311_keys.key_check(clear).pk == row.pk
    assert Open311Key.objects.get(pk=row.pk).key_hash == secret_keys.digest(open311_keys.KEYS, clear)
    assert open311_keys.key_check(clear).pk == row.pk


def test_rotating_secret_key_keeps_tokens_working_over_http(live_server, settings, transactional_db):
    token, key = api_services.token_create(user=UserFactory(), name="脚本")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        me = client.get("/tokens", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200, me.text
        # re-hashed under the new secret on that use: the old one can now be retired
        assert ApiToken.objects.get(pk=token.pk).key_hash == secret_keys.digest(api_services.TOKENS, key)
        settings.SECRET_KEY_FALLBACKS = []
        assert client.get("/tokens", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        wrong = client.get("/tokens", headers={"Authorization": f"Bearer {key}x"})
        assert wrong.status_code == 401
