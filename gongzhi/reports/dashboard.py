"""The street command centre's figures (指挥中心): the KPIs, the daily trend, the category mix,
the rankings of areas and units, and the cases waiting to be accepted (待受理), for one node's
subtree and one period. Every figure comes from the same sources as the KPI page (the daily
totals and the case table), so the dashboard and the reports never disagree.

`dashboard(subject, period)` is what the page, its refresh endpoint and the benchmark call; the
caller has checked access (reports.subjects.subject_for).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.reports import kpis, rankings
from gongzhi.reports.kpis import KpiValue
from gongzhi.reports.models import DayTotal
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

TOP_CATEGORIES = 8  # the rest of the mix is one "其他" slice: a phone shows a readable pie
TILES = ("close_on_time", "dispatch_on_time", "satisfaction", "local_rate", "rework_rate", "close_rate")


@dataclass
class Dashboard:
    subject: Subject
    period: Period
    kpis: kpis.KpiSet
    waiting: int  # 待受理: received, not yet accepted
    open_now: int
    trend: list[dict[str, Any]] = field(default_factory=list)  # per day: received, closed
    categories: list[dict[str, Any]] = field(default_factory=list)  # 大类: name, count
    areas: rankings.Ranking | None = None
    units: rankings.Ranking | None = None

    def tiles(self) -> list[KpiValue]:
        return [self.kpis[k] for k in TILES if k in self.kpis.values]


def dashboard(subject: Subject, period: Period) -> Dashboard:
    if not subject.paths or not subject.by_area:
        raise ValidationError({"node": [_("指挥中心只适用于街道、块区或居民区")]})
    # The tiles only: the exact percentiles and the meeting figures are on the KPI page, one
    # tap away; on a year of a million cases they cost seconds, the tiles milliseconds.
    figures = kpis.kpi_set(subject, period, only=TILES)
    open_counts = _open_counts(subject)
    board = Dashboard(
        subject=subject,
        period=period,
        kpis=figures,
        waiting=open_counts.get(State.RECEIVED, 0),
        open_now=sum(open_counts.values()),
        trend=trend(subject, period),
        categories=category_mix(subject, period),
    )
    board.areas = rankings.ranking(subject, period, by=rankings.AREAS)
    board.units = rankings.ranking(subject, period, by=rankings.UNITS)
    return board


def _open_counts(subject: Subject) -> dict[str, int]:
    """Open cases under the subject by state (one grouped query over the open-state index)."""
    rows = kpis.open_cases(subject).values("state").annotate(n=Count("id")).order_by()
    return {r["state"]: r["n"] for r in rows}


def trend(subject: Subject, period: Period) -> list[dict[str, Any]]:
    """Cases received and closed per day of the period (days without any are zero)."""
    areas = kpis.grain_ids(subject)
    rows = (
        DayTotal.objects.filter(kpis.totals_q(subject, period, areas))
        .values("day")
        .annotate(received=Sum("received"), closed=Sum("closed"))
        .order_by("day")
    )
    found = {r["day"]: r for r in rows}
    out = []
    for i in range(period.days):
        day = period.start + timedelta(days=i)
        row = found.get(day, {})
        out.append(
            {"day": day.isoformat(), "received": row.get("received") or 0, "closed": row.get("closed") or 0}
        )
    return out


def category_mix(subject: Subject, period: Period) -> list[dict[str, Any]]:
    """Cases reported in the period by 大类, the largest first; beyond TOP_CATEGORIES one
    "其他" row, and cases not yet classified as "未分类"."""
    rows = (
        Case.objects.filter(path_q(subject.paths), created_at__gte=period.since, created_at__lt=period.until)
        .values("category__parent__code", "category__parent__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__parent__code")
    )
    mix = [
        {
            "code": r["category__parent__code"] or "",
            "name": r["category__parent__name"] or _("未分类"),
            "count": r["n"],
        }
        for r in rows
    ]
    if len(mix) > TOP_CATEGORIES:
        rest = sum(r["count"] for r in mix[TOP_CATEGORIES - 1 :])
        mix = [*mix[: TOP_CATEGORIES - 1], {"code": "", "name": _("其他"), "count": rest}]
    return mix


def as_json(board: Dashboard) -> dict[str, Any]:
    """What the page's refresh reads: every figure, no personal data."""

    def ranked(r: rankings.Ranking | None) -> list[dict[str, Any]]:
        if r is None:
            return []
        return [
            {"code": e.code, "name": e.name, "value": e.value, "grade": e.grade, "rank": e.rank}
            for e in r.ranked
        ]

    return {
        "subject": board.subject.label,
        "period": {"start": board.period.start.isoformat(), "end": board.period.end.isoformat()},
        "as_of": board.kpis.as_of.isoformat() if board.kpis.as_of else None,
        "waiting": board.waiting,
        "open": board.open_now,
        "kpis": [
            {
                "key": v.key,
                "label": v.label,
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "grade": v.grade,
            }
            for v in board.kpis
        ],
        "trend": board.trend,
        "categories": board.categories,
        "areas": ranked(board.areas),
        "units": ranked(board.units),
    }
