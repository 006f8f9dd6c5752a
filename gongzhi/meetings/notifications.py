"""Who is told what about meetings, topics and slips, as outbox specs written in the same
transaction as the change (gongzhi.notify delivers them). No personal data in the texts."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.cases.notifications import users_of
from gongzhi.core.outbox import OutboxSpec
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Meeting, Participant, Signature, Slip, Topic
from gongzhi.orgs import access
from gongzhi.orgs.models import Post, Unit


def _posts(q: Q) -> list[Post]:
    return list(
        Post.objects.filter(access.active_posts_q()).filter(q).select_related("person__user", "deputy__user")
    )


def _specs(kind: str, users: Iterable[User], subject: str, body: str, **payload: Any) -> list[OutboxSpec]:
    return [OutboxSpec(kind=kind, recipient=u, subject=subject, body=body, payload=payload) for u in users]


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%m月%d日 %H:%M}"


def invitations(meeting: Meeting, participants: Iterable[Participant] | None = None) -> list[OutboxSpec]:
    """One invitation per person (and their deputy): the meeting's participants, or only the
    ones just added. A person's other posts at the table bring no second message."""
    rows = (
        meeting.participants.select_related("post__person__user", "post__deputy__user")
        if participants is None
        else participants
    )
    posts = [p.post for p in rows if p.post]
    body = f"请于 {_when(meeting)} 出席{meeting.title}。地点：{meeting.place or '另行通知'}。"
    return _specs(
        "meeting.invited",
        users_of(posts),
        f"会议通知：{meeting.title}",
        body,
        meeting_id=meeting.pk,
        link=f"/meetings/{meeting.pk}/",
    )


def reminders(meeting: Meeting) -> list[OutboxSpec]:
    posts = [
        p.post
        for p in meeting.participants.select_related("post__person__user", "post__deputy__user")
        if p.post
    ]
    body = f"{meeting.title}将于 {_when(meeting)} 召开，请准时出席。"
    return _specs(
        "meeting.reminder",
        users_of(posts),
        f"会议提醒：{meeting.title}",
        body,
        meeting_id=meeting.pk,
        link=f"/meetings/{meeting.pk}/",
    )


def _party_users(node: Node) -> list[User]:
    """The accounts of the node's Party organisation (posts holding VET at exactly that node)."""
    roles = [role for role, powers in access.ROLE_POWERS.items() if access.VET in powers]
    return users_of(_posts(Q(node=node, role__in=roles)))


def topic_to_vet(topic: Topic) -> list[OutboxSpec]:
    """The node's Party organisation is asked to vet a new topic."""
    return _specs(
        "topic.to_vet",
        _party_users(topic.node),
        f"待审核议题：{topic.title}",
        f"{topic.node.name}提出议题“{topic.title}”，请党组织审核。",
        topic_id=topic.pk,
        link=f"/meetings/topics/{topic.pk}/",
    )


def _unit_users(units: Iterable[Unit]) -> list[User]:
    return users_of(_posts(Q(unit__in=list(units))))


def to_sign(slip: Slip, units: list[Unit], reminder: bool = False) -> list[OutboxSpec]:
    word = "催签" if reminder else "待会签"
    body = f"任务流转单 {slip.number}（第{slip.version}版，时限 {slip.due:%Y-%m-%d}）请贵单位会签。"
    return _specs(
        "slip.to_sign",
        _unit_users(units),
        f"{word}：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def _conveners(slip: Slip) -> list[User]:
    chair = slip.meeting.chair
    posts = [chair] if chair is not None else []
    return users_of(posts)


def objected(slip: Slip, signature: Signature) -> list[OutboxSpec]:
    body = f"{signature.unit.name}对任务流转单 {slip.number} 提出异议，请修订后重新会签。"
    return _specs(
        "slip.objected",
        _conveners(slip),
        f"会签异议：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def bound(slip: Slip) -> list[OutboxSpec]:
    units = [p.unit for p in slip.parties.select_related("unit")]
    body = f"任务流转单 {slip.number} 已经全部责任单位会签生效，请于 {slip.due:%Y-%m-%d} 前完成。"
    return _specs(
        "slip.bound",
        _unit_users(units) + _conveners(slip),
        f"已生效：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def overdue(slip: Slip) -> list[OutboxSpec]:
    units = [p.unit for p in slip.parties.select_related("unit")]
    body = f"任务流转单 {slip.number} 已超过完成时限 {slip.due:%Y-%m-%d}，请抓紧落实。"
    return _specs(
        "slip.overdue",
        _unit_users(units) + _conveners(slip),
        f"逾期：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def done(slip: Slip) -> list[OutboxSpec]:
    body = f"任务流转单 {slip.number} 关联工单已全部办结，请党组织评议结果。"
    return _specs(
        "slip.done",
        _party_users(slip.node),
        f"待评议：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def _lead_users(slip: Slip) -> list[User]:
    return _unit_users([p.unit for p in slip.parties.filter(role="lead").select_related("unit")])


def _once(users: Iterable[User]) -> list[User]:
    return list({u.pk: u for u in users}.values())


def completion_submitted(slip: Slip, reminder: bool = False) -> list[OutboxSpec]:
    """A slip without cases reported done: the Party organisation is asked to confirm it (the
    daily sweep repeats the request as a reminder while the slip waits)."""
    body = f"任务流转单 {slip.number} 主办单位已报告办结并附佐证，请党组织确认。"
    return _specs(
        "slip.to_confirm",
        _party_users(slip.node),
        f"{'催办' if reminder else '待确认'}：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def _to_lead_and_conveners(slip: Slip, kind: str, subject: str, body: str) -> list[OutboxSpec]:
    """The Party organisation's answer to a completion report, told to the lead unit and the
    meeting's conveners (each person once)."""
    return _specs(
        kind,
        _once(_lead_users(slip) + _conveners(slip)),
        subject,
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )


def completion_confirmed(slip: Slip) -> list[OutboxSpec]:
    body = f"任务流转单 {slip.number} 的办结已经党组织确认。"
    return _to_lead_and_conveners(slip, "slip.confirmed", f"已确认办结：{slip.number}", body)


def completion_returned(slip: Slip) -> list[OutboxSpec]:
    body = f"任务流转单 {slip.number} 的办结报告被党组织退回，请补充后重新报告。"
    return _to_lead_and_conveners(slip, "slip.completion_returned", f"办结被退回：{slip.number}", body)


def reopened(slip: Slip, case: Case) -> list[OutboxSpec]:
    """A case of a done slip was reopened: the slip is binding again until it closes."""
    units = [p.unit for p in slip.parties.select_related("unit")]
    body = f"任务流转单 {slip.number} 的关联工单 {case.number} 已重新办理，该任务流转单恢复为已生效，待工单再次结案后办结。"
    return _specs(
        "slip.reopened",
        _once(_unit_users(units) + _conveners(slip)),
        f"恢复生效：{slip.number}",
        body,
        slip_id=slip.pk,
        link=f"/meetings/slips/{slip.pk}/",
    )
