"""The POSTs of the meeting pages. Each form names its `action`; the view parses it, calls one
service of gongzhi.meetings and redirects (303) back to the page, or shows the page again with
the typed text kept and the error: 400 for bad input, 403 when the user may not, 409 when the
record changed meanwhile or its state does not allow the action."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import selectors as case_selectors
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo.models import Node
from gongzhi.meetings import selectors, services, slips
from gongzhi.meetings.models import EvaluationSource, Meeting, PartyRole, Slip, TopicSource
from gongzhi.orgs import access
from gongzhi.orgs.models import Post
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import is_htmx, messages_of, not_found, page, require_power, valid_id
from gongzhi.web.meetings_views import (
    NEW_CASE_ROWS,
    calendar_context,
    convene_nodes,
    joint_options,
    local_datetime,
    meeting_context,
    meeting_or_404,
    parse_day,
    participant_units,
    slip_context,
    slip_or_404,
    slip_units,
    topics_context,
    vet_context,
)

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    number = int(value)
    return number if valid_id(number) else None


def _text(request: HttpRequest, name: str, limit: int = 20000) -> str:
    return request.POST.get(name, "")[:limit]


def _attempt(do: Callable[[], Any]) -> tuple[int, Errors]:
    """Run a service call; (0, {}) on success, else the status and the messages by field."""
    try:
        do()
    except ConflictError as exc:
        message = str(exc) or _("记录已被他人更新")
        return 409, {"__all__": [message, _("页面上的内容可能已过期，请刷新后查看最新情况。")]}
    except PermissionDeniedError as exc:
        return 403, {"__all__": [str(exc) or _("您无权执行此操作")]}
    except ValidationError as exc:
        return 400, dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": messages_of(exc)}
    return 0, {}


def _redirect(url: str, done: str) -> HttpResponse:
    response = HttpResponseRedirect(f"{url}?done={done}" if done else url)
    response.status_code = 303
    return response


def _typed(request: HttpRequest) -> dict[str, Any]:
    typed: dict[str, Any] = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken"}}
    typed["multi"] = {k: request.POST.getlist(k) for k in request.POST}
    return typed


def _split(errors: Errors) -> tuple[list[str], Errors]:
    general = errors.pop("__all__", [])
    return general, errors


# --- 1. calling a meeting ----------------------------------------------------------------------


@require_POST
@page
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_power(request, access.CONVENE)
    post = request.POST
    errors: Errors = {}
    nodes = {n.code: n for n in convene_nodes(request.user)}
    node = nodes.get(post.get("node", ""))
    if node is None:
        _add(errors, "node", _("请选择召开会议的辖区"))
    starts_at = local_datetime(post.get("starts_at", "")) if post.get("starts_at") else None
    if post.get("starts_at") and starts_at is None:
        _add(errors, "starts_at", _("时间格式有误"))
    joint_by_code = {n.code: n for n in joint_options(request.user)}
    joint = [joint_by_code[c] for c in post.getlist("joint") if c in joint_by_code]
    if len(joint) != len(set(post.getlist("joint"))):
        _add(errors, "joint_nodes", _("请从列表中选择联合的居民区"))
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
                    title=_text(request, "title", 120),
                    place=_text(request, "place", 120),
                    joint_nodes=joint,
                )
            )

        status, errors = _attempt(do)
        if not status:
            return _redirect(reverse("web:meeting_detail", args=[created[0].pk]), "create")
    general, errors = _split(errors)
    context = calendar_context(request, typed=_typed(request), errors=errors, general=general, open_form=True)
    return render(request, "web/meetings/calendar.html", context, status=status)


# --- 2. a meeting: attendance (htmx) and the other actions -------------------------------------


@require_POST
@page
def meeting_attend(request: HttpRequest, pk: int) -> HttpResponse:
    """One participant's attendance, saved as the radio changes (htmx) or with 保存."""
    meeting = meeting_or_404(request, pk)
    participant = meeting.participants.filter(pk=_int(request.POST.get("participant")) or 0).first()
    mark = request.POST.get("attendance", "")
    delegate = _text(request, "delegate", 50)
    if participant is None:
        status, errors = 400, {"__all__": [_("参会人员不属于本次会议")]}
    else:
        status, errors = _attempt(
            lambda: services.attendance_record(
                actor=request.user, meeting=meeting, marks={participant.pk: (mark, delegate)}
            )
        )
    if not is_htmx(request):
        if not status:
            return _redirect(reverse("web:meeting_detail", args=[meeting.pk]), "attend")
        general, errors = _split(errors)
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


def _topic_of(meeting: Meeting, request: HttpRequest, errors: Errors) -> Any:
    topic = (
        meeting.topics.select_related("node", "meeting")
        .filter(pk=_int(request.POST.get("topic")) or 0)
        .first()
    )
    if topic is None:
        _add(errors, "topic", _("议题不在本次会议的议程上"))
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
            _add(errors, "parties", _("分工无效"))
            continue
        post_id = _int(request.POST.get(f"post_{unit.pk}"))
        post = next((p for p in row["posts"] if p.pk == post_id), None)
        if request.POST.get(f"post_{unit.pk}") and post is None:
            _add(errors, "parties", _("请从列表中选择责任岗位"))
        out.append(
            slips.PartySpec(unit=unit, role=role, post=post, task=_text(request, f"task_{unit.pk}", 300))
        )
    return out


def _draft(
    request: HttpRequest, meeting: Meeting, topic: Any, units: list[dict[str, Any]], errors: Errors
) -> slips.SlipDraft:
    post = request.POST
    due = parse_day(post.get("due", "")) if post.get("due") else None
    if post.get("due") and due is None:
        _add(errors, "due", _("日期格式应为 年-月-日"))
    allowed = {c.pk: c for c in topic.cases.all()} if topic is not None else {}
    cases = []
    for raw in post.getlist("cases"):
        case = allowed.get(_int(raw) or 0)
        if case is None:
            _add(errors, "cases", _("只能关联本议题的工单"))
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
            _add(errors, "new_cases", _("新建工单须选择分类和位置并填写问题描述"))
            continue
        new_cases.append(slips.NewCase(category=category, node=node, text=text[:4000]))
    return slips.SlipDraft(
        action=_text(request, "action_text", 2000),
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
        _add(errors, "__all__", _("未知的操作"))
    elif action == "invite":
        # any post by id: meetings.services.invitable_posts is the rule (the page lists the hosts' roster)
        wanted = [_int(v) or 0 for v in post.getlist("posts")]
        found = {p.pk: p for p in Post.objects.filter(pk__in=wanted)}
        chosen = [found.get(pk) for pk in wanted]
        if any(p is None for p in chosen):
            _add(errors, "posts", _("请从名册中选择人员"))
        guests = [g for g in _text(request, "guests", 1000).splitlines() if g.strip()][:30]
        posts = [p for p in chosen if p is not None]
        calls.append(lambda: services.meeting_invite(actor=user, meeting=meeting, posts=posts, guests=guests))
    elif action == "hold":
        calls.append(lambda: services.meeting_hold(actor=user, meeting=meeting))
    elif action == "cancel":
        calls.append(
            lambda: services.meeting_cancel(actor=user, meeting=meeting, note=_text(request, "note", 300))
        )
    elif action == "minutes":
        calls.append(lambda: services.minutes_write(actor=user, meeting=meeting, text=_text(request, "text")))
    elif action == "finalise":
        calls.append(lambda: services.minutes_finalise(actor=user, meeting=meeting))
    elif action == "amend":
        calls.append(
            lambda: services.minutes_amend(
                actor=user, meeting=meeting, text=_text(request, "text"), reason=_text(request, "note", 300)
            )
        )
    elif action == "schedule":
        topic = selectors.topic_get(user=user, pk=_int(post.get("topic")) or 0)
        if topic is None:
            _add(errors, "topic", _("请从议题库中选择议题"))
        else:
            calls.append(partial(services.topic_schedule, actor=user, topic=topic, meeting=meeting))
    else:
        topic = _topic_of(meeting, request, errors)
        if topic is not None and action == "discuss":
            calls.append(
                lambda: services.topic_discuss(actor=user, topic=topic, text=_text(request, "text", 8000))
            )
        elif topic is not None and action == "refer":
            calls.append(
                lambda: services.topic_refer(
                    actor=user, topic=topic, kind=post.get("kind", ""), note=_text(request, "note", 1000)
                )
            )
        elif topic is not None and action == "slip":
            units = participant_units(list(meeting.participants.select_related("unit", "post")))
            draft = _draft(request, meeting, topic, units, errors)

            def make_slip() -> None:
                result["slip"] = slips.slip_create(actor=user, topic=topic, draft=draft)

            calls.append(make_slip)
    status = 400
    if not errors:
        for call in calls:
            status, errors = _attempt(call)
        if not status:
            if "slip" in result:
                return _redirect(reverse("web:slip_detail", args=[result["slip"].pk]), "create")
            done = {"minutes": "write_minutes", "amend": "amend_minutes", "slip": "create"}.get(
                action, action
            )
            return _redirect(reverse("web:meeting_detail", args=[meeting.pk]), done)
    general, errors = _split(errors)
    fresh = meeting_or_404(request, pk)
    context = meeting_context(
        request,
        fresh,
        typed=_typed(request),
        errors=errors,
        general=general,
        failed=action,
    )
    return render(request, "web/meetings/detail.html", context, status=status)


# --- 3. topics ---------------------------------------------------------------------------------


@require_POST
@page
def topic_propose(request: HttpRequest) -> HttpResponse:
    require_power(request, access.CONVENE)
    post = request.POST
    errors: Errors = {}
    node = next((n for n in convene_nodes(request.user) if n.code == post.get("node", "")), None)
    if node is None:
        _add(errors, "node", _("请选择议题所属辖区"))
    cases = []
    for raw in post.getlist("cases"):
        pk = _int(raw)
        case = case_selectors.case_get(user=request.user, pk=pk) if pk else None
        if case is None:
            _add(errors, "cases", _("没有找到该工单"))
        else:
            cases.append(case)
    status = 400
    if not errors and node is not None:
        draft = services.TopicDraft(
            title=_text(request, "title", 200),
            business=post.get("business", ""),
            detail=_text(request, "detail", 4000),
            source=TopicSource.CASES if cases else TopicSource.FREE,
            cases=cases,
        )
        status, errors = _attempt(lambda: services.topic_propose(actor=request.user, node=node, draft=draft))
        if not status:
            return _redirect(reverse("web:topics"), "propose")
    general, errors = _split(errors)
    context = topics_context(request, typed=_typed(request), errors=errors, general=general)
    return render(request, "web/meetings/topics.html", context, status=status)


@require_POST
@page
def topic_vet(request: HttpRequest, pk: int) -> HttpResponse:
    """议题由党组织把关: approve, or reject with a reason."""
    require_power(request, access.VET)
    topic = selectors.topic_get(user=request.user, pk=pk) if valid_id(pk) else None
    if topic is None:
        raise not_found()
    verdict = request.POST.get("verdict", "")
    errors: Errors = {}
    status = 400
    if verdict not in {"approve", "reject"}:
        _add(errors, "__all__", _("请选择通过或不通过"))
    else:
        status, errors = _attempt(
            lambda: services.topic_vet(
                actor=request.user,
                topic=topic,
                approve=verdict == "approve",
                reason=_text(request, "reason", 300),
            )
        )
        if not status:
            return _redirect(reverse("web:topic_vet_queue"), verdict)
    general, errors = _split(errors)
    general += [m for msgs in errors.values() for m in msgs]
    context = vet_context(request, general=general, failed=str(topic.pk), typed=_typed(request))
    return render(request, "web/meetings/vet.html", context, status=status)


# --- 4. a slip ---------------------------------------------------------------------------------


SLIP_ACTIONS = {"issue", "sign", "edit", "void", "evaluate", "link"}


@require_POST
@page
def slip_act(request: HttpRequest, pk: int) -> HttpResponse:
    slip = slip_or_404(request, pk)
    user, post = request.user, request.POST
    action = post.get("action", "")
    errors: Errors = {}
    calls: list[Callable[[], Any]] = []
    seq = _int(post.get("seq"))
    done = action
    if action not in SLIP_ACTIONS:
        _add(errors, "__all__", _("未知的操作"))
    elif action == "issue":
        calls.append(lambda: slips.slip_issue(actor=user, slip=slip, seq=seq))
    elif action == "sign":
        version = _int(post.get("version"))
        if version is None:
            _add(errors, "__all__", _("页面已过期，请刷新后重试"))
        unit_id = _int(post.get("unit"))
        unit = next((p.unit for p in slips.signable_posts(user, slip) if p.unit_id == unit_id), None)
        if unit is None:
            raise PermissionDeniedError(_("您不是该任务流转单的责任单位人员，不能会签"))
        verdict = post.get("verdict", "")
        done = "sign" if verdict == "agree" else "object"
        calls.append(
            lambda: slips.slip_sign(
                actor=user,
                slip=slip,
                verdict=verdict,
                version=version or 0,
                reason=_text(request, "reason", 500),
                unit=unit,
            )
        )
    elif action == "edit":
        units = slip_units(slip, list(slip.parties.select_related("unit", "post")))
        draft = _draft(request, slip.meeting, slip.topic, units, errors)
        if slip.state == "draft":
            calls.append(lambda: slips.slip_edit(actor=user, slip=slip, draft=draft, seq=seq))
        else:
            done = "revise"
            calls.append(
                lambda: slips.slip_revise(
                    actor=user, slip=slip, draft=draft, note=_text(request, "note", 300), seq=seq
                )
            )
    elif action == "void":
        calls.append(lambda: slips.slip_void(actor=user, slip=slip, note=_text(request, "note", 300)))
    elif action == "link":
        case = next((c for c in slip.topic.cases.all() if c.pk == _int(post.get("case"))), None)
        if case is None:
            _add(errors, "case", _("只能关联本议题的工单"))
        else:
            done = "link_case"
            calls.append(lambda: slips.slip_link_case(actor=user, slip=slip, case=case))
    else:
        calls.append(_evaluation(request, slip, errors))
    status = 400
    if not errors:
        for call in calls:
            status, errors = _attempt(call)
        if not status:
            return _redirect(reverse("web:slip_detail", args=[slip.pk]), done)
    general, errors = _split(errors)
    fresh = slip_or_404(request, pk)
    context = slip_context(
        request, fresh, typed=_typed(request), errors=errors, general=general, failed=action
    )
    return render(request, "web/meetings/slip.html", context, status=status)


def _evaluation(request: HttpRequest, slip: Slip, errors: Errors) -> Callable[[], Any]:
    post = request.POST
    source = post.get("source", EvaluationSource.PARTY)
    meeting = None
    votes = 1
    if source == EvaluationSource.RESIDENTS:
        meeting = selectors.meeting_get(user=request.user, pk=_int(post.get("meeting")) or 0)
        if meeting is None:
            _add(errors, "meeting", _("请选择评议会"))
        raw = post.get("votes", "").strip()
        votes = int(raw) if raw.isdigit() and len(raw) <= 6 else 0
    return lambda: slips.slip_evaluate(
        actor=request.user,
        slip=slip,
        rating=post.get("rating", ""),
        note=_text(request, "note", 500),
        source=source,
        votes=votes,
        meeting=meeting,
    )
