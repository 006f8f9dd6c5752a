"""Reads for meetings, topics and slips, scoped by orgs.access.

A user sees the meetings, topics and slips under the nodes where they hold VIEW_MEETINGS, plus
the meetings they are invited to and the slips that name a unit they hold a post in (a
district department's officer follows every slip that binds their unit)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.core.actors import Actor
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import (
    CaseStudy,
    Disclosure,
    DisclosureEvent,
    Evaluation,
    Meeting,
    MeetingEvent,
    MeetingState,
    Minutes,
    Participant,
    Signature,
    Slip,
    SlipParty,
    SlipState,
    Topic,
    TopicState,
)
from gongzhi.orgs import access
from gongzhi.orgs.models import Post

OPEN_SLIP_STATES = [
    SlipState.DRAFT,
    SlipState.SIGNING,
    SlipState.RETURNED,
    SlipState.BINDING,
    SlipState.CONFIRMING,
]


def _my_units(user: Actor) -> QuerySet[Post]:
    person_id = access.scope(user).person_id
    return Post.objects.filter(access.active_posts_q()).filter(
        Q(person_id=person_id) | Q(deputy_id=person_id)
    )


def view_paths_q(user: Actor, field: str = "node_path") -> Q:
    """Rows whose (denormalised) node path lies under the user's VIEW_MEETINGS nodes."""
    return access.places_q(user, access.VIEW_MEETINGS, field)


def meeting_q(user: Actor, prefix: str = "") -> Q:
    """The meetings the user may see: hosted under their VIEW_MEETINGS nodes, joined by one of
    their areas (a 联合居务会 belongs to every area it joins), or the user is invited to them.
    `prefix` reads it through a relation ("meeting__")."""
    s = access.scope(user)
    if s.superuser:
        return Q()
    q = view_paths_q(user, f"{prefix}node_path") | view_paths_q(user, f"{prefix}joint_nodes__path")
    if s.person_id is not None:
        q |= Q(**{f"{prefix}participants__person_id": s.person_id})
    return q


def slip_q(user: Actor) -> Q:
    """Slips under the user's nodes, of a meeting one of their areas hosted or joined, or that
    name a unit they hold a post in."""
    s = access.scope(user)
    if s.superuser:
        return Q()
    q = view_paths_q(user) | view_paths_q(user, "meeting__node_path")
    q |= view_paths_q(user, "meeting__joint_nodes__path")
    if s.person_id is not None:
        q |= Q(parties__unit_id__in=_my_units(user).values("unit_id"))
    return q


def topic_q(user: Actor) -> Q:
    """Topics under the user's nodes, and those on the agenda of a meeting their area hosted
    or joined (the neighbours' topics at a 联合居务会)."""
    q = view_paths_q(user) | view_paths_q(user, "meeting__node_path")
    return q | view_paths_q(user, "meeting__joint_nodes__path")


def participating_q(node_path: str, prefix: str = "") -> Q:
    """Meetings (through `prefix`) held under `node_path` or joining an area under it."""
    return Q(**{f"{prefix}node_path__startswith": node_path}) | Q(
        **{f"{prefix}joint_nodes__path__startswith": node_path}
    )


def _topics(q: Q) -> QuerySet[Topic]:
    """Topics matching `q`, once each (the joint areas' join repeats rows)."""
    return Topic.objects.filter(pk__in=Topic.objects.filter(q).values("pk"))


def meeting_list(
    *, user: Actor, node_path: str = "", start: date | None = None, end: date | None = None, kind: str = ""
) -> QuerySet[Meeting]:
    """The calendar: meetings the user may see, soonest last (newest first)."""
    rows = Meeting.objects.filter(pk__in=Meeting.objects.filter(meeting_q(user)).values("pk"))
    if node_path:  # an area's calendar shows the joint meetings it takes part in
        rows = rows.filter(pk__in=Meeting.objects.filter(participating_q(node_path)).values("pk"))
    if start:
        rows = rows.filter(starts_at__date__gte=start)
    if end:
        rows = rows.filter(starts_at__date__lte=end)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("node", "chair__person").order_by("-starts_at", "-pk")


def meeting_get(*, user: Actor, pk: int) -> Meeting | None:
    return (
        Meeting.objects.filter(meeting_q(user), pk=pk)
        .select_related("node", "chair__person")
        .distinct()
        .first()
    )


VISIBLE_CASES = "visible_cases"


def linked_cases(user: Actor, lookup: str = "cases") -> Prefetch:
    """Prefetch the cases linked to topics (or slips) that the user may see, as the rows'
    `visible_cases`: a meeting's reader (a partner, a department) need not see the cases its
    topics took up. `.cases` itself stays whole for the services (a slip's progress, a topic
    moved up, a document), which must not lose a link because of who read the row."""
    visible = Case.objects.filter(access.cases_q(user)).select_related("node", "category").order_by("pk")
    return Prefetch(lookup, queryset=visible, to_attr=VISIBLE_CASES)


def visible_linked(*, user: Actor, owner: Topic | Slip) -> list[Case]:
    """The linked cases of a topic or slip that the user may see (prefetched or read now)."""
    found = getattr(owner, VISIBLE_CASES, None)
    if found is not None:
        return list(found)
    rows = owner.cases.filter(access.cases_q(user)).select_related("node", "category").order_by("pk")
    return list(rows)


def meeting_topics(*, user: Actor, meeting: Meeting) -> QuerySet[Topic]:
    return meeting.topics.select_related("node").prefetch_related(linked_cases(user), "slips")


def topic_list(*, user: Actor, node_path: str = "", states: list[str] | None = None) -> QuerySet[Topic]:
    rows = _topics(topic_q(user))
    if node_path:
        rows = rows.filter(
            pk__in=Topic.objects.filter(
                Q(node_path__startswith=node_path) | participating_q(node_path, "meeting__")
            ).values("pk")
        )
    if states:
        rows = rows.filter(state__in=states)
    rows = rows.prefetch_related(linked_cases(user))
    return rows.select_related("node", "meeting").order_by("-created_at", "-pk")


def topic_get(*, user: Actor, pk: int) -> Topic | None:
    rows = _topics(topic_q(user)).filter(pk=pk).prefetch_related(linked_cases(user))
    return rows.select_related("node", "meeting").first()


def to_vet(*, user: Actor) -> QuerySet[Topic]:
    """Topics waiting for the Party organisations the user sits on (VET at the exact node)."""
    s = access.scope(user)
    paths = s.paths(access.VET)
    q = Q() if s.superuser else Q(node__path__in=paths)
    return (
        Topic.objects.filter(q, state=TopicState.PROPOSED)
        .prefetch_related(linked_cases(user))
        .select_related("node")
        .order_by("created_at", "pk")
    )


def slip_list(
    *,
    user: Actor,
    node_path: str = "",
    states: list[str] | None = None,
    overdue_on: date | None = None,
    to_sign: bool = False,
    to_confirm: bool = False,
) -> QuerySet[Slip]:
    """Slips with their case counts; `overdue_on` keeps open slips past their deadline,
    `to_sign` those waiting for the countersignature of a unit the user signs for (待会签),
    `to_confirm` those reported done that the user's Party organisation confirms (待确认)."""
    rows = Slip.objects.filter(pk__in=Slip.objects.filter(slip_q(user)).values("pk"))
    if to_sign:
        rows = rows.filter(to_sign_q(user))
    if to_confirm:
        rows = rows.filter(to_confirm_q(user))
    if node_path:  # an area's decisions include those of the joint meetings it took part in
        rows = rows.filter(pk__in=_slips_at(node_path))
    if states:
        rows = rows.filter(state__in=states)
    if overdue_on is not None:
        rows = rows.filter(state__in=OPEN_SLIP_STATES, due__lt=overdue_on)
    return (
        rows.select_related("node", "meeting")
        .annotate(
            case_total=Count("cases", distinct=True),
            case_done=Count("cases", filter=Q(cases__state=State.CLOSED), distinct=True),
        )
        .order_by("due", "pk")
    )


def to_confirm_q(user: Actor) -> Q:
    """Slips reported done (待确认) that the user may confirm or return: they sit on the Party
    organisation of the slip's node or of its meeting's node (VET at exactly that node, as
    `completion.slip_kinds` decides who takes confirm_completion)."""
    s = access.scope(user)
    waiting = Q(state=SlipState.CONFIRMING)
    if s.superuser:
        return waiting
    paths = s.paths(access.VET)
    return waiting & (Q(node_path__in=paths) | Q(meeting__node_path__in=paths))


def to_sign_q(user: Actor) -> Q:
    """Slips out for countersigning that name a unit the user holds or deputises a post in,
    whose current version that unit has not signed yet (as `slips.signable_posts` and
    `slips.unsigned_units` decide who may sign)."""
    if access.scope(user).person_id is None:
        return Q(pk__in=[])
    signed = Signature.objects.filter(
        slip=OuterRef("slip"), unit=OuterRef("unit"), slip_version=OuterRef("slip__version")
    )
    waiting = SlipParty.objects.filter(
        slip=OuterRef("pk"), unit_id__in=_my_units(user).values("unit_id")
    ).filter(~Exists(signed))
    return Q(state=SlipState.SIGNING) & Q(Exists(waiting))


def invitations(*, user: Actor, now: datetime) -> QuerySet[Meeting]:
    """会议邀请: planned meetings from `now` on that invite the user and whose attendance is
    not recorded yet, soonest first."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Meeting.objects.none()
    mine = Participant.objects.filter(
        meeting=OuterRef("pk"), person_id=person_id, attendance=Attendance.INVITED
    )
    return (
        Meeting.objects.filter(Exists(mine), state=MeetingState.PLANNED, starts_at__gte=now)
        .select_related("node", "chair__person")
        .order_by("starts_at", "pk")
    )


def slip_get(*, user: Actor, pk: int) -> Slip | None:
    return (
        Slip.objects.filter(pk__in=Slip.objects.filter(slip_q(user), pk=pk).values("pk"))
        .select_related("node", "meeting__node", "meeting__chair__person", "topic")
        .prefetch_related(linked_cases(user), linked_cases(user, "topic__cases"))
        .first()
    )


def meeting_slips(*, user: Actor, meeting: Meeting) -> list[Slip]:
    """A meeting's slips that the user may open (an invitee need not see every slip)."""
    ids = Slip.objects.filter(slip_q(user), meeting=meeting).values("pk")
    return list(Slip.objects.filter(pk__in=ids).order_by("pk"))


@dataclass(frozen=True)
class Progress:
    total: int
    closed: int
    finished: int  # closed, merged or void

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0


def slip_progress(slip: Slip) -> Progress:
    """A slip's progress comes from its cases."""
    states = list(slip.cases.values_list("state", flat=True))
    return Progress(
        total=len(states),
        closed=sum(s == State.CLOSED for s in states),
        finished=sum(s in {State.CLOSED, State.MERGED, State.VOID} for s in states),
    )


@dataclass(frozen=True)
class SignatureRow:
    signature: Signature
    current: bool  # signed the slip's current version (else superseded by a revision)


def signature_table(slip: Slip) -> list[SignatureRow]:
    rows = slip.signatures.select_related("unit", "signer_post").order_by("at", "pk")
    return [SignatureRow(s, s.slip_version == slip.version) for s in rows]


def evaluations(slip: Slip) -> QuerySet[Evaluation]:
    return slip.evaluations.select_related("meeting").order_by("at")


def minutes_current(meeting: Meeting) -> Minutes | None:
    """The newest final version, else the draft."""
    return meeting.minutes.order_by("-final", "-number").first()


def events(*, meeting: Meeting | None = None, slip: Slip | None = None) -> QuerySet[MeetingEvent]:
    rows = MeetingEvent.objects.select_related("actor").order_by("at", "id")
    if slip is not None:
        return rows.filter(slip=slip)
    return rows.filter(meeting=meeting)


def _slips_at(node_path: str) -> QuerySet[Slip, Any]:
    q = Q(node_path__startswith=node_path) | participating_q(node_path, "meeting__")
    return Slip.objects.filter(q).values("pk")


def public_decisions(*, node_path: str = "") -> QuerySet[Slip]:
    """For residents: binding and done slips, their decision, deadline and progress, without
    names or signatures (templates show only action, place, dates and counts). An area's
    decisions include its joint meetings'."""
    rows = Slip.objects.filter(state__in=[SlipState.BINDING, SlipState.DONE])
    if node_path:
        rows = rows.filter(pk__in=_slips_at(node_path))
    return (
        rows.select_related("node", "meeting")
        .annotate(
            case_total=Count("cases", distinct=True),
            case_done=Count("cases", filter=Q(cases__state=State.CLOSED), distinct=True),
        )
        .order_by("-bound_at")
    )


def case_studies(*, user: Actor) -> QuerySet[CaseStudy]:
    """案例说 of the slips the user may see, newest first."""
    slips = Slip.objects.filter(slip_q(user)).values("pk")
    return (
        CaseStudy.objects.filter(slip__in=slips)
        .select_related("slip__node", "slip__meeting", "told_at")
        .order_by("-at")
    )


# --- 双公示 ---------------------------------------------------------------------------------------


def disclosure_list(*, user: Actor, node_path: str = "") -> QuerySet[Disclosure]:
    """The 双公示 under the user's VIEW_MEETINGS nodes, newest first."""
    rows = Disclosure.objects.filter(view_paths_q(user))
    if node_path:
        rows = rows.filter(node_path__startswith=node_path)
    return rows.select_related("node").order_by("-plan_at", "-pk")


def disclosure_get(*, user: Actor, pk: int) -> Disclosure | None:
    return (
        Disclosure.objects.filter(view_paths_q(user), pk=pk)
        .select_related("node", "case", "slip", "plan_by", "result_by")
        .first()
    )


def disclosure_events(disclosure: Disclosure) -> QuerySet[DisclosureEvent]:
    return disclosure.events.select_related("actor").order_by("at", "pk")


def public_disclosures(under: str = "") -> QuerySet[Disclosure]:
    """For residents: every 双公示 (of one street: `under`, its path), newest first. The callers
    show the place, the amounts and the scrubbed texts, never who typed them (the publishing
    unit only)."""
    rows = Disclosure.objects.filter(node_path__startswith=under) if under else Disclosure.objects.all()
    return rows.select_related("node").order_by("-plan_at", "-pk")


def public_amendments(disclosures: list[Disclosure]) -> dict[int, list[DisclosureEvent]]:
    """The corrections of these disclosures, oldest first, by disclosure id."""
    out: dict[int, list[DisclosureEvent]] = {}
    rows = DisclosureEvent.objects.filter(disclosure__in=disclosures, action="amend").order_by("at", "pk")
    for event in rows:
        out.setdefault(event.disclosure_id, []).append(event)
    return out
