"""/api/v1/meetings: 居务会 and the meeting ladder — the calendar, a meeting with its participants
and agenda, attendance and quorum, minutes. Topics (议题) are in topics.py, task slips (任务流转单)
in slips.py; what they share is in meetings_common.py.

Every write goes through gongzhi.meetings.services; every read through gongzhi.meetings.selectors,
which scope by orgs.access. Participants show names only.

This router is registered after the topics and slips routers (api.py): ninja turns path
parameters into plain Django string converters, so /{meeting_id} would take /topics and /slips.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.api.pagination import Page
from gongzhi.api.routers.meetings_common import (
    AreaFilters,
    Id,
    Listing,
    MeetingEventOut,
    MeetingId,
    MeetingNoteIn,
    body_node,
    event_out,
    fields_as,
    offered,
    scoped_meeting,
)
from gongzhi.api.shortcuts import caller
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.meetings import seating, selectors, services, workflow
from gongzhi.meetings.kinds import FIXED_SEATS, Attendance, MeetingKind
from gongzhi.meetings.models import Meeting, Minutes, Participant
from gongzhi.orgs.models import Post

router = Router(tags=["meetings"])

Code = Annotated[str, Field(max_length=40)]
Name = Annotated[str, Field(max_length=50)]


# --- schemas: out -------------------------------------------------------------------------------


class ChairOut(Schema):
    post: str
    title: str
    name: str


class MeetingOut(Schema):
    id: int
    kind: str
    kind_name: str
    title: str
    node: str
    node_name: str
    joint_nodes: list[str]
    starts_at: datetime
    place: str
    state: str
    state_name: str
    quorum_met: bool | None
    binding: bool = Field(..., description="已召开且达到法定出席：其决定具有约束力")
    chair: ChairOut | None
    version: int


class ParticipantOut(Schema):
    id: int
    seat: str
    seat_name: str
    name: str = Field(..., description="姓名（不含联系方式）")
    unit: str | None
    post: str | None
    standing: bool
    attendance: str
    attendance_name: str
    delegate_name: str
    also_posts: list[str] = Field(
        default_factory=list, description="同一人在联合会议中同时代表的其他岗位编码（每人只邀请一次）"
    )


class AgendaItemOut(Schema):
    id: int
    title: str
    business: str
    source: str
    state: str
    state_name: str


class QuorumOut(Schema):
    met: bool | None = Field(..., description="召开时认定的结果（未召开为空）")
    now: bool = Field(..., description="按当前出席登记计算")
    party_org_required: bool
    min_fixed_seats: int
    min_present: int
    invited: int
    present: int
    fixed_seats_present: int


class MinutesOut(Schema):
    number: int
    text: str
    final: bool
    reason: str
    written_at: datetime
    finalised_at: datetime | None


class MeetingDetailOut(MeetingOut):
    participants: list[ParticipantOut]
    topics: list[AgendaItemOut]
    quorum: QuorumOut
    minutes: MinutesOut | None
    allowed_actions: list[str]


# --- schemas: in --------------------------------------------------------------------------------


class MeetingFilters(AreaFilters):
    start: date | None = Field(None, alias="from", description="起始日期（含）")
    end: date | None = Field(None, alias="to", description="截止日期（含）")
    kind: MeetingKind | None = None

    def where(self) -> dict[str, Any]:
        kind = str(self.kind) if self.kind else ""
        return {**super().where(), "start": self.start, "end": self.end, "kind": kind}


class MeetingIn(Schema):
    kind: str = Field(..., max_length=20, description="会议类型")
    node: str = Field(..., max_length=40, description="召开层级：辖区节点编码")
    starts_at: datetime | None = Field(None, description="召开时间（不带时区按北京时间）")
    title: str = Field("", max_length=120)
    place: str = Field("", max_length=120)
    joint_nodes: list[Code] = Field([], max_length=20, description="联合居务会：相邻居民区编码")
    posts: list[Code] = Field([], max_length=100, description="另邀的岗位编码（X）")
    guests: list[Name] = Field([], max_length=100, description="另邀的嘉宾姓名（X）")


class InviteIn(Schema):
    posts: list[Code] = Field([], max_length=100, description="岗位编码")
    guests: list[Name] = Field([], max_length=100, description="嘉宾姓名")


class MarkIn(Schema):
    participant: int = Id
    attendance: str = Field(..., max_length=10, description="present | absent | delegate")
    delegate_name: str = Field("", max_length=50)


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(..., max_length=500)


class MinutesIn(Schema):
    text: str = Field(..., max_length=20000)


class AmendIn(Schema):
    text: str = Field(..., max_length=20000)
    reason: str = Field("", max_length=300, description="修改理由")


# --- helpers and output -------------------------------------------------------------------------


def _aware(at: datetime | None) -> datetime | None:
    """A time without an offset is the street's local time (Asia/Shanghai)."""
    return timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at


def _street_posts(node: Node, codes: list[str]) -> list[Post]:
    """Posts by code (a chosen X participant); which may be invited is the service's rule
    (`meetings.services.invitable_posts`)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return []
    posts = list(Post.objects.filter(code__in=wanted).select_related("person", "unit").order_by("code"))
    missing = wanted - {p.code for p in posts}
    if missing:
        raise invalid("posts", _("岗位 %(code)s 不存在") % {"code": "、".join(sorted(missing))})
    return posts


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    chair = meeting.chair
    return {
        "id": meeting.pk,
        "kind": meeting.kind,
        "kind_name": str(meeting.get_kind_display()),
        "title": meeting.title,
        "node": meeting.node.code,
        "node_name": meeting.node.name,
        "joint_nodes": [n.code for n in meeting.joint_nodes.all()],
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "state": meeting.state,
        "state_name": str(meeting.get_state_display()),
        "quorum_met": meeting.quorum_met,
        "binding": meeting.binding,
        "chair": ({"post": chair.code, "title": chair.title, "name": chair.person.name} if chair else None),
        "version": meeting.version,
    }


def _participant_out(p: Participant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "seat": p.seat,
        "seat_name": str(p.get_seat_display()) if p.seat else "",
        "name": p.name,
        "unit": p.unit.name if p.unit else None,
        "post": p.post.code if p.post else None,
        "standing": p.standing,
        "attendance": p.attendance,
        "attendance_name": str(p.get_attendance_display()),
        "delegate_name": p.delegate_name,
        "also_posts": [post.code for post in p.also_posts.all()],
    }


def _minutes_out(minutes: Minutes | None) -> dict[str, Any] | None:
    if minutes is None:
        return None
    return {
        "number": minutes.number,
        "text": minutes.text,
        "final": minutes.final,
        "reason": minutes.reason,
        "written_at": minutes.written_at,
        "finalised_at": minutes.finalised_at,
    }


def meeting_detail_out(meeting: Meeting, user: Actor) -> dict[str, Any]:
    participants = seating.participants(meeting)  # Party organisation first, one row per person
    came = [p for p in participants if p.attendance in {Attendance.PRESENT, Attendance.DELEGATE}]
    rule = services.quorum_rule(meeting)
    kinds = services.actor_kinds(user, meeting.node, meeting)
    return {
        **meeting_out(meeting),
        "participants": [_participant_out(p) for p in participants],
        "topics": [
            {
                "id": t.pk,
                "title": t.title,
                "business": t.business,
                "source": t.source,
                "state": t.state,
                "state_name": str(t.get_state_display()),
            }
            for t in meeting.topics.order_by("id")
        ],
        "quorum": {
            "met": meeting.quorum_met,
            "now": services.quorum(meeting),
            "party_org_required": rule.party_org_required,
            "min_fixed_seats": rule.min_fixed_seats,
            "min_present": rule.min_present,
            "invited": len(participants),
            "present": len(came),
            "fixed_seats_present": len({s for p in came for s in seating.seats_of(p) if s in FIXED_SEATS}),
        },
        "minutes": _minutes_out(selectors.minutes_current(meeting)),
        "allowed_actions": offered(workflow.MEETING, meeting.state, kinds),
    }


def _meeting_detail(user: Actor, meeting_id: int) -> dict[str, Any]:
    return meeting_detail_out(scoped_meeting(user, meeting_id), user)


MEETINGS = Listing(selectors.meeting_list, lambda m, _user: meeting_out(m), prefetch=("joint_nodes",))


# --- routes -------------------------------------------------------------------------------------


@router.get("", response=Page[MeetingOut], summary="会议日历")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    return MEETINGS.page(request, filters)


@router.post("", response={201: MeetingDetailOut}, summary="召集会议（自动邀请固定席位）")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status:
    user = caller(request)
    node = body_node(payload.node)
    joint = list(Node.objects.filter(code__in=set(payload.joint_nodes)))
    if len(joint) != len(set(payload.joint_nodes)):
        raise invalid("joint_nodes", _("联合的居民区不存在"))
    meeting = services.meeting_create(
        actor=user,
        kind=payload.kind,
        node=node,
        starts_at=_aware(payload.starts_at),
        title=payload.title,
        place=payload.place,
        joint_nodes=joint,
        x_posts=_street_posts(node, payload.posts),
        guests=payload.guests,
    )
    return Status(201, _meeting_detail(user, meeting.pk))


@router.get("/{meeting_id}", response=MeetingDetailOut, summary="会议详情（参会、议程、纪要）")
def meeting_detail(request: HttpRequest, meeting_id: int = MeetingId) -> dict[str, Any]:
    return _meeting_detail(caller(request), meeting_id)


@router.post("/{meeting_id}/invite", response=MeetingDetailOut, summary="另邀参会人员（X）")
def meeting_invite(request: HttpRequest, payload: InviteIn, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    meeting = scoped_meeting(user, meeting_id)
    posts = _street_posts(meeting.node, payload.posts)
    services.meeting_invite(actor=user, meeting=meeting, posts=posts, guests=payload.guests)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/attendance", response=MeetingDetailOut, summary="登记出席情况")
def meeting_attendance(
    request: HttpRequest, payload: AttendanceIn, meeting_id: int = MeetingId
) -> dict[str, Any]:
    user = caller(request)
    meeting = scoped_meeting(user, meeting_id)
    marks = {m.participant: (m.attendance, m.delegate_name) for m in payload.marks}
    with fields_as(attendance="marks"):
        services.attendance_record(actor=user, meeting=meeting, marks=marks)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/hold", response=MeetingDetailOut, summary="会议已召开（认定法定出席）")
def meeting_hold(request: HttpRequest, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.meeting_hold(actor=user, meeting=scoped_meeting(user, meeting_id))
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/cancel", response=MeetingDetailOut, summary="取消会议")
def meeting_cancel(
    request: HttpRequest, payload: MeetingNoteIn, meeting_id: int = MeetingId
) -> dict[str, Any]:
    user = caller(request)
    services.meeting_cancel(actor=user, meeting=scoped_meeting(user, meeting_id), note=payload.note)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes", response=MeetingDetailOut, summary="保存纪要草稿")
def minutes_write(request: HttpRequest, payload: MinutesIn, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.minutes_write(actor=user, meeting=scoped_meeting(user, meeting_id), text=payload.text)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes/finalise", response=MeetingDetailOut, summary="纪要定稿（主持人）")
def minutes_finalise(request: HttpRequest, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.minutes_finalise(actor=user, meeting=scoped_meeting(user, meeting_id))
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes/amend", response=MeetingDetailOut, summary="修改已定稿纪要（新版本）")
def minutes_amend(request: HttpRequest, payload: AmendIn, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    meeting = scoped_meeting(user, meeting_id)
    with fields_as(note="reason"):
        services.minutes_amend(actor=user, meeting=meeting, text=payload.text, reason=payload.reason)
    return _meeting_detail(user, meeting_id)


@router.get("/{meeting_id}/events", response=list[MeetingEventOut], summary="会议记录（含议题和流转单）")
def meeting_events(request: HttpRequest, meeting_id: int = MeetingId) -> list[dict[str, Any]]:
    meeting = scoped_meeting(caller(request), meeting_id)
    return [event_out(e) for e in selectors.events(meeting=meeting)]
