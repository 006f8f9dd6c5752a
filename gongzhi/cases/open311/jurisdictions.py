"""Open311's `jurisdiction_id`: which street a client speaks to when one deployment serves many
(docs/tenancy.md, ADR 0035). Each street carries its own (`geo.Node.jurisdiction_id`).

GeoReport v2 asks for the parameter only where an endpoint serves more than one jurisdiction:
a deployment of one street answers without it, as before. With more than one street, a request
without it is a 400 errors[] and an unknown one a 404 errors[], on every endpoint; with it, the
services, the requests listed or found and the place of a new request are kept to that street.
"""

from django.http import QueryDict

from gongzhi.cases.open311.messages import text
from gongzhi.cases.open311.params import ParamError
from gongzhi.core import refdata
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

MAX_ID = 60


def _streets() -> tuple[int, dict[str, Node]]:
    """(how many streets, {jurisdiction_id: street} of those that carry one), from the
    reference snapshot (a node change reloads it)."""

    def load(_key: str) -> tuple[int, dict[str, Node]]:
        rows = list(Node.objects.filter(level=Level.STREET).defer("geometry"))
        return len(rows), {n.jurisdiction_id: n for n in rows if n.jurisdiction_id}

    return refdata.snapshot().get("open311_jurisdictions", "all", load)  # type: ignore[no-any-return]


def street_for(query: QueryDict, lang: str, *, also: QueryDict | None = None) -> Node | None:
    """The street the request names (None: a deployment of one street, every case). `also` is
    a second place to look (a POST's query string beside its body)."""
    wanted = (query.get("jurisdiction_id") or (also.get("jurisdiction_id") if also else "") or "").strip()
    count, streets = _streets()
    if count <= 1 and wanted not in streets:  # one street: the parameter is not needed, and a
        return None  # client that always sends its own value (FixMyStreet) is served as before
    if not wanted:
        raise ParamError(400, [text("jurisdiction_missing", lang)])
    street = streets.get(wanted) if len(wanted) <= MAX_ID else None
    if street is None:
        raise ParamError(404, [text("jurisdiction_unknown", lang, id=wanted[:MAX_ID])])
    return street
