"""Rankings of the streets (under a district), the residential areas and the units under a
node, and the 点赞榜 / 亮丑榜.

Each entry's figure is the same KPI as on the KPI page, from the same daily totals, grouped
by street, by area or by the unit of the post (one query summed per area and post, whatever the
number of areas; a street's counts are its grain nodes' added up). A rate whose
denominator is below REPORTS_RANK_MIN is not graded ("样本不足") and stays off both boards.
The composite score (综合得分) is the mean of the case rates' scores (a lower 返工率 scores
higher) over those with enough cases.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs.models import Unit
from gongzhi.reports import definitions as d
from gongzhi.reports import kpis, rollup
from gongzhi.reports.models import DayTotal
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject

STREETS, AREAS, UNITS = "streets", "areas", "units"


@dataclass
class Entry:
    code: str
    name: str
    counts: dict[str, int]
    value: float | None = None  # the figure ranked (percent, or the composite score)
    numerator: int | None = None
    denominator: int | None = None
    grade: str | None = None
    rank: int | None = None  # None: not enough cases to be ranked


@dataclass
class Ranking:
    by: str
    kpi: str  # a rankable KPI key or d.COMPOSITE
    label: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def ranked(self) -> list[Entry]:
        return [e for e in self.entries if e.rank is not None]

    def _sizes(self) -> tuple[int, int]:
        """Board sizes: REPORTS_BOARD_SIZE each, and never one entry on both boards (with few
        entries the better half is praised, the worse half shown)."""
        n, size = len(self.ranked), d.board_size()
        shame = min(size, n // 2)
        return min(size, n - shame), shame

    @property
    def praise(self) -> list[Entry]:
        """点赞榜: the best, best first."""
        return self.ranked[: self._sizes()[0]]

    @property
    def shame(self) -> list[Entry]:
        """亮丑榜: the worst, worst first."""
        shame = self._sizes()[1]
        return list(reversed(self.ranked))[:shame]


RANKED = sorted(kpis.needed(d.RANKABLE))  # the counters a ranking reads


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in RANKED}


def _score(kpi_key: str, counts: dict[str, int]) -> tuple[float | None, int | None, int | None]:
    if kpi_key == d.COMPOSITE:
        scores = []
        for kpi in d.RANKABLE:
            den = counts[kpi.denominator]
            if den >= d.rank_min():
                scores.append(d.score(kpi, 100.0 * counts[kpi.numerator] / den))
        return (round(sum(scores) / len(scores), 1) if scores else None), None, None
    kpi = d.BY_KEY[kpi_key]
    num, den = counts[kpi.numerator], counts[kpi.denominator]
    if den < max(1, d.rank_min()):
        return None, num, den
    return round(100.0 * num / den, 1), num, den


def _rank(ranking: Ranking) -> Ranking:
    kpi = d.BY_KEY.get(ranking.kpi)
    for e in ranking.entries:
        e.value, e.numerator, e.denominator = _score(ranking.kpi, e.counts)
        if e.value is not None:
            e.grade = d.grade_of(e.value if kpi is None else d.score(kpi, e.value))

    def goodness(e: Entry) -> float:
        if e.value is None:
            return -1.0
        return e.value if kpi is None else d.score(kpi, e.value)

    ranking.entries.sort(key=lambda e: (-goodness(e), e.code))
    for i, e in enumerate(e for e in ranking.entries if e.value is not None):
        e.rank = i + 1
    return ranking


def _by_street(subject: Subject, rows: list[dict[str, Any]]) -> list[Entry]:
    """One entry per street under the subject: the counts of its grain nodes (its areas, and the
    street and blocks holding cases themselves) added up."""
    grain = Node.objects.filter(subtree_q(subject.paths), level__lte=Level.AREA).values_list("pk", "path")
    street_of = {pk: streets.street_code(path) for pk, path in grain}
    found = _add_up([{**r, "street": street_of.get(r["area_id"])} for r in rows], "street")
    places = (
        Node.objects.filter(subtree_q(subject.paths), level=Level.STREET).defer("geometry").order_by("path")
    )
    zero = dict.fromkeys(RANKED, 0)
    return [Entry(code=n.code, name=n.name, counts=found.get(n.code, zero)) for n in places]


def covers_streets(subject: Subject) -> bool:
    """Whether the subject holds more than one street (a district): its streets are ranked."""
    return bool(subject.paths) and (
        Node.objects.filter(subtree_q(subject.paths), level=Level.STREET).count() > 1
    )


def _check(kpi_key: str, by: str) -> str:
    if kpi_key != d.COMPOSITE and kpi_key not in {k.key for k in d.RANKABLE}:
        raise ValidationError({"kpi": [_("该指标不能排名，可选：综合得分或工单类比率指标")]})
    if by not in {STREETS, AREAS, UNITS}:
        raise ValidationError({"by": [_("by 应为 streets（街道）、areas（居民区）或 units（单位）")]})
    return str(_("综合得分")) if kpi_key == d.COMPOSITE else str(d.BY_KEY[kpi_key].label)


def totals_by_post(subject: Subject, period: Period) -> list[dict[str, Any]]:
    """The counters a ranking reads, summed over the period per (area, post), with the post's
    unit: one query that both rankings (and the command centre's tiles) add up."""
    areas = kpis.grain_ids(subject)
    rows = DayTotal.objects.filter(kpis.totals_q(subject, period, areas))
    return list(rows.values("area_id", "post_id", "post__unit_id").annotate(**_sums()).order_by())


def _add_up(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        if row[key] is None:
            continue
        counts = out.setdefault(row[key], dict.fromkeys(RANKED, 0))
        for name in RANKED:
            counts[name] += row[name] or 0
    return out


def ranking(
    subject: Subject,
    period: Period,
    *,
    by: str = AREAS,
    kpi: str = d.COMPOSITE,
    rows: list[dict[str, Any]] | None = None,
) -> Ranking:
    """The residential areas (the units, or the streets of a district) under the subject's
    node, ranked by one KPI (from `rows`, the caller's totals_by_post after a catch-up, when
    given)."""
    label = _check(kpi, by)
    if not subject.by_area or not subject.paths:
        raise ValidationError({"node": [_("排名只适用于街道、块区或居民区")]})
    if rows is None:
        rollup.catch_up()
        rows = totals_by_post(subject, period)
    result = Ranking(by=by, kpi=kpi, label=label)
    zero = dict.fromkeys(RANKED, 0)
    if by == STREETS:
        result.entries = _by_street(subject, rows)
    elif by == AREAS:
        areas = kpis.grain_ids(subject)
        places = Node.objects.filter(pk__in=areas if areas is not None else [], level=Level.AREA).order_by(
            "path"
        )
        found = _add_up(rows, "area_id")
        for n in places:
            result.entries.append(Entry(code=n.code, name=n.name, counts=found.get(n.pk, zero)))
    else:
        found = _add_up(rows, "post__unit_id")
        for unit in Unit.objects.filter(pk__in=list(found)).order_by("code"):
            result.entries.append(Entry(code=unit.code, name=unit.name, counts=found[unit.pk]))
    return _rank(result)
