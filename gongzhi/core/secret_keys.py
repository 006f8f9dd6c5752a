"""Secret keys handed to machines (API tokens, Open311 keys): one implementation for all.

A key is `<kind prefix><40 random characters>` and is shown once. The database keeps its first
characters (`prefix`, indexed: the lookup, and what people see to tell keys apart) and an
HMAC-SHA256 of the whole key under the project's SECRET_KEY with a per-kind purpose (the
pepper: a leaked database yields no usable key and no offline guessing). A presented key is
looked up by prefix and its digest compared in constant time. A key stored under an older
secret (SECRET_KEY_FALLBACKS, or a kind's legacy digest) still works and is re-hashed under
the current one on its first use, so rotating SECRET_KEY does not cut clients off. Use marks
`last_used_at` at most once a minute (an authenticated request is not a write); revocation
is a timestamp, and a revoked key never matches.
"""

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock

PREFIX_LEN = 10  # the kind's prefix and a few random characters: tells keys apart, too few to guess
MAX_KEY_LEN = 100
TOUCH_EVERY = timedelta(minutes=1)


class SecretKey(models.Model):
    """The stored side of a secret key: never the key itself."""

    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, 'name', '')} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


K = TypeVar("K", bound=SecretKey)


@dataclass(frozen=True)
class KeyKind:
    prefix: str  # "gz_", "o311_": what the key starts with
    purpose: str  # the HMAC's salt: a digest of one kind never matches another kind's row
    # A digest this kind's keys were once stored under (re-hashed on their next use).
    legacy: Callable[[str], str] | None = None


def digest(kind: KeyKind, clear: str, secret: str | None = None) -> str:
    return salted_hmac(kind.purpose, clear, secret=secret, algorithm="sha256").hexdigest()


def issue(kind: KeyKind) -> tuple[str, dict[str, Any]]:
    """A new clear key and the fields to store for it."""
    clear = kind.prefix + secrets.token_urlsafe(30)
    return clear, {"prefix": clear[:PREFIX_LEN], "key_hash": digest(kind, clear), "created_at": clock.now()}


def _accepted(kind: KeyKind, clear: str) -> list[str]:
    """The digests a stored key may carry: the current secret's first."""
    found = [digest(kind, clear)]
    found += [digest(kind, clear, secret=old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if kind.legacy is not None:
        found.append(kind.legacy(clear))
    return found


def find(kind: KeyKind, candidates: QuerySet[K], clear: str) -> K | None:
    """The active row among `candidates` whose key is `clear`, or None. Marks it used."""
    clear = (clear or "").strip()
    if not clear.startswith(kind.prefix) or len(clear) > MAX_KEY_LEN:
        return None
    accepted = _accepted(kind, clear)
    match: K | None = None
    for row in candidates.filter(prefix=clear[:PREFIX_LEN], revoked_at__isnull=True):
        # every digest compared, each in constant time: the answer's timing tells nothing
        hits = [hmac.compare_digest(row.key_hash, d) for d in accepted]
        if any(hits):
            match = row
    if match is None:
        return None
    updates: dict[str, Any] = {}
    if not hmac.compare_digest(match.key_hash, accepted[0]):
        updates["key_hash"] = accepted[0]  # stored under an older secret: re-hash it
    now = clock.now()
    if match.last_used_at is None or now - match.last_used_at >= TOUCH_EVERY:
        updates["last_used_at"] = now
    if updates:
        type(match)._default_manager.filter(pk=match.pk).update(**updates)
        for name, value in updates.items():
            setattr(match, name, value)
    return match


def revoke(row: K) -> K:
    """Revoke a key (idempotent): the next request carrying it is refused."""
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
    return row
