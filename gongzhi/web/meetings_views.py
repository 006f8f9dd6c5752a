"""居务会 pages: the calendar, a meeting, the agenda pool and the Party organisation's vetting
queue, the task slips and their follow-up, and the public board of decisions.

Reads go through gongzhi.meetings.selectors (and the cases, orgs and geo selectors); every
write is a POST handled in meetings_actions, which calls the meetings services only.
"""

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.states import OPEN_STATES
from gongzhi.core import clock
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings import seating, selectors, services, slips, workflow
from gongzhi.meetings.kinds import KIND_RULES, NEXT_RUNG_KINDS, Attendance, Business, MeetingKind
from gongzhi.meetings.models import (
    EvaluationSource,
    Meeting,
    MeetingState,
    Participant,
    PartyRole,
    Rating,
    Slip,
    SlipState,
    Topic,
    TopicState,
)
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Post, Unit
from gongzhi.web import slip_completion
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import not_found, page, require_power, valid_id

MAX_NODES = 300
MAX_ROSTER = 200
MAX_CASES = 100
SLIP_PAGE = 50
NEW_CASE_ROWS = 2

EVENT_LABELS = {
    "create": gettext_lazy("创建"),
    "invite": gettext_lazy("邀请参会"),
    "attend": gettext_lazy("登记出席"),
    "hold": gettext_lazy("会议召开"),
    "cancel": gettext_lazy("取消会议"),
    "remind": gettext_lazy("提醒"),
    "write_minutes": gettext_lazy("保存纪要"),
    "finalise": gettext_lazy("纪要定稿"),
    "amend_minutes": gettext_lazy("修改已定稿纪要"),
    "propose": gettext_lazy("提出议题"),
    "approve": gettext_lazy("党组织审核通过"),
    "reject": gettext_lazy("党组织审核不通过"),
    "schedule": gettext_lazy("排入会议"),
    "discuss": gettext_lazy("会上讨论"),
    "refer": gettext_lazy("提交上级会议"),
    "carry": gettext_lazy("转下次会议"),
    "edit": gettext_lazy("修改草稿"),
    "issue": gettext_lazy("发出会签"),
    "sign": gettext_lazy("会签同意"),
    "object": gettext_lazy("会签有异议"),
    "bind": gettext_lazy("全部会签，生效"),
    "revise": gettext_lazy("修订"),
    "link_case": gettext_lazy("关联工单"),
    "complete": gettext_lazy("办结"),
    "reopen": gettext_lazy("关联工单重新办理，恢复生效"),
    "submit_completion": gettext_lazy("主办单位报告办结"),
    "confirm_completion": gettext_lazy("党组织确认办结"),
    "return_completion": gettext_lazy("党组织退回办结报告"),
    "void": gettext_lazy("作废"),
    "evaluate": gettext_lazy("评议"),
}
ACTIVE_TOPIC_STATES: list[str] = [TopicState.PROPOSED, TopicState.APPROVED]


# --- shared helpers -----------------------------------------------------------------------------


def local_datetime(value: str) -> datetime | None:
    """A datetime-local field as an aware datetime in the site's zone (None if unusable)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not datetime(2000, 1, 1) <= parsed.replace(tzinfo=None) <= datetime(2099, 12, 31):
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def parse_day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2099, 12, 31) else None


def convene_nodes(user: Any) -> list[Node]:
    """The nodes where the user may call a meeting or propose a topic (street, block, area)."""
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.CONVENE):
        below = geo_selectors.descendants(root).filter(level__lte=Level.AREA)
        nodes.extend(below.order_by("path")[:MAX_NODES])
    return nodes[:MAX_NODES]


def filter_nodes(user: Any) -> list[Node]:
    """The places offered in the area filters (street, block areas, residential areas)."""
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.VIEW_MEETINGS):
        below = geo_selectors.descendants(root).filter(level__lte=Level.AREA)
        nodes.extend(below.order_by("path")[:MAX_NODES])
    return nodes[:MAX_NODES]


def joint_options(user: Any) -> list[Node]:
    """Residential areas that may join a 联合居务会: the areas of the blocks the user convenes in."""
    blocks: dict[int, Node] = {}
    for n in convene_nodes(user):
        if n.level == Level.BLOCK:
            blocks[n.pk] = n
        elif n.level == Level.AREA and n.parent is not None:
            blocks[n.parent.pk] = n.parent
    out: list[Node] = []
    for block in blocks.values():
        out.extend(geo_selectors.children(block).filter(level=Level.AREA).order_by("path"))
    return out[:MAX_NODES]


def node_filter(request: HttpRequest, errors: list[str]) -> Node | None:
    code = request.GET.get("node", "").strip()[:100]
    if not code:
        return None
    node = org_selectors.node_get(user=request.user, code=code, power=access.VIEW_MEETINGS)
    if node is None:
        errors.append(_("没有找到该辖区"))
    return node


# --- 1. the calendar ---------------------------------------------------------------------------


def _month(value: str) -> date:
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localtime(clock.now()).date()
        return today.replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def calendar_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    errors: list[str] = []
    first = _month(request.GET.get("month", ""))
    if not date(2000, 1, 1) <= first <= date(2099, 12, 1):
        first = timezone.localtime(clock.now()).date().replace(day=1)
    node = node_filter(request, errors)
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    rows = selectors.meeting_list(
        user=user,
        node_path=node.path if node else "",
        start=first,
        end=_next_month(first) - timedelta(days=1),
        kind=kind,
    )
    days: OrderedDict[date, list[Meeting]] = OrderedDict()
    for m in sorted(rows, key=lambda m: m.starts_at):
        days.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    can_convene = access.has_power(user, access.CONVENE)
    query = {"node": node.code if node else "", "kind": kind}
    return {
        "days": list(days.items()),
        "weeks": month_grid(first, {day: len(ms) for day, ms in days.items()}),
        "weekday_names": WEEKDAY_NAMES,
        "month": first,
        "prev_month": (first - timedelta(days=1)).replace(day=1),
        "next_month": _next_month(first),
        "values": {"node": node.code if node else "", "kind": kind},
        "query": urlencode({k: v for k, v in query.items() if v}),
        "kinds": MeetingKind.choices,
        "nodes": filter_nodes(user),
        "filter_errors": errors,
        "can_convene": can_convene,
        "convene_nodes": convene_nodes(user) if can_convene else [],
        "joint_nodes": joint_options(user) if can_convene else [],
        "today": timezone.localtime(clock.now()).date(),
        "typed": {},
        "errors": {},
        **extra,
    }


WEEKDAY_NAMES = (
    pgettext_lazy("星期", "一"),
    pgettext_lazy("星期", "二"),
    pgettext_lazy("星期", "三"),
    pgettext_lazy("星期", "四"),
    pgettext_lazy("星期", "五"),
    pgettext_lazy("星期", "六"),
    pgettext_lazy("星期", "日"),
)


def month_grid(first: date, counts: dict[date, int]) -> list[list[dict[str, Any] | None]]:
    """The month as Monday-first weeks of {day, count} (None outside the month): the grid on
    top of the agenda, each day linking to its meetings below."""
    weeks: list[list[dict[str, Any] | None]] = []
    week: list[dict[str, Any] | None] = [None] * first.weekday()
    day = first
    while day.month == first.month:
        week.append({"day": day, "count": counts.get(day, 0)})
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


@page
def calendar(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    if request.GET.get("todo") == "invited":
        return invitations(request)
    context = calendar_context(request)
    return render(
        request, "web/meetings/calendar.html", context, status=400 if context["filter_errors"] else 200
    )


def invitations(request: HttpRequest) -> HttpResponse:
    """?todo=invited: the planned meetings I am invited to and not yet marked for, soonest
    first, by day (the home page's 会议邀请)."""
    days: OrderedDict[date, list[Meeting]] = OrderedDict()
    for m in selectors.invitations(user=request.user, now=clock.now()):
        days.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    today = timezone.localtime(clock.now()).date()
    return render(request, "web/meetings/invitations.html", {"days": list(days.items()), "today": today})


# --- 2. a meeting --------------------------------------------------------------------------------


def meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk) if valid_id(pk) else None
    if meeting is None:
        raise not_found()
    return meeting


def manages(user: Any, meeting: Meeting) -> bool:
    return bool(services.actor_kinds(user, meeting.node, meeting) & {workflow.CONVENER, workflow.CHAIR})


def participant_units(participants: list[Participant]) -> list[dict[str, Any]]:
    """The units at the table, each with the posts it sent (for the slip's parties)."""
    units: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for p in participants:
        if p.unit is None:
            continue
        row = units.setdefault(p.unit.pk, {"unit": p.unit, "posts": []})
        if p.post is not None and p.post not in row["posts"]:
            row["posts"].append(p.post)
    return list(units.values())


def slip_form_rows(
    units: list[dict[str, Any]],
    typed: dict[str, Any] | None,
    parties: Sequence[Any] = (),
    new_cases: Sequence[dict[str, Any]] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The party rows (one per unit at the table) and the new-case rows of a slip form, filled
    from what the user typed (after an error) or from the slip as it stands."""
    by_unit = {p.unit_id: p for p in parties}
    party_rows = []
    for row in units:
        unit = row["unit"]
        if typed is not None:
            role = typed.get(f"role_{unit.pk}", "")
            post_id = typed.get(f"post_{unit.pk}", "")
            task = typed.get(f"task_{unit.pk}", "")
        else:
            party = by_unit.get(unit.pk)
            role = party.role if party else ""
            post_id = str(party.post_id) if party and party.post_id else ""
            task = party.task if party else ""
        party_rows.append({"unit": unit, "posts": row["posts"], "role": role, "post": post_id, "task": task})
    new_rows = []
    for i in range(max(NEW_CASE_ROWS, len(new_cases))):
        if typed is not None:
            values = {f: typed.get(f"new_{f}_{i}", "") for f in ("category", "node", "text")}
        elif i < len(new_cases):
            values = {f: new_cases[i].get(f, "") for f in ("category", "node", "text")}
        else:
            values = {"category": "", "node": "", "text": ""}
        new_rows.append({"i": i, **values})
    return party_rows, new_rows


def hosts(meeting: Meeting) -> list[Node]:
    return [meeting.node, *meeting.joint_nodes.all()]


def place_options(meeting: Meeting) -> list[Node]:
    """Where a case the slip creates may lie (the service's rule): the meeting's node(s) down
    to buildings."""
    return list(slips.new_case_places(meeting).order_by("path")[:MAX_NODES])


def roster_options(user: Any, meeting: Meeting, participants: list[Participant]) -> list[Post]:
    """The hosts' roster, without the people already at the table (each is invited once)."""
    seated = {p.person_id for p in participants if p.person_id}
    posts: list[Post] = []
    for n in hosts(meeting):
        posts.extend(org_selectors.roster(user=user, area=n)[:MAX_ROSTER])
    return [p for p in posts if p.person_id not in seated][:MAX_ROSTER]


def pool_topics(user: Any, meeting: Meeting) -> list[Topic]:
    """Topics of the meeting's node(s) waiting in the pool (not on any agenda yet)."""
    ids = {n.pk for n in hosts(meeting)}
    rows = selectors.topic_list(user=user, states=ACTIVE_TOPIC_STATES).filter(meeting__isnull=True)
    return [t for t in rows[:MAX_ROSTER] if t.node_id in ids]


def meeting_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    user = request.user
    kinds = services.actor_kinds(user, meeting.node, meeting)
    manage = bool(kinds & {workflow.CONVENER, workflow.CHAIR})
    participants = seating.participants(meeting)
    roll = seating.roll(participants)
    topics = list(selectors.meeting_topics(user=user, meeting=meeting))
    units = participant_units(participants) if manage else []
    typed = extra.get("typed") or {}
    party_rows, new_rows = slip_form_rows(units, None)
    typed_rows = slip_form_rows(units, typed) if extra.get("failed") == "slip" else ([], [])
    state = meeting.state
    planned, held = state == MeetingState.PLANNED, state == MeetingState.HELD
    rule = KIND_RULES.get(meeting.kind)
    refer_kinds = [(k, MeetingKind(k).label) for k in NEXT_RUNG_KINDS[rule.rung]] if rule else []
    decides = bool(rule and rule.decides) and meeting.binding
    return {
        "meeting": meeting,
        "kinds": kinds,
        "manage": manage,
        "is_chair": workflow.CHAIR in kinds,
        "can_attend": manage and state in {MeetingState.PLANNED, MeetingState.HELD},
        "can_invite": manage and planned,
        "can_hold": manage and planned,
        "can_write": manage and held,
        "can_amend": workflow.CHAIR in kinds and state == MeetingState.FINAL,
        "can_discuss": manage and held,
        "can_slip": manage and decides and state in {MeetingState.HELD, MeetingState.FINAL},
        # the Party organisation first, then the standing seats in their fixed order, then X
        # (1+8+X), each group with figures that add up to the total
        "roll": roll,
        "marks": [
            (Attendance.PRESENT, _("出席")),
            (Attendance.ABSENT, _("缺席")),
            (Attendance.DELEGATE, _("委托")),
        ],
        "topics": topics,
        "party_rows": party_rows,
        "new_rows": new_rows,
        "typed_party_rows": typed_rows[0],
        "typed_new_rows": typed_rows[1],
        "roster": roster_options(user, meeting, participants) if manage and planned else [],
        "pool": pool_topics(user, meeting) if manage and planned else [],
        "refer_kinds": refer_kinds,
        "roles": PartyRole.choices,
        "categories": category_groups() if manage else [],
        "places": place_options(meeting) if manage else [],
        "minutes": selectors.minutes_current(meeting),
        "slips": selectors.meeting_slips(user=user, meeting=meeting),
        "events": list(selectors.events(meeting=meeting)),
        "labels": EVENT_LABELS,
        "today": timezone.localtime(clock.now()).date(),
        "done": EVENT_LABELS.get(request.GET.get("done", ""), ""),
        "typed": {},
        "errors": {},
        "general": [],
        "failed": "",
        **extra,
    }


@page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_or_404(request, pk)
    return render(request, "web/meetings/detail.html", meeting_context(request, meeting))


# --- 3. the agenda pool and the vetting queue ---------------------------------------------------


def topics_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    errors: list[str] = []
    node = node_filter(request, errors)
    state = request.GET.get("state", "")
    states = [state] if state in TopicState.values else []
    rows = selectors.topic_list(user=user, node_path=node.path if node else "", states=states)
    can_propose = access.has_power(user, access.CONVENE)
    nodes = convene_nodes(user) if can_propose else []
    propose_node = None
    wanted = request.GET.get("at", "") or request.POST.get("node", "")
    propose_node = next((n for n in nodes if n.code == wanted), None) or next(
        (n for n in nodes if n.level == Level.AREA), nodes[0] if nodes else None
    )
    open_cases: list[Any] = []
    if propose_node is not None:
        found = case_selectors.case_list(user=user, filters={"node_path": propose_node.path})
        open_cases = list(found.filter(state__in=OPEN_STATES)[:MAX_CASES])
    return {
        "rows": Paginator(rows, 50).get_page(request.GET.get("page")),
        "values": {"node": node.code if node else "", "state": state},
        "query": urlencode(
            {k: v for k, v in {"node": node.code if node else "", "state": state}.items() if v}
        ),
        "states": TopicState.choices,
        "nodes": filter_nodes(user),
        "filter_errors": errors,
        "can_propose": can_propose,
        "can_vet": access.has_power(user, access.VET),
        "propose_nodes": nodes,
        "propose_node": propose_node,
        "open_cases": open_cases,
        "businesses": Business.choices,
        "typed": {},
        "errors": {},
        **extra,
    }


@page
def topics(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    context = topics_context(request)
    return render(
        request, "web/meetings/topics.html", context, status=400 if context["filter_errors"] else 200
    )


def vet_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "rows": list(selectors.to_vet(user=request.user)[:MAX_ROSTER]),
        "typed": {},
        "errors": {},
        "failed": "",
        **extra,
    }


@page
def vet_queue(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VET)
    return render(request, "web/meetings/vet.html", vet_context(request))


# --- 4. task slips ---------------------------------------------------------------------------------


# The slip list's to-do filters and the state each keeps to.
SLIP_TODOS = {"sign": SlipState.SIGNING, "confirm": SlipState.CONFIRMING}


@page
def slip_list(request: HttpRequest) -> HttpResponse:
    """Open slips first, overdue ones at the top, with progress from their cases."""
    require_power(request, access.VIEW_MEETINGS)
    errors: list[str] = []
    node = node_filter(request, errors)
    state = request.GET.get("state", "")
    states: list[str] = [state] if state in SlipState.values else [str(s) for s in selectors.OPEN_SLIP_STATES]
    # ?todo=sign: the slips waiting for my unit's countersignature (the home page's 待会签);
    # ?todo=confirm: those reported done that my Party organisation confirms (待确认)
    todo = request.GET.get("todo", "")
    todo = todo if todo in SLIP_TODOS else ""
    if todo:
        state = SLIP_TODOS[todo]
        states = [state]
    to_sign, to_confirm = todo == "sign", todo == "confirm"
    path = node.path if node else ""
    today = timezone.localtime(clock.now()).date()
    # Ordered by deadline, so open slips past theirs come first; 50 a page like the case lists.
    rows = Paginator(
        selectors.slip_list(
            user=request.user, node_path=path, states=states, to_sign=to_sign, to_confirm=to_confirm
        ),
        SLIP_PAGE,
    ).get_page(request.GET.get("page"))
    open_states = set(selectors.OPEN_SLIP_STATES)

    def late(slip: Slip) -> bool:
        return slip.state in open_states and slip.due < today

    items = [{"slip": s, "overdue": late(s)} for s in rows]
    return render(
        request,
        "web/meetings/slips.html",
        {
            "items": items,
            "rows": rows,
            "query": urlencode(
                {
                    k: v
                    for k, v in {
                        "node": node.code if node else "",
                        "state": state,
                        "todo": todo,
                    }.items()
                    if v
                }
            ),
            "values": {"node": node.code if node else "", "state": state, "todo": todo},
            "states": SlipState.choices,
            "nodes": filter_nodes(request.user),
            "filter_errors": errors,
            # counted over every matching slip, not only the ones shown
            "overdue_count": selectors.slip_list(
                user=request.user,
                node_path=path,
                states=states,
                overdue_on=today,
                to_sign=to_sign,
                to_confirm=to_confirm,
            ).count(),
        },
        status=400 if errors else 200,
    )


def slip_or_404(request: HttpRequest, pk: int) -> Slip:
    slip = selectors.slip_get(user=request.user, pk=pk) if valid_id(pk) else None
    if slip is None:
        raise not_found()
    return slip


def slip_units(slip: Slip, parties: list[Any]) -> list[dict[str, Any]]:
    """The units a revision may name: those at the meeting's table and those on the slip now."""
    rows = participant_units(
        list(slip.meeting.participants.select_related("unit", "post__person", "post__node", "post__unit"))
    )
    seen = {r["unit"].pk for r in rows}
    for p in parties:
        if p.unit_id not in seen:
            rows.append({"unit": p.unit, "posts": [p.post] if p.post else []})
            seen.add(p.unit_id)
    return rows


def slip_context(request: HttpRequest, slip: Slip, **extra: Any) -> dict[str, Any]:
    user = request.user
    meeting = slip.meeting
    kinds = services.actor_kinds(user, meeting.node, meeting)
    manage = bool(kinds & {workflow.CONVENER, workflow.CHAIR})
    evaluate_kinds = kinds | services.actor_kinds(user, slip.node, None)
    parties = sorted(
        slip.parties.select_related("unit", "post__person"), key=lambda p: (p.role != PartyRole.LEAD, p.pk)
    )  # 主办 first
    topic_cases = selectors.visible_linked(user=user, owner=slip.topic)
    signed = {s.unit_id for s in slips.valid_signatures(slip)}
    sign_units: list[Unit] = []
    if slip.state == SlipState.SIGNING:
        for post in slips.signable_posts(user, slip):
            if post.unit_id not in signed and post.unit not in sign_units:
                sign_units.append(post.unit)
    state = slip.state
    editable = manage and state in {SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED, SlipState.BINDING}
    can_void = (manage and state in {SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED}) or (
        workflow.CHAIR in kinds and state == SlipState.BINDING
    )
    done = state == SlipState.DONE
    visible = selectors.visible_linked(user=user, owner=slip)
    linked = {c.pk for c in visible}
    eval_meetings: list[Meeting] = []
    if done and workflow.CONVENER in evaluate_kinds:
        found = selectors.meeting_list(user=user, kind=MeetingKind.EVALUATION)[:50]
        eval_meetings = [m for m in found if slip.node_path.startswith(m.node_path)]
    units = slip_units(slip, parties) if editable else []
    new_cases = slips.slip_new_cases(slip)
    typed = extra.get("typed") if extra.get("failed") == "edit" else None
    party_rows, new_rows = slip_form_rows(units, typed, parties, new_cases)
    return {
        "slip": slip,
        "meeting": meeting,
        "meeting_visible": selectors.meeting_get(user=user, pk=meeting.pk) is not None,
        "meeting_minutes": selectors.minutes_current(meeting),
        "parties": parties,
        "cases": visible,
        "progress": selectors.slip_progress(slip),
        "signatures": selectors.signature_table(slip),
        "unsigned": slips.unsigned_units(slip) if state == SlipState.SIGNING else [],
        "sign_units": sign_units,
        "new_cases": new_cases,
        "party_rows": party_rows,
        "new_rows": new_rows,
        "slip_case_ids": linked,
        "manage": manage,
        "slip_has_study": hasattr(slip, "case_study"),
        "can_issue": manage and state == SlipState.DRAFT,
        "can_edit": editable,
        "can_void": can_void,
        "can_link": manage and state == SlipState.BINDING,
        "topic_cases": topic_cases,
        "unlinked_cases": [c for c in topic_cases if c.pk not in linked] if manage else [],
        # one Party evaluation per slip: the form goes once it is given
        "can_rate": done
        and workflow.PARTY in evaluate_kinds
        and not slip.evaluations.filter(source=EvaluationSource.PARTY).exists(),
        "can_votes": done and workflow.CONVENER in evaluate_kinds,
        "eval_meetings": eval_meetings,
        "ratings": Rating.choices,
        "evaluations": list(selectors.evaluations(slip)),
        "roles": PartyRole.choices,
        "categories": category_groups() if editable else [],
        "places": place_options(meeting) if editable else [],
        "overdue": state in set(selectors.OPEN_SLIP_STATES)
        and slip.due < timezone.localtime(clock.now()).date(),
        "events": list(selectors.events(slip=slip)),
        "labels": EVENT_LABELS,
        **slip_completion.completion_context(user, slip),
        "sources": EvaluationSource,
        "done": EVENT_LABELS.get(request.GET.get("done", ""), ""),
        "typed": {},
        "errors": {},
        "general": [],
        "failed": "",
        **extra,
    }


@page
def slip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    slip = slip_or_404(request, pk)
    return render(request, "web/meetings/slip.html", slip_context(request, slip))
