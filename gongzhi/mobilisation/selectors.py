"""Reads of mobilisation, every one scoped through orgs.access (incidents_q)."""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.mobilisation.choices import GAP_STATES, STANDING, SwapState
from gongzhi.mobilisation.models import Assignment, CoverageItem, Incident, Shift, SwapRequest
from gongzhi.orgs import access


def incidents(*, user: Actor, active_only: bool = False) -> QuerySet[Incident]:
    qs = Incident.objects.filter(pk__in=Incident.objects.filter(access.incidents_q(user)).values("pk"))
    if active_only:
        qs = qs.filter(state="active")
    return qs.select_related("street", "lead", "slip").order_by("-declared_at")


def incident_get(*, user: Actor, pk: int) -> Incident | None:
    """One incident, or None when missing or out of scope (answered alike: 404)."""
    return incidents(user=user).filter(pk=pk).first()


def shifts(incident: Incident) -> QuerySet[Shift]:
    return (
        Shift.objects.filter(post__incident=incident).select_related("post").order_by("starts_at", "post_id")
    )


def assignments(incident: Incident) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(shift__post__incident=incident)
        .select_related("shift__post", "person", "unit")
        .order_by("shift__starts_at", "shift__post_id", "id")
    )


def my_assignments(*, user: Actor, upcoming: bool = True) -> QuerySet[Assignment]:
    """The user's own shifts ("my shifts"): standing ones, from an hour ago on when `upcoming`."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Assignment.objects.none()
    qs = Assignment.objects.filter(
        person_id=person_id, state__in=STANDING, shift__post__incident__state="active"
    )
    if upcoming:
        qs = qs.filter(shift__ends_at__gt=clock.now())
    return qs.select_related("shift__post__incident").order_by("shift__starts_at")


def my_assignment(*, user: Actor, pk: int) -> Assignment | None:
    person_id = access.scope(user).person_id
    if person_id is None:
        return None
    return (
        Assignment.objects.filter(pk=pk, person_id=person_id).select_related("shift__post__incident").first()
    )


def assignment_get(*, user: Actor, pk: int) -> Assignment | None:
    """An assignment of an incident the user sees."""
    a = Assignment.objects.filter(pk=pk).select_related("shift__post__incident", "person").first()
    if a is None or incident_get(user=user, pk=a.shift.post.incident_id) is None:
        return None
    return a


def pending_swaps(incident: Incident) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(
        assignment__shift__post__incident=incident, state=SwapState.PENDING
    ).select_related("assignment__shift__post", "assignment__person", "to_person")


def swap_get(*, user: Actor, pk: int) -> SwapRequest | None:
    swap = (
        SwapRequest.objects.filter(pk=pk)
        .select_related("assignment__shift__post__incident", "to_person")
        .first()
    )
    if swap is None or incident_get(user=user, pk=swap.assignment.shift.post.incident_id) is None:
        return None
    return swap


def items(incident: Incident, kind: str | None = None) -> QuerySet[CoverageItem]:
    qs = CoverageItem.objects.filter(incident=incident).select_related("node")
    return qs.filter(kind=kind) if kind else qs


def item_get(*, user: Actor, pk: int) -> CoverageItem | None:
    item = CoverageItem.objects.filter(pk=pk).select_related("incident").first()
    if item is None or incident_get(user=user, pk=item.incident_id) is None:
        return None
    return item


def gaps(incident: Incident, now: datetime) -> QuerySet[Assignment]:
    """The gaps to re-solve (rostering.gaps_q: no-shows and days away on shifts still short),
    soonest first."""
    return gaps_q(incident, now).select_related("shift__post", "person").order_by("shift__starts_at", "pk")


def gaps_q(incident: Incident, now: datetime) -> QuerySet[Assignment]:
    """The gaps of the incident: people who will not stand (a no-show, a release for days away)
    on shifts not over that are short of people now. One test for the page, the board and the
    figures."""
    short = (
        Shift.objects.filter(post__incident=incident, ends_at__gt=now)
        .annotate(standing=Count("assignments", filter=Q(assignments__state__in=STANDING)))
        .filter(standing__lt=F("need"))
    )
    return Assignment.objects.filter(shift__in=short.values("pk"), state__in=GAP_STATES)
