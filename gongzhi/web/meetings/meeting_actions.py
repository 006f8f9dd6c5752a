"""The POSTs of the calendar and a meeting's page: call a meeting, mark attendance (htmx), and
every other action on a meeting (invite, hold, minutes, topics, draft slips). Each calls one
service of gongzhi.meetings and redirects (303) back, or shows the page again with the typed
text kept and the error."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.geo.models import Node
from gongzhi.meetings import selectors, services, slips
from gongzhi.meetings.models import Meeting, PartyRole, Topic
from gongzhi.orgs import access
from gongzhi.orgs.models import Post
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import is_htmx, page, require_power
from gongzhi.web.meetings.calendar import calendar_context
from gongzhi.web.meetings.common import NEW_CASE_ROWS, convene_nodes, joint_options, local_datetime, parse_day
from gongzhi.web.meetings.forms import (
    Errors,
    add_error,
    attempt,
    int_or_none,
    posted_text,
    see_other,
    split_general,
    typed_back,
)
from gongzhi.web.meetings.meeting import meeting_context, meeting_or_404, participant_units

# --- calling a meeting ---------------------------------------------------------------------------


@require_POST
@page
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_power(request, access.CONVENE)
    post = request.POST
    errors: Errors = {}
    nodes = {n.code: n for n in convene_nodes(request.user)}
    node = nodes.get(post.get("node", ""))
    if node is None:
        add_error(errors, "node", _("请选择召开会议的辖区"))
    starts_at = local_datetime(post.get("starts_at", "")) if post.get("starts_at") else None
    if post.get("starts_at") and starts_at is None:
        add_error(errors, "starts_at", _("时间格式有误"))
    joint_by_code = {n.code: n for n in joint_options(request.user)}
    joint = [joint_by_code[c] for c in post.getlist("joint") if c in joint_by_code]
    if len(joint) != len(set(post.getlist("joint"))):
        add_error(errors, "joint_nodes", _("请从列表中选择联合的居民区"))
    status = 400
    created: list[Meeting] = []
    if not errors and node is not None:

        def do() -> None:
            created.append(
                services.meeting_create(
                    actor=request.user,
                    kind=post.get("kind", ""),
                    node=node,
                    starts_at=starts_at,
                    title=posted_text(request, "title", 120),
                    place=posted_text(request, "place", 120),
                    joint_nodes=joint,
                )
            )

        status, errors = attempt(do)
        if not status:
            return see_other(reverse("web:meeting_detail", args=[created[0].pk]), "create")
    general, errors = split_general(errors)
    context = calendar_context(
        request, typed=typed_back(request), errors=errors, general=general, open_form=True
    )
    return render(request, "web/meetings/calendar.html", context, status=status)


# --- a meeting: attendance (htmx) and the other actions -------------------------------------------


@require_POST
@page
def meeting_attend(request: HttpRequest, pk: int) -> HttpResponse:
    """One participant's attendance, saved as the radio changes (htmx) or with 保存."""
    meeting = meeting_or_404(request, pk)
    participant = meeting.participants.filter(pk=int_or_none(request.POST.get("participant")) or 0).first()
    mark = request.POST.get("attendance", "")
    delegate = posted_text(request, "delegate", 50)
    if participant is None:
        status, errors = 400, {"__all__": [_("参会人员不属于本次会议")]}
    else:
        status, errors = attempt(
            lambda: services.attendance_record(
                actor=request.user, meeting=meeting, marks={participant.pk: (mark, delegate)}
            )
        )
    if not is_htmx(request):
        if not status:
            return see_other(reverse("web:meeting_detail", args=[meeting.pk]), "attend")
        general, errors = split_general(errors)
        general += [m for msgs in errors.values() for m in msgs]
        fresh = meeting_or_404(request, pk)
        context = meeting_context(request, fresh, general=general, failed="attend")
        return render(request, "web/meetings/detail.html", context, status=status)
    fresh = meeting_or_404(request, pk)
    row = (
        fresh.participants.select_related("unit", "post").filter(pk=participant.pk).first()
        if participant
        else None
    )
    context = meeting_context(request, fresh)
    context.update(
        {
            "p": row,
            "row_errors": [m for msgs in errors.values() for m in msgs],
            "typed_mark": mark,
            "typed_delegate": delegate,
            "saved": not status,
            "oob": True,
        }
    )
    if row is None:
        return render(request, "web/_error.html", {"errors": context["row_errors"]}, status=status or 400)
    return render(request, "web/meetings/_participant.html", context, status=status or 200)


def _topic_of(meeting: Meeting, request: HttpRequest, errors: Errors) -> Topic | None:
    topic = (
        meeting.topics.select_related("node", "meeting")
        .filter(pk=int_or_none(request.POST.get("topic")) or 0)
        .first()
    )
    if topic is None:
        add_error(errors, "topic", _("议题不在本次会议的议程上"))
    return topic


def _parties(request: HttpRequest, units: list[dict[str, Any]], errors: Errors) -> list[slips.PartySpec]:
    """One row per unit at the table: 主办 / 协办 / not on the slip, an optional post, a task."""
    out: list[slips.PartySpec] = []
    for row in units:
        unit = row["unit"]
        role = request.POST.get(f"role_{unit.pk}", "")
        if not role:
            continue
        if role not in PartyRole.values:
            add_error(errors, "parties", _("分工无效"))
            continue
        post_id = int_or_none(request.POST.get(f"post_{unit.pk}"))
        post = next((p for p in row["posts"] if p.pk == post_id), None)
        if request.POST.get(f"post_{unit.pk}") and post is None:
            add_error(errors, "parties", _("请从列表中选择责任岗位"))
        out.append(
            slips.PartySpec(
                unit=unit, role=role, post=post, task=posted_text(request, f"task_{unit.pk}", 300)
            )
        )
    return out


def slip_draft(
    request: HttpRequest, meeting: Meeting, topic: Topic | None, units: list[dict[str, Any]], errors: Errors
) -> slips.SlipDraft:
    post = request.POST
    due = parse_day(post.get("due", "")) if post.get("due") else None
    if post.get("due") and due is None:
        add_error(errors, "due", _("日期格式应为 年-月-日"))
    allowed = {c.pk: c for c in topic.cases.all()} if topic is not None else {}
    cases = []
    for raw in post.getlist("cases"):
        case = allowed.get(int_or_none(raw) or 0)
        if case is None:
            add_error(errors, "cases", _("只能关联本议题的工单"))
        else:
            cases.append(case)
    categories = {c.code: c for _group, cats in category_groups() for c in cats}
    new_cases = []
    for i in range(NEW_CASE_ROWS):
        code, place, text = (post.get(f"new_{f}_{i}", "").strip() for f in ("category", "node", "text"))
        if not (code or place or text):
            continue
        # the place is any node by code: slips.new_case_places (the page's list) is the service's check
        category, node = categories.get(code), Node.objects.filter(code=place[:40]).first() if place else None
        if category is None or node is None or not text:
            add_error(errors, "new_cases", _("新建工单须选择分类和位置并填写问题描述"))
            continue
        new_cases.append(slips.NewCase(category=category, node=node, text=text[:4000]))
    return slips.SlipDraft(
        action=posted_text(request, "action_text", 2000),
        due=due,
        parties=_parties(request, units, errors),
        cases=cases,
        new_cases=new_cases,
    )


MEETING_ACTIONS = {
    "invite",
    "hold",
    "cancel",
    "minutes",
    "finalise",
    "amend",
    "schedule",
    "discuss",
    "slip",
    "refer",
}


@require_POST
@page
def meeting_act(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_or_404(request, pk)
    user, post = request.user, request.POST
    action = post.get("action", "")
    errors: Errors = {}
    calls: list[Callable[[], Any]] = []
    result: dict[str, Any] = {}
    if action not in MEETING_ACTIONS:
        add_error(errors, "__all__", _("未知的操作"))
    elif action == "invite":
        # any post by id: meetings.services.invitable_posts is the rule (the page lists the hosts' roster)
        wanted = [int_or_none(v) or 0 for v in post.getlist("posts")]
        found = {p.pk: p for p in Post.objects.filter(pk__in=wanted)}
        chosen = [found.get(pk) for pk in wanted]
        if any(p is None for p in chosen):
            add_error(errors, "posts", _("请从名册中选择人员"))
        guests = [g for g in posted_text(request, "guests", 1000).splitlines() if g.strip()][:30]
        posts = [p for p in chosen if p is not None]
        calls.append(lambda: services.meeting_invite(actor=user, meeting=meeting, posts=posts, guests=guests))
    elif action == "hold":
        calls.append(lambda: services.meeting_hold(actor=user, meeting=meeting))
    elif action == "cancel":
        calls.append(
            lambda: services.meeting_cancel(
                actor=user, meeting=meeting, note=posted_text(request, "note", 300)
            )
        )
    elif action == "minutes":
        calls.append(
            lambda: services.minutes_write(actor=user, meeting=meeting, text=posted_text(request, "text"))
        )
    elif action == "finalise":
        calls.append(lambda: services.minutes_finalise(actor=user, meeting=meeting))
    elif action == "amend":
        calls.append(
            lambda: services.minutes_amend(
                actor=user,
                meeting=meeting,
                text=posted_text(request, "text"),
                reason=posted_text(request, "note", 300),
            )
        )
    elif action == "schedule":
        topic = selectors.topic_get(user=user, pk=int_or_none(post.get("topic")) or 0)
        if topic is None:
            add_error(errors, "topic", _("请从议题库中选择议题"))
        else:
            calls.append(partial(services.topic_schedule, actor=user, topic=topic, meeting=meeting))
    else:
        topic = _topic_of(meeting, request, errors)
        if topic is not None and action == "discuss":
            calls.append(
                lambda: services.topic_discuss(
                    actor=user, topic=topic, text=posted_text(request, "text", 8000)
                )
            )
        elif topic is not None and action == "refer":
            calls.append(
                lambda: services.topic_refer(
                    actor=user,
                    topic=topic,
                    kind=post.get("kind", ""),
                    note=posted_text(request, "note", 1000),
                )
            )
        elif topic is not None and action == "slip":
            units = participant_units(list(meeting.participants.select_related("unit", "post")))
            draft = slip_draft(request, meeting, topic, units, errors)

            def make_slip() -> None:
                result["slip"] = slips.slip_create(actor=user, topic=topic, draft=draft)

            calls.append(make_slip)
    status = 400
    if not errors:
        for call in calls:
            status, errors = attempt(call)
        if not status:
            if "slip" in result:
                return see_other(reverse("web:slip_detail", args=[result["slip"].pk]), "create")
            done = {"minutes": "write_minutes", "amend": "amend_minutes", "slip": "create"}.get(
                action, action
            )
            return see_other(reverse("web:meeting_detail", args=[meeting.pk]), done)
    general, errors = split_general(errors)
    fresh = meeting_or_404(request, pk)
    context = meeting_context(
        request,
        fresh,
        typed=typed_back(request),
        errors=errors,
        general=general,
        failed=action,
    )
    return render(request, "web/meetings/detail.html", context, status=status)
