"""Volunteer (志愿服务) figures of a place for a period (docs/kpis.md "Volunteers"): the hours
served, by where they came from (orders, duty shifts, tasks), the volunteers registered and
those active (with hours in the period), and the median hours per active volunteer — for the
place and for each residential area under it.

Counted straight from the time bank (community.HoursEntry), like the care and community
figures (ADR 0021): every entry is confirmed by whoever led the work when it is written, and a
wrong one is reversed by an opposite entry; an entry that has been reversed, and the reversal
itself, count for nothing here (the hours that stand). An entry's place is its volunteer's
area (HoursEntry.node_path), so one pass gives the place's totals and the per-area table.

Who sees them: counts only, for places, for VIEW_COMMUNITY over the whole place — the same
readers as the 共建 figures (`may_see`). The list behind them (`hours_behind`) is cut again by
access.community_q: the entries of the areas the asker keeps.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.community.choices import HoursSource
from gongzhi.community.models import HoursEntry, Volunteer
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs import access
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

SOURCES = (HoursSource.ORDER, HoursSource.SHIFT, HoursSource.TASK)


def applies(subject: Subject) -> bool:
    """Volunteer figures belong to places, not to a unit's or a post's case work."""
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    """VIEW_COMMUNITY over the whole place. None: the schedule (the 日报/周报 count the node)."""
    if not applies(subject):
        return False
    if user is None or access.scope(user).superuser:
        return True
    return all(access.can_under(user, access.VIEW_COMMUNITY, p) for p in subject.paths)


def standing(subject: Subject, period: Period) -> QuerySet[HoursEntry]:
    """The period's entries under the place that stand: neither a reversal nor reversed."""
    return (
        HoursEntry.objects.filter(
            path_q(subject.paths), occurred_on__gte=period.start, occurred_on__lt=period.end
        )
        .exclude(source=HoursSource.REVERSAL)
        .filter(reversed_by__isnull=True)
    )


def registered(subject: Subject, period: Period, now: Any = None) -> QuerySet[Volunteer]:
    """Volunteers registered under the place and not ended at the period's end (or now)."""
    end = min(period.until, now or clock.now())
    return Volunteer.objects.filter(path_q(subject.paths), registered_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end)
    )


@dataclass
class HoursRow:
    """One place's hours: in total and by source, volunteers registered and active."""

    code: str
    name: str
    hours: Decimal = Decimal(0)
    by_source: dict[str, Decimal] = field(default_factory=lambda: {s.value: Decimal(0) for s in SOURCES})
    registered: int = 0
    per_volunteer: dict[int, Decimal] = field(default_factory=dict)

    @property
    def active(self) -> int:
        return len(self.per_volunteer)

    @property
    def median(self) -> float | None:
        """Median hours of the volunteers with hours (a tenth of an hour)."""
        if not self.per_volunteer:
            return None
        return round(float(median(self.per_volunteer.values())), 1)

    def add(self, volunteer_id: int, source: str, hours: Decimal) -> None:
        self.hours += hours
        self.by_source[source] += hours
        self.per_volunteer[volunteer_id] = self.per_volunteer.get(volunteer_id, Decimal(0)) + hours

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "hours": float(self.hours),
            "by_source": {k: float(v) for k, v in self.by_source.items()},
            "registered": self.registered,
            "active": self.active,
            "median_hours": self.median,
        }


@dataclass
class VolunteerFigures:
    total: HoursRow
    areas: list[HoursRow]  # each residential area under the place (empty for a single area)
    entries: int = 0

    def source_labels(self) -> list[dict[str, Any]]:
        """The sources in order with their label and the place's hours (the page's columns)."""
        return [
            {"source": s.value, "label": str(s.label), "hours": float(self.total.by_source[s.value])}
            for s in SOURCES
        ]


def _area_code(path: str, areas: dict[str, HoursRow]) -> str | None:
    for code in path.strip("/").split("/"):
        if code in areas:
            return code
    return None


def figures(subject: Subject, period: Period, now: Any = None) -> VolunteerFigures:
    """Every volunteer figure of the place for the period, with the per-area table."""
    nodes = Node.objects.filter(subtree_q(list(subject.paths)), level=Level.AREA).order_by("path")
    areas = {code: HoursRow(code, name) for code, name in nodes.values_list("code", "name")}
    total = HoursRow("", subject.label)
    rows = standing(subject, period).values_list("volunteer_id", "node_path", "source", "hours")
    count = 0
    for volunteer_id, path, source, hours in rows.order_by():
        count += 1
        total.add(volunteer_id, source, hours)
        code = _area_code(path, areas)
        if code:
            areas[code].add(volunteer_id, source, hours)
    for path in registered(subject, period, now).values_list("node_path", flat=True):
        total.registered += 1
        code = _area_code(path, areas)
        if code:
            areas[code].registered += 1
    return VolunteerFigures(total=total, areas=list(areas.values()) if len(areas) > 1 else [], entries=count)


def report_figures(subject: Subject, period: Period, now: Any) -> dict[str, Any]:
    """The 日报/周报's 志愿服务 section as plain values (frozen as JSON with the report)."""
    found = figures(subject, period, now)
    return {
        **found.total.as_dict(),
        "entries": found.entries,
        "sources": found.source_labels(),
        "areas": [a.as_dict() for a in found.areas],
    }


def hours_behind(subject: Subject, period: Period, *, user: Actor, source: str = "") -> QuerySet[HoursEntry]:
    """The standing entries behind the hours (of one source if given), of the areas `user`
    keeps (access.community_q), the latest first."""
    rows = standing(subject, period)
    if source:
        rows = rows.filter(source=source)
    return (
        rows.filter(access.community_q(user))
        .select_related("volunteer__person", "volunteer__area")
        .order_by("-occurred_on", "-pk")
    )
