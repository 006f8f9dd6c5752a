"""Which street's public pages a visitor asks for (docs/tenancy.md): `?street=<code>`.

A deployment of one street answers without it, as before (every case is that street's). With
more than one street, the board without it offers the streets to choose from, and every other
public page answers 404 for a missing or unknown street, as for a missing page: nothing of one
street shows on another's board, and the cached pages carry the street in their keys.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpRequest

from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node


@dataclass(frozen=True)
class PublicStreet:
    code: str  # "" for a deployment of one street (no parameter)
    path: str  # "" likewise: every case
    name: str

    @property
    def query(self) -> str:
        """What the page's own links append to keep the street ("" or "street=CODE")."""
        return f"street={self.code}" if self.code else ""


STREETS_KEY = "web:public-streets"
STREETS_SECONDS = 300  # a new street shows on the public pages within five minutes


def street_list() -> list[PublicStreet]:
    """Every street (code, path, name): kept in the cache like the board itself, so that a
    cached board is answered without a query."""
    cached = cache.get(STREETS_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = Node.objects.filter(level=Level.STREET).order_by("path").values_list("code", "path", "name")
    found = [PublicStreet(code, path, name) for code, path, name in rows]
    cache.set(STREETS_KEY, found, STREETS_SECONDS)
    return found


def asked(request: HttpRequest) -> PublicStreet | None:
    """The street asked for; None when several exist and none is named (the board then lists
    them); Http404 for an unknown code."""
    code = request.GET.get("street", "")[:40]
    found = street_list()
    if not code:
        return PublicStreet("", "", found[0].name if found else "") if len(found) <= 1 else None
    for street in found:
        if street.code == code:
            return street
    raise Http404


def required(request: HttpRequest) -> PublicStreet:
    """As `asked`, for the pages that only make sense for one street: 404 without one."""
    street = asked(request)
    if street is None:
        raise Http404
    return street
