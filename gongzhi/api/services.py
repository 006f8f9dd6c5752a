"""Writes for API tokens: create (the key is returned once), revoke, and touch on use. The key
handling (generate, hash, look up, compare, re-hash, last use) is `core.secret_keys`."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.api.models import ApiToken
from gongzhi.core import secret_keys
from gongzhi.core.errors import invalid

# The purpose is the one the tokens were always hashed under: stored digests stay valid.
TOKENS = secret_keys.KeyKind(prefix="gz_", purpose="gongzhi.api.token")
KEY_PREFIX = TOKENS.prefix


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it with the clear key, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("令牌名称不能为空"))
    if len(name) > 60:
        raise invalid("name", _("令牌名称最多60个字符"))
    key, stored = secret_keys.issue(TOKENS)
    return ApiToken.objects.create(user=user, name=name, **stored), key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent); the next request carrying it gets 401."""
    return secret_keys.revoke(token)


def token_authenticate(key: str) -> User | None:
    """The active user owning this key, or None. Marks the token used (at most once a minute)."""
    candidates = ApiToken.objects.select_related("user").filter(user__is_active=True)
    token = secret_keys.find(TOKENS, candidates, key)
    return token.user if token is not None else None
