"""Countersigning versioned content (会签), shared by the meetings' task slips and the community's
co-building pledges (共建承诺书); ADR 0023.

A signed document has a current **version**; what a signature vouches for is the **content** of
that version, a plain dict the document's package builds, whose digest is the SHA-256 of its
canonical JSON (sorted keys, no spaces, UTF-8). A signature row is **immutable**: it keeps the
version it signed and the digest of that version's content, and a revision does not touch it,
it only makes it superseded (its version is no longer the document's). So:

- `content_hash(content)` is the one digest; a signature is valid while its version is the
  document's and its digest is the current content's (`is_current`);
- `check_version(read, current)` refuses (409) a signer who read another version than the
  current one: a superseded version takes no signatures;
- `create_once(create)` writes the signature, turning the database's one-per-version constraint
  into the same 409 a second signature would get;
- `Immutable` is the abstract base of signature rows: saving an existing row or deleting one
  raises.

What a document's content holds, who may sign for which side and what happens when every side
has signed stay with the document's package (meetings.slips, community.pledges).
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from gongzhi.core.errors import ConflictError

T = TypeVar("T")


def canonical(content: Mapping[str, Any]) -> str:
    """The one serialisation a digest is taken of: sorted keys, no spaces, Chinese kept as is."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def check_version(*, read: int, current: int, message: str) -> None:
    """A signer vouches for the version they read; if it is not the current one (superseded by
    a revision, or not yet written) the signature is refused with `message` (409)."""
    if read != current:
        raise ConflictError(message)


def is_current(*, signed_version: int, signed_hash: str, version: int, current_hash: str) -> bool:
    """A signature still binds: it signed the document's version and that version's content."""
    return signed_version == version and signed_hash == current_hash


def create_once(create: Callable[[], T], *, message: str) -> T:
    """Write a signature; a second one for the same side and version (a race past the caller's
    check, caught by the model's unique constraint) is the same 409 as the check's."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError as exc:
        raise ConflictError(message) from exc


class ImmutableError(Exception):
    """A signature was about to be changed or deleted."""


class Immutable(models.Model):
    """A row written once (a signature): `save` only inserts, `delete` refuses. Bulk paths that
    bypass the model (the demo's `bulk_create`) only insert too."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} {self.pk} is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError(f"{type(self).__name__} {self.pk} is immutable")
