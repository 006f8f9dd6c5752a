"""Volunteers (志愿者) in the demo street (issue 16 item 8): 500+ at scale 1 — residents, 双报到
members and units' staff — with skills, weekly availability and limits, a few days away in
the coming weeks (about 5 %: a day or a week), and a year of the time bank (时间银行) from the
tasks their committees posted.

Every volunteer passes what `community.volunteers.volunteer_register` checks (the skills, the
windows, the limits, and the link that makes the person eligible: a home in the street, a
confirmed registration at the area, a post at the unit); then the rows are written raw
(demo.bulk). The five areas of the hospital-nearby scenario (demo.mobilisation) have
`ZONE_VOLUNTEERS` each at any scale: their rota needs the people.

The tasks are the committees' activities of the year (垃圾分类值守, 敲门行动 ...), each led by the
area's committee director, who confirmed the hours of those who came: one time-bank entry per
served signup, keyed as `task_confirm` keys it (`task:<task>:signup:<signup>`), and a few
reversed by an opposite entry. A few tasks are still open in the coming days (the volunteer's
phone page offers them). Each entry is a VOLUNTEER_HOURS fact (core.contributions); the demo
street's points rules credit none (its 志愿服务 points are claimed by hand, rule A10), so no
ledger entry follows from them — if the street has such a rule, the facts are announced.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from gongzhi.community import volunteers as service
from gongzhi.community.choices import HoursSource, SignupState, Skill, TaskState, VolunteerKind
from gongzhi.community.models import (
    Absence,
    Availability,
    HoursEntry,
    PointRule,
    TaskSignup,
    Volunteer,
    VolunteerTask,
)
from gongzhi.core.contributions import VOLUNTEER_HOURS, on_service_facts
from gongzhi.demo.communityworld import Area, World, insert, weighted
from gongzhi.demo.people import age_on
from gongzhi.demo.records import Street
from gongzhi.demo.rows import new
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, Person, Post, Unit
from gongzhi.orgs.roles import UnitKind

PER_AREA = 17  # at scale 1: 31 areas → 527, the 500+
ZONE_AREAS = ("FL-R01", "FL-R02", "FL-R03", "FL-R04", "FL-R05")  # the hospital-nearby committees
ZONE_VOLUNTEERS = 26  # in each zone area, at any scale
KINDS = ((VolunteerKind.RESIDENT, 0.6), (VolunteerKind.MEMBER, 0.27), (VolunteerKind.UNIT_STAFF, 0.13))
STAFF_UNITS = (
    UnitKind.VOLUNTEER,
    UnitKind.SOCIAL_ORG,
    UnitKind.CO_BUILDING,
    UnitKind.CULTURE,
    UnitKind.LAW_FIRM,
)
EVERY_DAY = range(7)
WORKDAYS = range(5)
# Weekly windows volunteers sign up for (weekday 0 = Monday): the 早班 and 中班 match the
# entrances' 06–14 and 14–22 shifts, as a street's duty sign-up sheet would.
PATTERNS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "morning": tuple((d, 6, 14) for d in EVERY_DAY),
    "afternoon": tuple((d, 14, 22) for d in EVERY_DAY),
    "all_day": tuple((d, 6, 22) for d in EVERY_DAY),
    "evenings_weekends": tuple((d, 18, 22) for d in WORKDAYS) + tuple((d, 6, 22) for d in (5, 6)),
    "weekends": tuple((d, 6, 22) for d in (5, 6)),
    "office": tuple((d, 8, 18) for d in WORKDAYS),
}
RETIRED_PATTERNS = (("morning", 0.35), ("all_day", 0.3), ("afternoon", 0.2), ("weekends", 0.15))
WORKING_PATTERNS = (("evenings_weekends", 0.45), ("weekends", 0.3), ("afternoon", 0.1), ("all_day", 0.15))
STAFF_PATTERNS = (("office", 0.5), ("weekends", 0.3), ("evenings_weekends", 0.2))
SKILLS = (
    (Skill.FIRST_AID, 0.3),
    (Skill.ELDERLY_CARE, 0.3),
    (Skill.DRIVING, 0.2),
    (Skill.ELECTRICIAN, 0.06),
    (Skill.COUNSELLING, 0.06),
    (Skill.MEDICAL, 0.06),
    (Skill.LEGAL, 0.04),
    (Skill.SIGN_LANGUAGE, 0.02),
)
TASKS = (
    ("垃圾分类定时定点值守", "协助居民分类投放，劝导混投"),
    ("“敲门行动”走访独居老人", "两人一组上门问候，记录需求"),
    ("社区环境清洁日", "清理楼道堆物和绿化带垃圾"),
    ("疫苗接种点秩序引导", "引导排队、协助老人登记"),
    ("防汛物资清点", "清点沙袋、雨衣和应急灯"),
    ("助老理发义剪", "为高龄老人义务理发"),
    ("消防安全宣传", "发放宣传册，讲解燃气和电动自行车安全"),
    ("邻里节活动保障", "布置场地、维持秩序"),
    ("反诈宣传进楼道", "张贴提示、讲解常见骗局"),
)
AWAY_SHARE = 0.05  # volunteers with days away in the coming weeks
AWAY_WITHIN_DAYS = 28
AWAY_KINDS = (
    ((1, ("体检", "家中有事", "陪老人看病")), 0.6),
    ((7, ("回老家", "出差", "探亲", "外出旅游")), 0.4),
)
TASKS_PER_AREA = 12  # a year, at scale 1
OPEN_TASKS_IN_ZONE = 2  # upcoming, in each zone area


@dataclass
class Planned:
    volunteer: Volunteer
    slots: tuple[service.Slot, ...]


def write_volunteers(street: Street, world: World, rng: random.Random) -> dict[str, int]:
    planned = _plan(street, world, rng)
    rows = [p.volunteer for p in planned]
    insert(Volunteer, rows)
    insert(
        Availability,
        [
            new(
                Availability,
                volunteer_id=p.volunteer.pk,
                weekday=s.weekday,
                start_hour=s.start_hour,
                end_hour=s.end_hour,
            )
            for p in planned
            for s in p.slots
        ],
    )
    away = _days_away(world, rows, rng)
    insert(Absence, away)
    tasks, signups, entries = _tasks(world, rows, rng)
    return {
        "volunteers": len(rows),
        "volunteer_days_away": len(away),
        "volunteer_tasks": tasks,
        "volunteer_signups": signups,
        "volunteer_hours_entries": entries,
    }


# --- who volunteers ---------------------------------------------------------------------------------


def _plan(street: Street, world: World, rng: random.Random) -> list[Planned]:
    tree_index = {a.node.code: i for i, a in enumerate(street.tree.areas)}
    members = _members_by_area(world)
    staff = _staff_by_area(world)
    taken: set[int] = set()
    out: list[Planned] = []
    for area in world.areas:
        code = area.node.code
        count = ZONE_VOLUNTEERS if code in ZONE_AREAS else max(1, round(PER_AREA * street.scale))
        index = tree_index[code]
        residents = [
            street.residents.persons[i] for i in street.residents.in_area(index, min_age=18, max_age=78)
        ]
        rng.shuffle(residents)
        pools: dict[str, list[tuple[Person, int | None, int | None]]] = {
            VolunteerKind.RESIDENT: [(p, None, None) for p in residents],
            VolunteerKind.MEMBER: [(p, reg, None) for p, reg in members.get(area.node.pk, [])],
            VolunteerKind.UNIT_STAFF: [(p, None, unit) for p, unit in staff.get(area.node.pk, [])],
        }
        for _ in range(count):
            kind = weighted(rng, KINDS)
            pool = pools[kind] if pools[kind] else pools[VolunteerKind.RESIDENT]
            kind = kind if pools[kind] else VolunteerKind.RESIDENT
            while pool and pool[-1][0].pk in taken:
                pool.pop()
            if not pool:
                continue
            person, registration, unit_id = pool.pop()
            taken.add(person.pk)
            out.append(_volunteer(world, area, person, kind, registration, unit_id, rng))
    _check(out, world)
    return out


def _members_by_area(world: World) -> dict[int, list[tuple[Person, int]]]:
    rows = (
        DualRegistration.objects.filter(
            node__in=[a.node for a in world.areas],
            member__isnull=False,
            state=DualRegistration.State.CONFIRMED,
            ended_on__isnull=True,
        )
        .select_related("member__person")
        .order_by("pk")
    )
    out: dict[int, list[tuple[Person, int]]] = {}
    for r in rows:
        assert r.member is not None
        out.setdefault(r.node_id, []).append((r.member.person, r.pk))
    for people in out.values():
        world.rng.shuffle(people)
    return out


def _staff_by_area(world: World) -> dict[int, list[tuple[Person, int]]]:
    """Staff of the volunteer teams, social organisations, co-building units and law firms, for
    the area their post serves (a street-wide unit: an area it is registered with)."""
    registered: dict[int, list[int]] = {}
    for unit_id, node_id in DualRegistration.objects.filter(
        unit__isnull=False, state=DualRegistration.State.CONFIRMED
    ).values_list("unit_id", "node_id"):
        registered.setdefault(unit_id, []).append(node_id)
    posts = (
        Post.objects.filter(access.active_posts_q(world.today), unit__kind__in=STAFF_UNITS)
        .filter(node__path__startswith=world.street.path)
        .select_related("person", "node")
        .order_by("code")
    )
    out: dict[int, list[tuple[Person, int]]] = {}
    for post in posts:
        if post.node.path.count("/") > 3:
            area_ids = [world.area_of(post.node.path).node.pk]
        else:
            area_ids = registered.get(post.unit_id, [])
        for area_id in area_ids[:1]:
            out.setdefault(area_id, []).append((post.person, post.unit_id))
    return out


def _volunteer(
    world: World,
    area: Area,
    person: Person,
    kind: str,
    registration: int | None,
    unit_id: int | None,
    rng: random.Random,
) -> Planned:
    age = age_on(person.birth_date) if person.birth_date else 40
    if kind == VolunteerKind.UNIT_STAFF:
        pattern = weighted(rng, STAFF_PATTERNS)
    else:
        pattern = weighted(rng, RETIRED_PATTERNS if age >= 60 else WORKING_PATTERNS)
    slots = tuple(service.Slot(*s) for s in PATTERNS[pattern])
    skills = sorted({s for s, share in SKILLS if rng.random() < share})
    week = weighted(rng, ((24, 0.6), (16, 0.25), (32, 0.15)))
    since = world.today - timedelta(days=rng.randint(30, 3 * 365))
    return Planned(
        new(
            Volunteer,
            person_id=person.pk,
            kind=kind,
            area_id=area.node.pk,
            node_path=area.node.path,
            registration_id=registration,
            unit_id=unit_id,
            skills=skills,
            max_hours_day=8,
            max_hours_week=week,
            min_rest_hours=8,
            registered_at=world.at(since),
            registered_by_id=area.director if rng.random() < 0.6 else None,
        ),
        slots,
    )


def _check(planned: list[Planned], world: World) -> None:
    """What `volunteer_register` checks, for each volunteer: skills, windows, limits, and the
    link that makes them eligible (read as the service reads it)."""
    ids = [p.volunteer.person_id for p in planned]
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("home")}
    units = Unit.objects.in_bulk({p.volunteer.unit_id for p in planned if p.volunteer.unit_id})
    areas = {a.node.pk: a.node for a in world.areas}
    for p in planned:
        v = p.volunteer
        service.clean_skills(v.skills)
        service.clean_slots(p.slots)
        service._limits(v.max_hours_day, v.max_hours_week, v.min_rest_hours)
        unit_given = units.get(v.unit_id) if v.unit_id else None
        registration, unit = service._links(people[v.person_id], v.kind, areas[v.area_id], unit_given)
        if (registration.pk if registration else None, unit.pk if unit else None) != (
            v.registration_id,
            v.unit_id,
        ):
            raise ValueError(f"demo volunteer {v.person_id} does not link as the service links it")


# --- days away ---------------------------------------------------------------------------------------


def _days_away(world: World, rows: list[Volunteer], rng: random.Random) -> list[Absence]:
    """About AWAY_SHARE of the volunteers said they are away in the coming weeks: a day (a
    hospital check-up, a family matter) or a week (a trip home, a business trip), starting from
    the day after tomorrow — the ongoing mobilisation's rota covers today and tomorrow and was
    solved with everyone's days as they were. Each stretch passes `clean_absences`."""
    out: list[Absence] = []
    for v in rows:
        if rng.random() >= AWAY_SHARE:
            continue
        start = world.today + timedelta(days=rng.randint(2, AWAY_WITHIN_DAYS))
        length, reasons = weighted(rng, AWAY_KINDS)
        stretch = service.Away(start, start + timedelta(days=length - 1), rng.choice(reasons))
        ((starts_on, ends_on, reason),) = service.clean_absences([stretch])
        out.append(new(Absence, volunteer_id=v.pk, starts_on=starts_on, ends_on=ends_on, reason=reason))
    return out


# --- a year of tasks and the time bank --------------------------------------------------------------


def _tasks(world: World, rows: list[Volunteer], rng: random.Random) -> tuple[int, int, int]:
    by_area: dict[int, list[Volunteer]] = {}
    for v in rows:
        by_area.setdefault(v.area_id, []).append(v)
    tz = ZoneInfo(settings.TIME_ZONE)
    tasks: list[VolunteerTask] = []
    plans: list[tuple[VolunteerTask, list[Volunteer], bool]] = []
    scale = max(len(rows) / (PER_AREA * len(world.areas)), 0.2)
    for area in world.areas:
        vols = by_area.get(area.node.pk, [])
        if len(vols) < 2:
            continue
        zone = area.node.code in ZONE_AREAS
        n = max(2, round(TASKS_PER_AREA * (1 if zone else scale)))
        for k in range(n + (OPEN_TASKS_IN_ZONE if zone else 0)):
            upcoming = k >= n
            title, detail = rng.choice(TASKS)
            if upcoming:
                day = world.today + timedelta(days=rng.randint(2, 12))
            else:
                day = world.day_between(world.year_ago, world.today - timedelta(days=3))
            weekend = day.weekday() >= 5
            start = datetime.combine(day, time(9, 0) if weekend else time(18, 30), tz)
            length = rng.choice((2, 3, 4)) if weekend else 2
            need = rng.randint(3, 8)
            task = new(
                VolunteerTask,
                area_id=area.node.pk,
                node_path=area.node.path,
                title=title,
                detail=detail,
                starts_at=start,
                ends_at=start + timedelta(hours=length),
                need=need,
                skills=[],
                lead_id=area.director,
                state=TaskState.OPEN if upcoming else TaskState.DONE,
                created_at=world.at(day - timedelta(days=rng.randint(3, 10))),
            )
            came = rng.sample(
                vols,
                min(
                    len(vols),
                    rng.randint(max(1, need - 3), need) if not upcoming else rng.randint(0, need - 1),
                ),
            )
            tasks.append(task)
            plans.append((task, came, upcoming))
    insert(VolunteerTask, tasks)
    signups: list[TaskSignup] = []
    for task, came, upcoming in plans:
        for v in came:
            signups.append(
                new(
                    TaskSignup,
                    task_id=task.pk,
                    volunteer_id=v.pk,
                    state=SignupState.ACCEPTED if upcoming else SignupState.SERVED,
                    accepted_at=min(world.after(task.created_at, days=2), task.starts_at),
                )
            )
    insert(TaskSignup, signups)
    tasks_by_pk = {t.pk: t for t in tasks}
    vols_by_pk = {v.pk: v for v in rows}
    entries: list[HoursEntry] = []
    served = [s for s in signups if s.state == SignupState.SERVED]
    for s in served:
        task = tasks_by_pk[s.task_id]
        v = vols_by_pk[s.volunteer_id]
        hours = Decimal((task.ends_at - task.starts_at).total_seconds() / 3600)
        if rng.random() < 0.15:
            hours -= Decimal("0.5")  # came late or left early; the lead confirms what was served
        entries.append(
            new(
                HoursEntry,
                volunteer_id=v.pk,
                node_path=v.node_path,
                source=HoursSource.TASK,
                source_key=f"task:{task.pk}:signup:{s.pk}",
                occurred_on=world.local(task.starts_at).date(),
                hours=service.clean_hours(hours),
                label=task.title,
                confirmed_by_id=task.lead_id,
                recorded_at=world.after(task.ends_at, days=1),
            )
        )
    insert(HoursEntry, entries)
    for s, e in zip(served, entries, strict=True):
        s.entry_id = e.pk
    TaskSignup.objects.bulk_update(served, ["entry"], batch_size=2000)
    reversals = _reversals(world, entries, rng)
    _announce(world, entries)
    return len(tasks), len(signups), len(entries) + reversals


def _reversals(world: World, entries: list[HoursEntry], rng: random.Random) -> int:
    """A few entries posted for someone who did not come, reversed as `hours_reverse` does."""
    wrong = [e for e in entries if rng.random() < 0.004] or entries[:1]
    rows = [
        new(
            HoursEntry,
            volunteer_id=e.volunteer_id,
            node_path=e.node_path,
            source=HoursSource.REVERSAL,
            source_key=f"reversal:{e.pk}",
            occurred_on=e.occurred_on,
            hours=-e.hours,
            label=e.label,
            confirmed_by_id=e.confirmed_by_id,
            recorded_at=world.after(e.recorded_at, days=5),
            reverses_id=e.pk,
            reason="当日未到场，误登记，予以冲正",
        )
        for e in wrong
    ]
    insert(HoursEntry, rows)
    return len(rows)


def _announce(world: World, entries: list[HoursEntry]) -> None:
    """The entries' VOLUNTEER_HOURS facts, when the street has a rule crediting them."""
    if not PointRule.objects.filter(street=world.street, fact=VOLUNTEER_HOURS, active=True).exists():
        return
    vols = {v.pk: v for v in Volunteer.objects.filter(pk__in={e.volunteer_id for e in entries})}
    for e in entries:
        e.volunteer = vols[e.volunteer_id]
    on_service_facts.announce([service._fact(e) for e in entries])
