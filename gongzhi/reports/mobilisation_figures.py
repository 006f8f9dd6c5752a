"""Mobilisation (应急动员) figures of a place (docs/kpis.md "Mobilisation"): per incident that
ran in the period and whose zone touches the place — the entrances' duty shifts begun by then
and how they were manned (people assigned and people checked in against those needed, shifts
with anyone checked in), households reached of those to reach, supplies delivered, doors
checked, and the hours served per unit; and, now, the command centre's tile: the incidents
running, their entrances guarded and manned, households and supplies, open gaps.

Counted straight from the mobilisation tables (a street has a few incidents a year, each a few
hundred shifts; the board, gongzhi.mobilisation.board, reads the same rows live). Each
incident's rows are cut to the place: the duty posts whose node lies under it, the coverage
items placed under it — so a street-wide incident shows, on an area's page, that area's share.

Who sees them: for places only, VIEW_MOBILISATION over the whole place (MOBILISE holders have
it too): the street and block cadres, the committees, grid workers of their area. Counts, the
incidents' numbers and titles, and units' names; never a person's name.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.mobilisation import duty
from gongzhi.mobilisation import selectors as mobilisation_selectors
from gongzhi.mobilisation.choices import STANDING, AssignmentState, IncidentState, ItemKind, PersonSource
from gongzhi.mobilisation.models import Assignment, CoverageItem, Incident, Shift
from gongzhi.orgs import access
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

CAME = (AssignmentState.CHECKED_IN, AssignmentState.CHECKED_OUT)


def applies(subject: Subject) -> bool:
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    """VIEW_MOBILISATION over every path of the place. None: the schedule (the 日报/周报)."""
    if not applies(subject):
        return False
    if user is None or access.scope(user).superuser:
        return True
    return all(access.can_under(user, access.VIEW_MOBILISATION, p) for p in subject.paths)


def touching_q(subject: Subject) -> Q:
    """Incidents whose zone touches the place: a zone node under it, or above it."""
    q = Q(pk__in=[])
    for p in subject.paths:
        q |= Q(zone__path__startswith=p) | Q(zone__path__in=access.prefixes(p))
    return q


def incidents(subject: Subject, period: Period) -> QuerySet[Incident]:
    """Incidents touching the place that ran during the period (declared before its end, not
    closed before its start), the earliest first."""
    ids = Incident.objects.filter(touching_q(subject)).values("pk")
    return (
        Incident.objects.filter(pk__in=ids, declared_at__lt=period.until)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.since))
        .order_by("declared_at", "pk")
    )


def running(subject: Subject) -> QuerySet[Incident]:
    ids = Incident.objects.filter(touching_q(subject)).values("pk")
    return Incident.objects.filter(pk__in=ids, state=IncidentState.ACTIVE).order_by("declared_at", "pk")


@dataclass
class IncidentRow:
    id: int
    number: str
    title: str
    kind: str
    state: str
    declared_at: str
    closed_at: str
    shifts: int = 0  # entrance shifts begun in the period (up to now)
    shifts_manned: int = 0  # of those, with anyone checked in
    slots_needed: int = 0  # people the shifts needed
    slots_filled: int = 0  # people assigned (standing), at most the need of each shift
    slots_checked_in: int = 0  # people who checked in, at most the need of each shift
    households: tuple[int, int] = (0, 0)  # reached, to reach
    supplies: tuple[int, int] = (0, 0)  # delivered, to deliver (quantities)
    doors: tuple[int, int] = (0, 0)  # checked, to check
    hours_by_unit: dict[str, Decimal] = field(default_factory=dict)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def filled_share(self) -> float | None:
        return self.share(self.slots_filled, self.slots_needed)

    @property
    def checked_in_share(self) -> float | None:
        return self.share(self.slots_checked_in, self.slots_needed)

    @property
    def hours(self) -> Decimal:
        return sum(self.hours_by_unit.values(), Decimal(0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "kind": self.kind,
            "state": self.state,
            "declared_at": self.declared_at,
            "closed_at": self.closed_at,
            "shifts": self.shifts,
            "shifts_manned": self.shifts_manned,
            "slots_needed": self.slots_needed,
            "slots_filled": self.slots_filled,
            "slots_checked_in": self.slots_checked_in,
            "filled_share": self.filled_share,
            "checked_in_share": self.checked_in_share,
            "households_reached": self.households[0],
            "households_to_reach": self.households[1],
            "supplies_delivered": self.supplies[0],
            "supplies_to_deliver": self.supplies[1],
            "doors_checked": self.doors[0],
            "doors_to_check": self.doors[1],
            "hours": float(self.hours),
            "hours_by_unit": [{"unit": k, "hours": float(v)} for k, v in self.hours_by_unit.items()],
        }


def _local(at: datetime | None) -> str:
    return timezone.localtime(at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M") if at else ""


def _coverage(incident: Incident, subject: Subject, until: datetime) -> dict[str, tuple[int, int, int, int]]:
    """Per item kind: (done, total, quantity done, quantity) of the items under the place, done
    before `until`."""
    done = Q(done_at__isnull=False, done_at__lt=until)
    rows = (
        CoverageItem.objects.filter(path_q(subject.paths), incident=incident)
        .values("kind")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=done),
            qty=Sum("quantity"),
            qty_done=Sum("quantity", filter=done),
        )
    )
    return {r["kind"]: (r["done"], r["total"], r["qty_done"] or 0, r["qty"] or 0) for r in rows}


def _hours_by_unit(assignments: QuerySet[Assignment]) -> dict[str, Decimal]:
    """Hours served on the shifts (checked out), per unit; volunteers without a unit together."""
    found: dict[str, Decimal] = defaultdict(Decimal)
    rows = assignments.filter(state=AssignmentState.CHECKED_OUT).select_related("shift", "unit")
    for a in rows:
        if a.unit is not None:
            key = a.unit.name
        elif a.source == PersonSource.VOLUNTEER:
            key = str(_("志愿者"))
        else:
            key = str(_("其他"))
        found[key] += duty.served_hours(a)
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def incident_row(incident: Incident, subject: Subject, period: Period, now: datetime) -> IncidentRow:
    """One incident's figures under the place, for the shifts begun in the period up to now."""
    end = min(period.until, now)
    row = IncidentRow(
        id=incident.pk,
        number=incident.number,
        title=incident.title,
        kind=str(incident.get_kind_display()),
        state=str(incident.get_state_display()),
        declared_at=_local(incident.declared_at),
        closed_at=_local(incident.closed_at),
    )
    shifts = Shift.objects.filter(
        path_q(subject.paths, "post__node__path"),
        post__incident=incident,
        starts_at__gte=period.since,
        starts_at__lt=end,
    )
    entrance_shifts = shifts.filter(post__entrance__isnull=False).annotate(
        filled=Count("assignments", filter=Q(assignments__state__in=STANDING)),
        came=Count("assignments", filter=Q(assignments__state__in=CAME)),
    )
    for need, filled, came in entrance_shifts.values_list("need", "filled", "came"):
        row.shifts += 1
        row.shifts_manned += came > 0
        row.slots_needed += need
        row.slots_filled += min(filled, need)
        row.slots_checked_in += min(came, need)
    cover = _coverage(incident, subject, period.until)
    households, supplies, doors = (
        cover.get(k, (0, 0, 0, 0)) for k in (ItemKind.HOUSEHOLD, ItemKind.SUPPLY, ItemKind.DOOR_CHECK)
    )
    row.households, row.doors = households[:2], doors[:2]
    row.supplies = supplies[2:]
    row.hours_by_unit = _hours_by_unit(Assignment.objects.filter(shift__in=shifts.values("pk")))
    return row


def figures(subject: Subject, period: Period, now: datetime | None = None) -> list[IncidentRow]:
    """Each incident that ran in the period and touches the place, its figures under it."""
    now = now or clock.now()
    return [incident_row(i, subject, period, now) for i in incidents(subject, period)]


def report_figures(subject: Subject, period: Period, now: datetime) -> dict[str, Any]:
    """The 日报/周报's 应急动员 section as plain values (frozen as JSON with the report)."""
    rows = figures(subject, period, now)
    return {"incidents": [r.as_dict() for r in rows], "running": running(subject).count()}


# --- the command centre: a tile, counts only --------------------------------------------------------


def tile(subject: Subject, now: datetime | None = None) -> dict[str, Any]:
    """The incidents running now under the place and their coverage now: entrance shifts
    running and those with someone checked in, households reached of those to reach, supplies
    delivered, no-shows not yet re-filled. Counts only: no title, no name."""
    now = now or clock.now()
    out = {
        "running": 0,
        "entrances_to_guard": 0,
        "entrances_manned": 0,
        "households_reached": 0,
        "households_to_reach": 0,
        "supplies_delivered": 0,
        "supplies_to_deliver": 0,
        "gaps": 0,
    }
    for incident in running(subject):
        out["running"] += 1
        shifts = Shift.objects.filter(
            path_q(subject.paths, "post__node__path"),
            post__incident=incident,
            starts_at__lte=now,
            ends_at__gt=now,
        ).filter(post__entrance__isnull=False)
        for came in shifts.annotate(
            came=Count("assignments", filter=Q(assignments__state=AssignmentState.CHECKED_IN))
        ).values_list("came", flat=True):
            out["entrances_to_guard"] += 1
            out["entrances_manned"] += came > 0
        cover = _coverage(incident, subject, now)
        done, total = cover.get(ItemKind.HOUSEHOLD, (0, 0, 0, 0))[:2]
        out["households_reached"] += done
        out["households_to_reach"] += total
        delivered, to_deliver = cover.get(ItemKind.SUPPLY, (0, 0, 0, 0))[2:]
        out["supplies_delivered"] += delivered
        out["supplies_to_deliver"] += to_deliver
        out["gaps"] += _gaps(incident, subject, now)
    return out


def _gaps(incident: Incident, subject: Subject, now: datetime) -> int:
    """The board's gaps (mobilisation.selectors.gaps_q: no-shows and days away on shifts still
    short of people), cut to the place."""
    place = path_q(subject.paths, "shift__post__node__path")
    return mobilisation_selectors.gaps_q(incident, now).filter(place).count()
