"""The rota (排班), the seam with the solver (docs/mobilisation.md "The rota", ADR 0027).

The solver is a pure package, `gongzhi.mobilisation.rota` (model: the dataclasses; solver:
`solve`; checker: `check`, an independent test of the hard constraints). This module is its
only caller: it builds the solver's `Problem` from the database — who can stand (volunteers of
the zone's areas with their weekly availability, less the days they said they are away; the
property staff of the zone; the staff of the units on duty), the shifts, what stays fixed and
what is forbidden, the hours each person already stands on other active incidents (counted
against their day and week caps) — and stores the `Solution` as a published rota, after the
checker passed it. A solution with unmet shifts is never stored as a partial rota: the solver's reasons ("东门
12-07 22:00–06:00 无可排人员") come back as the error. A no-show re-solves only the affected
shift, everything else Fixed; a swap is checked by the checker against the whole rota before it
is asked for and again when the lead approves it.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.community.away_hooks import DaysAway
from gongzhi.community.models import Volunteer
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.core.outbox import enqueue_all
from gongzhi.mobilisation import notifications, selectors, zone
from gongzhi.mobilisation.choices import (
    STANDING,
    AssignmentState,
    IncidentState,
    PersonSource,
    RotaKind,
    SwapState,
)
from gongzhi.mobilisation.incidents import record, require_active, require_lead, zone_paths
from gongzhi.mobilisation.models import Assignment, Incident, Rota, Shift, SwapRequest
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind

STAFF_MAX_DAY = 8.0  # staff on joint duty: their unit's working limits, not a volunteer's own
STAFF_MAX_WEEK = 40.0
STAFF_REST = 8.0
DEFAULT_TIME_LIMIT_S = 10.0


def engine() -> Any:
    """The solver package (T15's gongzhi.mobilisation.rota), imported when a rota is built."""
    try:
        from gongzhi.mobilisation.rota import checker, model, solver  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:  # pragma: no cover - the package ships with the product
        raise ConflictError(_("排班求解器未安装")) from exc

    @dataclass(frozen=True)
    class Engine:
        model: Any
        solver: Any
        checker: Any

    return Engine(model, solver, checker)


# --- who can stand ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    person_id: int
    name: str
    source: str
    unit_id: int | None = None
    volunteer_id: int | None = None
    skills: frozenset[str] = frozenset()
    slots: tuple[tuple[int, int, int], ...] | None = None  # weekly (weekday, from, to); None: any time
    max_day: float = STAFF_MAX_DAY
    max_week: float = STAFF_MAX_WEEK
    rest: float = STAFF_REST
    home: tuple[float, float] | None = None
    user_id: int | None = field(default=None, repr=False)
    away: tuple[tuple[date, date], ...] = ()  # days away (from, to, both included): no shift touching them


def pool(incident: Incident) -> dict[int, Candidate]:
    """Everyone who may stand on the incident's rota, by person id: the volunteers serving the
    zone's areas, the property staff posted in or above the zone, the staff of the units on
    duty (named at declaring or by the slip). A volunteer who is also staff stands as a
    volunteer (their availability and hours are theirs)."""
    paths = zone_paths(incident)
    points: dict[str, tuple[float, float] | None] = {}
    out: dict[int, Candidate] = {}
    areas = zone.areas(paths)
    vols = (
        Volunteer.objects.filter(ended_at__isnull=True, area__in=areas)
        .select_related("person__home")
        .prefetch_related("availability", "absences")
    )
    for v in vols:
        out[v.person_id] = Candidate(
            person_id=v.person_id,
            name=v.person.name,
            source=PersonSource.VOLUNTEER,
            unit_id=v.unit_id,
            volunteer_id=v.pk,
            skills=frozenset(v.skills),
            slots=tuple((a.weekday, a.start_hour, a.end_hour) for a in v.availability.all()),
            max_day=float(v.max_hours_day),
            max_week=float(v.max_hours_week),
            rest=float(v.min_rest_hours),
            home=zone.point(v.person.home, points) if v.person.home else None,
            user_id=v.person.user_id,
            away=tuple((a.starts_on, a.ends_on) for a in v.absences.all()),
        )
    above = {p for path in paths for p in access.prefixes(path)}
    property_posts = Post.objects.filter(access.active_posts_q(), role=PostRole.PROPERTY_STAFF).filter(
        zone.under_q(paths, "node__path") | Q(node__path__in=above)
    )
    unit_posts = Post.objects.filter(access.active_posts_q(), unit__in=incident.units.all())
    for post in (property_posts | unit_posts).select_related("person__home", "unit").distinct():
        if post.person_id in out:
            continue
        kind = PersonSource.PROPERTY if post.unit.kind == UnitKind.PROPERTY else PersonSource.UNIT
        out[post.person_id] = Candidate(
            person_id=post.person_id,
            name=post.person.name,
            source=kind,
            unit_id=post.unit_id,
            home=zone.point(post.person.home, points) if post.person.home else None,
            user_id=post.person.user_id,
        )
    return out


def _ensure(cands: dict[int, Candidate], person_ids: Iterable[int]) -> None:
    """People already on the rota who no longer qualify (a volunteer who left) stay in the
    problem, so that their fixed shifts are checked as they are."""
    missing = set(person_ids) - set(cands)
    for p in Person.objects.filter(pk__in=missing):
        cands[p.pk] = Candidate(person_id=p.pk, name=p.name, source=PersonSource.UNIT, user_id=p.user_id)


# --- the problem -----------------------------------------------------------------------------------


def _windows(c: Candidate, first: date, last: date) -> tuple[tuple[datetime, datetime], ...]:
    tz = timezone.get_default_timezone()
    if c.slots is None:
        start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
        return ((start, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)),)
    spans: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        for weekday, a, b in sorted(c.slots):
            if weekday == day.weekday():
                spans.append((midnight + timedelta(hours=a), midnight + timedelta(hours=b)))
        day += timedelta(days=1)
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for s, e in spans:  # Monday 18–24 and Tuesday 0–8 make one window for a night shift
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def away_pairs(
    cands: Iterable[Candidate], shifts: Sequence[Shift], *, keep: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """(shift, person) pairs the rota must not make because the person is away on a day the
    shift touches (its start's or its end's local day). Pairs in `keep` (fixed: already under
    way or checked in) stay as they are."""
    kept = set(keep)
    out: list[tuple[int, int]] = []
    for c in cands:
        if not c.away:
            continue
        for s in shifts:
            if (s.pk, c.person_id) not in kept and touches(s, c.away):
                out.append((s.pk, c.person_id))
    return out


Span = tuple[datetime, datetime]


def standing_elsewhere(
    incident: Incident, person_ids: Iterable[int], shifts: Sequence[Shift]
) -> dict[int, list[Span]]:
    """The one selection of each person's standing shifts on other active incidents, in local
    time, in and around the rota's window: the ISO weeks its shifts touch (the week cap) and a
    day either side (rest of up to 24 h). Two incidents over overlapping zones draw on the same
    people, and each rota alone would not see the other's shifts: `busy_pairs` keeps them off
    the concurrent and too close ones, and `build` hands the rest to the solver as their booked
    hours, counted against the day and week caps. A closed incident, or an assignment no
    longer standing (released, replaced, swapped, a no-show), frees them."""
    ids = list(person_ids)
    if not shifts or not ids:
        return {}
    first = timezone.localtime(min(s.starts_at for s in shifts))
    last = timezone.localtime(max(s.ends_at for s in shifts))
    monday = datetime.combine(
        first.date() - timedelta(days=first.weekday()), datetime.min.time(), first.tzinfo
    )
    next_monday = datetime.combine(
        last.date() + timedelta(days=7 - last.weekday()), datetime.min.time(), last.tzinfo
    )
    rows = (
        Assignment.objects.filter(
            person_id__in=ids,
            state__in=STANDING,
            shift__post__incident__state=IncidentState.ACTIVE,
            shift__starts_at__lt=max(next_monday, last + timedelta(days=1)),
            shift__ends_at__gt=min(monday, first - timedelta(days=1)),
        )
        .exclude(shift__post__incident=incident)
        .order_by("shift__starts_at", "pk")
        .values_list("person_id", "shift__starts_at", "shift__ends_at")
    )
    out: dict[int, list[Span]] = {}
    for person_id, start, end in rows:
        out.setdefault(person_id, []).append((timezone.localtime(start), timezone.localtime(end)))
    return out


def busy_pairs(
    elsewhere: dict[int, list[Span]],
    cands: dict[int, Candidate],
    shifts: Sequence[Shift],
    *,
    keep: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """(shift, person) pairs the rota must not make because the person stands on a shift of
    another active incident (`standing_elsewhere`) at the same time or within their rest of
    it. Pairs in `keep` stay as they are."""
    kept = set(keep)
    out: list[tuple[int, int]] = []
    for person_id, spans in elsewhere.items():
        rest = timedelta(hours=cands[person_id].rest)
        for start, end in spans:
            for s in shifts:
                pair = (s.pk, person_id)
                if pair not in kept and s.starts_at < end + rest and start < s.ends_at + rest:
                    out.append(pair)
    return out


def touches(shift: Shift, spans: Iterable[tuple[date, date]]) -> bool:
    """The shift touches one of the days (its start's or its end's local day)."""
    first = timezone.localtime(shift.starts_at).date()
    last = timezone.localtime(shift.ends_at - timedelta(microseconds=1)).date()
    return any(a <= last and first <= b for a, b in spans)


def label(shift: Shift) -> str:
    s, e = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{shift.post.name} {s:%m-%d} {s:%H:%M}–{e:%H:%M}"


@dataclass
class Built:
    problem: Any
    labels: dict[int, str]  # shift id → "东门 03-02 08:00–16:00", for our own messages
    post_names: dict[int, str]  # post id → "东门": the solver's `labels`, which adds the shift's time
    cands: dict[int, Candidate]
    shifts: dict[int, Shift]


def build(
    incident: Incident,
    shifts: Sequence[Shift],
    *,
    fixed: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    need: dict[int, int] | None = None,
    cands: dict[int, Candidate] | None = None,
    standing: Iterable[tuple[int, int]] = (),
) -> Built:
    """The solver's Problem for these shifts: `fixed` (shift, person) pairs kept as they are,
    `forbidden` pairs never made (and every pair whose person is away that day or on another
    active incident's shift then, except the fixed ones and the `standing` ones a swap's check
    keeps), `need` overriding a shift's headcount (a shift that must stay as it is needs
    exactly its fixed people). Each person's standing shifts on other active incidents are
    their `booked` hours: the day and week caps hold across incidents. Every caller (排班,
    no-show and gap refills, swaps, giving back released shifts) comes through here."""
    eng = engine()
    m = eng.model
    fixed, forbidden = list(fixed), list(forbidden)
    people = dict(cands) if cands is not None else pool(incident)
    _ensure(people, [p for _s, p in fixed])
    keep = [*fixed, *standing]
    elsewhere = standing_elsewhere(incident, people, shifts)
    forbidden = list(
        dict.fromkeys(
            [
                *forbidden,
                *away_pairs(people.values(), shifts, keep=keep),
                *busy_pairs(elsewhere, people, shifts, keep=keep),
            ]
        )
    )
    points: dict[str, tuple[float, float] | None] = {}
    first = min(timezone.localtime(s.starts_at).date() for s in shifts) - timedelta(days=1)
    last = max(timezone.localtime(s.ends_at).date() for s in shifts) + timedelta(days=1)
    persons = tuple(
        m.Person(
            id=c.person_id,
            skills=frozenset(c.skills),
            available=_windows(c, first, last),
            max_hours_day=c.max_day,
            max_hours_week=c.max_week,
            min_rest_hours=c.rest,
            home=c.home,
            booked=tuple(elsewhere.get(c.person_id, ())),  # counted against their day and week caps
        )
        for c in sorted(people.values(), key=lambda c: c.person_id)
    )
    need = need or {}
    solver_shifts = []
    for s in shifts:
        post = s.post
        place = (
            (post.lat, post.lon)
            if post.lat is not None and post.lon is not None
            else zone.point(post.node, points)
        )
        solver_shifts.append(
            m.Shift(
                id=s.pk,
                post_id=post.pk,
                # the solver's days, weeks and messages are those of the datetimes: local ones
                # (from the database they come back in UTC: 东门 10:00–16:00 was "02:00–08:00")
                start=timezone.localtime(s.starts_at),
                end=timezone.localtime(s.ends_at),
                need=need.get(s.pk, s.need),
                skills=frozenset(post.skills),
                place=place,
            )
        )
    problem = m.Problem(
        people=persons,
        shifts=tuple(solver_shifts),
        fixed=tuple(m.Fixed(shift_id=s, person_id=p) for s, p in fixed),
        forbidden=tuple(m.Fixed(shift_id=s, person_id=p) for s, p in forbidden),
    )
    return Built(
        problem,
        {s.pk: label(s) for s in shifts},
        {s.post_id: s.post.name for s in shifts},
        people,
        {s.pk: s for s in shifts},
    )


def _checked(built: Built, solution: Any) -> None:
    violations = engine().checker.check(built.problem, solution)
    if violations:
        raise ValidationError({"rota": [_("排班结果违反硬约束：%(v)s") % {"v": v} for v in violations[:10]]})


def _store(
    incident: Incident, actor: Actor, kind: str, built: Built, solution: Any, pairs: list[tuple[int, int]]
) -> tuple[Rota, list[Assignment]]:
    version = (incident.rotas.aggregate(v=Max("version"))["v"] or 0) + 1
    rota = Rota.objects.create(
        incident=incident,
        version=version,
        kind=kind,
        status=str(solution.status),
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        shifts=len(built.shifts),
        people=len(built.cands),
        solved_at=clock.now(),
        solved_by=recorded(actor),
    )
    rows = []
    for shift_id, person_id in pairs:
        c = built.cands[person_id]
        rows.append(
            Assignment(
                shift=built.shifts[shift_id],
                person_id=person_id,
                rota=rota,
                source=c.source,
                unit_id=c.unit_id,
                volunteer_id=c.volunteer_id,
            )
        )
    Assignment.objects.bulk_create(rows)
    return rota, rows


def _standing(incident: Incident) -> list[Assignment]:
    return list(
        Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING).select_related(
            "shift__post"
        )
    )


# --- 排班: the full rota ---------------------------------------------------------------------------


def rota_solve(*, actor: Actor, incident: Incident, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> Rota:
    """Build and publish the rota for every shift not yet under way. People already checked in
    or on a shift that has started stay as they are (Fixed); assignments on later shifts are
    replaced by the new rota. Unmet shifts refuse the whole rota with the solver's reasons."""
    require_lead(actor, incident)
    require_active(incident)
    if not 0.5 <= time_limit_s <= 120:
        raise invalid("time_limit_s", _("求解时限应为0.5–120秒"))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        now = clock.now()
        all_shifts = list(
            Shift.objects.filter(post__incident=locked, ends_at__gt=now).select_related("post__node")
        )
        standing = _standing(locked)
        started = {
            a.shift_id for a in standing if a.shift.starts_at <= now or a.state != AssignmentState.ASSIGNED
        }
        open_shifts = [s for s in all_shifts if s.pk not in started]
        if not open_shifts:
            raise invalid("rota", _("没有待排的班次，请先生成班次"))
        kept = [a for a in standing if a.shift_id in started]
        kept_shifts = {a.shift_id: a.shift for a in kept}
        shifts = open_shifts + [s for pk, s in kept_shifts.items() if pk not in {o.pk for o in open_shifts}]
        need = {pk: sum(1 for a in kept if a.shift_id == pk) for pk in kept_shifts}
        fixed = [(a.shift_id, a.person_id) for a in kept]
        built = build(locked, shifts, fixed=fixed, need=need)
        solution = engine().solver.solve(built.problem, time_limit_s=time_limit_s, labels=built.post_names)
        if solution.status == "infeasible" or solution.unmet:
            raise ValidationError({"rota": list(solution.unmet) or [_("无可行排班")]})
        _checked(built, solution)
        replaced = [a for a in standing if a.shift_id not in started]
        Assignment.objects.filter(pk__in=[a.pk for a in replaced]).update(state=AssignmentState.REPLACED)
        new = [
            (f.shift_id, f.person_id)
            for f in solution.assignments
            if (f.shift_id, f.person_id) not in set(fixed)
        ]
        rota, rows = _store(locked, actor, RotaKind.FULL, built, solution, new)
        record(
            locked,
            "rota_published",
            actor,
            data={"version": rota.version, "assignments": len(rows), "status": rota.status, "gap": rota.gap},
        )
        enqueue_all(notifications.published(locked, rows, replaced))
    return rota


# --- 缺岗: a no-show re-solves only its shift ---------------------------------------------------------


@dataclass
class Gap:
    assignment: Assignment
    filled: list[Assignment]
    unmet: list[str]


def assignment_no_show(*, actor: Actor, assignment: Assignment, time_limit_s: float = 5.0) -> Gap:
    """The lead marks a person who did not come; only their shift is solved again, every other
    assignment Fixed and the absentee forbidden on it. Unfilled, the gap stays open and the lead
    is told why."""
    incident = assignment.shift.post.incident
    require_lead(actor, incident)
    require_active(incident)
    with transaction.atomic():
        locked_incident = Incident.objects.select_for_update().get(pk=incident.pk)
        locked = Assignment.objects.select_for_update().select_related("shift__post").get(pk=assignment.pk)
        now = clock.now()
        if locked.state != AssignmentState.ASSIGNED:
            raise ConflictError(_("只有未签到的班次可以登记缺岗"))
        if now < locked.shift.starts_at:
            raise invalid("assignment", _("班次尚未开始，不能登记缺岗"))
        if now >= locked.shift.ends_at:
            raise invalid("assignment", _("班次已结束"))
        locked.state = AssignmentState.NO_SHOW
        locked.save(update_fields=["state"])
        filled, unmet, where = _refill(locked_incident, locked, actor, time_limit_s)
        record(
            locked_incident,
            "no_show",
            actor,
            where,
            assignment=locked.pk,
            filled=[a.person_id for a in filled],
            unmet=unmet,
        )
        enqueue_all(notifications.gap(locked_incident, locked, filled, unmet, where))
    return Gap(locked, filled, unmet)


def _refill(
    incident: Incident, absent: Assignment, actor: Actor, time_limit_s: float
) -> tuple[list[Assignment], list[str], str]:
    """Solve the absent person's shift again, every other standing assignment Fixed (its shift
    needing exactly its people) and the absentee forbidden on it; store what filled it as a
    re-solve rota. (filled, unmet reasons, the shift's label)."""
    shift = absent.shift
    standing = _standing(incident)
    others = {a.shift_id: a.shift for a in standing if a.shift_id != shift.pk}
    need = {pk: sum(1 for a in standing if a.shift_id == pk) for pk in others}
    fixed = [(a.shift_id, a.person_id) for a in standing]
    built = build(
        incident, [shift, *others.values()], fixed=fixed, forbidden=[(shift.pk, absent.person_id)], need=need
    )
    solution = engine().solver.solve(built.problem, time_limit_s=time_limit_s, labels=built.post_names)
    filled: list[Assignment] = []
    unmet = list(solution.unmet)
    if solution.status != "infeasible" and not unmet:
        _checked(built, solution)
        new = [
            (f.shift_id, f.person_id)
            for f in solution.assignments
            if (f.shift_id, f.person_id) not in set(fixed)
        ]
        _rota, filled = _store(incident, actor, RotaKind.RESOLVE, built, solution, new)
    elif not unmet:
        unmet = [_("%(shift)s 无可排人员") % {"shift": built.labels[shift.pk]}]
    return filled, unmet, built.labels[shift.pk]


def gap_resolve(*, actor: Actor, assignment: Assignment, time_limit_s: float = 5.0) -> Gap:
    """The lead re-solves a gap the board shows (a shift released by a day away, or a no-show
    that could not be filled at once): the no-show's path, only that shift changing. 409 when
    the shift is no longer short or is over."""
    incident = assignment.shift.post.incident
    require_lead(actor, incident)
    require_active(incident)
    with transaction.atomic():
        locked_incident = Incident.objects.select_for_update().get(pk=incident.pk)
        locked = Assignment.objects.select_related("shift__post").get(pk=assignment.pk)
        if not selectors.gaps_q(locked_incident, clock.now()).filter(pk=locked.pk).exists():
            raise ConflictError(_("该班次已补齐或已结束，无需补位"))
        filled, unmet, where = _refill(locked_incident, locked, actor, time_limit_s)
        record(
            locked_incident,
            "gap_resolved",
            actor,
            where,
            assignment=locked.pk,
            filled=[a.person_id for a in filled],
            unmet=unmet,
        )
        enqueue_all(notifications.gap(locked_incident, locked, filled, unmet, where))
    return Gap(locked, filled, unmet)


# --- 请假: days away after the rota, and back ----------------------------------------------------------


def _upcoming_by_incident(person_id: int, state: str) -> Iterator[tuple[Incident, QuerySet[Assignment]]]:
    """The person's assignments in `state` on shifts not yet begun, per active incident, each
    incident locked first (as rota_solve locks it) so a solve cannot interleave."""
    mine = Assignment.objects.filter(
        person_id=person_id,
        state=state,
        shift__starts_at__gt=clock.now(),
        shift__post__incident__state=IncidentState.ACTIVE,
    )
    for incident_id in sorted(set(mine.values_list("shift__post__incident_id", flat=True))):
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        yield incident, mine.filter(shift__post__incident=incident)


def release_for_absence(*, actor: Actor | None, away: DaysAway) -> list[Assignment]:
    """The volunteer's days away grew after a rota was published (community.away_hooks calls
    this in the transaction writing them): their shifts not yet begun on those days are
    released, the reason recorded on each incident, the lead told of the gaps to re-solve and
    the volunteer of the shifts let go. Shifts under way or checked in stay (the lead marks a
    no-show if they do not come). Returns the released assignments."""
    released: list[Assignment] = []
    for incident, mine in _upcoming_by_incident(away.person_id, AssignmentState.ASSIGNED):
        rows = [a for a in mine.select_related("shift__post", "person") if touches(a.shift, away.spans)]
        if not rows:
            continue
        Assignment.objects.filter(pk__in=[a.pk for a in rows], state=AssignmentState.ASSIGNED).update(
            state=AssignmentState.RELEASED
        )
        for a in rows:
            a.state = AssignmentState.RELEASED
        days = _days_text(away.spans)
        record(
            incident,
            "absence_released",
            actor,
            _("%(name)s暂停服务（%(days)s），释放%(n)d个班次")
            % {"name": rows[0].person.name, "days": days, "n": len(rows)},
            person=away.person_id,
            assignments=[a.pk for a in rows],
            shifts=[label(a.shift) for a in rows],
            away=[[a.isoformat(), b.isoformat()] for a, b in away.spans],
        )
        enqueue_all(notifications.released(incident, rows, days))
        released += rows
    return released


def absence_changed(*, actor: Actor | None, away: DaysAway) -> None:
    """The one function community.away_hooks calls (MobilisationConfig.ready): the days newly
    away release their shifts, then the days no longer away take back what is still free."""
    if away.spans:
        release_for_absence(actor=actor, away=away)
    if away.back:
        restore_after_absence(actor=actor, away=away)


@dataclass
class Kept:
    """A released shift that stays with whoever holds it now, and why."""

    assignment: Assignment
    why: str


def restore_after_absence(*, actor: Actor | None, away: DaysAway) -> list[Assignment]:
    """The volunteer's days away shrank (a stretch removed or shortened): each shift released
    for those days (state `released`) that is still to come and still short of people goes back
    to them as `assigned` — the same row, so the rota it came from still holds it — provided no
    full rota was published since (that one re-planned the shift without them) and the whole of
    their standing shifts on the incident, with it, passes the checker (availability, limits
    and rest as they are now). A shift already refilled stays with the new person. Each incident
    touched records an `absence_returned` event; the lead and the volunteer are told what came
    back and what stays with others. Returns the assignments given back."""
    returned: list[Assignment] = []
    for incident, mine in _upcoming_by_incident(away.person_id, AssignmentState.RELEASED):
        rows = [
            a
            for a in mine.select_related("shift__post__node", "person", "rota").order_by(
                "shift__starts_at", "-pk"
            )
            if touches(a.shift, away.back)
        ]
        if rows:
            back, kept = _give_back(incident, away.person_id, rows)
            returned += back
            _tell_returned(incident, actor, away, back, kept)
    return returned


def _give_back(
    incident: Incident, person_id: int, rows: list[Assignment]
) -> tuple[list[Assignment], list[Kept]]:
    """Which released rows (soonest first) go back to the person, and which stay as they are."""
    cand = pool(incident).get(person_id)
    latest_full = incident.rotas.filter(kind=RotaKind.FULL).aggregate(v=Max("version"))["v"] or 0
    standing = _standing(incident)
    on_shift: dict[int, int] = {}
    for a in standing:
        on_shift[a.shift_id] = on_shift.get(a.shift_id, 0) + 1
    held = {a.shift_id: a.shift for a in standing if a.person_id == person_id}
    back: list[Assignment] = []
    kept: list[Kept] = []
    seen: set[int] = set()
    for a in rows:
        if a.shift_id in seen or a.shift_id in held:
            continue  # an older release of the same shift, or they stand on it again
        seen.add(a.shift_id)
        if cand is None:
            why = _("已不在本次动员的可排人员中")
        elif a.rota.version < latest_full:
            why = _("此后已重新排班")
        elif on_shift.get(a.shift_id, 0) >= a.shift.need:
            why = _("已由他人补位")
        else:
            violations = _fit_violations(incident, cand, held, a.shift)
            why = violations[0] if violations else ""
        if why:
            kept.append(Kept(a, why))
            continue
        back.append(a)
        held[a.shift_id] = a.shift
        on_shift[a.shift_id] = on_shift.get(a.shift_id, 0) + 1
    if back:
        Assignment.objects.filter(pk__in=[a.pk for a in back], state=AssignmentState.RELEASED).update(
            state=AssignmentState.ASSIGNED
        )
        for a in back:
            a.state = AssignmentState.ASSIGNED
    return back, kept


def _fit_violations(incident: Incident, cand: Candidate, held: dict[int, Shift], shift: Shift) -> list[str]:
    """What the checker finds wrong with the person's standing shifts on the incident plus this
    one, that it did not find without it (a shift they hold that no longer fits their windows is
    the lead's to see, not a reason to refuse every other)."""
    eng = engine()

    def violations(shifts: dict[int, Shift], standing: list[tuple[int, int]]) -> list[str]:
        if not shifts:
            return []
        pairs = [(pk, cand.person_id) for pk in shifts]
        built = build(
            incident,
            list(shifts.values()),
            need=dict.fromkeys(shifts, 1),
            cands={cand.person_id: cand},
            standing=standing,
        )
        return _check_pairs(eng, built, pairs)

    kept = [(pk, cand.person_id) for pk in held]
    before = set(violations(held, kept))
    return [v for v in violations({**held, shift.pk: shift}, kept) if v not in before]


def _tell_returned(
    incident: Incident, actor: Actor | None, away: DaysAway, back: list[Assignment], kept: list[Kept]
) -> None:
    days = _days_text(away.back)
    person = (back or [k.assignment for k in kept])[0].person
    record(
        incident,
        "absence_returned",
        actor,
        _("%(name)s恢复服务（%(days)s），%(n)d个请假释放的班次恢复给本人，%(m)d个维持现状")
        % {"name": person.name, "days": days, "n": len(back), "m": len(kept)},
        person=away.person_id,
        assignments=[a.pk for a in back],
        shifts=[label(a.shift) for a in back],
        kept=[
            {"assignment": k.assignment.pk, "shift": label(k.assignment.shift), "why": k.why} for k in kept
        ],
        back=[[a.isoformat(), b.isoformat()] for a, b in away.back],
    )
    enqueue_all(notifications.returned(incident, person, back, [(k.assignment, k.why) for k in kept], days))


def _days_text(spans: Iterable[tuple[date, date]]) -> str:
    return ", ".join(f"{a:%m-%d}" + (f"–{b:%m-%d}" if b != a else "") for a, b in spans)


# --- 换班: swaps -------------------------------------------------------------------------------------


def _swap_violations(incident: Incident, assignment: Assignment, to_person: Person) -> list[str]:
    """The whole standing rota with the shift handed over, against the checker."""
    eng = engine()
    cands = pool(incident)
    if to_person.pk not in cands:
        raise invalid("to_person", _("接班人不在本次动员的可排人员中"))
    standing = _standing(incident)
    pairs = [(a.shift_id, a.person_id) for a in standing if a.pk != assignment.pk]
    if (assignment.shift_id, to_person.pk) in pairs:
        raise invalid("to_person", _("接班人已在该班次中"))
    pairs.append((assignment.shift_id, to_person.pk))
    shifts = {a.shift_id: a.shift for a in standing}
    shifts[assignment.shift_id] = assignment.shift
    need = {pk: sum(1 for s, _p in pairs if s == pk) for pk in shifts}
    kept = [p for p in pairs if p != (assignment.shift_id, to_person.pk)]
    built = build(incident, list(shifts.values()), need=need, cands=cands, standing=kept)
    return _check_pairs(eng, built, pairs)


def _check_pairs(eng: Any, built: Built, pairs: Iterable[tuple[int, int]]) -> list[str]:
    """What the checker finds in these (shift, person) pairs taken as a rota of `built`."""
    candidate = eng.model.Solution(
        assignments=tuple(eng.model.Fixed(shift_id=s, person_id=p) for s, p in pairs),
        status="feasible",
        objective=None,
        bound=None,
        gap=None,
        unmet=(),
    )
    return list(eng.checker.check(built.problem, candidate))


def swap_request(*, actor: Actor, assignment: Assignment, to_person: Person, reason: str) -> SwapRequest:
    if access.scope(actor).person_id != assignment.person_id:
        raise PermissionDeniedError(_("只能为自己的班次申请换班"))
    incident = assignment.shift.post.incident
    require_active(incident)
    text = (reason or "").strip()
    if not text or len(text) > 200:
        raise invalid("reason", _("请填写换班理由（200字以内）"))
    if assignment.state != AssignmentState.ASSIGNED or assignment.shift.starts_at <= clock.now():
        raise invalid("assignment", _("只有尚未开始的班次可以换班"))
    if to_person.pk == assignment.person_id:
        raise invalid("to_person", _("接班人不能是自己"))
    if SwapRequest.objects.filter(assignment=assignment, state=SwapState.PENDING).exists():
        raise ConflictError(_("该班次已有待审批的换班申请"))
    violations = _swap_violations(incident, assignment, to_person)
    if violations:
        raise ValidationError(
            {"to_person": [_("换班后违反排班约束：%(v)s") % {"v": v} for v in violations[:5]]}
        )
    with transaction.atomic():
        swap = SwapRequest.objects.create(
            assignment=assignment, to_person=to_person, reason=text, asked_at=clock.now()
        )
        record(incident, "swap_asked", actor, text, assignment=assignment.pk, to=to_person.pk)
        enqueue_all(notifications.swap_asked(incident, swap))
    return swap


def swap_decide(*, actor: Actor, swap: SwapRequest, approve: bool, answer: str = "") -> SwapRequest:
    assignment = swap.assignment
    incident = assignment.shift.post.incident
    require_lead(actor, incident)
    require_active(incident)
    if len(answer or "") > 300:
        raise invalid("answer", _("最多%(n)s个字符") % {"n": 300})
    with transaction.atomic():
        Incident.objects.select_for_update().get(pk=incident.pk)
        locked = SwapRequest.objects.select_for_update().get(pk=swap.pk)
        if locked.state != SwapState.PENDING:
            raise ConflictError(_("该换班申请已处理"))
        current = Assignment.objects.select_related("shift__post").get(pk=assignment.pk)
        if approve:
            if current.state != AssignmentState.ASSIGNED or current.shift.starts_at <= clock.now():
                raise ConflictError(_("该班次已开始或已变动，不能换班"))
            violations = _swap_violations(incident, current, locked.to_person)
            if violations:
                raise ValidationError(
                    {"swap": [_("换班后违反排班约束：%(v)s") % {"v": v} for v in violations[:5]]}
                )
            cand = pool(incident)[locked.to_person_id]
            current.state = AssignmentState.SWAPPED
            current.save(update_fields=["state"])
            Assignment.objects.create(
                shift=current.shift,
                person=locked.to_person,
                rota=current.rota,
                source=cand.source,
                unit_id=cand.unit_id,
                volunteer_id=cand.volunteer_id,
            )
        locked.state = SwapState.APPROVED if approve else SwapState.REFUSED
        locked.decided_by, locked.decided_at = recorded(actor), clock.now()
        locked.answer = (answer or "").strip()
        locked.save(update_fields=["state", "decided_by", "decided_at", "answer"])
        record(incident, "swap_decided", actor, locked.answer, swap=locked.pk, approved=approve)
        enqueue_all(notifications.swap_decided(incident, locked))
    return locked
