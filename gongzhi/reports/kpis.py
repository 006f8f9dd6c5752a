"""The KPIs of a subject (node, unit or post) for a period, read from the daily totals.

`kpi_set(subject, period)` is what the KPI page, the API, the reports and the benchmark call:
a handful of queries whatever the number of cases (daily totals summed over the period, the
exact percentiles from the facts, the backlog from the open cases, the meeting and slip
figures from their own tables). Places below the residential area are summed from the facts
(the totals' grain is the area). See docs/kpis.md for every definition.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum

from gongzhi.cases.models import Case
from gongzhi.cases.states import OPEN_STATES
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.reports import care_figures, community_figures, meeting_figures, rollup
from gongzhi.reports import definitions as d
from gongzhi.reports import facts as f
from gongzhi.reports.models import DayTotal, Fact
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class KpiValue:
    kpi: d.Kpi
    numerator: int | None
    denominator: int | None
    value: float | None  # percent for rates, hours for percentiles, the count for counts
    grade: str | None = None
    buckets: tuple[Bucket, ...] = ()

    @property
    def key(self) -> str:
        return self.kpi.key

    @property
    def label(self) -> str:
        return str(self.kpi.label)


@dataclass
class KpiSet:
    subject: Subject
    period: Period
    values: dict[str, KpiValue]
    counts: dict[str, int]
    as_of: datetime | None = None
    stale: bool = False  # too many new events for a read to take in: as of `as_of`
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> KpiValue:
        return self.values[key]

    def __iter__(self) -> Any:
        return iter(self.values.values())

    @property
    def main(self) -> list[KpiValue]:
        """The KPIs of cases, meetings and slips (the page's first grid)."""
        return [v for v in self.values.values() if v.kpi.source not in d.PLACE_SOURCES]

    @property
    def care(self) -> list[KpiValue]:
        """The care KPIs (the page's 关爱 section), when the viewer sees them."""
        return [v for v in self.values.values() if v.kpi.source == d.CARE]

    @property
    def care_counts(self) -> Any:
        """The care counts beside the care KPIs (reports.care_figures.CareFigures) or None."""
        return self.extra.get("care")

    @property
    def community(self) -> list[KpiValue]:
        """The community KPIs (the page's 共建 section), when the viewer sees them."""
        return [v for v in self.values.values() if v.kpi.source == d.COMMUNITY]

    @property
    def community_counts(self) -> Any:
        """The community counts (reports.community_figures.CommunityFigures) or None."""
        return self.extra.get("community")


# --- where: the filters of a subject ------------------------------------------------------------


def grain_ids(subject: Subject) -> QuerySet[Node, Any] | None:
    """The grain nodes (areas, and blocks and streets holding cases themselves) under the
    subject's places, as a subquery (no round trip of its own); None when the subject has no
    place filter."""
    if not subject.paths:
        return None
    return Node.objects.filter(subtree_q(subject.paths), level__lte=Level.AREA).values("pk")


def totals_q(subject: Subject, period: Period, areas: QuerySet[Node, Any] | None) -> Q:
    q = Q(day__gte=period.start, day__lt=period.end)
    if areas is not None:
        q &= Q(area_id__in=areas)
    if subject.post_ids is not None:
        q &= Q(post_id__in=subject.post_ids)
    return q


def facts_q(subject: Subject, period: Period) -> Q:
    q = Q(day__gte=period.start, day__lt=period.end)
    if subject.paths:
        q &= path_q(subject.paths)
    if subject.post_ids is not None:
        q &= Q(post_id__in=subject.post_ids)
    return q


def facts(subject: Subject, period: Period) -> QuerySet[Fact]:
    return Fact.objects.filter(facts_q(subject, period))


# --- the counters -----------------------------------------------------------------------------------


def counters(subject: Subject, period: Period, names: Iterable[str] | None = None) -> dict[str, int]:
    """The counters of reports.facts.COUNTERS (or only `names`) over the subject and the period,
    in one query."""
    wanted = list(f.COUNTERS) if names is None else [n for n in f.COUNTERS if n in set(names)]
    if subject.by_area:
        areas = grain_ids(subject)
        row = DayTotal.objects.filter(totals_q(subject, period, areas)).aggregate(
            **{name: Sum(name) for name in wanted}
        )
    else:
        counted = rollup.counted()
        row = facts(subject, period).aggregate(**{name: counted[name] for name in wanted})
    return {name: row[name] or 0 for name in wanted}


def needed(wanted: Iterable[d.Kpi]) -> set[str]:
    """The counters these KPIs read (and received / closed, which every set shows)."""
    names = {"received", "closed"}
    for kpi in wanted:
        if kpi.source == d.CASES and kpi.kind == d.RATE:
            names |= {kpi.numerator, kpi.denominator}
        elif kpi.kind == d.HOURS:
            names |= {name for name, _low, _high in f.HOUR_BUCKETS}
    return names


def percentile_hours(subject: Subject, period: Period, p: float, counts: dict[str, int]) -> float | None:
    """The exact p-th percentile (nearest rank: an actual closing time) of the hours to close
    of the period's closures. The daily totals say which hours bucket holds that rank and how
    many closures the bucket has in the period, so only those are read (index
    fact_close_hours: bucket, area, then day), counted from whichever end of the bucket is nearer."""
    n = counts["closed"]
    if n == 0:
        return None
    rank = max(1, math.ceil(p * n))
    if subject.by_area:
        before = 0
        for bucket, (name, _low, _high) in enumerate(f.HOUR_BUCKETS):
            size = counts[name]
            if before + size >= rank:
                return _nth_in_bucket(subject, period, bucket, rank - before, size)
            before += size
    # below the area (few facts by construction), or closures that no bucket counts (a
    # negative time): sort the period's closures
    closes = facts(subject, period).filter(kind=f.CLOSE)
    found = list(closes.order_by("value").values_list("value", flat=True)[rank - 1 : rank])
    return round(found[0], 1) if found and found[0] is not None else None


def _nth_in_bucket(subject: Subject, period: Period, bucket: int, rank: int, size: int) -> float | None:
    """The rank-th shortest of the `size` closures of one hours bucket in the period."""
    closes = Fact.objects.filter(hours_bucket=bucket, day__gte=period.start, day__lt=period.end)
    areas = grain_ids(subject)
    if areas is not None:
        closes = closes.filter(area_id__in=areas)
    if subject.post_ids is not None:
        closes = closes.filter(post_id__in=subject.post_ids)
    if rank <= (size + 1) // 2:
        found = closes.order_by("value").values_list("value", flat=True)[rank - 1 : rank]
    else:  # the same closure, counted from the longest (a smaller sort)
        found = closes.order_by("-value").values_list("value", flat=True)[size - rank : size - rank + 1]
    values = list(found)
    return round(values[0], 1) if values and values[0] is not None else None


def open_cases(subject: Subject) -> QuerySet[Case]:
    q = Q(state__in=list(OPEN_STATES))
    if subject.paths:
        q &= path_q(subject.paths)
    if subject.post_ids is not None:
        q &= Q(post_id__in=subject.post_ids)
    return Case.objects.filter(q)


def backlog_q(key: str, now: datetime) -> Q:
    for name, _label, low, high in d.BACKLOG_BUCKETS:
        if name == key:
            q = Q(created_at__lte=now - timedelta(days=low))
            if high is not None:
                q &= Q(created_at__gt=now - timedelta(days=high))
            return q
    raise KeyError(key)


def backlog(subject: Subject) -> tuple[Bucket, ...]:
    """Open cases now, by days since they were reported (one query)."""
    from django.db.models import Count

    now = clock.now()
    row = open_cases(subject).aggregate(
        **{key: Count("pk", filter=backlog_q(key, now)) for key, *_rest in d.BACKLOG_BUCKETS}
    )
    return tuple(Bucket(key, str(label), row[key] or 0) for key, label, *_rest in d.BACKLOG_BUCKETS)


# --- the set ---------------------------------------------------------------------------------------------


def rate_value(kpi: d.Kpi, numerator: int, denominator: int) -> KpiValue:
    if not denominator:
        return KpiValue(kpi, numerator, denominator, None)
    percent = round(100.0 * numerator / denominator, 1)
    return KpiValue(kpi, numerator, denominator, percent, d.grade_of(d.score(kpi, percent)))


def kpi_set(
    subject: Subject,
    period: Period,
    *,
    catch_up: bool = True,
    meetings: bool = True,
    only: tuple[str, ...] | None = None,
    counts: dict[str, int] | None = None,
    viewer: Any = None,
) -> KpiSet:
    """Every KPI of the subject for the period (or those in `only`: then `counts` holds only
    the counters they read, and received and closed). `counts`: those counters, already summed
    by the caller (the command centre adds up the rankings' totals, read after a catch-up).
    `viewer`: the meeting and slip figures count what that user may see (their drill lists)."""
    progress = rollup.catch_up() if catch_up else rollup.Progress()
    wanted = [k for k in d.KPIS if only is None or k.key in only]
    if counts is None:
        counts = counters(subject, period, None if only is None else needed(wanted))
    values: dict[str, KpiValue] = {}
    measures: dict[str, int] = {}
    if meetings and any(k.source in (d.MEETINGS, d.SLIPS) for k in wanted):
        measures = meeting_figures.measures(subject, period, viewer)
    care = None  # a place's care figures, for those who take part in care there
    if any(k.source == d.CARE for k in wanted) and care_figures.may_see(viewer, subject):
        care = care_figures.figures(subject, period)
    community = None  # a place's community figures, for those who see its community rows
    if any(k.source == d.COMMUNITY for k in wanted) and community_figures.may_see(viewer, subject):
        community = community_figures.figures(subject, period)
    for kpi in wanted:
        if kpi.source in d.PLACE_SOURCES:
            found = care if kpi.source == d.CARE else community
            if found is not None:
                m = found.measures
                values[kpi.key] = rate_value(kpi, m[kpi.numerator], m[kpi.denominator])
        elif kpi.kind == d.RATE and kpi.source == d.CASES:
            values[kpi.key] = rate_value(kpi, counts[kpi.numerator], counts[kpi.denominator])
        elif kpi.kind == d.HOURS:
            hours = percentile_hours(subject, period, kpi.percentile or 0.5, counts)
            values[kpi.key] = KpiValue(kpi, None, counts["closed"], hours)
        elif kpi.kind == d.BACKLOG:
            buckets = backlog(subject)
            old = sum(b.count for b in buckets if b.key in {"d30", "older"})
            total = sum(b.count for b in buckets)
            values[kpi.key] = KpiValue(kpi, old, total, float(total), buckets=buckets)
        elif measures:
            num, den = measures[kpi.numerator], measures[kpi.denominator]
            if kpi.kind == d.RATE:
                values[kpi.key] = rate_value(kpi, num, den)
            else:
                values[kpi.key] = KpiValue(kpi, num, den, float(num))
    return KpiSet(
        subject=subject,
        period=period,
        values=values,
        counts=counts,
        as_of=progress.built_at,
        stale=progress.skipped,
        extra={k: v for k, v in (("care", care), ("community", community)) if v is not None},
    )


def dashboard_kpis(node: Node, period: Period) -> KpiSet:
    """The street command centre's KPIs of a node (no access check: the caller has done it,
    or is the benchmark / the schedule)."""
    from gongzhi.reports.subjects import node_subject

    return kpi_set(node_subject(node), period)
