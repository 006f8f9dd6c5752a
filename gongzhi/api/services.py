"""Writes for API tokens: create (the key is returned once), revoke, and touch on use."""

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from gongzhi.api.models import ApiToken
from gongzhi.core import clock
from gongzhi.core.errors import invalid

KEY_PREFIX = "gz_"
PREFIX_LEN = 10  # "gz_" and 7 random characters: enough to tell tokens apart, too few to guess
MAX_KEY_LEN = 100
# last_used_at is written at most this often, so an authenticated request is not a write.
TOUCH_EVERY = timedelta(minutes=1)


def key_hash(key: str) -> str:
    """Keyed hash (HMAC-SHA256 under SECRET_KEY): deterministic, so the lookup is one index hit."""
    return salted_hmac("gongzhi.api.token", key, algorithm="sha256").hexdigest()


@transaction.atomic
def token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it with the clear key, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("令牌名称不能为空"))
    if len(name) > 60:
        raise invalid("name", _("令牌名称最多60个字符"))
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:PREFIX_LEN], key_hash=key_hash(key), created_at=clock.now()
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent); the next request carrying it gets 401."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> Any:
    """The active user owning this key, or None. Marks the token used (at most once a minute)."""
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LEN:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
