"""Volunteers (志愿者, docs/mobilisation.md "Volunteers"): registration, skills, weekly
availability, the tasks they accept, and the time bank of hours served.

Who may: a person registers themself (or MANAGE_COMMUNITY over the area enters them); a
resident volunteers where they live, a 双报到 member where they are registered, a unit's staff
member for a unit where they hold a post. Hours are confirmed by whoever led the work: the
lead of a task here, the incident lead in gongzhi.mobilisation, the team lead in
gongzhi.orders — those packages sit above community and call `hours_record` from their own
services, in their own transaction. Each entry announces a VOLUNTEER_HOURS fact through
core.contributions, so the points ledger credits 双报到 members by its rules; a reversal
withdraws it.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.community import away_hooks, places
from gongzhi.community.choices import HoursSource, SignupState, Skill, TaskState, VolunteerKind
from gongzhi.community.models import (
    Absence,
    Availability,
    HoursEntry,
    TaskSignup,
    Volunteer,
    VolunteerTask,
)
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.contributions import VOLUNTEER_HOURS, ServiceFact, on_service_facts
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Person, Post, Unit

MAX_HOURS_ENTRY = Decimal("24")
WEEKDAY_NAMES = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)
MAX_SLOTS = 21
MAX_ABSENCES = 20
ABSENCE_AHEAD_DAYS = 366  # an absence ends within a year


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    start_hour: int
    end_hour: int  # exclusive, up to 24


@dataclass(frozen=True)
class Away:
    """Away from one day to another, both included, with a reason (an availability exception)."""

    starts_on: date | None
    ends_on: date | None
    reason: str


# --- who may ---------------------------------------------------------------------------------------


def is_self(actor: Actor, person: Person) -> bool:
    return access.scope(actor).person_id == person.pk


def may_manage(actor: Actor, area: Node) -> bool:
    return access.can(actor, access.MANAGE_COMMUNITY, area)


def active_volunteer(person_id: int | None) -> Volunteer | None:
    """The person's active volunteer record, if they have one."""
    if person_id is None:
        return None
    return Volunteer.objects.filter(person_id=person_id, ended_at__isnull=True).select_related("area").first()


def my_volunteer(actor: Actor) -> Volunteer | None:
    return active_volunteer(access.scope(actor).person_id)


# --- validation ------------------------------------------------------------------------------------


def clean_skills(skills: Sequence[str], field: str = "skills") -> list[str]:
    unknown = [s for s in skills if s not in Skill.values]
    if unknown:
        raise invalid(field, _("未知的技能：%(s)s") % {"s": "、".join(unknown[:5])})
    return sorted(set(skills))


def clean_slots(slots: Sequence[Slot]) -> list[Slot]:
    if len(slots) > MAX_SLOTS:
        raise invalid("availability", _("可服务时段最多%(n)d个") % {"n": MAX_SLOTS})
    errors = []
    for i, s in enumerate(slots, start=1):
        if not (0 <= s.weekday <= 6 and 0 <= s.start_hour < s.end_hour <= 24):
            errors.append(_("第%(i)d个时段无效：星期为0–6，开始早于结束，0–24时") % {"i": i})
    if errors:
        raise ValidationError({"availability": errors})
    ordered = sorted(slots, key=lambda s: (s.weekday, s.start_hour))
    for a, b in itertools.pairwise(ordered):
        if a.weekday == b.weekday and b.start_hour < a.end_hour:
            raise invalid(
                "availability",
                _("%(day)s的时段%(a)s与%(b)s重叠")
                % {
                    "day": str(WEEKDAY_NAMES[a.weekday]),
                    "a": f"{a.start_hour}–{a.end_hour}",
                    "b": f"{b.start_hour}–{b.end_hour}",
                },
            )
    return list(slots)


def clean_absences(absences: Sequence[Away]) -> list[tuple[date, date, str]]:
    """Each stretch has both days, the end not before the start, within a year, a reason (100
    characters); stretches do not overlap. 422 on `absences` otherwise; (from, to, reason) in
    order of their start."""
    if len(absences) > MAX_ABSENCES:
        raise invalid("absences", _("暂停服务日期最多%(n)d段") % {"n": MAX_ABSENCES})
    today = timezone.localdate(clock.now())
    errors: list[str] = []
    cleaned: list[tuple[date, date, str]] = []
    for i, a in enumerate(absences, start=1):
        reason = (a.reason or "").strip()
        if a.starts_on is None or a.ends_on is None:
            errors.append(_("第%(i)d段请填写开始和结束日期") % {"i": i})
        elif a.ends_on < a.starts_on:
            errors.append(_("第%(i)d段的结束日期早于开始日期") % {"i": i})
        elif (a.ends_on - today).days > ABSENCE_AHEAD_DAYS:
            errors.append(_("第%(i)d段的结束日期应在一年以内") % {"i": i})
        elif not reason or len(reason) > 100:
            errors.append(_("第%(i)d段请填写原因（100字以内）") % {"i": i})
        else:
            cleaned.append((a.starts_on, a.ends_on, reason))
    if errors:
        raise ValidationError({"absences": errors})
    ordered = sorted(cleaned)
    for (a_from, a_to, _r), (b_from, b_to, _s) in itertools.pairwise(ordered):
        if b_from <= a_to:
            raise invalid(
                "absences",
                _("暂停服务日期%(a)s与%(b)s重叠") % {"a": f"{a_from}–{a_to}", "b": f"{b_from}–{b_to}"},
            )
    return ordered


def _limits(day: int, week: int, rest: int) -> None:
    if not 1 <= day <= 24:
        raise invalid("max_hours_day", _("每天最多小时数应为1–24"))
    if not day <= week <= 168:
        raise invalid("max_hours_week", _("每周最多小时数应不少于每天的，且不超过168"))
    if not 0 <= rest <= 24:
        raise invalid("min_rest_hours", _("两班间隔应为0–24小时"))


def _links(
    person: Person, kind: str, area: Node, unit: Unit | None
) -> tuple[DualRegistration | None, Unit | None]:
    """What makes the person eligible for the kind: a home in the street, a confirmed 双报到
    at the area, a post at the unit."""
    if kind == VolunteerKind.RESIDENT:
        if person.home is None or not person.home.path.startswith(places.street_of(area).path):
            raise invalid("kind", _("居民志愿者须居住在本街道"))
        return None, None
    if kind == VolunteerKind.MEMBER:
        member = PartyMember.objects.filter(person=person).first()
        registration = (
            DualRegistration.objects.filter(member=member, node=area, state=DualRegistration.State.CONFIRMED)
            .order_by("-registered_on")
            .first()
            if member is not None
            else None
        )
        if registration is None:
            raise invalid("kind", _("该党员未在此居民区双报到"))
        return registration, None
    if kind == VolunteerKind.UNIT_STAFF:
        if unit is None:
            raise invalid("unit", _("请选择所在单位"))
        if not Post.objects.filter(access.active_posts_q(), unit=unit, person=person).exists():
            raise invalid("unit", _("该人员不在此单位任职"))
        return None, unit
    raise invalid("kind", _("请选择志愿者类型"))


# --- registration ----------------------------------------------------------------------------------


def volunteer_register(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    area: Node,
    skills: Sequence[str] = (),
    availability: Sequence[Slot] = (),
    unit: Unit | None = None,
    max_hours_day: int = 8,
    max_hours_week: int = 24,
    min_rest_hours: int = 8,
) -> Volunteer:
    if not (is_self(actor, person) or may_manage(actor, area)):
        raise PermissionDeniedError(_("您无权为他人登记志愿者"))
    if area.level != Level.AREA:
        raise invalid("area", _("志愿者应登记到居民区"))
    skill_list = clean_skills(skills)
    slots = clean_slots(availability)
    _limits(max_hours_day, max_hours_week, min_rest_hours)
    registration, unit = _links(person, kind, area, unit)
    with transaction.atomic():
        if Volunteer.objects.select_for_update().filter(person=person, ended_at__isnull=True).exists():
            raise ConflictError(_("已登记为志愿者"))
        volunteer = Volunteer.objects.create(
            person=person,
            kind=kind,
            area=area,
            node_path=area.path,
            registration=registration,
            unit=unit,
            skills=skill_list,
            max_hours_day=max_hours_day,
            max_hours_week=max_hours_week,
            min_rest_hours=min_rest_hours,
            registered_at=clock.now(),
            registered_by=recorded(actor),
        )
        _write_slots(volunteer, slots)
    return volunteer


def _write_slots(volunteer: Volunteer, slots: Sequence[Slot]) -> None:
    Availability.objects.filter(volunteer=volunteer).delete()
    Availability.objects.bulk_create(
        Availability(volunteer=volunteer, weekday=s.weekday, start_hour=s.start_hour, end_hour=s.end_hour)
        for s in slots
    )


def _require_self_or_manager(actor: Actor, volunteer: Volunteer) -> None:
    if not (is_self(actor, volunteer.person) or may_manage(actor, volunteer.area)):
        raise PermissionDeniedError(_("您无权修改该志愿者信息"))


def volunteer_update(
    *,
    actor: Actor,
    volunteer: Volunteer,
    skills: Sequence[str],
    availability: Sequence[Slot],
    max_hours_day: int,
    max_hours_week: int,
    min_rest_hours: int,
    absences: Sequence[Away] | None = None,
) -> Volunteer:
    """Skills, availability, limits and the days away as the volunteer says them now (not a
    history: the rota keeps what it was built from). `absences` None leaves them as they are;
    a list replaces them. Everything is checked before anything is written."""
    _require_self_or_manager(actor, volunteer)
    if volunteer.ended_at is not None:
        raise ConflictError(_("该志愿者已退出"))
    skill_list = clean_skills(skills)
    slots = clean_slots(availability)
    _limits(max_hours_day, max_hours_week, min_rest_hours)
    away = clean_absences(absences) if absences is not None else None
    with transaction.atomic():
        volunteer.skills = skill_list
        volunteer.max_hours_day, volunteer.max_hours_week = max_hours_day, max_hours_week
        volunteer.min_rest_hours = min_rest_hours
        volunteer.save(update_fields=["skills", "max_hours_day", "max_hours_week", "min_rest_hours"])
        _write_slots(volunteer, slots)
        if away is not None:
            _write_absences(actor, volunteer, away)
    return volunteer


def _write_absences(actor: Actor, volunteer: Volunteer, away: list[tuple[date, date, str]]) -> None:
    """Replace the days away; the days newly away (a stretch added or widened) release the
    volunteer's shifts planned on them, and the days no longer away (a stretch removed or
    shortened) may take back the shifts released for them, in this transaction (away_hooks:
    the rostering service)."""
    before = list(Absence.objects.filter(volunteer=volunteer).values_list("starts_on", "ends_on"))
    Absence.objects.filter(volunteer=volunteer).delete()
    Absence.objects.bulk_create(
        Absence(volunteer=volunteer, starts_on=start, ends_on=end, reason=reason)
        for start, end, reason in away
    )
    after = [(start, end) for start, end, _r in away]
    spans = away_hooks.newly_away(before, after)
    back = away_hooks.no_longer_away(before, after)
    away_hooks.on_days_away.announce(
        actor=actor, away=away_hooks.DaysAway(volunteer.pk, volunteer.person_id, spans, back)
    )


def volunteer_end(*, actor: Actor, volunteer: Volunteer) -> Volunteer:
    _require_self_or_manager(actor, volunteer)
    if volunteer.ended_at is not None:
        raise ConflictError(_("该志愿者已退出"))
    volunteer.ended_at = clock.now()
    volunteer.save(update_fields=["ended_at"])
    return volunteer


# --- the time bank ---------------------------------------------------------------------------------


def clean_hours(value: Any, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise invalid(field, _("时长应为数字")) from exc
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_ENTRY:
        raise invalid(field, _("时长应大于0且不超过24小时"))
    return hours.quantize(Decimal("0.1"))


def _fact(entry: HoursEntry, *, withdrawn: bool = False) -> ServiceFact:
    return ServiceFact(
        kind=VOLUNTEER_HOURS,
        source_key=f"hours:{entry.source_key}",
        person_id=entry.volunteer.person_id,
        occurred_on=entry.occurred_on,
        node_path=entry.node_path,
        detail=entry.source,
        label=entry.label,
        withdrawn=withdrawn,
    )


def hours_record(
    *,
    confirmed_by: User | None,
    volunteer: Volunteer,
    hours: Any,
    occurred_on: date,
    source: str,
    source_key: str,
    label: str,
) -> HoursEntry:
    """Post hours served, confirmed by `confirmed_by`, whom the calling service has checked
    leads the work (None: a resident confirming an order through its signed link). Idempotent on `source_key` (the order, the assignment, the signup): posting
    it again returns the entry already there. Runs inside the caller's transaction."""
    if source not in HoursSource.values or source == HoursSource.REVERSAL:
        raise invalid("source", _("时长来源无效"))
    amount = clean_hours(hours)
    existing = HoursEntry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        entry = HoursEntry.objects.create(
            volunteer=volunteer,
            node_path=volunteer.node_path,
            source=source,
            source_key=source_key[:120],
            occurred_on=occurred_on,
            hours=amount,
            label=label[:200],
            confirmed_by=confirmed_by,
            recorded_at=clock.now(),
        )
        on_service_facts.announce([_fact(entry)])
    return entry


def hours_reverse(*, actor: Actor, entry: HoursEntry, reason: str) -> HoursEntry:
    """A wrong entry is reversed by an opposite one (the bank is append-only), by whoever keeps
    the area's volunteers; its points fact is withdrawn."""
    if not access.can_under(actor, access.MANAGE_COMMUNITY, entry.node_path):
        raise PermissionDeniedError(_("您无权更正该志愿服务时长"))
    text = (reason or "").strip()
    if not text or len(text) > 200:
        raise invalid("reason", _("请填写冲正理由（200字以内）"))
    if entry.reverses_id is not None:
        raise invalid("entry", _("冲正记录不能再冲正"))
    with transaction.atomic():
        if HoursEntry.objects.select_for_update().filter(reverses=entry).exists():
            raise ConflictError(_("该记录已冲正"))
        reversal = HoursEntry.objects.create(
            volunteer=entry.volunteer,
            node_path=entry.node_path,
            source=HoursSource.REVERSAL,
            source_key=f"reversal:{entry.pk}",
            occurred_on=entry.occurred_on,
            hours=-entry.hours,
            label=entry.label,
            confirmed_by=recorded(actor),
            recorded_at=clock.now(),
            reverses=entry,
            reason=text,
        )
        on_service_facts.announce([_fact(entry, withdrawn=True)])
    return reversal


def balance(volunteer: Volunteer) -> Decimal:
    """Hours in the bank: every entry, reversals included."""
    total = HoursEntry.objects.filter(volunteer=volunteer).aggregate(s=Sum("hours"))["s"]
    return Decimal(total or 0).quantize(Decimal("0.1"))


# --- tasks -----------------------------------------------------------------------------------------


def task_create(
    *,
    actor: Actor,
    area: Node,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    need: int,
    skills: Sequence[str] = (),
    detail: str = "",
) -> VolunteerTask:
    if not may_manage(actor, area):
        raise PermissionDeniedError(_("您无权在该居民区发布志愿任务"))
    if area.level != Level.AREA:
        raise invalid("area", _("志愿任务应发布到居民区"))
    cleaned = (title or "").strip()
    if not cleaned or len(cleaned) > 100:
        raise invalid("title", _("请填写任务名称（100字以内）"))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at) or ends_at <= starts_at:
        raise invalid("ends_at", _("结束时间应晚于开始时间"))
    if not 1 <= need <= 500:
        raise invalid("need", _("需要人数应为1–500"))
    return VolunteerTask.objects.create(
        area=area,
        node_path=area.path,
        title=cleaned,
        detail=(detail or "").strip()[:500],
        starts_at=starts_at,
        ends_at=ends_at,
        need=need,
        skills=clean_skills(skills),
        lead=recorded(actor),
        created_at=clock.now(),
    )


def open_tasks(volunteer: Volunteer) -> QuerySet[VolunteerTask]:
    """Open tasks of the volunteer's area not yet over: what the phone page offers."""
    return VolunteerTask.objects.filter(
        area=volunteer.area, state=TaskState.OPEN, ends_at__gt=clock.now()
    ).order_by("starts_at")


def task_accept(*, actor: Actor, task: VolunteerTask) -> TaskSignup:
    volunteer = my_volunteer(actor)
    if volunteer is None or volunteer.area_id != task.area_id:
        raise PermissionDeniedError(_("请先登记为本居民区的志愿者"))
    missing = set(task.skills) - set(volunteer.skills)
    if missing:
        raise invalid("task", _("该任务需要的技能您尚未登记"))
    with transaction.atomic():
        locked = VolunteerTask.objects.select_for_update().get(pk=task.pk)
        if locked.state != TaskState.OPEN or locked.ends_at <= clock.now():
            raise ConflictError(_("该任务已结束"))
        signup = TaskSignup.objects.filter(task=locked, volunteer=volunteer).first()
        if signup is not None and signup.state == SignupState.ACCEPTED:
            raise ConflictError(_("您已接受该任务"))
        taken = TaskSignup.objects.filter(task=locked, state=SignupState.ACCEPTED).count()
        if taken >= locked.need:
            raise ConflictError(_("该任务人数已满"))
        if signup is None:
            return TaskSignup.objects.create(task=locked, volunteer=volunteer, accepted_at=clock.now())
        signup.state, signup.accepted_at = SignupState.ACCEPTED, clock.now()
        signup.save(update_fields=["state", "accepted_at"])
        return signup


def task_withdraw(*, actor: Actor, signup: TaskSignup) -> TaskSignup:
    if not is_self(actor, signup.volunteer.person):
        raise PermissionDeniedError(_("只能退出自己接受的任务"))
    if signup.state != SignupState.ACCEPTED:
        raise ConflictError(_("该报名不能退出"))
    signup.state = SignupState.WITHDRAWN
    signup.save(update_fields=["state"])
    return signup


def task_confirm(*, actor: Actor, task: VolunteerTask, served: dict[int, Any]) -> list[HoursEntry]:
    """The task's lead confirms the hours each volunteer served (signup id → hours) and closes
    the task; each confirmed signup posts its hours to the time bank."""
    if not (isinstance(actor, User) and actor.pk == task.lead_id) and not may_manage(actor, task.area):
        raise PermissionDeniedError(_("只有任务负责人可以确认时长"))
    signups = {s.pk: s for s in task.signups.filter(state=SignupState.ACCEPTED).select_related("volunteer")}
    unknown = set(served) - set(signups)
    if unknown:
        raise invalid("served", _("名单中有未接受该任务的人员"))
    amounts = {pk: clean_hours(h, f"served.{pk}") for pk, h in served.items()}
    day = timezone.localtime(task.starts_at).date()
    entries = []
    with transaction.atomic():
        locked = VolunteerTask.objects.select_for_update().get(pk=task.pk)
        if locked.state != TaskState.OPEN:
            raise ConflictError(_("该任务已结束"))
        for pk, hours in amounts.items():
            signup = signups[pk]
            entry = hours_record(
                confirmed_by=recorded(actor),
                volunteer=signup.volunteer,
                hours=hours,
                occurred_on=day,
                source=HoursSource.TASK,
                source_key=f"task:{task.pk}:signup:{pk}",
                label=task.title,
            )
            signup.state, signup.entry = SignupState.SERVED, entry
            signup.save(update_fields=["state", "entry"])
            entries.append(entry)
        locked.state = TaskState.DONE
        locked.save(update_fields=["state"])
    return entries
