"""Writes for meetings and topics (slips are in slips.py). Every write checks the workflow
table, the actor's standing and the input, changes the rows in one transaction and appends a
MeetingEvent; bad input raises ValidationError and writes nothing."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.services import Act, case_act
from gongzhi.cases.states import OPEN_STATES
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.meetings import facts, notifications, seating, workflow
from gongzhi.meetings.kinds import (
    BLOCK_UNIT_KINDS,
    DEFAULT_MIN_FIXED,
    FIXED_SEATS,
    KIND_RULES,
    NEXT_RUNG_KINDS,
    Attendance,
    Business,
    MeetingKind,
)
from gongzhi.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingState,
    Minutes,
    Participant,
    QuorumRule,
    Slip,
    SlipState,
    Topic,
    TopicSource,
    TopicState,
)
from gongzhi.orgs import access
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import MeetingRole

MAX_TITLE = 120


# --- who is acting ------------------------------------------------------------------------------


def actor_kinds(user: Actor, node: Node, meeting: Meeting | None = None) -> set[str]:
    if user is None:
        return {workflow.SYSTEM}
    kinds: set[str] = set()
    if access.can(user, access.CONVENE, node):
        kinds.add(workflow.CONVENER)
    if access.can_at(user, access.VET, node):
        kinds.add(workflow.PARTY)
    person_id = access.scope(user).person_id
    chair = meeting.chair if meeting is not None else None
    if chair is not None and person_id and person_id in (chair.person_id, chair.deputy_id):
        kinds.add(workflow.CHAIR)
    return kinds


def check_step(
    table: dict[tuple[str, str], workflow.Step], state: str, action: str, kinds: set[str], label: str
) -> workflow.Step:
    """The step for (state, action), or ConflictError naming what is allowed; 403 if the actor
    may not take it."""
    rule = table.get((state, action))
    if rule is None:
        allowed = workflow.allowed(table, state)
        raise ConflictError(
            _("%(what)s当前状态不能执行此操作，可执行：%(allowed)s")
            % {"what": label, "allowed": "、".join(allowed) or _("无")},
            allowed=allowed,
        )
    if not rule.by & kinds:
        raise PermissionDeniedError(_("您无权执行此操作"))
    return rule


def record(
    action: str,
    *,
    actor: Actor | None,
    meeting: Meeting | None = None,
    topic: Topic | None = None,
    slip: Slip | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        topic=topic,
        slip=slip,
        action=action,
        from_state=from_state,
        to_state=to_state or from_state,
        actor=None if actor is None else recorded(actor),
        at=clock.now(),
        note=note,
        data=data or {},
    )


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("node", "chair").get(pk=meeting.pk)


def _meeting_step(actor: Actor, meeting: Meeting, action: str) -> workflow.Step:
    return check_step(
        workflow.MEETING, meeting.state, action, actor_kinds(actor, meeting.node, meeting), _("会议")
    )


# --- meetings -----------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Actor,
    kind: str,
    node: Node,
    starts_at: datetime | None,
    title: str = "",
    place: str = "",
    joint_nodes: Sequence[Node] = (),
    x_posts: Sequence[Post] = (),
    guests: Sequence[str] = (),
) -> Meeting:
    """Schedule a meeting at its node, invite its standing seats from the roster and the chosen
    X participants, and put the node's unfinished topics on its agenda by themselves."""
    if kind not in KIND_RULES:
        raise invalid("kind", _("会议类型无效"))
    rule = KIND_RULES[kind]
    if node.level != rule.level:
        raise invalid(
            "node",
            _("%(kind)s应在%(level)s层级召开")
            % {"kind": MeetingKind(kind).label, "level": Level(rule.level).label},
        )
    if workflow.CONVENER not in actor_kinds(actor, node):
        raise PermissionDeniedError(_("您无权在该辖区召集会议"))
    errors: dict[str, list[str]] = {}
    if starts_at is None:
        errors["starts_at"] = [_("请填写召开时间")]
    title = (title or "").strip()[:MAX_TITLE]
    joint = [n for n in joint_nodes if n.pk != node.pk]
    if kind == MeetingKind.JOINT:
        if not joint:
            errors["joint_nodes"] = [_("联合居务会至少要联合一个相邻居民区")]
        elif any(n.level != Level.AREA or n.parent_id != node.parent_id for n in joint):
            errors["joint_nodes"] = [_("联合的居民区须与本居民区同属一个块区（地域相邻）")]
    elif joint:
        errors["joint_nodes"] = [_("只有联合居务会可以联合其他居民区")]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    nodes = [node, *joint]
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            node=node,
            node_path=node.path,
            title=title or _default_title(kind, node, starts_at),
            starts_at=starts_at,
            place=(place or "").strip()[:120],
            chair=_party_post(node),
            created_at=clock.now(),
        )
        if joint:
            meeting.joint_nodes.set(joint)
        _invite_standing(meeting, nodes, rule.seats, rule.block_units)
        _invite_chosen(meeting, x_posts, guests)
        carried = _carry_unfinished(meeting, nodes)
        record("create", actor=actor, meeting=meeting, to_state=meeting.state, data={"carried": carried})
        outbox.enqueue_all(notifications.invitations(meeting))
    return meeting


def _default_title(kind: str, node: Node, starts_at: datetime) -> str:
    from django.utils import timezone, translation

    with translation.override("zh-hans"):  # the record is in Chinese, whoever convened it
        label = str(MeetingKind(kind).label)
    return f"{node.name}{label}（{timezone.localtime(starts_at):%Y-%m-%d}）"


def _party_post(node: Node) -> Post | None:
    """The chair: the node's Party organisation seat, else the Party secretary or cadre there."""
    posts = Post.objects.filter(access.active_posts_q(), node=node).select_related("person")
    return (
        posts.filter(meeting_role=MeetingRole.PARTY_ORG).order_by("code").first()
        or posts.filter(role__in=["party_secretary", "block_cadre", "street_cadre"]).order_by("code").first()
    )


def _invite_standing(meeting: Meeting, nodes: list[Node], seats: Sequence[str], block_units: bool) -> None:
    posts: list[Post] = []
    if seats:
        # Seats posted anywhere in the area (a property company's post sits at its estate).
        posts.extend(
            Post.objects.filter(access.active_posts_q(), subtree_q([n.path for n in nodes], "node"))
            .filter(meeting_role__in=seats)
            .select_related("person", "unit", "node")
            .order_by("node__path", "code")
        )
        # The host area's own posts first: a person serving two joined areas sits for the host.
        posts.sort(key=lambda p: not p.node.path.startswith(meeting.node.path))
    if block_units:
        # The departments that answer for the node: posts of those unit kinds at the node or
        # above it (a district department's officer posted to the street sits at every block).
        found = (
            Post.objects.filter(
                access.active_posts_q(),
                node__code__in=meeting.node.ancestor_codes(),
                unit__kind__in=BLOCK_UNIT_KINDS,
            )
            .select_related("person", "unit", "node")
            .order_by("node__path", "code")
        )
        units: set[int] = set()
        for post in found:
            if post.unit_id not in units:  # one seat per unit
                units.add(post.unit_id)
                posts.append(post)
        chair = meeting.chair
        if chair is not None:
            posts.insert(0, chair)
    rows: dict[int, Participant] = {}
    also: dict[int, list[Post]] = {}
    for post in posts:
        seat = MeetingRole.PARTY_ORG if block_units and post == meeting.chair else post.meeting_role
        if post.person_id in rows:
            if post.pk != rows[post.person_id].post_id and post not in also[post.person_id]:
                also[post.person_id].append(post)
            continue
        rows[post.person_id] = _seat(meeting, post, seat, standing=True)
        also[post.person_id] = []
    Participant.objects.bulk_create(rows.values())
    for person_id, extra in also.items():
        if extra:
            rows[person_id].also_posts.set(extra)


def _seat(meeting: Meeting, post: Post, seat: str, *, standing: bool) -> Participant:
    return Participant(
        meeting=meeting,
        seat=seat or "",
        post=post,
        unit=post.unit,
        person=post.person,
        name=post.person.name,
        standing=standing,
    )


def _invite_chosen(meeting: Meeting, posts: Sequence[Post], guests: Sequence[str]) -> list[Participant]:
    """Invite each chosen person once: a post whose holder already sits at the meeting is added
    to what that person represents (no second invitation); a guest already named is skipped."""
    seated = {p.person_id: p for p in meeting.participants.filter(person__isnull=False)}
    named = set(meeting.participants.filter(person__isnull=True).values_list("name", flat=True))
    rows: list[Participant] = []
    for post in posts:
        sitting = seated.get(post.person_id)
        if sitting is None:
            sitting = seated[post.person_id] = _seat(meeting, post, post.meeting_role, standing=False)
            rows.append(sitting)
        elif sitting.pk is not None and sitting.post_id != post.pk:
            sitting.also_posts.add(post)
    for name in guests:
        name = name.strip()[:50]
        if name and name not in named:
            named.add(name)
            rows.append(Participant(meeting=meeting, name=name, standing=False))
    return Participant.objects.bulk_create(rows)


def invitable_posts(meeting: Meeting) -> QuerySet[Post]:
    """The posts a meeting may invite as X participants: any post in office in the meeting's
    street (a department, a deputy, a partner unit serve more than one area). The page lists
    the hosts' roster first; the API names posts by code; both are held to this."""
    street = f"/{meeting.node.ancestor_codes()[0]}/"
    return Post.objects.filter(access.active_posts_q(), node__path__startswith=street)


def meeting_invite(
    *, actor: Actor, meeting: Meeting, posts: Sequence[Post] = (), guests: Sequence[str] = ()
) -> list[Participant]:
    """Invite X participants: posts from the roster (两代表一委员, 共建单位, 律师...) or named guests."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _meeting_step(actor, meeting, "invite")
        if not posts and not any(g.strip() for g in guests):
            raise invalid("posts", _("请选择要邀请的人员"))
        allowed = set(
            invitable_posts(meeting).filter(pk__in=[p.pk for p in posts]).values_list("pk", flat=True)
        )
        refused = sorted(p.code for p in posts if p.pk not in allowed)
        if refused:
            raise invalid(
                "posts", _("岗位 %(code)s 不在本街道的在岗名册中，不能邀请") % {"code": "、".join(refused)}
            )
        added = _invite_chosen(meeting, posts, guests)
        if not added:
            raise invalid("posts", _("所选人员都已在参会名单中，每人只邀请一次"))
        record(
            "invite",
            actor=actor,
            meeting=meeting,
            from_state=meeting.state,
            data={"participants": [p.name for p in added]},
        )
        outbox.enqueue_all(notifications.invitations(meeting, added))
    return added


def attendance_record(*, actor: Actor, meeting: Meeting, marks: dict[int, tuple[str, str]]) -> Meeting:
    """Mark attendance: {participant id: (present|absent|delegate, delegate's name)}."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _meeting_step(actor, meeting, "attend")
        people = {p.pk: p for p in meeting.participants.all()}
        errors: list[str] = []
        for pk, (mark, delegate) in marks.items():
            if pk not in people:
                errors.append(_("参会人员不属于本次会议"))
            elif mark not in Attendance.values or mark == Attendance.INVITED:
                errors.append(_("出席情况无效"))
            elif mark == Attendance.DELEGATE and not (delegate or "").strip():
                errors.append(_("委托出席须填写受托人姓名"))
        if errors:
            raise invalid("attendance", "；".join(sorted(set(errors))))
        for pk, (mark, delegate) in marks.items():
            person = people[pk]
            person.attendance = mark
            person.delegate_name = (delegate or "").strip()[:50] if mark == Attendance.DELEGATE else ""
            person.save(update_fields=["attendance", "delegate_name"])
        if meeting.state == MeetingState.HELD:
            meeting.quorum_met = quorum(meeting)
            meeting.save(update_fields=["quorum_met"])
        record(
            "attend",
            actor=actor,
            meeting=meeting,
            from_state=meeting.state,
            data={"marks": {str(k): v[0] for k, v in marks.items()}},
        )
        facts.announce_attendance(meeting, marks)  # points for those present (community)
    return meeting


def quorum_rule(meeting: Meeting) -> QuorumRule:
    street_code = meeting.node.ancestor_codes()[0] if meeting.node.ancestor_codes() else meeting.node.code
    rule = QuorumRule.objects.filter(street__code=street_code, kind=meeting.kind).first()
    return rule or QuorumRule(kind=meeting.kind, min_fixed_seats=DEFAULT_MIN_FIXED)


def quorum(meeting: Meeting) -> bool:
    """Party organisation present and enough of the eight fixed seats (area meetings); at other
    levels, the Party side present and at least half of those invited."""
    rule = quorum_rule(meeting)
    came = [
        p
        for p in meeting.participants.prefetch_related("also_posts")
        if p.attendance in {Attendance.PRESENT, Attendance.DELEGATE}
    ]
    party = any(MeetingRole.PARTY_ORG in seating.seats_of(p) for p in came)
    if rule.party_org_required and not party:
        return False
    if len(came) < rule.min_present:
        return False
    if KIND_RULES[meeting.kind].seats:
        fixed = {seat for p in came for seat in seating.seats_of(p) if seat in FIXED_SEATS}
        return len(fixed) >= rule.min_fixed_seats
    invited = meeting.participants.count()
    return len(came) * 2 >= invited


def meeting_hold(*, actor: Actor, meeting: Meeting) -> Meeting:
    """The meeting took place: its quorum is settled from the attendance recorded."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        rule = _meeting_step(actor, meeting, "hold")
        if not meeting.participants.exclude(attendance=Attendance.INVITED).exists():
            raise invalid("attendance", _("请先登记出席情况"))
        before = meeting.state
        meeting.state = rule.to or meeting.state
        meeting.quorum_met = quorum(meeting)
        meeting.version += 1
        meeting.save()
        note = "" if meeting.quorum_met else _("未达到法定出席人数，会议决定不具约束力")
        record(
            "hold",
            actor=actor,
            meeting=meeting,
            from_state=before,
            to_state=meeting.state,
            note=note,
            data={"quorum": meeting.quorum_met},
        )
    return meeting


def meeting_cancel(*, actor: Actor, meeting: Meeting, note: str) -> Meeting:
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        rule = _meeting_step(actor, meeting, "cancel")
        if not note.strip():
            raise invalid("note", _("请填写取消原因"))
        before = meeting.state
        meeting.state = rule.to or before
        meeting.version += 1
        meeting.save()
        meeting.topics.filter(state__in=[TopicState.PROPOSED, TopicState.APPROVED]).update(meeting=None)
        record("cancel", actor=actor, meeting=meeting, from_state=before, to_state=meeting.state, note=note)
    return meeting


# --- minutes ------------------------------------------------------------------------------------


def minutes_write(*, actor: Actor, meeting: Meeting, text: str) -> Minutes:
    """Save the draft minutes (the secretary may save as often as needed before the chair
    finalises them)."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _meeting_step(actor, meeting, "write_minutes")
        text = _minutes_text(text)
        draft = meeting.minutes.filter(final=False).order_by("-number").first()
        now = clock.now()
        if draft is None:
            number = (meeting.minutes.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            draft = Minutes.objects.create(
                meeting=meeting, number=number, text=text, written_by=recorded(actor), written_at=now
            )
        else:
            draft.text, draft.written_by, draft.written_at = text, recorded(actor), now
            draft.save()
        record(
            "write_minutes",
            actor=actor,
            meeting=meeting,
            from_state=meeting.state,
            data={"number": draft.number},
        )
    return draft


def _minutes_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise invalid("text", _("请填写会议纪要"))
    if len(text) > 20000:
        raise invalid("text", _("会议纪要不能超过20000字"))
    return text


def minutes_finalise(*, actor: Actor, meeting: Meeting) -> Minutes:
    """The chair finalises the minutes; from now on they change only by a new version."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        rule = _meeting_step(actor, meeting, "finalise")
        draft = meeting.minutes.filter(final=False).order_by("-number").first()
        if draft is None:
            raise invalid("text", _("还没有纪要草稿"))
        now = clock.now()
        draft.final, draft.finalised_by, draft.finalised_at = True, recorded(actor), now
        draft.save()
        before = meeting.state
        meeting.state = rule.to or before
        meeting.version += 1
        meeting.save()
        record(
            "finalise",
            actor=actor,
            meeting=meeting,
            from_state=before,
            to_state=meeting.state,
            data={"number": draft.number},
        )
    return draft


def minutes_amend(*, actor: Actor, meeting: Meeting, text: str, reason: str) -> Minutes:
    """Final minutes are never edited: a change is a new final version with its reason."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _meeting_step(actor, meeting, "amend_minutes")
        text = _minutes_text(text)
        if not (reason or "").strip():
            raise invalid("note", _("修改已定稿的纪要须说明理由"))
        now = clock.now()
        number = (meeting.minutes.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        amended = Minutes.objects.create(
            meeting=meeting,
            number=number,
            text=text,
            final=True,
            reason=reason.strip()[:300],
            written_by=recorded(actor),
            written_at=now,
            finalised_by=recorded(actor),
            finalised_at=now,
        )
        record(
            "amend_minutes",
            actor=actor,
            meeting=meeting,
            from_state=meeting.state,
            note=reason,
            data={"number": number},
        )
    return amended


# --- topics -------------------------------------------------------------------------------------


@dataclass
class TopicDraft:
    title: str
    business: str
    detail: str = ""
    source: str = TopicSource.FREE
    cases: Sequence[Case] = ()


def topic_propose(*, actor: Actor, node: Node, draft: TopicDraft, meeting: Meeting | None = None) -> Topic:
    """Put a topic on the node's agenda pool, from its problem list or written freely."""
    if workflow.CONVENER not in actor_kinds(actor, node):
        raise PermissionDeniedError(_("您无权为该辖区提出议题"))
    errors: dict[str, list[str]] = {}
    if node.level > Level.AREA:  # meetings sit at the street, a block or an area, never below
        errors["node"] = [_("议题所属辖区须为街道、块区或居民区")]
    title = (draft.title or "").strip()
    if not title:
        errors["title"] = [_("请填写议题")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("议题不能超过%(n)d字") % {"n": MAX_TITLE}]
    if draft.business not in Business.values:
        errors["business"] = [_("请选择事项类型")]
    if draft.source not in {TopicSource.CASES, TopicSource.SUGGESTION, TopicSource.FREE}:
        errors["source"] = [_("议题来源无效")]
    if len(draft.detail or "") > 4000:
        errors["detail"] = [_("情况说明不能超过4000字")]
    case_ids = [c.pk for c in draft.cases]
    if case_ids:
        visible = Case.objects.filter(access.cases_q(actor, under=[node.path]), pk__in=case_ids).count()
        if visible != len(set(case_ids)):
            errors["cases"] = [_("关联的工单须是本辖区内您可查看的工单")]
    elif draft.source == TopicSource.CASES:
        errors["cases"] = [_("来自问题清单的议题须关联工单")]
    if meeting is not None and (meeting.state != MeetingState.PLANNED or not _hosts(meeting, node)):
        errors["meeting"] = [_("只能排入本辖区尚未召开的会议")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        topic = Topic.objects.create(
            node=node,
            node_path=node.path,
            meeting=meeting,
            title=title,
            business=draft.business,
            detail=(draft.detail or "").strip(),
            source=draft.source,
            created_at=clock.now(),
        )
        if case_ids:
            topic.cases.set(case_ids)
        record(
            "propose",
            actor=actor,
            topic=topic,
            meeting=meeting,
            to_state=topic.state,
            data={"cases": case_ids},
        )
        outbox.enqueue_all(notifications.topic_to_vet(topic))
    return topic


def _hosts(meeting: Meeting, node: Node) -> bool:
    return node.pk == meeting.node_id or meeting.joint_nodes.filter(pk=node.pk).exists()


def _locked_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("node", "meeting").get(pk=topic.pk)


def _topic_step(actor: Actor, topic: Topic, action: str) -> workflow.Step:
    kinds = actor_kinds(actor, topic.node, topic.meeting)
    return check_step(workflow.TOPIC, topic.state, action, kinds, _("议题"))


def _move(
    topic: Topic, action: str, actor: Actor | None, rule: workflow.Step, note: str = "", **data: Any
) -> None:
    before = topic.state
    topic.state = rule.to or before
    topic.version += 1
    topic.save()
    record(
        action,
        actor=actor,
        topic=topic,
        meeting=topic.meeting,
        from_state=before,
        to_state=topic.state,
        note=note,
        data=data,
    )


def topic_vet(*, actor: Actor, topic: Topic, approve: bool, reason: str = "") -> Topic:
    """议题由党组织把关: the node's Party organisation approves or rejects, with a reason."""
    with transaction.atomic():
        topic = _locked_topic(topic)
        action = "approve" if approve else "reject"
        rule = _topic_step(actor, topic, action)
        if "note" in rule.needs and not reason.strip():
            raise invalid("note", _("不通过须说明理由"))
        topic.vet_reason = reason.strip()[:300]
        _move(topic, action, actor, rule, note=reason.strip())
    return topic


def topic_schedule(*, actor: Actor, topic: Topic, meeting: Meeting) -> Topic:
    with transaction.atomic():
        topic = _locked_topic(topic)
        _topic_step(actor, topic, "schedule")
        if meeting.state != MeetingState.PLANNED or not _hosts(meeting, topic.node):
            raise invalid("meeting", _("只能排入本辖区尚未召开的会议"))
        topic.meeting = meeting
        topic.save(update_fields=["meeting"])
        record("schedule", actor=actor, topic=topic, meeting=meeting, from_state=topic.state)
    return topic


def topic_discuss(*, actor: Actor, topic: Topic, text: str) -> Topic:
    """Record what the meeting said about a topic. Only an approved topic is discussed, at a
    meeting that has been held and whose minutes are not final. Each open case on it gets the
    meeting as its recorded local attempt (what escalation asks for)."""
    with transaction.atomic():
        topic = _locked_topic(topic)
        if topic.state == TopicState.PROPOSED:
            raise ConflictError(_("议题未经党组织审核通过，不能上会讨论"), allowed=["approve", "reject"])
        rule = _topic_step(actor, topic, "discuss")
        meeting = topic.meeting
        if meeting is None or meeting.state != MeetingState.HELD:
            raise invalid("meeting", _("议题须排入已召开、纪要未定稿的会议"))
        text = (text or "").strip()
        if not text:
            raise invalid("text", _("请填写讨论情况"))
        topic.discussion = text[:8000]
        first = topic.state == TopicState.APPROVED
        _move(topic, "discuss", actor, rule)
        if first:
            _record_local_attempt(topic, meeting, text)
    return topic


def _record_local_attempt(topic: Topic, meeting: Meeting, text: str) -> None:
    from django.utils import timezone

    note = f"{meeting.title}（{timezone.localtime(meeting.starts_at):%Y-%m-%d}）议题“{topic.title}”：{text[:300]}"
    for case in topic.cases.filter(state__in=OPEN_STATES):
        case_act(
            actor=None,
            case=case,
            act=Act(
                action="record_attempt",
                version=case.version,
                note=note,
                data={"meeting": meeting.pk, "topic": topic.pk},
            ),
        )


def topic_refer(*, actor: Actor, topic: Topic, kind: str, note: str) -> Topic:
    """Refer a topic the meeting could not solve to the next rung's meeting, never skipping one.
    The higher Party organisation vets it again."""
    with transaction.atomic():
        topic = _locked_topic(topic)
        rule = _topic_step(actor, topic, "refer")
        assert topic.meeting is not None  # a discussed topic was discussed at a meeting
        rung = KIND_RULES[topic.meeting.kind].rung
        allowed = NEXT_RUNG_KINDS[rung]
        if kind not in allowed:
            names = "、".join(str(MeetingKind(k).label) for k in allowed) or _("无")
            raise invalid("kind", _("不能越级提交，只能提交：%(kinds)s") % {"kinds": names})
        if not note.strip():
            raise invalid("note", _("请说明本级为何无法解决"))
        target_level = KIND_RULES[kind].level
        target = Node.objects.filter(code__in=topic.node.ancestor_codes(), level=target_level).first()
        if target is None:
            raise invalid("kind", _("上级没有可以接收的会议层级"))
        higher = Topic.objects.create(
            node=target,
            node_path=target.path,
            title=topic.title,
            business=topic.business,
            detail=f"{topic.detail}\n\n【下级会议意见】{note.strip()}".strip(),
            source=TopicSource.REFERRED,
            origin=topic,
            created_at=clock.now(),
        )
        higher.cases.set(topic.cases.all())
        _move(topic, "refer", actor, rule, note=note.strip(), to_topic=higher.pk, kind=kind)
        record("propose", actor=actor, topic=higher, to_state=higher.state, data={"from_topic": topic.pk})
        outbox.enqueue_all(notifications.topic_to_vet(higher))
    return higher


def origin_chain(topic: Topic) -> list[Topic]:
    """The topic and the topics it carries over, newest first (a short chain)."""
    chain = [topic]
    while chain[-1].origin_id is not None and chain[-1].source == TopicSource.CARRIED:
        chain.append(Topic.objects.get(pk=chain[-1].origin_id))
    return chain


def _unfinished(topic: Topic) -> bool:
    if topic.state == TopicState.APPROVED:
        return True  # on an earlier agenda and not reached
    ids = [t.pk for t in origin_chain(topic)]
    open_states = [SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED, SlipState.BINDING]
    return Slip.objects.filter(topic_id__in=ids, state__in=open_states).exists()


def _carry_unfinished(meeting: Meeting, nodes: Iterable[Node]) -> list[int]:
    """未结事项自动转入下次会议: topics of earlier meetings at these nodes that were not reached,
    or whose slips are not done, come onto the new agenda (already vetted)."""
    carried: list[int] = []
    earlier = Topic.objects.filter(
        node__in=list(nodes),
        state__in=[TopicState.APPROVED, TopicState.DISCUSSED],
        meeting__isnull=False,
        meeting__starts_at__lt=meeting.starts_at,
        meeting__state__in=[MeetingState.HELD, MeetingState.FINAL],
    ).select_related("node", "meeting")
    for old in earlier:
        if not _unfinished(old):
            continue
        new = Topic.objects.create(
            node=old.node,
            node_path=old.node_path,
            meeting=meeting,
            title=old.title,
            business=old.business,
            detail=old.detail,
            source=TopicSource.CARRIED,
            origin=old,
            state=TopicState.APPROVED,
            created_at=clock.now(),
        )
        new.cases.set(old.cases.all())
        rule = workflow.TOPIC[(old.state, "carry")]
        _move(old, "carry", None, rule, to_topic=new.pk, meeting=meeting.pk)
        record(
            "propose",
            actor=None,
            topic=new,
            meeting=meeting,
            to_state=new.state,
            data={"carried_from": old.pk},
        )
        carried.append(new.pk)
    return carried
