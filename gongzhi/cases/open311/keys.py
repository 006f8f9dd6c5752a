"""Writes and reads of Open311 API keys. The clear key is returned once, at creation."""

import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases.open311_keys import Open311Key
from gongzhi.core import clock, pii
from gongzhi.core.errors import invalid

KEY_PREFIX = "o311_"
PREFIX_LEN = 10
MAX_KEY_LEN = 100


@transaction.atomic
def key_create(*, name: str) -> tuple[Open311Key, str]:
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("密钥名称不能为空"))
    if len(name) > 60:
        raise invalid("name", _("密钥名称最多60个字符"))
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    row = Open311Key.objects.create(
        name=name, prefix=key[:PREFIX_LEN], key_hash=pii.lookup_hash(key), created_at=clock.now()
    )
    return row, key


@transaction.atomic
def key_revoke(*, key: Open311Key) -> Open311Key:
    """Revoke a key (idempotent): the next POST carrying it gets 403."""
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    return key


def key_check(clear: str) -> Open311Key | None:
    """The active key matching `clear`, or None."""
    clear = (clear or "").strip()
    if not clear.startswith(KEY_PREFIX) or len(clear) > MAX_KEY_LEN:
        return None
    return Open311Key.objects.filter(key_hash=pii.lookup_hash(clear), revoked_at__isnull=True).first()


def key_list() -> QuerySet[Open311Key]:
    return Open311Key.objects.all()


def key_get(pk: int) -> Open311Key | None:
    return Open311Key.objects.filter(pk=pk).first()
