"""Drill-down: the exact cases (or meetings, or slips) behind a KPI's numerator or denominator.

A rate's figures count facts; the list shows each case once. For the facts that are events
(settled dispatches, verdicts, ratings, escalations, returns) a case that had two of them in
the period counts twice and is listed once; docs/kpis.md says which KPIs these are. The list
holds only the cases the asker may see (orgs.access.cases_q), whatever the subject.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.reports import definitions as d
from gongzhi.reports import facts as f
from gongzhi.reports import kpis, meeting_figures, rollup
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject

PARTS = ("numerator", "denominator")
PER_EVENT = frozenset({f.SETTLE, f.VERDICT, f.RATE, f.ESCALATE, f.RETURN})

CASE, MEETING, SLIP = "case", "meeting", "slip"


@dataclass
class DrillDown:
    kpi: d.Kpi
    part: str
    kind: str  # case / meeting / slip
    rows: QuerySet[Any]
    per_event: bool = False  # the figure counts events; each case is listed once
    bucket: str = ""


def kpi_for(key: str) -> d.Kpi:
    kpi = d.BY_KEY.get(key)
    if kpi is None:
        raise ValidationError({"kpi": [_("没有这项指标：%(key)s") % {"key": key[:40]}]})
    return kpi


def _cases(user: Any, subject: Subject, ids: QuerySet[Any]) -> QuerySet[Case]:
    return (
        Case.objects.filter(pk__in=ids)
        .filter(_visible(user, subject))
        .select_related("node", "category", "post__unit")
        .order_by("-created_at", "-pk")
    )


def _visible(user: Any, subject: Subject) -> Q:
    """The user's case scope: a unit's or a post's facts follow the post wherever its cases
    are, so a list of them may reach cases the asker cannot open; those are left out."""
    return access.cases_q(user, under=subject.paths)


def drill(subject: Subject, period: Period, key: str, part: str, *, user: Any, bucket: str = "") -> DrillDown:
    """The rows behind one part of one KPI, only those `user` may see. Unknown KPI, part or
    bucket: a ValidationError."""
    kpi = kpi_for(key)
    if part not in PARTS:
        raise ValidationError({"part": [_("part 应为 numerator（分子）或 denominator（分母）")]})
    measure = kpi.numerator if part == "numerator" else kpi.denominator
    if kpi.source != d.CASES:
        kind = MEETING if kpi.source == d.MEETINGS else SLIP
        return DrillDown(kpi, part, kind, meeting_figures.drill(subject, period, measure))
    rollup.catch_up()
    if kpi.kind == d.BACKLOG:
        backlog = _backlog(subject, part, bucket).filter(_visible(user, subject))
        return DrillDown(kpi, part, CASE, backlog, bucket=bucket)
    closes = kpis.facts(subject, period).filter(kind=f.CLOSE)
    if kpi.kind == d.HOURS:
        if part == "numerator":
            counts = kpis.counters(subject, period)
            figure = kpis.percentile_hours(subject, period, kpi.percentile or 0.5, counts)
            closes = closes.filter(value__gt=figure if figure is not None else 0)
        return DrillDown(kpi, part, CASE, _cases(user, subject, closes.values("case_id")))
    counter = f.COUNTERS[measure]
    rows = kpis.facts(subject, period).filter(**counter.lookups()).values("case_id")
    return DrillDown(kpi, part, CASE, _cases(user, subject, rows), per_event=counter.kind in PER_EVENT)


def _backlog(subject: Subject, part: str, bucket: str) -> QuerySet[Case]:
    rows = kpis.open_cases(subject)
    now = clock.now()
    if bucket:
        if bucket not in {b[0] for b in d.BACKLOG_BUCKETS}:
            raise ValidationError({"bucket": [_("没有这个分段：%(key)s") % {"key": bucket[:20]}]})
        rows = rows.filter(kpis.backlog_q(bucket, now))
    elif part == "numerator":
        rows = rows.filter(created_at__lte=now - timedelta(days=d.BACKLOG_OLD_DAYS))
    return rows.select_related("node", "category", "post__unit").order_by("created_at", "pk")
