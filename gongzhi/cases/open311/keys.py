"""Writes and reads of Open311 API keys. The clear key is returned once, at creation; the key
handling (generate, hash, look up, compare, re-hash, last use) is `core.secret_keys`."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases.open311_keys import Open311Key
from gongzhi.core import pii, secret_keys
from gongzhi.core.errors import invalid

# Keys made before the shared implementation were hashed with the personal-data lookup key
# (pii.lookup_hash); each is re-hashed under the keys' own purpose on its first use.
KEYS = secret_keys.KeyKind(prefix="o311_", purpose="gongzhi.open311.key", legacy=pii.lookup_hash)
KEY_PREFIX = KEYS.prefix


@transaction.atomic
def key_create(*, name: str) -> tuple[Open311Key, str]:
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("密钥名称不能为空"))
    if len(name) > 60:
        raise invalid("name", _("密钥名称最多60个字符"))
    key, stored = secret_keys.issue(KEYS)
    return Open311Key.objects.create(name=name, **stored), key


@transaction.atomic
def key_revoke(*, key: Open311Key) -> Open311Key:
    """Revoke a key (idempotent): the next POST carrying it gets 403."""
    return secret_keys.revoke(key)


def key_check(clear: str) -> Open311Key | None:
    """The active key matching `clear`, or None. Marks it used (at most once a minute)."""
    return secret_keys.find(KEYS, Open311Key.objects.all(), clear)


def key_list() -> QuerySet[Open311Key]:
    return Open311Key.objects.all()


def key_get(pk: int) -> Open311Key | None:
    return Open311Key.objects.filter(pk=pk).first()
