"""Reads for Open311. GeoReport v2 is a public interface: any client may list services and
requests, so these reads are not scoped by user; the payloads carry no personal data."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from gongzhi.cases.models import Case, CaseEvent, pk_from_number
from gongzhi.cases.states import OPEN_STATES
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category

MAX_RESULTS = 1000


def service_categories() -> QuerySet[Category]:
    """Active 小类 (under an active 大类) that have a handling policy: the services offered."""
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True, policy__isnull=False)
        .select_related("parent", "policy")
        .order_by("code")
    )


def service_category(code: str) -> Category | None:
    return service_categories().filter(code=code).first() if code else None


@dataclass(frozen=True)
class RequestFilters:
    numbers: tuple[str, ...] = ()  # service_request_id list: overrides everything else
    codes: tuple[str, ...] = ()
    open: bool | None = None  # None: both open and closed
    start: datetime | None = None
    end: datetime | None = None


def _pk(number: str) -> int | None:
    """The case id in a request number, if it is one (8 date digits + an id that fits a bigint)."""
    pk = pk_from_number(number) if len(number) <= 20 else None
    return pk if pk is not None and pk < 2**63 else None


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "node", "node__parent", "category", "category__parent", "category__policy", "post__unit", "master"
    )


def public_requests(filters: RequestFilters, limit: int = MAX_RESULTS, under: str = "") -> list[Case]:
    """The requests the filters ask for; `under` (a street's path) keeps to one jurisdiction."""
    qs = _cases().filter(node_path__startswith=under) if under else _cases()
    if filters.numbers:
        pks = {pk for n in filters.numbers if (pk := _pk(n)) is not None}
        wanted = set(filters.numbers)
        return [c for c in qs.filter(pk__in=pks).order_by("-created_at", "-pk") if c.number in wanted][:limit]
    if filters.codes:
        qs = qs.filter(category__code__in=filters.codes)
    if filters.open is True:
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.open is False:
        qs = qs.exclude(state__in=OPEN_STATES)
    if filters.start is not None:
        qs = qs.filter(created_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(created_at__lte=filters.end)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def request_by_number(number: str, under: str = "") -> Case | None:
    """The case whose full number (date + id) is `number`; a right id under a wrong date is
    not found, so ids cannot be walked by guessing; nor is one outside `under` (a street's path:
    another jurisdiction's request is unknown here)."""
    pk = _pk(number)
    qs = _cases().filter(node_path__startswith=under) if under else _cases()
    case = qs.filter(pk=pk).first() if pk is not None else None
    return case if case is not None and case.number == number else None


def intake_data(case_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The data of each case's first event (where Open311 keeps media_url and attributes)."""
    rows = CaseEvent.objects.filter(case_id__in=case_ids, seq=1).values_list("case_id", "data")
    return {case_id: data or {} for case_id, data in rows}


def area_nodes(cases: list[Case]) -> dict[int, Node]:
    """Each case's residential area (or the deepest ancestor above it), in one query."""
    wanted = {c.pk: c.node.ancestor_codes() for c in cases}
    codes = {code for chain in wanted.values() for code in chain}
    nodes = {n.code: n for n in Node.objects.filter(code__in=codes, level__lte=Level.AREA)}
    out: dict[int, Node] = {}
    for pk, chain in wanted.items():
        above = [nodes[code] for code in chain if code in nodes]
        if above:
            out[pk] = above[-1]
    return out
