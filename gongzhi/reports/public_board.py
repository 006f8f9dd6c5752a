"""Reads for the public board (公示栏, no login): how many problems residents reported this month
and where they stand, and the latest ones. Only places, categories, dates and states leave
here; the caller scrubs the texts (core.scrub.public_text) and never reads the reporter.

States are shown to residents in three groups, the way a 12345 notice reads: 已受理 (received
or registered), 处理中 (anywhere in handling, returned, parked or escalated) and 已办结. Merged
duplicates and voided reports count nowhere: the master case counts once, and a voided report
was not a problem to solve.
"""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.reports.periods import Period

ACCEPTED, HANDLING, CLOSED = "accepted", "handling", "closed"
GROUPS = (ACCEPTED, HANDLING, CLOSED)
GROUP_LABELS = {ACCEPTED: _("已受理"), HANDLING: _("处理中"), CLOSED: _("已办结")}
NOT_COUNTED = (State.MERGED, State.VOID)


def group_of(state: str) -> str:
    if state in (State.RECEIVED, State.REGISTERED):
        return ACCEPTED
    if state == State.CLOSED:
        return CLOSED
    return HANDLING


def _under(path: str) -> QuerySet[Case]:
    """Every case, or those of one street (its path: a board per street, docs/tenancy.md)."""
    return Case.objects.filter(node_path__startswith=path) if path else Case.objects.all()


def counts_by_place(period: Period, under: str = "") -> list[tuple[str, str, int]]:
    """(node path, state, cases) for the cases reported in the period: one grouped query over
    the reported-at index; the caller folds the places into residential areas."""
    rows = (
        _under(under)
        .filter(created_at__gte=period.since, created_at__lt=period.until)
        .exclude(state__in=NOT_COUNTED)
        .values("node_path", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["node_path"], r["state"], r["n"]) for r in rows]


def latest_reported(limit: int, under: str = "") -> QuerySet[Case]:
    """The newest reports, without anything about who made them."""
    return (
        _under(under)
        .exclude(state__in=NOT_COUNTED)
        .select_related("category")
        .only("pk", "node_path", "category__name", "category__name_en", "text", "state", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
