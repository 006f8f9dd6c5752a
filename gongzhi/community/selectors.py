"""Reads of the community's lists, always scoped through orgs.access: staff see their subtree
(VIEW_COMMUNITY: the committee its area, the street everything), a unit's staff see their
unit's resources, claims, pledges and contact pairs, and the projects open for claiming (which
the public board shows anyway). Anything else is answered like a missing row.

双报到 and the ledger: orgs.access.registrations_q / ledger_q (a member sees their own entries)."""

from django.db.models import Count, Q, QuerySet

from gongzhi.community import places
from gongzhi.community.choices import AppealState, ClaimState
from gongzhi.community.models import (
    Appeal,
    ContactPair,
    Milestone,
    Need,
    NeedState,
    Pledge,
    PointClaim,
    PointEntry,
    Project,
    ProjectState,
    Resource,
)
from gongzhi.community.projects import late_milestones
from gongzhi.core.actors import Actor
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember


def needs(user: Actor) -> QuerySet[Need]:
    return Need.objects.filter(access.community_q(user)).select_related("node", "case")


def open_needs(user: Actor) -> QuerySet[Need]:
    return needs(user).filter(state__in=(NeedState.OPEN, NeedState.MATCHED))


def resources(user: Actor) -> QuerySet[Resource]:
    return Resource.objects.filter(access.community_q(user, unit_field="unit_id")).select_related(
        "node", "unit", "member__person"
    )


def projects(user: Actor) -> QuerySet[Project]:
    q = access.community_q(user, unit_field="claimed_by_id")
    if access.held_unit_ids(user):
        q |= Q(state=ProjectState.OPEN)  # a unit looks for projects to claim
    return (
        Project.objects.filter(q)
        .select_related("node", "claimed_by", "lead")
        .annotate(steps=Count("milestones", distinct=True))
    )


def project(user: Actor, pk: int) -> Project | None:
    return projects(user).filter(pk=pk).first()


def pledge_of(project: Project) -> Pledge | None:
    return Pledge.objects.filter(project=project).select_related("unit").first()


def contact_pairs(user: Actor) -> QuerySet[ContactPair]:
    return ContactPair.objects.filter(access.community_q(user, unit_field="unit_id")).select_related(
        "unit", "node"
    )


def late(user: Actor) -> QuerySet[Milestone]:
    """The committee's board: late milestones of the projects the user sees."""
    visible = projects(user).values("pk")
    return late_milestones().filter(project__in=visible).order_by("due", "pk")


# --- 双报到 and the points ledger ---------------------------------------------------------


def registrations(*, user: Actor, state: str | None = None) -> QuerySet[DualRegistration]:
    rows = DualRegistration.objects.filter(access.registrations_q(user)).select_related(
        "node", "unit", "member__person"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-registered_on", "-id")


def registration_get(*, user: Actor, pk: int) -> DualRegistration | None:
    return registrations(user=user).filter(pk=pk).first()


def confirm_queue(*, user: Actor) -> QuerySet[DualRegistration]:
    """Applications waiting for the Party organisation of an area the user decides for."""
    s = access.scope(user)
    rows = DualRegistration.objects.filter(state=DualRegistration.State.APPLIED)
    if not s.superuser:
        rows = rows.filter(access.nodes_q(user, access.APPROVE_COMMUNITY, "node"))
    return (
        rows.select_related("node", "unit", "member__person").prefetch_related("commitments").order_by("id")
    )


def sees_member(user: Actor, member: PartyMember) -> bool:
    s = access.scope(user)
    if s.superuser or (s.person_id is not None and member.person_id == s.person_id):
        return True
    branch = places.branch_of(member)
    return branch is not None and access.can_under(user, access.VIEW_COMMUNITY, branch.node.path)


def member_get(*, user: Actor, pk: int) -> PartyMember | None:
    member = PartyMember.objects.select_related("person", "org__node").filter(pk=pk).first()
    return member if member is not None and sees_member(user, member) else None


def my_member(*, user: Actor) -> PartyMember | None:
    person_id = access.scope(user).person_id
    if person_id is None:
        return None
    return PartyMember.objects.select_related("person", "org__node").filter(person_id=person_id).first()


def entries(
    *, user: Actor, member: PartyMember | None = None, year: int | None = None
) -> QuerySet[PointEntry]:
    rows = PointEntry.objects.filter(access.ledger_q(user)).select_related("rule", "member__person")
    if member is not None:
        rows = rows.filter(member=member)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("occurred_on", "id")


def entry_get(*, user: Actor, pk: int) -> PointEntry | None:
    return entries(user=user).filter(pk=pk).first()


def pending_claims(*, user: Actor) -> QuerySet[PointClaim]:
    """Claims the user may decide (APPROVE_COMMUNITY over the member's branch)."""
    s = access.scope(user)
    rows = PointClaim.objects.filter(state=ClaimState.PENDING)
    if not s.superuser:
        rows = rows.filter(access.places_q(user, access.APPROVE_COMMUNITY))
    return rows.select_related("rule", "member__person").order_by("proposed_at")


def claims(*, user: Actor) -> QuerySet[PointClaim]:
    return PointClaim.objects.filter(access.ledger_q(user)).select_related("rule", "member__person")


def claim_get(*, user: Actor, pk: int) -> PointClaim | None:
    return claims(user=user).filter(pk=pk).first()


def open_appeals(*, user: Actor) -> QuerySet[Appeal]:
    s = access.scope(user)
    rows = Appeal.objects.filter(state=AppealState.OPEN)
    if not s.superuser:
        rows = rows.filter(access.places_q(user, access.APPROVE_COMMUNITY))
    return rows.select_related("entry__rule", "entry__member__person").order_by("filed_at")


def appeal_get(*, user: Actor, pk: int) -> Appeal | None:
    return (
        Appeal.objects.filter(access.ledger_q(user, member_field="entry__member"))
        .select_related("entry__rule", "entry__member__person")
        .filter(pk=pk)
        .first()
    )


def under_q(path: str) -> Q:
    return Q(node_path__startswith=path)
