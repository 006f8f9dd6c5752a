"""The one source of "now". Tests freeze time by calling `freeze`, never by sleeping."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> date:
    """Today in the street's time zone. `now().date()` is the UTC date: before 08:00 in
    Shanghai it is still yesterday."""
    return timezone.localdate(now())


@contextmanager
def freeze(at: datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
