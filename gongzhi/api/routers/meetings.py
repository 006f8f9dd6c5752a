"""/api/v1/meetings: 居务会 and the meeting ladder, their agendas (议题), minutes and task slips
(任务流转单) with their countersignatures (会签).

Every write goes through gongzhi.meetings.services or gongzhi.meetings.slips; every read through
gongzhi.meetings.selectors, which scope by orgs.access. A meeting, topic or slip outside the
caller's scope answers 404 like a missing one; an id or code named in a body that does not
exist (or is out of scope) is a 422 on that field. Participants show names only.

Routes with a fixed first segment (/topics, /slips) are declared before /{meeting_id}: ninja
turns path parameters into plain Django string converters, so the order decides.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.meetings import completion, seating, selectors, services, slips, workflow
from gongzhi.meetings.kinds import FIXED_SEATS, Attendance, MeetingKind
from gongzhi.meetings.models import (
    Evaluation,
    Meeting,
    MeetingEvent,
    Minutes,
    Participant,
    PartyRole,
    SlipState,
    Topic,
    TopicState,
)
from gongzhi.meetings.models import Slip as SlipModel
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Post, Unit

router = Router(tags=["meetings"])
M = TypeVar("M", bound=Model)

MeetingId = Path(..., ge=1, le=MAX_ID, description="会议 id")
TopicId = Path(..., ge=1, le=MAX_ID, description="议题 id")
SlipId = Path(..., ge=1, le=MAX_ID, description="任务流转单 id")
Id = Field(..., ge=1, le=MAX_ID)
IdItem = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, Field(max_length=40)]
Name = Annotated[str, Field(max_length=50)]

# Actions taken only by the sweep (or with no endpoint of their own) are never offered.
NOT_OFFERED = {"remind", "bind", "complete", "carry"}


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


class MeetingEventOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: datetime
    note: str
    data: dict[str, Any]
    meeting: int | None
    topic: int | None
    slip: int | None


class TopicOut(Schema):
    id: int
    node: str
    node_name: str
    meeting: int | None
    title: str
    detail: str
    business: str
    business_name: str
    source: str
    source_name: str
    state: str
    state_name: str
    cases: list[int]
    vet_reason: str
    discussion: str
    origin: int | None
    version: int
    created_at: datetime
    allowed_actions: list[str]


class ReferralOut(Schema):
    topic: TopicOut
    referred_to: int = Field(..., description="上级会议的新议题 id（由上级党组织审核）")
    referred_node: str


class PartyOut(Schema):
    unit: str
    unit_name: str
    role: str
    role_name: str
    post: str | None
    task: str
    verdict: str | None = Field(None, description="本单位对当前版本的会签意见（未签为空）")


class SlipOut(Schema):
    id: int
    number: str
    state: str
    state_name: str
    node: str
    node_name: str
    meeting: int
    topic: int
    action: str
    due: date
    overdue: bool
    version: int
    seq: int = Field(..., description="乐观锁：修改时带回")
    parties: list[PartyOut]
    cases_total: int
    cases_closed: int


class ProgressOut(Schema):
    total: int
    closed: int
    finished: int
    percent: int


class SignatureOut(Schema):
    id: int
    unit: str
    unit_name: str
    signer_name: str
    signer_post: str
    verdict: str
    verdict_name: str
    reason: str
    slip_version: int
    current: bool = Field(..., description="签的是当前版本（否则已被修订取代）")
    content_hash: str
    at: datetime


class EvaluationOut(Schema):
    id: int
    source: str
    source_name: str
    rating: str
    rating_name: str
    votes: int
    meeting: int | None
    note: str
    at: datetime


class NewCaseOut(Schema):
    category: str
    node: str
    text: str


class SlipDetailOut(SlipOut):
    cases: list[int]
    new_cases: list[NewCaseOut]
    content_hash: str
    unsigned_units: list[str]
    progress: ProgressOut
    signatures: list[SignatureOut]
    evaluations: list[EvaluationOut]
    created_at: datetime
    bound_at: datetime | None
    done_at: datetime | None
    allowed_actions: list[str]


# --- schemas: in --------------------------------------------------------------------------------


class AreaFilters(PageParams):
    """Paging and the subtree, shared by the meeting, topic and slip lists."""

    node: str | None = Field(None, max_length=40, description="辖区编码（含下级）")

    def where(self) -> dict[str, Any]:
        """The list selector's keyword arguments (an unknown node is a 404)."""
        return {"node_path": _node_filter(self.node)}


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


class MeetingNoteIn(Schema):
    note: str = Field("", max_length=4000)


class MinutesIn(Schema):
    text: str = Field(..., max_length=20000)


class AmendIn(Schema):
    text: str = Field(..., max_length=20000)
    reason: str = Field("", max_length=300, description="修改理由")


class TopicFilters(AreaFilters):
    state: list[TopicState] | None = None

    def where(self) -> dict[str, Any]:
        return {**super().where(), "states": _states(self.state)}


class TopicIn(Schema):
    node: str = Field(..., max_length=40)
    title: str = Field(..., max_length=120)
    business: str = Field(..., max_length=12)
    detail: str = Field("", max_length=4000)
    source: str = Field("free", max_length=10, description="cases | suggestion | free")
    cases: list[IdItem] = Field([], max_length=100, description="关联工单 id")
    meeting: int | None = Field(None, ge=1, le=MAX_ID, description="排入的会议 id（可空）")


class VetIn(Schema):
    approve: bool
    reason: str = Field("", max_length=300)


class ScheduleIn(Schema):
    meeting: int = Id


class DiscussIn(Schema):
    text: str = Field(..., max_length=8000)


class ReferIn(Schema):
    kind: str = Field(..., max_length=20, description="上一级会议类型")
    note: str = Field("", max_length=4000, description="本级为何无法解决")


class SlipFilters(AreaFilters):
    state: list[SlipState] | None = None
    overdue: bool = Field(False, description="只看超过完成时限仍未办结的")

    def where(self) -> dict[str, Any]:
        return {
            **super().where(),
            "states": _states(self.state),
            "overdue_on": _today() if self.overdue else None,
        }


class PartyIn(Schema):
    unit: str = Field(..., max_length=40, description="单位编码")
    role: str = Field("assist", max_length=10, description="lead 主办 | assist 协办")
    post: str | None = Field(None, max_length=40, description="责任岗位编码")
    task: str = Field("", max_length=300)


class NewCaseIn(Schema):
    category: str = Field(..., max_length=20, description="小类编码")
    node: str = Field(..., max_length=40, description="位置编码")
    text: str = Field(..., max_length=4000)


class SlipContentIn(Schema):
    action: str = Field("", max_length=2000, description="决定事项")
    due: date | None = Field(None, description="完成时限")
    parties: list[PartyIn] = Field([], max_length=50)
    cases: list[IdItem] = Field([], max_length=100, description="关联工单 id")
    new_cases: list[NewCaseIn] = Field([], max_length=50, description="生效时新建的工单")


class SlipCreateIn(SlipContentIn):
    topic: int = Id


class SlipEditIn(SlipContentIn):
    seq: int | None = Field(None, ge=0, le=MAX_ID, description="读取时的 seq（乐观锁）")


class SlipReviseIn(SlipEditIn):
    note: str = Field("", max_length=4000, description="修订理由")


class SeqIn(Schema):
    seq: int | None = Field(None, ge=0, le=MAX_ID, description="读取时的 seq（乐观锁）")


class SignIn(Schema):
    verdict: str = Field(..., max_length=10, description="agree | object")
    version: int = Field(..., ge=1, le=MAX_ID, description="所阅读的版本")
    reason: str = Field("", max_length=500, description="异议理由")
    unit: str | None = Field(None, max_length=40, description="代表的单位编码（身兼数职时）")


class LinkCaseIn(Schema):
    case: int = Id


class EvaluateIn(Schema):
    rating: str = Field(..., max_length=6, description="good | fair | poor")
    note: str = Field("", max_length=500)
    source: str = Field("party", max_length=10, description="party | residents")
    votes: int = Field(1, ge=0, le=1_000_000)
    meeting: int | None = Field(None, ge=1, le=MAX_ID, description="评议会 id（居民评议）")


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def fields_as(**names: str) -> Iterator[None]:
    """Report a service's field error under the body field the API calls it."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _offered(table: dict[tuple[str, str], workflow.Step], state: str, kinds: set[str]) -> list[str]:
    return [
        action
        for (s, action), rule in table.items()
        if s == state and action not in NOT_OFFERED and rule.by & kinds
    ]


def _states(states: list[TopicState] | list[SlipState] | None) -> list[str] | None:
    return [str(s) for s in states] if states else None


def _node_filter(code: str | None) -> str:
    if not code:
        return ""
    return found(Node.objects.filter(code=code).first()).path


def _body_node(code: str, field: str = "node") -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None:
        raise invalid(field, _("位置 %(code)s 不存在") % {"code": code})
    return node


def _aware(at: datetime | None) -> datetime | None:
    """A time without an offset is the street's local time (Asia/Shanghai)."""
    return timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at


def _today() -> date:
    return timezone.localdate(clock.now())


def _scoped_meeting(user: Any, meeting_id: int) -> Meeting:
    return found(selectors.meeting_get(user=user, pk=meeting_id))


def _scoped_topic(user: Any, topic_id: int) -> Topic:
    return found(selectors.topic_get(user=user, pk=topic_id))


def _scoped_slip(user: Any, slip_id: int) -> SlipModel:
    return found(selectors.slip_get(user=user, pk=slip_id))


def _body_meeting(user: Any, meeting_id: int | None, field: str = "meeting") -> Meeting | None:
    if meeting_id is None:
        return None
    meeting = selectors.meeting_get(user=user, pk=meeting_id)
    if meeting is None:
        raise invalid(field, _("会议不存在"))
    return meeting


def _body_cases(user: Any, ids: list[int], field: str = "cases") -> list[Case]:
    wanted = set(ids)
    rows = list(Case.objects.filter(access.cases_q(user), pk__in=wanted))
    if len(rows) != len(wanted):
        raise invalid(field, _("关联的工单须是您可查看的工单"))
    return rows


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


def _event_out(event: MeetingEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor.get_username() if event.actor else None,
        "at": event.at,
        "note": event.note,
        "data": event.data,
        "meeting": event.meeting_id,
        "topic": event.topic_id,
        "slip": event.slip_id,
    }


# --- meetings: output ---------------------------------------------------------------------------


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


def meeting_detail_out(meeting: Meeting, user: Any) -> dict[str, Any]:
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
        "allowed_actions": _offered(workflow.MEETING, meeting.state, kinds),
    }


def _meeting_detail(user: Any, meeting_id: int) -> dict[str, Any]:
    return meeting_detail_out(_scoped_meeting(user, meeting_id), user)


# --- topics: output -----------------------------------------------------------------------------


def topic_out(topic: Topic, user: Any) -> dict[str, Any]:
    kinds = services.actor_kinds(user, topic.node, topic.meeting)
    return {
        "id": topic.pk,
        "node": topic.node.code,
        "node_name": topic.node.name,
        "meeting": topic.meeting_id,
        "title": topic.title,
        "detail": topic.detail,
        "business": topic.business,
        "business_name": str(topic.get_business_display()),
        "source": topic.source,
        "source_name": str(topic.get_source_display()),
        "state": topic.state,
        "state_name": str(topic.get_state_display()),
        "cases": [c.pk for c in selectors.visible_linked(user=user, owner=topic)],
        "vet_reason": topic.vet_reason,
        "discussion": topic.discussion,
        "origin": topic.origin_id,
        "version": topic.version,
        "created_at": topic.created_at,
        "allowed_actions": _offered(workflow.TOPIC, topic.state, kinds),
    }


def _topic_detail(user: Any, topic_id: int) -> dict[str, Any]:
    return topic_out(_scoped_topic(user, topic_id), user)


# --- slips: output ------------------------------------------------------------------------------


def _overdue(slip: SlipModel) -> bool:
    return slip.state in selectors.OPEN_SLIP_STATES and slip.due < _today()


def _lead_first(parties: Any) -> list[Any]:
    """主办 before 协办 (the model's ordering sorts the role codes alphabetically)."""
    return sorted(parties, key=lambda p: (p.role != PartyRole.LEAD, p.pk))


def _party_out(party: Any, verdicts: dict[int, str] | None = None) -> dict[str, Any]:
    return {
        "unit": party.unit.code,
        "unit_name": party.unit.name,
        "role": party.role,
        "role_name": str(party.get_role_display()),
        "post": party.post.code if party.post else None,
        "task": party.task,
        "verdict": (verdicts or {}).get(party.unit_id),
    }


def slip_out(slip: SlipModel) -> dict[str, Any]:
    """A list row; `case_total` and `case_done` come annotated by selectors.slip_list."""
    return {
        "id": slip.pk,
        "number": slip.number,
        "state": slip.state,
        "state_name": str(slip.get_state_display()),
        "node": slip.node.code,
        "node_name": slip.node.name,
        "meeting": slip.meeting_id,
        "topic": slip.topic_id,
        "action": slip.action,
        "due": slip.due,
        "overdue": _overdue(slip),
        "version": slip.version,
        "seq": slip.seq,
        "parties": [_party_out(p) for p in _lead_first(slip.parties.all())],
        "cases_total": getattr(slip, "case_total", 0),
        "cases_closed": getattr(slip, "case_done", 0),
    }


def _slip_kinds(user: Any, slip: SlipModel) -> set[str]:
    kinds = completion.slip_kinds(user, slip)  # the meeting's roles, the Party organisation, LEAD
    signed = {s.unit_id for s in slips.valid_signatures(slip)}
    if any(p.unit_id not in signed for p in slips.signable_posts(user, slip)):
        kinds.add(workflow.SIGNER)
    kinds.discard(workflow.SYSTEM)
    return kinds


def slip_detail_out(slip: SlipModel, user: Any) -> dict[str, Any]:
    parties = _lead_first(slip.parties.select_related("unit", "post"))
    current = slips.valid_signatures(slip)
    verdicts = {s.unit_id: s.verdict for s in current}
    progress = selectors.slip_progress(slip)
    return {
        **slip_out(slip),
        "parties": [_party_out(p, verdicts) for p in parties],
        "cases_total": progress.total,
        "cases_closed": progress.closed,
        "cases": [c.pk for c in selectors.visible_linked(user=user, owner=slip)],
        "new_cases": slips.slip_new_cases(slip),
        "content_hash": slips.content_hash(slip),
        "unsigned_units": [p.unit.code for p in parties if p.unit_id not in verdicts],
        "progress": {
            "total": progress.total,
            "closed": progress.closed,
            "finished": progress.finished,
            "percent": progress.percent,
        },
        "signatures": [
            {
                "id": row.signature.pk,
                "unit": row.signature.unit.code,
                "unit_name": row.signature.unit.name,
                "signer_name": row.signature.signer_name,
                "signer_post": row.signature.signer_post.code,
                "verdict": row.signature.verdict,
                "verdict_name": str(row.signature.get_verdict_display()),
                "reason": row.signature.reason,
                "slip_version": row.signature.slip_version,
                "current": row.current,
                "content_hash": row.signature.content_hash,
                "at": row.signature.at,
            }
            for row in selectors.signature_table(slip)
        ],
        "evaluations": [_evaluation_out(e) for e in selectors.evaluations(slip)],
        "created_at": slip.created_at,
        "bound_at": slip.bound_at,
        "done_at": slip.done_at,
        "allowed_actions": completion.offerable(
            slip, _offered(workflow.SLIP, slip.state, _slip_kinds(user, slip))
        ),
    }


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "source": e.source,
        "source_name": str(e.get_source_display()),
        "rating": e.rating,
        "rating_name": str(e.get_rating_display()),
        "votes": e.votes,
        "meeting": e.meeting_id,
        "note": e.note,
        "at": e.at,
    }


def _slip_detail(user: Any, slip_id: int) -> dict[str, Any]:
    return slip_detail_out(_scoped_slip(user, slip_id), user)


def _draft(user: Any, payload: SlipContentIn) -> slips.SlipDraft:
    """Resolve the codes and ids of a slip body; unknown ones are 422 on their field."""
    units = {u.code: u for u in Unit.objects.filter(code__in={p.unit for p in payload.parties})}
    post_codes = {p.post for p in payload.parties if p.post}
    posts = {p.code: p for p in Post.objects.filter(code__in=post_codes)} if post_codes else {}
    parties: list[slips.PartySpec] = []
    for p in payload.parties:
        unit = units.get(p.unit)
        if unit is None:
            raise invalid("parties", _("责任单位 %(code)s 不存在") % {"code": p.unit})
        post = None
        if p.post:
            post = posts.get(p.post)
            if post is None:
                raise invalid("parties", _("岗位 %(code)s 不存在") % {"code": p.post})
        parties.append(slips.PartySpec(unit=unit, role=p.role, post=post, task=p.task))
    new_cases: list[slips.NewCase] = []
    for spec in payload.new_cases:
        category = Category.objects.filter(code=spec.category).first()
        if category is None:
            raise invalid("new_cases", _("分类 %(code)s 不存在") % {"code": spec.category})
        node = _body_node(spec.node, "new_cases")
        new_cases.append(slips.NewCase(category=category, node=node, text=spec.text))
    return slips.SlipDraft(
        action=payload.action,
        due=payload.due,
        parties=parties,
        cases=_body_cases(user, payload.cases),
        new_cases=new_cases,
    )


# --- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing(Generic[M]):
    """A list endpoint: its scoped selector, what its rows' answers read, and their shape."""

    select: Callable[..., QuerySet[M]]  # a selector taking user= and the filters' where()
    out: Callable[[M, Any], dict[str, Any]]  # (row, user) -> the answer's item
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def page(self, request: HttpRequest, params: PageParams) -> dict[str, Any]:
        """One page {count, items}: counted on the caller's scope, filtered by `params`."""
        user = caller(request)
        where = params.where() if isinstance(params, AreaFilters) else {}
        rows = self.select(user=user, **where).prefetch_related(*self.prefetch)
        if self.related:  # (select_related() without names would follow every relation)
            rows = rows.select_related(*self.related)
        return paginate(rows, params, lambda row: self.out(row, user))


MEETINGS = Listing(selectors.meeting_list, lambda m, _user: meeting_out(m), prefetch=("joint_nodes",))
TOPICS = Listing(selectors.topic_list, topic_out, related=("meeting__chair",))
TOPICS_TO_VET = replace(TOPICS, select=selectors.to_vet)
SLIPS = Listing(
    selectors.slip_list, lambda s, _user: slip_out(s), prefetch=("parties__unit", "parties__post")
)


# --- topics: routes (before /{meeting_id}) ------------------------------------------------------


@router.get("/topics", response=Page[TopicOut], summary="议题列表")
def topic_list(request: HttpRequest, filters: Query[TopicFilters]) -> dict[str, Any]:
    return TOPICS.page(request, filters)


@router.post("/topics", response={201: TopicOut}, summary="提出议题")
def topic_propose(request: HttpRequest, payload: TopicIn) -> Status:
    user = caller(request)
    node = _body_node(payload.node)
    meeting = _body_meeting(user, payload.meeting)
    cases = _body_cases(user, payload.cases)
    topic = services.topic_propose(
        actor=user,
        node=node,
        meeting=meeting,
        draft=services.TopicDraft(
            title=payload.title,
            business=payload.business,
            detail=payload.detail,
            source=payload.source,
            cases=cases,
        ),
    )
    return Status(201, _topic_detail(user, topic.pk))


@router.get("/topics/to-vet", response=Page[TopicOut], summary="待我审核的议题（党组织把关）")
def topic_to_vet(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    return TOPICS_TO_VET.page(request, params)


@router.get("/topics/{topic_id}", response=TopicOut, summary="议题详情")
def topic_detail(request: HttpRequest, topic_id: int = TopicId) -> dict[str, Any]:
    return _topic_detail(caller(request), topic_id)


@router.post("/topics/{topic_id}/vet", response=TopicOut, summary="审核议题（通过或不通过）")
def topic_vet(request: HttpRequest, payload: VetIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    topic = _scoped_topic(user, topic_id)
    with fields_as(note="reason"):
        services.topic_vet(actor=user, topic=topic, approve=payload.approve, reason=payload.reason)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/schedule", response=TopicOut, summary="排入会议")
def topic_schedule(request: HttpRequest, payload: ScheduleIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    topic = _scoped_topic(user, topic_id)
    meeting = _body_meeting(user, payload.meeting)
    assert meeting is not None
    services.topic_schedule(actor=user, topic=topic, meeting=meeting)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/discuss", response=TopicOut, summary="记录会上讨论情况")
def topic_discuss(request: HttpRequest, payload: DiscussIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    services.topic_discuss(actor=user, topic=_scoped_topic(user, topic_id), text=payload.text)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/refer", response=ReferralOut, summary="提交上一级会议")
def topic_refer(request: HttpRequest, payload: ReferIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    higher = services.topic_refer(
        actor=user, topic=_scoped_topic(user, topic_id), kind=payload.kind, note=payload.note
    )
    return {
        "topic": _topic_detail(user, topic_id),
        "referred_to": higher.pk,
        "referred_node": higher.node.code,
    }


# --- slips: routes (before /{meeting_id}) -------------------------------------------------------


@router.get("/slips", response=Page[SlipOut], summary="任务流转单列表（含进度）")
def slip_list(request: HttpRequest, filters: Query[SlipFilters]) -> dict[str, Any]:
    return SLIPS.page(request, filters)


@router.post("/slips", response={201: SlipDetailOut}, summary="由议题形成任务流转单（草拟）")
def slip_create(request: HttpRequest, payload: SlipCreateIn) -> Status:
    user = caller(request)
    topic = selectors.topic_get(user=user, pk=payload.topic)
    if topic is None:
        raise invalid("topic", _("议题不存在"))
    slip = slips.slip_create(actor=user, topic=topic, draft=_draft(user, payload))
    return Status(201, _slip_detail(user, slip.pk))


@router.get("/slips/{slip_id}", response=SlipDetailOut, summary="任务流转单详情（会签表、进度、评议）")
def slip_detail(request: HttpRequest, slip_id: int = SlipId) -> dict[str, Any]:
    return _slip_detail(caller(request), slip_id)


@router.put("/slips/{slip_id}", response=SlipDetailOut, summary="修改草稿")
def slip_edit(request: HttpRequest, payload: SlipEditIn, slip_id: int = SlipId) -> dict[str, Any]:
    """409 when `seq` is stale or the slip is no longer a draft (use /revise once issued)."""
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    slips.slip_edit(actor=user, slip=slip, draft=_draft(user, payload), seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/issue", response=SlipDetailOut, summary="发出会签")
def slip_issue(request: HttpRequest, payload: SeqIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slips.slip_issue(actor=user, slip=_scoped_slip(user, slip_id), seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/sign", response=SlipDetailOut, summary="会签（同意或有异议）")
def slip_sign(request: HttpRequest, payload: SignIn, slip_id: int = SlipId) -> dict[str, Any]:
    """`version` is the version the signer read: 409 if the slip has been revised since; 403
    for someone who holds no post in a unit named on the slip."""
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise invalid("unit", _("单位 %(code)s 不存在") % {"code": payload.unit})
    slips.slip_sign(
        actor=user,
        slip=slip,
        verdict=payload.verdict,
        version=payload.version,
        reason=payload.reason,
        unit=unit,
    )
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/revise", response=SlipDetailOut, summary="修订（新版本，须重新会签）")
def slip_revise(request: HttpRequest, payload: SlipReviseIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    slips.slip_revise(actor=user, slip=slip, draft=_draft(user, payload), note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/cases", response=SlipDetailOut, summary="关联工单")
def slip_link_case(request: HttpRequest, payload: LinkCaseIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    case = case_selectors.case_get(user=user, pk=payload.case)
    if case is None:
        raise invalid("case", _("关联的工单须是您可查看的工单"))
    slips.slip_link_case(actor=user, slip=slip, case=case)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/void", response=SlipDetailOut, summary="作废")
def slip_void(request: HttpRequest, payload: MeetingNoteIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slips.slip_void(actor=user, slip=_scoped_slip(user, slip_id), note=payload.note)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/evaluate", response=SlipDetailOut, summary="评议办理结果")
def slip_evaluate(request: HttpRequest, payload: EvaluateIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    slips.slip_evaluate(
        actor=user,
        slip=slip,
        rating=payload.rating,
        note=payload.note,
        source=payload.source,
        votes=payload.votes,
        meeting=_body_meeting(user, payload.meeting),
    )
    return _slip_detail(user, slip_id)


@router.get("/slips/{slip_id}/events", response=list[MeetingEventOut], summary="任务流转单记录")
def slip_events(request: HttpRequest, slip_id: int = SlipId) -> list[dict[str, Any]]:
    slip = _scoped_slip(caller(request), slip_id)
    return [_event_out(e) for e in selectors.events(slip=slip)]


# --- meetings: routes ---------------------------------------------------------------------------


@router.get("", response=Page[MeetingOut], summary="会议日历")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    return MEETINGS.page(request, filters)


@router.post("", response={201: MeetingDetailOut}, summary="召集会议（自动邀请固定席位）")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status:
    user = caller(request)
    node = _body_node(payload.node)
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
    meeting = _scoped_meeting(user, meeting_id)
    posts = _street_posts(meeting.node, payload.posts)
    services.meeting_invite(actor=user, meeting=meeting, posts=posts, guests=payload.guests)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/attendance", response=MeetingDetailOut, summary="登记出席情况")
def meeting_attendance(
    request: HttpRequest, payload: AttendanceIn, meeting_id: int = MeetingId
) -> dict[str, Any]:
    user = caller(request)
    meeting = _scoped_meeting(user, meeting_id)
    marks = {m.participant: (m.attendance, m.delegate_name) for m in payload.marks}
    with fields_as(attendance="marks"):
        services.attendance_record(actor=user, meeting=meeting, marks=marks)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/hold", response=MeetingDetailOut, summary="会议已召开（认定法定出席）")
def meeting_hold(request: HttpRequest, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.meeting_hold(actor=user, meeting=_scoped_meeting(user, meeting_id))
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/cancel", response=MeetingDetailOut, summary="取消会议")
def meeting_cancel(
    request: HttpRequest, payload: MeetingNoteIn, meeting_id: int = MeetingId
) -> dict[str, Any]:
    user = caller(request)
    services.meeting_cancel(actor=user, meeting=_scoped_meeting(user, meeting_id), note=payload.note)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes", response=MeetingDetailOut, summary="保存纪要草稿")
def minutes_write(request: HttpRequest, payload: MinutesIn, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.minutes_write(actor=user, meeting=_scoped_meeting(user, meeting_id), text=payload.text)
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes/finalise", response=MeetingDetailOut, summary="纪要定稿（主持人）")
def minutes_finalise(request: HttpRequest, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    services.minutes_finalise(actor=user, meeting=_scoped_meeting(user, meeting_id))
    return _meeting_detail(user, meeting_id)


@router.post("/{meeting_id}/minutes/amend", response=MeetingDetailOut, summary="修改已定稿纪要（新版本）")
def minutes_amend(request: HttpRequest, payload: AmendIn, meeting_id: int = MeetingId) -> dict[str, Any]:
    user = caller(request)
    meeting = _scoped_meeting(user, meeting_id)
    with fields_as(note="reason"):
        services.minutes_amend(actor=user, meeting=meeting, text=payload.text, reason=payload.reason)
    return _meeting_detail(user, meeting_id)


@router.get("/{meeting_id}/events", response=list[MeetingEventOut], summary="会议记录（含议题和流转单）")
def meeting_events(request: HttpRequest, meeting_id: int = MeetingId) -> list[dict[str, Any]]:
    meeting = _scoped_meeting(caller(request), meeting_id)
    return [_event_out(e) for e in selectors.events(meeting=meeting)]
