"""Reads of the community's lists, always scoped through orgs.access: staff see their subtree
(VIEW_COMMUNITY: the committee its area, the street everything), a unit's staff see their
unit's resources, claims, pledges and contact pairs, and the projects open for claiming (which
the public board shows anyway). Anything else is answered like a missing row."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from gongzhi.community.models import (
    ContactPair,
    Milestone,
    Need,
    NeedState,
    Pledge,
    Project,
    ProjectState,
    Resource,
)
from gongzhi.community.projects import late_milestones
from gongzhi.orgs import access


def needs(user: Any) -> QuerySet[Need]:
    return Need.objects.filter(access.community_q(user)).select_related("node", "case")


def open_needs(user: Any) -> QuerySet[Need]:
    return needs(user).filter(state__in=(NeedState.OPEN, NeedState.MATCHED))


def resources(user: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(access.community_q(user, unit_field="unit_id")).select_related(
        "node", "unit", "member__person"
    )


def projects(user: Any) -> QuerySet[Project]:
    q = access.community_q(user, unit_field="claimed_by_id")
    if access.held_unit_ids(user):
        q |= Q(state=ProjectState.OPEN)  # a unit looks for projects to claim
    return (
        Project.objects.filter(q)
        .select_related("node", "claimed_by", "lead")
        .annotate(steps=Count("milestones", distinct=True))
    )


def project(user: Any, pk: int) -> Project | None:
    return projects(user).filter(pk=pk).first()


def pledge_of(project: Project) -> Pledge | None:
    return Pledge.objects.filter(project=project).select_related("unit").first()


def contact_pairs(user: Any) -> QuerySet[ContactPair]:
    return ContactPair.objects.filter(access.community_q(user, unit_field="unit_id")).select_related(
        "unit", "node"
    )


def late(user: Any) -> QuerySet[Milestone]:
    """The committee's board: late milestones of the projects the user sees."""
    visible = projects(user).values("pk")
    return late_milestones().filter(project__in=visible).order_by("due", "pk")
