"""The street command centre's figures (指挥中心): the KPIs, the daily trend, the category mix,
the rankings of areas and units, and the cases waiting to be accepted (待受理), for one node's
subtree and one period. Every figure comes from the KPI tables (the daily totals, and the
category totals), never from the case table, so the dashboard and the reports never disagree
and a year of a million cases costs what a month does.

`dashboard(subject, period)` is what the page, its refresh endpoint and the benchmark call; the
caller has checked access (reports.subjects.subject_for). Given the `viewer`, the care tile and
map layer (reports.care_figures: counts only, never a name) are added when the viewer takes
part in care at the place, every open 直报 of the place (reports.direct_figures: kind,
place, times and the reporter's post) when the viewer sees 直报 there, and the mobilisation tile (reports.mobilisation_figures.tile: the
incidents running and their coverage now, counts only) when they hold VIEW_MOBILISATION there.

The figures the KPI tables give for a period (tiles, trend, category mix, rankings) change when
the rollup runs: they are kept in the Django cache (Redis in production) per subject, period,
language and rollup run (`RollupState.run`, a new random token each scheduled run), so a run
makes a new key and the next view computes them once for everyone (ADR 0045). The key holds the
subject's own places and posts: one street's figures are never another's, and the caller has
already cut the subject to the viewer's scope. The live parts — 待受理 and open now, care, 直报,
mobilisation — are read on every view. Before the first scheduled run nothing is kept.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.i18n import localized
from gongzhi.geo.models import Node
from gongzhi.reports import care_figures, direct_figures, drill, kpis, mobilisation_figures, rankings, rollup
from gongzhi.reports import definitions as d
from gongzhi.reports.kpis import KpiValue
from gongzhi.reports.models import CategoryTotal, DayTotal
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject

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
    streets: rankings.Ranking | None = None  # a district's streets
    areas: rankings.Ranking | None = None
    units: rankings.Ranking | None = None
    care: dict[str, Any] | None = None  # the care tile and map layer (care_figures.tile)
    direct: dict[str, Any] | None = None  # the open 直报, places only (direct_figures.tile)
    mobilisation: dict[str, Any] | None = None  # the mobilisation tile (mobilisation_figures.tile)

    def tiles(self) -> list[KpiValue]:
        return [self.kpis[k] for k in TILES if k in self.kpis.values]


KEPT_SECONDS = 30 * 60  # a kept entry outlives its run by little: the beat makes a new one every 10 minutes


@dataclass
class Kept:
    """What one rollup run fixes for a subject and a period (the subject itself is not kept)."""

    values: dict[str, KpiValue]
    counts: dict[str, int]
    as_of: Any
    stale: bool
    trend: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    areas: rankings.Ranking
    units: rankings.Ranking
    streets: rankings.Ranking | None = None  # a district's streets


def dashboard(
    subject: Subject, period: Period, *, viewer: Actor | None = None, keep: bool = True
) -> Dashboard:
    """The board; `keep=False` computes every figure now (the benchmark's selector figure)."""
    if not subject.paths or not subject.by_area:
        raise ValidationError({"node": [_("指挥中心只适用于街道、块区或居民区")]})
    run = rollup.catch_up().run  # the live tiles follow every event
    key = kept_key(subject, period, run) if keep and run else None
    kept: Kept | None = cache.get(key) if key else None
    if kept is None:
        kept = compute(subject, period)
        if key:
            cache.set(key, kept, KEPT_SECONDS)
    open_now, waiting = open_counts(subject)
    board = Dashboard(
        subject=subject,
        period=period,
        kpis=kpis.KpiSet(
            subject=subject,
            period=period,
            values=kept.values,
            counts=kept.counts,
            as_of=kept.as_of,
            stale=kept.stale,
        ),
        waiting=waiting,
        open_now=open_now,
        trend=kept.trend,
        categories=kept.categories,
        streets=kept.streets,
        areas=kept.areas,
        units=kept.units,
    )
    if viewer is not None and care_figures.may_see(viewer, subject):
        board.care = care_figures.tile(subject, period)
    if viewer is not None and direct_figures.may_see(viewer, subject):
        board.direct = direct_figures.tile(subject, period)
    if viewer is not None and mobilisation_figures.may_see(viewer, subject):
        board.mobilisation = mobilisation_figures.tile(subject)
    return board


def kept_key(subject: Subject, period: Period, run: int) -> str:
    """The cache key of a subject's figures for a period in a rollup run: its places, posts,
    unit, the days and the language (names and labels are kept translated)."""
    parts = {
        "run": run,
        "paths": sorted(subject.paths),
        "posts": sorted(subject.post_ids) if subject.post_ids is not None else None,
        "unit": subject.unit.pk if subject.unit else None,
        "post": subject.post.pk if subject.post else None,
        "days": [period.start.isoformat(), period.end.isoformat()],
        "language": get_language(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return f"gongzhi:dashboard:{digest}"


def compute(subject: Subject, period: Period) -> Kept:
    """The figures of the KPI tables for the subject and period, read now."""
    # The daily totals of the period summed once per (area, post): both rankings and the tiles
    # add them up. The tiles only: the percentiles and the meeting figures are on the KPI page.
    rows = rankings.totals_by_post(subject, period)
    tiles = [k for k in d.KPIS if k.key in TILES]
    counts = {name: sum(r[name] or 0 for r in rows) for name in kpis.needed(tiles)}
    figures = kpis.kpi_set(subject, period, only=TILES, counts=counts)
    return Kept(
        values=figures.values,
        counts=figures.counts,
        as_of=figures.as_of,
        stale=figures.stale,
        trend=trend(subject, period),
        categories=category_mix(subject, period),
        areas=rankings.ranking(subject, period, by=rankings.AREAS, rows=rows),
        units=rankings.ranking(subject, period, by=rankings.UNITS, rows=rows),
        streets=rankings.ranking(subject, period, by=rankings.STREETS, rows=rows)
        if rankings.covers_streets(subject)
        else None,
    )


def open_counts(subject: Subject) -> tuple[int, int]:
    """(open now, 待受理 now) under the subject: the daily totals of every day (an open case
    counts on the day it was reported), so no case row is read."""
    q = Q(open_now__gt=0)  # index daytotal_open
    areas = kpis.grain_ids(subject)
    if areas is not None:
        q &= Q(area_id__in=areas)
    if subject.post_ids is not None:
        q &= Q(post_id__in=subject.post_ids)
    row = DayTotal.objects.filter(q).aggregate(open_now=Sum("open_now"), waiting=Sum("waiting"))
    return row["open_now"] or 0, row["waiting"] or 0


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
    "其他" row, and cases not yet classified as "未分类". Read from the category totals kept
    for the subject's own nodes (a street's year: ~12,000 rows whatever the number of cases)."""
    nodes = Node.objects.filter(path__in=subject.paths).values("pk")
    rows = (
        CategoryTotal.objects.filter(node_id__in=nodes, day__gte=period.start, day__lt=period.end)
        .values("category__parent__code", "category__parent__name", "category__parent__name_en")
        .annotate(n=Sum("received"))
        .order_by("-n", "category__parent__code")
    )
    mix = [
        {
            "code": r["category__parent__code"] or "",
            "name": localized(r, "category__parent__name") or _("未分类"),
            "count": r["n"],
            # the drill-down's `group=` (reports.drill.figure): a 大类 code, or none for 未分类
            "group": r["category__parent__code"] or drill.NONE,
        }
        for r in rows
    ]
    if len(mix) > TOP_CATEGORIES:  # 其他 sums several 大类: no one list behind it
        rest = sum(r["count"] for r in mix[TOP_CATEGORIES - 1 :])
        mix = [*mix[: TOP_CATEGORIES - 1], {"code": "", "name": _("其他"), "count": rest, "group": ""}]
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
        # local time, as the page prints it (the database hands back UTC, a fresh rollup local)
        "as_of": timezone.localtime(board.kpis.as_of).isoformat() if board.kpis.as_of else None,
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
        "streets": ranked(board.streets),
        "areas": ranked(board.areas),
        "units": ranked(board.units),
        "care": board.care,  # counts per place, no person's name or id
        "direct": board.direct,  # every open 直报: kind, place, times, the reporter's post
        "mobilisation": board.mobilisation,  # counts only
    }
