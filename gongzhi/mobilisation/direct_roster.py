"""The street's duty roster for 直报, as data: who is on duty each duty day and the leaders in
the order the chain climbs (docs/mobilisation.md "直报").

A duty day runs from the handover time (DIRECT_DUTY_HANDOVER, 08:30 local) to the next day's:
a report at 02:00 belongs to the previous day's duty officer, who is still on duty overnight.
The street admin keeps the roster (MANAGE_ROSTER over the street) in the back office or
through these services; `actor=None` is the system (demo, tests).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation.models.direct import DirectReport, DutyDay, DutyLeader
from gongzhi.orgs import access
from gongzhi.orgs.models import Person

ROSTER_DAYS_SEEN = 30  # a past duty officer sees the street's 直报 for this many days after


def handover() -> time:
    hours, _sep, minutes = str(getattr(settings, "DIRECT_DUTY_HANDOVER", "08:30")).partition(":")
    return time(int(hours or 0), int(minutes or 0))


def duty_day_of(moment: datetime) -> date:
    """The duty day a moment belongs to: before the handover it is still yesterday's."""
    local = timezone.localtime(moment)
    start = handover()
    shifted = local - timedelta(hours=start.hour, minutes=start.minute)
    return shifted.date()


def street_of(node: Node) -> Node:
    """The street a node lies in (geo.streets: under a district, not the root)."""
    return streets.street_of(node)


# --- who is on duty -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """Whom a 直报 reaches: `first` at once (the duty officer and the day's leader, or the
    first leader when nobody is on duty), then `ladder` one by one, DIRECT_ACK_MINUTES apart."""

    first: tuple[Person, ...]
    ladder: tuple[DutyLeader, ...]
    officer: Person | None


def leaders(street: Node) -> list[DutyLeader]:
    return list(
        DutyLeader.objects.filter(street=street, active=True)
        .select_related("person__user")
        .order_by("order", "pk")
    )


def duty(street: Node, day: date) -> DutyDay | None:
    return (
        DutyDay.objects.filter(street=street, day=day).select_related("officer__user", "leader__user").first()
    )


def chain_for(street: Node, day: date) -> Chain:
    roster = duty(street, day)
    first: list[Person] = []
    if roster is not None:
        first.append(roster.officer)
        if roster.leader is not None and roster.leader.pk != roster.officer.pk:
            first.append(roster.leader)
    told = {p.pk for p in first}
    ladder = [leader for leader in leaders(street) if leader.person_id not in told]
    if not first and ladder:  # nobody on duty that day: the first leader hears at once
        first, ladder = [ladder[0].person], ladder[1:]
    return Chain(first=tuple(first), ladder=tuple(ladder), officer=roster.officer if roster else None)


def _person_id(user: Actor | None) -> int | None:
    return access.scope(user).person_id if user is not None else None


def on_duty_for(user: Actor | None, report: DirectReport) -> bool:
    """Whether `user` answers for the report: the duty officer or the day's leader of the
    report's duty day or of today's, or an active leader of its street (or a superuser)."""
    if user is None:
        return False
    if access.scope(user).superuser:
        return True
    person = _person_id(user)
    if person is None:
        return False
    days = {report.duty_day, duty_day_of(clock.now())}
    on_day = DutyDay.objects.filter(street_id=report.street_id, day__in=days).filter(
        Q(officer_id=person) | Q(leader_id=person)
    )
    leader = DutyLeader.objects.filter(street_id=report.street_id, person_id=person, active=True)
    return on_day.exists() or leader.exists()


def roster_street_ids(user: Actor | None) -> list[int]:
    """The streets whose roster names the user now (an active leader, or on duty within the
    last ROSTER_DAYS_SEEN days or tomorrow): they see every 直报 of those streets."""
    person = _person_id(user)
    if person is None:
        return []
    today = duty_day_of(clock.now())
    days = DutyDay.objects.filter(
        Q(officer_id=person) | Q(leader_id=person),
        day__gte=today - timedelta(days=ROSTER_DAYS_SEEN),
        day__lte=today + timedelta(days=1),
    ).values_list("street_id", flat=True)
    led = DutyLeader.objects.filter(person_id=person, active=True).values_list("street_id", flat=True)
    return sorted({*days, *led})


# --- keeping the roster ----------------------------------------------------------------------------


def _check_keeper(actor: Actor | None, street: Node) -> None:
    if actor is not None and not access.can(actor, access.MANAGE_ROSTER, street):
        raise PermissionDeniedError(_("只有街道管理员可以维护值班安排"))


def _check_street(street: Node | None) -> dict[str, list[str]]:
    if street is None or street.level != Level.STREET:
        return {"street": [_("请选择街道")]}
    return {}


def _reachable(person: Person | None, field: str, errors: dict[str, list[str]]) -> None:
    """A person on the roster must be able to acknowledge: they need an active login."""
    user = getattr(person, "user", None) if person is not None else None
    if person is not None and (user is None or not user.is_active):
        errors.setdefault(field, []).append(
            _("%(name)s 没有可用的登录账号，无法确认直报") % {"name": person.name}
        )


def duty_errors(street: Node | None, officer: Person | None, leader: Person | None) -> dict[str, list[str]]:
    """What `duty_set` refuses (the back office's form asks the same)."""
    errors = _check_street(street)
    if officer is None:
        errors["officer"] = [_("请选择值班员")]
    _reachable(officer, "officer", errors)
    _reachable(leader, "leader", errors)
    return errors


@transaction.atomic
def duty_set(
    *, actor: Actor | None, street: Node, day: date, officer: Person, leader: Person | None = None
) -> DutyDay:
    """Put `officer` (and the day's leader) on duty at `street` on `day`, replacing who was."""
    errors = duty_errors(street, officer, leader)
    if errors:
        raise ValidationError(errors)
    _check_keeper(actor, street)
    row, _new = DutyDay.objects.update_or_create(
        street=street,
        day=day,
        defaults={
            "officer": officer,
            "leader": leader,
            "updated_at": clock.now(),
            "updated_by": recorded_or_system(actor),
        },
    )
    return row


def leader_errors(street: Node | None, person: Person | None, title: str, order: Any) -> dict[str, list[str]]:
    """What `leader_set` refuses (the back office's form asks the same)."""
    errors = _check_street(street)
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写职务")]
    elif len(title) > 40:
        errors["title"] = [_("职务最多40字")]
    if not isinstance(order, int) or order < 1 or order > 99:
        errors["order"] = [_("顺序应为1到99")]
    if person is None:
        errors["person"] = [_("请选择领导")]
    _reachable(person, "person", errors)
    if not errors and DutyLeader.objects.filter(street=street, order=order).exclude(person=person).exists():
        errors["order"] = [_("该顺序已有其他领导")]
    return errors


@transaction.atomic
def leader_set(
    *, actor: Actor | None, street: Node, person: Person, title: str, order: int, active: bool = True
) -> DutyLeader:
    """Add a leader to the street's ladder at `order` (1 is told first), or change their row."""
    title = (title or "").strip()
    errors = leader_errors(street, person, title, order)
    if errors:
        raise ValidationError(errors)
    _check_keeper(actor, street)
    row, _new = DutyLeader.objects.update_or_create(
        street=street, person=person, defaults={"title": title, "order": order, "active": active}
    )
    return row


def roster_summary(street: Node, day: date) -> dict[str, Any]:
    """Who the chain reaches for a duty day (the report page's note and the API)."""
    chain = chain_for(street, day)
    return {
        "day": day,
        "officer": chain.officer,
        "first": list(chain.first),
        "ladder": list(chain.ladder),
    }
