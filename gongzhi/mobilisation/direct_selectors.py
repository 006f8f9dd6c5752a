"""The reads of 直报, always cut by access.direct_reports_q: the VIEW_DIRECT subtrees, one's own
reports, and every report of a street whose duty roster names the user."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from gongzhi.core.actors import Actor
from gongzhi.mobilisation.direct_roster import ROSTER_DAYS_SEEN, roster_street_ids
from gongzhi.mobilisation.models.direct import OPEN_STATES, DirectReport
from gongzhi.orgs import access

LIST_LIMIT = 200
TODO_ACK = "ack"  # /direct/?todo=ack: to_acknowledge (the home page's 直报待确认)
TODO_FOLLOW_UP = "follow_up"  # /direct/?todo=follow_up: follow_up_owed (续报待写)


def visible(user: Actor) -> QuerySet[DirectReport]:
    q = access.direct_reports_q(user, street_ids=roster_street_ids(user))
    return DirectReport.objects.filter(q)


def sees_any(user: Actor) -> bool:
    """Whether a 直报 list could hold anything for the user (the menu's entry)."""
    return (
        access.scope(user).superuser
        or access.has_power(user, access.VIEW_DIRECT)
        or bool(roster_street_ids(user))
    )


def reports(user: Actor, *, open_only: bool = True, **filters: Any) -> QuerySet[DirectReport]:
    rows = visible(user).filter(**filters)
    if open_only:
        rows = rows.filter(state__in=OPEN_STATES)
    return rows.select_related("node", "reporter_post__unit").order_by("-reported_at", "-pk")


def report_get(*, user: Actor, pk: int) -> DirectReport | None:
    """One report, or None when it does not exist or lies outside the user's scope (404 alike)."""
    return (
        visible(user)
        .select_related("node", "street", "reporter_post__unit", "acknowledged_by", "case")
        .filter(pk=pk)
        .first()
    )


def to_acknowledge(user: Actor) -> QuerySet[DirectReport]:
    """The open, unacknowledged 直报 the user answers for (direct_roster.on_duty_for as a
    filter): every one of a street they lead, and those of their duty days (and of today's
    duty, when they are on it)."""
    from django.db.models import Q

    from gongzhi.core import clock
    from gongzhi.mobilisation.direct_roster import duty_day_of
    from gongzhi.mobilisation.models.direct import DutyDay, DutyLeader

    s = access.scope(user)
    rows = DirectReport.objects.filter(state__in=OPEN_STATES, acknowledged_at__isnull=True)
    if s.superuser:
        return rows.order_by("reported_at", "pk")
    if s.person_id is None:
        return rows.none()
    today = duty_day_of(clock.now())
    q = Q(street_id__in=DutyLeader.objects.filter(person_id=s.person_id, active=True).values("street_id"))
    on_duty = DutyDay.objects.filter(Q(officer_id=s.person_id) | Q(leader_id=s.person_id))
    recent = on_duty.filter(day__gte=today - timedelta(days=ROSTER_DAYS_SEEN))
    for street_id, day in recent.values_list("street_id", "day"):
        q |= Q(street_id=street_id, duty_day=day)
        if day == today:
            q |= Q(street_id=street_id)
    return rows.filter(q).select_related("node", "reporter_post__unit").order_by("reported_at", "pk")


def follow_up_owed(user: Actor, now: datetime) -> QuerySet[DirectReport]:
    """The user's own open 直报 whose 续报 is overdue (none written by the deadline; a report
    marked misuse owes none, as the reminders and the figures say)."""
    return (
        DirectReport.objects.filter(
            reporter_user_id=getattr(user, "pk", None),
            state__in=OPEN_STATES,
            followed_up_at__isnull=True,
            follow_up_due_at__lt=now,
            misuse=False,
        )
        .select_related("node", "reporter_post__unit")
        .order_by("reported_at", "pk")
    )
