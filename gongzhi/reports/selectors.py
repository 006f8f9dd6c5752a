"""Reads of the stored reports, scoped by orgs.access: a report shows a node's cases, so it is
visible to those who see the node's cases (VIEW_CASES over it)."""

from django.db.models import Count, Q, QuerySet

from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.reports.models import Report, ReportNote


def report_q(user: Actor) -> Q:
    return access.places_q(user, access.VIEW_CASES)


def report_list(*, user: Actor, kind: str = "", node_path: str = "") -> QuerySet[Report]:
    rows = Report.objects.filter(report_q(user))
    if kind:
        rows = rows.filter(kind=kind)
    if node_path:
        rows = rows.filter(node_path__startswith=node_path)
    return rows.select_related("node").annotate(note_count=Count("notes")).order_by("-start", "node_path")


def report_get(*, user: Actor, pk: int) -> Report | None:
    return Report.objects.filter(report_q(user), pk=pk).select_related("node").first()


def report_notes(report: Report) -> QuerySet[ReportNote]:
    return report.notes.order_by("at", "pk")


def street_reports(*, user: Actor, report: Report) -> dict[str, int]:
    """For a district's report: the same period's report of each of its streets that `user`
    sees, street code → report id."""
    rows = Report.objects.filter(
        report_q(user),
        kind=report.kind,
        start=report.start,
        node__parent_id=report.node_id,
        node__level=Level.STREET,
    )
    return dict(rows.values_list("node__code", "pk"))


def district_reports(*, user: Actor, limit: int = 4) -> QuerySet[Report]:
    """The latest reports of the districts (区) `user` sees: what the reports page puts first
    for district staff (empty for everyone else)."""
    rows = Report.objects.filter(report_q(user), node__level=Level.DISTRICT)
    return rows.select_related("node").order_by("-start", "kind", "node_path")[:limit]
