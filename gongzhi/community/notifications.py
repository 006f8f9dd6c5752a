"""The messages the community's steps write to the outbox (core.outbox, delivered by notify):
to the staff of the claiming unit and to the committee of the project's place. Subjects and
bodies name projects and units, never a person's contact."""

from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.community.models import Milestone, Pledge, Project
from gongzhi.core.outbox import OutboxSpec
from gongzhi.orgs import access
from gongzhi.orgs.models import Post, Unit
from gongzhi.orgs.roles import PostRole

COMMUNITY_ROLES = (PostRole.PARTY_SECRETARY, PostRole.COMMITTEE_STAFF)


def _users(posts: Any) -> list[Any]:
    """The users holding or deputising these posts, once each."""
    people = set(posts.values_list("person_id", flat=True)) | set(posts.values_list("deputy_id", flat=True))
    people.discard(None)
    return list(get_user_model().objects.filter(person__in=people, is_active=True).order_by("pk"))


def unit_users(unit: Unit) -> list[Any]:
    return _users(Post.objects.filter(access.active_posts_q(), unit=unit))


def community_users(project: Project) -> list[Any]:
    """The Party secretary and committee staff of the project's place (or of the areas above it)."""
    posts = Post.objects.filter(
        access.active_posts_q(), role__in=COMMUNITY_ROLES, node__path__in=_prefixes(project.node_path)
    )
    return _users(posts)


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _specs(kind: str, users: list[Any], subject: str, body: str, project: Project) -> list[OutboxSpec]:
    payload = {"project": project.pk, "url": f"/community/projects/{project.pk}/"}
    return [OutboxSpec(kind=kind, subject=subject, body=body, recipient=u, payload=payload) for u in users]


def claimed(project: Project, pledge: Pledge) -> list[OutboxSpec]:
    subject = f"共建项目已被认领：{project.title}"
    body = f"{pledge.unit.name}认领了项目 {project.number}，请审阅并签署共建承诺书（第{pledge.version}版）。"
    return _specs("community.claimed", community_users(project), subject, body, project)


def to_sign(project: Project, pledge: Pledge, note: str) -> list[OutboxSpec]:
    subject = f"共建承诺书已修订，请重新签署：{project.title}"
    body = f"承诺书已修订为第{pledge.version}版（{note[:100]}），此前的签署已失效，请阅读新版本后签署。"
    users = unit_users(pledge.unit) + community_users(project)
    return _specs("community.pledge_revised", _once(users), subject, body, project)


def in_force(project: Project, pledge: Pledge) -> list[OutboxSpec]:
    subject = f"共建承诺书已生效：{project.title}"
    body = f"{pledge.unit.name}与社区已签署第{pledge.version}版承诺书，项目进入实施。"
    users = unit_users(pledge.unit) + community_users(project)
    return _specs("community.pledge_in_force", _once(users), subject, body, project)


def late(project: Project, milestone: Milestone) -> list[OutboxSpec]:
    """A milestone past its date: the claiming unit is reminded (催办); the committee's robot
    hears it too, and the committee's board lists it."""
    subject = f"共建项目节点已逾期：{project.title}"
    body = f"项目 {project.number} 的节点“{milestone.title}”计划于 {milestone.due:%Y-%m-%d} 完成，尚未报告完成情况，请尽快办理。"
    unit = project.claimed_by
    specs = _specs("community.milestone_late", unit_users(unit) if unit else [], subject, body, project)
    specs.append(
        OutboxSpec(
            kind="community.milestone_late",
            subject=subject,
            body=body,
            node_path=project.node_path,
            payload={"project": project.pk, "url": f"/community/projects/{project.pk}/"},
        )
    )
    return specs


def finished(project: Project) -> list[OutboxSpec]:
    subject = f"共建项目已完成：{project.title}"
    body = f"项目 {project.number} 已完成，居民可在公示栏评议。"
    unit = project.claimed_by
    return _specs("community.finished", unit_users(unit) if unit else [], subject, body, project)


def _once(users: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out
