"""The messages the community's steps write to the outbox (core.outbox, delivered by notify),
in the same transaction as the step: to the staff of the claiming unit and to the committee of
the project's place; a 双报到 waiting to the area's Party organisation and its decision to the
applicant; a points claim or an appeal waiting to the branch secretary and its decision to the
member. Subjects and bodies name projects, units, rules and members' own records, never a
person's contact, and never a member's name in a message for somebody else's eyes beyond the
secretary who decides."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from gongzhi.community.choices import AppealState, ClaimState
from gongzhi.community.models import Appeal, Milestone, Pledge, PointClaim, Project
from gongzhi.core.outbox import OutboxSpec
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Post, Unit
from gongzhi.orgs.roles import PostRole

COMMUNITY_ROLES = (PostRole.PARTY_SECRETARY, PostRole.COMMITTEE_STAFF)


def _users(posts: QuerySet[Post]) -> list[User]:
    """The users holding or deputising these posts, once each."""
    people = set(posts.values_list("person_id", flat=True)) | set(posts.values_list("deputy_id", flat=True))
    people.discard(None)
    return list(User.objects.filter(person__in=people, is_active=True).order_by("pk"))


def unit_users(unit: Unit) -> list[User]:
    return _users(Post.objects.filter(access.active_posts_q(), unit=unit))


def community_users(project: Project) -> list[User]:
    """The Party secretary and committee staff of the project's place (or of the areas above it)."""
    posts = Post.objects.filter(
        access.active_posts_q(), role__in=COMMUNITY_ROLES, node__path__in=_prefixes(project.node_path)
    )
    return _users(posts)


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _specs(kind: str, users: list[User], subject: str, body: str, project: Project) -> list[OutboxSpec]:
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


def _once(users: list[User]) -> list[User]:
    seen: set[int] = set()
    out = []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out


# --- 双报到 and the points ledger ---------------------------------------------------------------

APPROVERS = tuple(role for role, powers in access.ROLE_POWERS.items() if access.APPROVE_COMMUNITY in powers)


def approvers(path: str) -> list[User]:
    """Who decides for a node: the posts with APPROVE_COMMUNITY at the deepest node on its
    ancestry that has any (the area's Party secretary; the block's Party side when the area
    has none)."""
    posts = Post.objects.filter(
        access.active_posts_q(), role__in=APPROVERS, node__path__in=_prefixes(path)
    ).select_related("node")
    found = list(posts)
    if not found:
        return []
    deepest = max(p.node.level for p in found)
    return _users(Post.objects.filter(pk__in=[p.pk for p in found if p.node.level == deepest]))


def member_users(member: PartyMember) -> list[User]:
    """The member's own account, if they have one."""
    user = getattr(member.person, "user", None)
    return [user] if user is not None and user.is_active else []


def _who(registration: DualRegistration) -> str:
    if registration.unit is not None:
        return registration.unit.name
    return "党员" + (registration.member.person.name if registration.member else "")


def _ledger_specs(
    kind: str, users: list[User], subject: str, body: str, url: str, **ids: int
) -> list[OutboxSpec]:
    payload = {"url": url, **ids}
    return [OutboxSpec(kind=kind, subject=subject, body=body, recipient=u, payload=payload) for u in users]


def registration_waiting(registration: DualRegistration) -> list[OutboxSpec]:
    """An application to register (or a move) waits for the area's Party organisation."""
    node = registration.node
    subject = f"双报到待确认：{_who(registration)}"
    body = f"{_who(registration)}申请到{node.name}报到，请确认或说明不予确认的理由。"
    return _ledger_specs(
        "community.registration_waiting",
        approvers(node.path),
        subject,
        body,
        "/community/queue/",
        registration=registration.pk,
    )


def registration_decided(registration: DualRegistration, reason: str) -> list[OutboxSpec]:
    """The applicant hears the decision: the member, or the unit's post-holders."""
    confirmed = registration.state == DualRegistration.State.CONFIRMED
    node = registration.node
    if confirmed:
        subject = f"双报到已确认：{node.name}"
        body = f"您（{_who(registration)}）已在{node.name}报到，请按承诺参加服务。"
    else:
        subject = f"双报到未通过：{node.name}"
        body = f"{node.name}党组织未确认{_who(registration)}的报到。理由：{reason[:100]}"
    if registration.member is not None:
        users = member_users(registration.member)
    else:
        users = unit_users(registration.unit) if registration.unit is not None else []
    return _ledger_specs(
        "community.registration_decided",
        users,
        subject,
        body,
        "/community/ledger/",
        registration=registration.pk,
    )


def claim_waiting(claim: PointClaim) -> list[OutboxSpec]:
    """A claim by hand waits for the branch secretary."""
    rule = claim.rule
    subject = f"积分待审核：{rule.item}"
    body = f"{claim.member.person.name}的积分申报“{rule.item}”（{rule.signed_points:+d}分）待您审核。"
    return _ledger_specs(
        "community.claim_waiting",
        approvers(claim.node_path),
        subject,
        body,
        "/community/approvals/",
        claim=claim.pk,
    )


def claim_decided(claim: PointClaim) -> list[OutboxSpec]:
    rule = claim.rule
    if claim.state == ClaimState.APPROVED:
        subject = f"积分已记入：{rule.item}"
        body = f"您的积分“{rule.item}”（{rule.signed_points:+d}分）已审核通过并记入积分账户。"
    else:
        subject = f"积分申报未通过：{rule.item}"
        body = f"积分申报“{rule.item}”未通过。理由：{claim.reason[:100]}"
    return _ledger_specs(
        "community.claim_decided",
        member_users(claim.member),
        subject,
        body,
        "/community/ledger/",
        claim=claim.pk,
    )


def appeal_waiting(appeal: Appeal) -> list[OutboxSpec]:
    entry = appeal.entry
    subject = f"扣分申诉待处理：{entry.rule.item}"
    body = f"{entry.member.person.name}对扣分“{entry.rule.item}”（{entry.points:+d}分）提出申诉，请处理。"
    return _ledger_specs(
        "community.appeal_waiting",
        approvers(appeal.node_path),
        subject,
        body,
        "/community/approvals/",
        appeal=appeal.pk,
    )


def appeal_decided(appeal: Appeal) -> list[OutboxSpec]:
    entry = appeal.entry
    if appeal.state == AppealState.OVERTURNED:
        subject = f"申诉成立：{entry.rule.item}"
        body = f"您对扣分“{entry.rule.item}”的申诉成立，扣分已冲正。"
    else:
        subject = f"申诉未获支持：{entry.rule.item}"
        body = f"您对扣分“{entry.rule.item}”的申诉未获支持，扣分维持。意见：{appeal.reason[:100]}"
    return _ledger_specs(
        "community.appeal_decided",
        member_users(entry.member),
        subject,
        body,
        "/community/ledger/",
        appeal=appeal.pk,
    )
