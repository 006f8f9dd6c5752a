"""共建 (community) figures of a place for a period (docs/kpis.md "Community"): the 双报到 rate
of members and of units, service hours done against the hours committed, points per member
type, needs met, and projects claimed / finished / finished on time — for the place and for
each residential area under it.

Counted straight from the community tables (registrations, commitments and service, needs,
projects, ledger entries), like the care figures (ADR 0021) and for the same reasons: a
street's community rows are a few thousand a year, their states change after the fact
(a registration confirmed, a need met when its project finishes) with no case event to tell
the daily rollup, and the lists behind them are cut by the community's own scopes.

Every row read here carries its place (a path), so one pass gives the place's totals and the
per-area table (`areas`); a row outside any area (a project at the street) counts for the
place only.

Who sees them: the figures are counts; they are for places (not a unit's or a post's case
work) and for whoever holds VIEW_COMMUNITY over the whole place (the committee and the Party
secretary their area, the cadres above, grid workers their area); a department, a property
company or a partner sees none (`may_see`). The lists behind them (`behind`) are cut again by
access.community_q / ledger_q / registrations_q.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.community.choices import CommitmentUnit, EntryKind
from gongzhi.community.member_types import TREATMENTS
from gongzhi.community.models import (
    Commitment,
    Need,
    NeedState,
    PointEntry,
    Project,
    ProjectState,
    RegistrationEvent,
    ServiceRecord,
)
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Unit
from gongzhi.orgs.roles import MemberType, UnitKind
from gongzhi.reports import definitions as d
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

State = DualRegistration.State
# Who is counted in the registration rates' denominators: the member types that register
# (in service, mobile, new organisations; community.member_types), and the units with a Party
# side of their own in the area — not the street's own offices, the committees of the area
# itself, or teams without an organisation (culture, volunteers).
REGISTERING_TYPES = tuple(t for t, how in TREATMENTS.items() if how.registers)
NOT_REGISTERING_UNITS = (
    UnitKind.STREET_OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.RESIDENTS_COMMITTEE,
    UnitKind.OWNERS_COMMITTEE,
    UnitKind.CULTURE,
    UnitKind.VOLUNTEER,
)
DAYS_A_YEAR = Decimal(365)


# --- who ----------------------------------------------------------------------------------------------


def applies(subject: Subject) -> bool:
    """Community figures belong to places, not to a unit's or a post's case work."""
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    """VIEW_COMMUNITY over the whole place. None: the schedule (the 日报/周报 count the node)."""
    if not applies(subject):
        return False
    if user is None or access.scope(user).superuser:
        return True
    return all(access.can_under(user, access.VIEW_COMMUNITY, p) for p in subject.paths)


# --- when -------------------------------------------------------------------------------------------


def as_of(period: Period, now: Any = None) -> date:
    """The day the registrations are read at: the period's last day, or today if earlier."""
    today = timezone.localtime(now or clock.now(), timezone.get_default_timezone()).date()
    return min(period.last_day, today)


def confirmed_q() -> Q:
    """双报到 that were confirmed at some point: confirmed now, or ended after a confirmation
    (a confirm event, or a roster row that never went through the process). An application
    withdrawn before its decision is ended too, and never counts."""
    confirmed = RegistrationEvent.objects.filter(registration=OuterRef("pk"), action="confirm")
    applied = RegistrationEvent.objects.filter(registration=OuterRef("pk"), action="apply")
    return Q(state=State.CONFIRMED) | (Q(state=State.ENDED) & (Q(Exists(confirmed)) | ~Q(Exists(applied))))


def registered_q(day: date) -> Q:
    """双报到 in force on `day`: confirmed by then and not yet ended."""
    return confirmed_q() & Q(registered_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def ran_q(period: Period, day: date) -> Q:
    """双报到 in force on some day of the period up to `day`."""
    return (
        confirmed_q() & Q(registered_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=period.start))
    )


# --- the rows ---------------------------------------------------------------------------------------


def eligible_members(subject: Subject) -> QuerySet[PartyMember]:
    """Members of the types that register, living under the place (their home)."""
    return PartyMember.objects.filter(
        path_q(subject.paths, "person__home__path"), member_type__in=REGISTERING_TYPES
    )


def members_registered(subject: Subject, day: date) -> QuerySet[PartyMember]:
    running = DualRegistration.objects.filter(registered_q(day), member=OuterRef("pk"))
    return eligible_members(subject).filter(Exists(running))


def located_units(subject: Subject) -> QuerySet[Unit]:
    """Active units located under the place that may register (NOT_REGISTERING_UNITS left out)."""
    return Unit.objects.filter(path_q(subject.paths, "node__path"), active=True).exclude(
        kind__in=NOT_REGISTERING_UNITS
    )


def units_registered(subject: Subject, day: date) -> QuerySet[Unit]:
    """Those with a 双报到 in force (with any area of the street)."""
    running = DualRegistration.objects.filter(registered_q(day), unit=OuterRef("pk"))
    return located_units(subject).filter(Exists(running))


def hour_commitments(subject: Subject, period: Period, day: date) -> QuerySet[Commitment]:
    """Commitments in hours of registrations with areas under the place that ran during the
    period (confirmed by its end, not ended before its start)."""
    regs = DualRegistration.objects.filter(path_q(subject.paths, "node__path"), ran_q(period, day))
    return Commitment.objects.filter(unit=CommitmentUnit.HOURS, registration__in=regs.values("pk"))


def committed_hours(commitment: Commitment, period: Period, day: date) -> Decimal:
    """The hours a commitment owes over the period so far: its yearly hours for the days its
    registration ran in [period start, `day`]."""
    reg = commitment.registration
    start = max(period.start, reg.registered_on)
    end = min(day + timedelta(days=1), reg.ended_on or day + timedelta(days=1))
    days = (end - start).days
    return commitment.per_year * days / DAYS_A_YEAR if days > 0 else Decimal(0)


def listed_needs(subject: Subject, period: Period) -> QuerySet[Need]:
    """Needs listed in the period and not closed (a closed need was withdrawn, not met)."""
    return Need.objects.filter(
        path_q(subject.paths), created_at__gte=period.since, created_at__lt=period.until
    ).exclude(state=NeedState.CLOSED)


def claimed(subject: Subject, period: Period) -> QuerySet[Project]:
    return Project.objects.filter(
        path_q(subject.paths), claimed_at__gte=period.since, claimed_at__lt=period.until
    )


def finished(subject: Subject, period: Period) -> QuerySet[Project]:
    return Project.objects.filter(
        path_q(subject.paths), state=ProjectState.DONE, done_at__gte=period.since, done_at__lt=period.until
    )


def on_time(project: Project) -> bool:
    """Finished no later than its end date (the local day of delivery)."""
    done_at = project.done_at
    assert done_at is not None
    return timezone.localtime(done_at, timezone.get_default_timezone()).date() <= project.ends_on


def entries(subject: Subject, period: Period) -> QuerySet[PointEntry]:
    """Ledger entries kept by branches under the place, dated in the period."""
    return PointEntry.objects.filter(
        path_q(subject.paths), occurred_on__gte=period.start, occurred_on__lt=period.end
    )


# --- the figures -------------------------------------------------------------------------------------

MEASURES = (
    "members_eligible",
    "members_registered",
    "units_located",
    "units_registered",
    "hours_committed",
    "hours_done",
    "needs_listed",
    "needs_met",
    "projects_claimed",
    "projects_finished",
    "projects_on_time",
)


@dataclass
class TypeRow:
    """Points of one member type in the period: members with entries, total, spread."""

    member_type: str
    label: str
    members: int = 0
    total: int = 0
    average: float | None = None
    median: float | None = None
    highest: int | None = None
    lowest: int | None = None
    deductions: int = 0  # deduction entries standing (not reversals)


@dataclass
class AreaRow:
    code: str
    name: str
    measures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def rate(self, key: str) -> float | None:
        kpi = d.BY_KEY[key]
        den = self.measures[kpi.denominator]
        return round(100.0 * self.measures[kpi.numerator] / den, 1) if den else None

    @property
    def rates(self) -> list[float | None]:
        return [self.rate(k.key) for k in d.COMMUNITY_KPIS]


@dataclass
class CommunityFigures:
    measures: dict[str, int]  # the KPIs' numerators and denominators, and the counts
    as_of: date
    by_type: list[TypeRow] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    units_serving: int = 0  # units with a 双报到 in force with an area under the place
    needs_open: int = 0  # now: waiting for a resource or matched
    projects_active: int = 0  # now


class _Areas:
    """Buckets rows by the residential area their path lies under."""

    def __init__(self, subject: Subject) -> None:
        nodes = Node.objects.filter(subtree_q(list(subject.paths)), level=Level.AREA).order_by("path")
        self.rows = {code: AreaRow(code, name) for code, name in nodes.values_list("code", "name")}

    def add(self, path: str | None, key: str, amount: int = 1) -> None:
        for code in (path or "").strip("/").split("/"):
            row = self.rows.get(code)
            if row is not None:
                row.measures[key] += amount
                return


def _hours(subject: Subject, period: Period, day: date, areas: _Areas) -> tuple[Decimal, Decimal]:
    commitments = list(hour_commitments(subject, period, day).select_related("registration__node"))
    done = dict(
        ServiceRecord.objects.filter(
            commitment__in=[c.pk for c in commitments], done_on__gte=period.start, done_on__lte=day
        )
        .values("commitment_id")
        .annotate(n=Sum("quantity"))
        .values_list("commitment_id", "n")
    )
    owed_total, done_total = Decimal(0), Decimal(0)
    per_area: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for c in commitments:
        owed, served = committed_hours(c, period, day), done.get(c.pk) or Decimal(0)
        owed_total, done_total = owed_total + owed, done_total + served
        pair = per_area[c.registration.node.path]
        pair[0], pair[1] = pair[0] + owed, pair[1] + served
    for path, (owed, served) in per_area.items():
        areas.add(path, "hours_committed", round(owed))
        areas.add(path, "hours_done", round(served))
    return owed_total, done_total


def points_by_type(subject: Subject, period: Period) -> list[TypeRow]:
    """Each member type's members with entries in the period and the spread of their net points."""
    nets: dict[str, list[int]] = defaultdict(list)
    rows = entries(subject, period).values("member_type", "member_id").annotate(net=Sum("points"))
    for found_row in rows:
        nets[found_row["member_type"]].append(int(found_row["net"] or 0))
    deductions = dict(
        entries(subject, period)
        .filter(points__lt=0)
        .exclude(kind=EntryKind.REVERSAL)
        .exclude(reversed_by__isnull=False)
        .values("member_type")
        .annotate(n=Count("pk"))
        .values_list("member_type", "n")
    )
    out = []
    for member_type, label in MemberType.choices:
        found = nets.get(member_type, [])
        row = TypeRow(member_type, str(label), deductions=int(deductions.get(member_type) or 0))
        if found:
            row.members, row.total = len(found), sum(found)
            row.average = round(row.total / len(found), 1)
            row.median = float(median(found))
            row.highest, row.lowest = max(found), min(found)
        out.append(row)
    return out


def figures(subject: Subject, period: Period, now: Any = None) -> CommunityFigures:
    """Every community figure of the place for the period, with the per-area table."""
    day = as_of(period, now)
    areas = _Areas(subject)
    m = dict.fromkeys(MEASURES, 0)

    def count(rows: QuerySet[Any], path: str, key: str) -> None:
        for p in rows.values_list(path, flat=True):
            m[key] += 1
            areas.add(p, key)

    count(eligible_members(subject), "person__home__path", "members_eligible")
    count(members_registered(subject, day), "person__home__path", "members_registered")
    count(located_units(subject), "node__path", "units_located")
    count(units_registered(subject, day), "node__path", "units_registered")
    owed, served = _hours(subject, period, day, areas)
    m["hours_committed"], m["hours_done"] = round(owed), round(served)
    count(listed_needs(subject, period), "node_path", "needs_listed")
    count(listed_needs(subject, period).filter(state=NeedState.MET), "node_path", "needs_met")
    count(claimed(subject, period), "node_path", "projects_claimed")
    for project in finished(subject, period).only("node_path", "done_at", "ends_on"):
        m["projects_finished"] += 1
        areas.add(project.node_path, "projects_finished")
        if on_time(project):
            m["projects_on_time"] += 1
            areas.add(project.node_path, "projects_on_time")
    serving = DualRegistration.objects.filter(
        registered_q(day), path_q(subject.paths, "node__path"), unit__isnull=False
    )
    return CommunityFigures(
        measures=m,
        as_of=day,
        by_type=points_by_type(subject, period),
        areas=list(areas.rows.values()) if len(areas.rows) > 1 else [],
        units_serving=serving.values("unit_id").distinct().count(),
        needs_open=Need.objects.filter(
            path_q(subject.paths), state__in=(NeedState.OPEN, NeedState.MATCHED)
        ).count(),
        projects_active=Project.objects.filter(path_q(subject.paths), state=ProjectState.ACTIVE).count(),
    )


def rate(key: str, measures: dict[str, int]) -> dict[str, Any]:
    kpi = d.BY_KEY[key]
    num, den = measures[kpi.numerator], measures[kpi.denominator]
    value = round(100.0 * num / den, 1) if den else None
    grade = d.grade_of(d.score(kpi, value)) if value is not None else None
    return {"key": key, "label": str(kpi.label), "value": value, "numerator": num, "denominator": den,
            "grade": grade or ""}  # fmt: skip


def report_figures(subject: Subject, period: Period, now: Any) -> dict[str, Any]:
    """The 周报's 共建 section as plain values (frozen as JSON with the report): counts and
    rates, points per member type, the per-area table. No person is named."""
    found = figures(subject, period, now)
    m = found.measures
    return {
        "as_of": found.as_of.isoformat(),
        "measures": m,
        "rates": [rate(k.key, m) for k in d.COMMUNITY_KPIS],
        "units_serving": found.units_serving,
        "needs_open": found.needs_open,
        "projects_claimed": m["projects_claimed"],
        "projects_finished": m["projects_finished"],
        "projects_active": found.projects_active,
        "by_type": [vars(r) for r in found.by_type],
        "areas": [
            {"code": a.code, "name": a.name, "rates": [rate(k.key, a.measures) for k in d.COMMUNITY_KPIS]}
            for a in found.areas
        ],
    }


# --- the lists behind the figures (scoped) ---------------------------------------------------------------

MEMBER, UNIT, COMMITMENT, NEED, PROJECT, ENTRY = "member", "unit", "commitment", "need", "project", "entry"
# the KPIs' lists: (kind of row, its rows) — numerator, denominator; the rest is the difference
KPI_ROWS = {
    "community_member_rate": MEMBER,
    "community_unit_rate": UNIT,
    "community_service_hours": COMMITMENT,
    "community_needs_met": NEED,
    "community_projects_on_time": PROJECT,
}
# the counts of the page and the 周报 that open a list (reports.drill.MEASURES)
COUNT_ROWS = {"community_claimed": PROJECT, "community_finished": PROJECT, "community_points": ENTRY}


def _parts(key: str, subject: Subject, period: Period, day: date) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """(numerator rows, denominator rows) of a community KPI, unscoped."""
    if key == "community_member_rate":
        return members_registered(subject, day), eligible_members(subject)
    if key == "community_unit_rate":
        return units_registered(subject, day), located_units(subject)
    if key == "community_service_hours":
        owed = hour_commitments(subject, period, day)
        served = ServiceRecord.objects.filter(
            commitment=OuterRef("pk"), done_on__gte=period.start, done_on__lte=day
        )
        return owed.filter(Exists(served)), owed
    if key == "community_needs_met":
        listed = listed_needs(subject, period)
        return listed.filter(state=NeedState.MET), listed
    done = finished(subject, period)
    late = [p.pk for p in done.only("done_at", "ends_on") if not on_time(p)]
    return done.exclude(pk__in=late), done


def _scoped(kind: str, rows: QuerySet[Any], user: Actor) -> QuerySet[Any]:
    """Only the rows `user` may open, through the community's own scopes."""
    if kind == MEMBER:
        q = access.community_q(user, field="person__home__path")
        return rows.filter(q).select_related("person__home", "org").order_by("person__home__path", "pk")
    if kind == UNIT:
        q = access.community_q(user, unit_field="pk", field="node__path")
        return rows.filter(q).select_related("node").order_by("node__path", "code")
    if kind == COMMITMENT:
        visible = DualRegistration.objects.filter(access.registrations_q(user)).values("pk")
        return (
            rows.filter(registration__in=visible)
            .select_related("registration__node", "registration__unit__node", "registration__member__person")
            .order_by("registration__node__path", "pk")
        )
    if kind == NEED:
        return rows.filter(access.community_q(user)).select_related("node").order_by("-created_at", "-pk")
    if kind == PROJECT:
        q = access.community_q(user, unit_field="claimed_by_id")
        return rows.filter(q).select_related("node", "claimed_by").order_by("-created_at", "-pk")
    q = access.ledger_q(user)
    return rows.filter(q).select_related("member__person", "rule").order_by("-occurred_on", "-pk")


def kpi_behind(
    subject: Subject, period: Period, key: str, part: str, *, user: Actor
) -> tuple[str, QuerySet[Any]]:
    """The rows behind one part (numerator, denominator, rest) of a community KPI, of those
    `user` may see."""
    numerator, denominator = _parts(key, subject, period, as_of(period))
    if part == "numerator":
        rows = numerator
    elif part == "rest":
        rows = denominator.exclude(pk__in=numerator.values("pk"))
    else:
        rows = denominator
    kind = KPI_ROWS[key]
    return kind, _scoped(kind, rows, user)


def count_behind(
    subject: Subject, period: Period, measure: str, *, user: Actor, member_type: str = ""
) -> tuple[str, QuerySet[Any]]:
    """The rows behind a count: projects claimed or finished in the period, or the ledger
    entries of the period (of one member type if given)."""
    rows: QuerySet[Any]
    if measure == "community_claimed":
        rows = claimed(subject, period)
    elif measure == "community_finished":
        rows = finished(subject, period)
    else:
        rows = entries(subject, period)
        if member_type:
            rows = rows.filter(member_type=member_type)
    kind = COUNT_ROWS[measure]
    return kind, _scoped(kind, rows, user)
