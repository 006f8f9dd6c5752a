"""Emergency mobilisation (应急动员) in the demo street (issue 16 item 8): the hospital-nearby
scenario of docs/domain.md §2 — after a case at the hospital nearby, five committees and the
property companies share guard duty at six entrances from the same evening.

The six entrances are standing data (the admin's `Entrance` rows) in the five areas of
`demo.volunteers.ZONE_AREAS`. Two incidents over those areas, both through the mobilisation
services under a frozen clock (they are few rows; the solver is the point):

- a finished one, about three months ago: declared at dusk by the block cadre, supplies added,
  three days of 8-hour shifts planned, the rota solved by the real solver (CP-SAT, a small time
  limit) and published; people checked in and out of every shift as it came, one no-show
  re-solved, the households, doors and supplies covered; closed the fourth morning, which
  confirms the volunteers' hours into the time bank; its after-action report (DOCX) is built
  from these records on request;
- an ongoing one, declared eight hours ago: the rota published for today and tomorrow, the
  shifts begun so far checked in (those over checked out), part of the coverage done.

Everyone on duty checks in from the phone, so each of them has an account (password-less,
named `demo-<person code>` as meetingbook names its accounts, removed by demo.reset); the
`volunteer` demo login is a resident volunteer of the zone (of FL-R01 when one fits) on the
ongoing rota, holding a shift whose check-in is open at the moment the demo is generated and
stays open for hours (the latest-ending such shift: 东门 is guarded all day, so one always
exists). They have not checked in yet: the walk (`gongzhi walk_mobilisation`) does it on the
phone. When the solver put no fitting volunteer on such a shift, one is handed it by a swap
through the services (asked by its holder, approved by the lead, right after the rota was
published), checked against every hard constraint like any swap.
"""

import heapq
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.community import volunteers
from gongzhi.community.models import Volunteer
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.demo.communityworld import DEMO_AREA, World
from gongzhi.demo.volunteers import ZONE_AREAS
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import duty, incidents, rostering, zone
from gongzhi.mobilisation.choices import AssignmentState, IncidentKind, ItemKind, PersonSource
from gongzhi.mobilisation.models import Assignment, CoverageItem, Entrance, Incident, Shift
from gongzhi.orgs.models import PartyMember, Person, Post, Unit
from gongzhi.orgs.roles import UnitKind

VOLUNTEER_LOGIN = "volunteer"  # demo.logins
LEAD_POST = "FL-POST-K1-1"  # the `block_cadre` login: MOBILISE over the block of the five areas
HEALTH_UNIT = "FL-U-WS"  # the community health centre joins the property companies on duty
USER_PREFIX = "demo-"
SOLVER_SECONDS = 2.0  # the rota's time limit: the demo must stay quick (docs/mobilisation.md "Demo")
ENTRANCES = (  # (zone area index, estate index, name, opens, closes): opens == closes is all day
    (0, 0, "东门（近枫林医院）", time(0, 0), time(0, 0)),
    (0, 0, "南门", time(6, 0), time(22, 0)),
    (1, 0, "北门", time(6, 0), time(22, 0)),
    (2, 0, "西门", time(6, 0), time(22, 0)),
    (3, 0, "正门", time(6, 0), time(22, 0)),
    (4, 0, "东门", time(6, 0), time(22, 0)),
)
SUPPLIES = (("口罩（箱）", 20), ("消毒液（桶）", 12), ("生活物资包（份）", 40))
TITLE = "枫林医院周边疫情联防值守"
FINISHED_NOTE = "医院周边出现确诊病例，五个居委会与物业联合值守六个出入口，排查走访重点人群"


@dataclass
class Run:
    """One incident being played out: its lead, accounts and what happened."""

    world: World
    lead: Any
    rng: random.Random
    accounts: dict[int, Any]  # person id → user

    def user(self, person_id: int) -> Any:
        if person_id not in self.accounts:
            self.accounts.update(_accounts([person_id]))
        return self.accounts[person_id]


def write_mobilisation(world: World, rng: random.Random) -> dict[str, int]:
    areas = [a.node for a in world.areas if a.node.code in ZONE_AREAS]
    if len(areas) != len(ZONE_AREAS):
        raise ValueError("the demo street lacks the hospital-nearby areas")
    entrances = _entrances(areas)
    lead = _lead()
    units = list(
        Unit.objects.filter(kind=UnitKind.PROPERTY).filter(
            zone.under_q([a.path for a in areas], "node__path")
        )
    ) + list(Unit.objects.filter(code=HEALTH_UNIT))
    run = Run(world, lead, rng, {})
    finished = _finished(run, areas, units)
    ongoing, volunteer = _ongoing(run, areas, units)
    return {
        "mobilisation_entrances": len(entrances),
        "mobilisation_incidents": 2,
        "mobilisation_assignments": Assignment.objects.filter(
            shift__post__incident__in=[finished, ongoing]
        ).count(),
        "mobilisation_volunteer_login": int(bool(volunteer)),
    }


def _entrances(areas: list[Node]) -> list[Entrance]:
    points: dict[str, tuple[float, float] | None] = {}
    out = []
    for area_index, estate_index, name, opens, closes in ENTRANCES:
        estate = Node.objects.filter(path__startswith=areas[area_index].path, level=Level.ESTATE).order_by(
            "code"
        )[estate_index]
        point = zone.point(estate, points)
        out.append(
            Entrance.objects.create(
                node=estate,
                name=name,
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                opens=opens,
                closes=closes,
            )
        )
    return out


def _lead() -> Any:
    post = Post.objects.select_related("person__user").get(code=LEAD_POST)
    if post.person.user is None:
        return _accounts([post.person_id])[post.person_id]
    return post.person.user


def _accounts(person_ids: list[int]) -> dict[int, Any]:
    """The people's accounts, made (password-less) for those who have none."""
    user_model = get_user_model()
    people = Person.objects.filter(pk__in=person_ids).select_related("user")
    out = {p.pk: p.user for p in people if p.user is not None}
    for p in people:
        if p.user is None:
            user = user_model.objects.create(
                username=f"{USER_PREFIX}{p.code.lower()}", password="!demo-no-login"
            )
            Person.objects.filter(pk=p.pk).update(user=user)
            out[p.pk] = user
    return out


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    local = timezone.localtime(day)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


# --- the finished one --------------------------------------------------------------------------------


def _finished(run: Run, areas: list[Node], units: list[Unit]) -> Incident:
    declared = _at(run.world.now - timedelta(days=96), 17, 30)
    incident = _declare(
        run, areas, units, declared, f"{TITLE}（{timezone.localtime(declared):%m月}）", days=3
    )
    _play(run, incident, until=_at(declared + timedelta(days=3), 23, 59), no_shows=1)
    _cover(run, incident, declared, share=1.0, until=declared + timedelta(days=3))
    with clock.freeze(_at(declared + timedelta(days=4), 9, 0)):
        incidents.incident_close(actor=run.lead, incident=incident, note="医院周边风险解除，值守结束")
    return incident


def _declare(
    run: Run, areas: list[Node], units: list[Unit], at: datetime, title: str, *, days: int
) -> Incident:
    with clock.freeze(at):
        incident = incidents.incident_declare(
            actor=run.lead,
            kind=IncidentKind.EPIDEMIC,
            title=title,
            nodes=areas,
            units=units,
            note=FINISHED_NOTE,
        )
    first = areas[0]
    with clock.freeze(at + timedelta(minutes=10)):
        for label, quantity in SUPPLIES:
            incidents.item_add(
                actor=run.lead,
                incident=incident,
                kind=ItemKind.SUPPLY,
                node=first,
                label=label,
                quantity=quantity,
            )
    with clock.freeze(at + timedelta(minutes=20)):  # planned and solved at once: every shift is on the rota
        incidents.shifts_plan(actor=run.lead, incident=incident, days=days, shift_hours=8)
        rostering.rota_solve(actor=run.lead, incident=incident, time_limit_s=SOLVER_SECONDS)
    return incident


def _play(
    run: Run, incident: Incident, *, until: datetime, no_shows: int, waiting: set[int] | None = None
) -> None:
    """Everyone checks in a little before their shift and out a little after it, in time order,
    up to `until`, except the assignments `waiting` (the walk's volunteer checks in on the
    phone); `no_shows` people do not come (the lead marks them 20 minutes in, and the shift is
    solved again: the newcomer comes half an hour later)."""
    rng = run.rng
    published = incident.rotas.order_by("version").first()
    assert published is not None
    queue: list[tuple[datetime, int, str, int]] = []
    standing = list(
        Assignment.objects.filter(shift__post__incident=incident, state=AssignmentState.ASSIGNED)
        .select_related("shift")
        .order_by("shift__starts_at", "pk")
    )
    later = [a.pk for a in standing if a.shift.starts_at > published.solved_at + timedelta(hours=12)]
    absent = set(rng.sample(later, min(no_shows, len(later))))
    for a in standing:
        if a.pk in (waiting or set()):
            continue
        if a.pk in absent:
            heapq.heappush(queue, (a.shift.starts_at + timedelta(minutes=20), a.pk, "no_show", 0))
        else:
            heapq.heappush(queue, (_arrive(a, published.solved_at, rng), a.pk, "in", 0))
    while queue:
        at, pk, action, _ = heapq.heappop(queue)
        if at > until or at >= run.world.now:
            continue
        a = Assignment.objects.select_related("shift").get(pk=pk)
        with clock.freeze(at):
            if action == "in":
                duty.check_in(actor=run.user(a.person_id), assignment=a)
                leave = a.shift.ends_at + timedelta(minutes=rng.randint(0, 15))
                heapq.heappush(queue, (leave, pk, "out", 0))
            elif action == "out":
                duty.check_out(actor=run.user(a.person_id), assignment=a)
            else:
                gap = rostering.assignment_no_show(actor=run.lead, assignment=a, time_limit_s=SOLVER_SECONDS)
                for filled in gap.filled:
                    come = min(at + timedelta(minutes=30), a.shift.ends_at - timedelta(minutes=1))
                    heapq.heappush(queue, (come, filled.pk, "in", 0))


def _arrive(a: Assignment, published: datetime, rng: random.Random) -> datetime:
    """A little before the start, not before the rota was out, and always before the end (a
    shift cut short by the moment the shifts were planned may last minutes)."""
    early = a.shift.starts_at - timedelta(minutes=rng.randint(3, 30))
    arrive = max(early, published + timedelta(minutes=rng.randint(5, 20)))
    return min(arrive, a.shift.ends_at - timedelta(minutes=1))


def _cover(run: Run, incident: Incident, declared: datetime, *, share: float, until: datetime) -> None:
    """The households reached first, then the doors checked and supplies delivered, by the
    committee of each item's area (VIEW_MOBILISATION there)."""
    rng = run.rng
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[a.director for a in run.world.areas])}
    items = list(CoverageItem.objects.filter(incident=incident).order_by("kind", "node_path", "pk"))
    span = (min(until, run.world.now) - declared).total_seconds()
    for item in items:
        if rng.random() >= share:
            continue
        hours = {ItemKind.HOUSEHOLD: 0.25, ItemKind.SUPPLY: 0.4, ItemKind.DOOR_CHECK: 1.0}[
            ItemKind(item.kind)
        ]
        at = declared + timedelta(seconds=rng.uniform(0.02, hours) * span)
        actor = users[run.world.area_of(item.node_path).director]
        with clock.freeze(at):
            incidents.item_done(actor=actor, item=item, note="已落实")


# --- the ongoing one ---------------------------------------------------------------------------------


def _ongoing(run: Run, areas: list[Node], units: list[Unit]) -> tuple[Incident, str]:
    now = run.world.now
    declared = now - timedelta(hours=8)
    days = 2 if timezone.localtime(declared).date() == timezone.localtime(now).date() else 3
    incident = _declare(
        run, areas, units, declared, f"{TITLE}（{timezone.localtime(declared):%m月%d日}起）", days=days
    )
    login, waiting = _volunteer_login(run, incident)
    _play(run, incident, until=now, no_shows=0, waiting={waiting} if waiting else set())
    _cover(run, incident, declared, share=0.6, until=now)
    return incident, login


WALK_MARGIN = timedelta(hours=4)  # the walk's shift should stay open this long after the demo is made
SWAP_TRIES = 40
AROUND_THE_CLOCK = [volunteers.Slot(day, 0, 24) for day in range(7)]


def _checkable(incident: Incident, now: datetime) -> list[Shift]:
    """The incident's shifts whose check-in is open now (from duty.EARLY before the start until
    the end), the latest-ending first: the walk has most time on it."""
    return list(
        Shift.objects.filter(post__incident=incident, starts_at__lte=now + duty.EARLY, ends_at__gt=now)
        .select_related("post")
        .order_by("-ends_at", "pk")
    )


def _login_q() -> Q:
    """A person the `volunteer` login may become: no account, or one the demo made."""
    return Q(person__user__isnull=True) | Q(person__user__username__startswith=USER_PREFIX)


def _volunteer_login(run: Run, incident: Incident) -> tuple[str, int | None]:
    """Link the `volunteer` login to a resident volunteer (not a Party member) of the zone on
    the rota, holding a shift whose check-in is open now, before anyone checks in; it stays
    unchecked for the walk. (their code, that assignment's id)."""
    user = get_user_model().objects.filter(username=VOLUNTEER_LOGIN).first()
    if user is None or Person.objects.filter(user=user).exists():
        return "", None
    now = run.world.now
    shifts = _checkable(incident, now)
    members = PartyMember.objects.values("person_id")
    held = (
        Assignment.objects.filter(
            _login_q(),
            shift__in=shifts,
            state=AssignmentState.ASSIGNED,
            source=PersonSource.VOLUNTEER,
            volunteer__kind="resident",
        )
        .exclude(person_id__in=members)
        .select_related("volunteer__area", "shift", "person")
    )
    best = min(
        held,
        key=lambda a: (
            a.shift.ends_at < now + WALK_MARGIN,
            a.volunteer is None or a.volunteer.area.code != DEMO_AREA,
            -a.shift.ends_at.timestamp(),
            a.pk,
        ),
        default=None,
    )
    if best is None or best.shift.ends_at < now + WALK_MARGIN:
        best = _handed_over(run, incident, shifts) or best
    if best is None:
        return "", None
    # The login takes the place of the account demo.mobilisation made them for the finished
    # incident's check-ins (left without a person; demo.reset removes it with the others).
    Person.objects.filter(pk=best.person_id).update(user=user)
    run.accounts[best.person_id] = user
    return best.person.code, best.pk


def _handed_over(run: Run, incident: Incident, shifts: list[Shift]) -> Assignment | None:
    """No fitting volunteer holds a shift open now: its holder hands one to a resident volunteer
    of the zone by a swap, asked and approved right after the rota was published (through
    rostering.swap_request / swap_decide: the checker refuses a volunteer it does not fit). At
    night only 东门 runs and no resident of the zone signed up for night hours: the volunteer
    first says they can stand any hour (volunteers.volunteer_update), in the same savepoint as
    the swap, so a swap the checker refuses leaves their windows as they were."""
    rota = incident.rotas.order_by("version").first()
    if rota is None:
        return None
    at = rota.solved_at + timedelta(minutes=5)
    members = PartyMember.objects.values("person_id")
    for shift in (s for s in shifts if s.starts_at > at):
        holder = shift.assignments.filter(state=AssignmentState.ASSIGNED).order_by("pk").first()
        if holder is None:
            continue
        start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
        end_hour = 24 if end.date() > start.date() else end.hour + (1 if end.minute else 0)
        residents = (
            Volunteer.objects.filter(
                _login_q(), ended_at__isnull=True, kind="resident", area__in=incident.zone.all()
            )
            .exclude(person_id__in=members)
            .exclude(person_id__in=shift.assignments.values("person_id"))
            .select_related("area", "person")
        )
        free = set(
            residents.filter(
                availability__weekday=start.weekday(),
                availability__start_hour__lte=start.hour,
                availability__end_hour__gte=end_hour,
            ).values_list("pk", flat=True)
        )
        ranked = sorted(residents, key=lambda v: (v.pk not in free, v.area.code != DEMO_AREA, v.pk))
        for volunteer in ranked[:SWAP_TRIES]:
            if _swapped(run, holder, volunteer, at, widen=volunteer.pk not in free):
                return Assignment.objects.select_related("shift", "person").get(
                    shift=shift, person=volunteer.person, state=AssignmentState.ASSIGNED
                )
    return None


class _Refused(Exception):
    """The checker refused the swap: roll its savepoint back."""


def _swapped(run: Run, holder: Assignment, volunteer: Volunteer, at: datetime, *, widen: bool) -> bool:
    holder_user = run.user(holder.person_id)  # accounts outside the savepoint: run caches them
    volunteer_user = run.user(volunteer.person_id) if widen else holder_user
    try:
        with transaction.atomic(), clock.freeze(at):
            try:
                if widen:
                    volunteers.volunteer_update(
                        actor=volunteer_user,
                        volunteer=volunteer,
                        skills=volunteer.skills,
                        availability=AROUND_THE_CLOCK,
                        max_hours_day=volunteer.max_hours_day,
                        max_hours_week=volunteer.max_hours_week,
                        min_rest_hours=volunteer.min_rest_hours,
                    )
                swap = rostering.swap_request(
                    actor=holder_user,
                    assignment=holder,
                    to_person=volunteer.person,
                    reason="临时有事，请志愿者接班",
                )
            except (ValidationError, ConflictError) as refused:
                raise _Refused from refused
            rostering.swap_decide(actor=run.lead, swap=swap, approve=True, answer="同意")
    except _Refused:
        return False
    return True
