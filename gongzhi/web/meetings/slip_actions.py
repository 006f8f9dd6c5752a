"""The POSTs of a task slip's page: issue, sign, edit, void, evaluate, link a case. Each calls
one service of gongzhi.meetings and redirects (303) back, or shows the slip again with the typed
text kept and the error (400, 403, 409 as web.meetings.forms says)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import PermissionDeniedError
from gongzhi.meetings import selectors, slips
from gongzhi.meetings.models import EvaluationSource, Slip
from gongzhi.web.http import page
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
from gongzhi.web.meetings.meeting_actions import slip_draft
from gongzhi.web.meetings.slips import slip_context, slip_or_404, slip_units

SLIP_ACTIONS = {"issue", "sign", "edit", "void", "evaluate", "link"}


@require_POST
@page
def slip_act(request: HttpRequest, pk: int) -> HttpResponse:
    slip = slip_or_404(request, pk)
    user, post = request.user, request.POST
    action = post.get("action", "")
    errors: Errors = {}
    calls: list[Callable[[], Any]] = []
    seq = int_or_none(post.get("seq"))
    done = action
    if action not in SLIP_ACTIONS:
        add_error(errors, "__all__", _("未知的操作"))
    elif action == "issue":
        calls.append(lambda: slips.slip_issue(actor=user, slip=slip, seq=seq))
    elif action == "sign":
        version = int_or_none(post.get("version"))
        if version is None:
            add_error(errors, "__all__", _("页面已过期，请刷新后重试"))
        unit_id = int_or_none(post.get("unit"))
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
                reason=posted_text(request, "reason", 500),
                unit=unit,
            )
        )
    elif action == "edit":
        units = slip_units(slip, list(slip.parties.select_related("unit", "post")))
        draft = slip_draft(request, slip.meeting, slip.topic, units, errors)
        if slip.state == "draft":
            calls.append(lambda: slips.slip_edit(actor=user, slip=slip, draft=draft, seq=seq))
        else:
            done = "revise"
            calls.append(
                lambda: slips.slip_revise(
                    actor=user, slip=slip, draft=draft, note=posted_text(request, "note", 300), seq=seq
                )
            )
    elif action == "void":
        calls.append(lambda: slips.slip_void(actor=user, slip=slip, note=posted_text(request, "note", 300)))
    elif action == "link":
        case = next((c for c in slip.topic.cases.all() if c.pk == int_or_none(post.get("case"))), None)
        if case is None:
            add_error(errors, "case", _("只能关联本议题的工单"))
        else:
            done = "link_case"
            calls.append(lambda: slips.slip_link_case(actor=user, slip=slip, case=case))
    else:
        calls.append(_evaluation(request, slip, errors))
    status = 400
    if not errors:
        for call in calls:
            status, errors = attempt(call)
        if not status:
            return see_other(reverse("web:slip_detail", args=[slip.pk]), done)
    general, errors = split_general(errors)
    fresh = slip_or_404(request, pk)
    context = slip_context(
        request, fresh, typed=typed_back(request), errors=errors, general=general, failed=action
    )
    return render(request, "web/meetings/slip.html", context, status=status)


def _evaluation(request: HttpRequest, slip: Slip, errors: Errors) -> Callable[[], Any]:
    post = request.POST
    source = post.get("source", EvaluationSource.PARTY)
    meeting = None
    votes = 1
    if source == EvaluationSource.RESIDENTS:
        meeting = selectors.meeting_get(user=request.user, pk=int_or_none(post.get("meeting")) or 0)
        if meeting is None:
            add_error(errors, "meeting", _("请选择评议会"))
        raw = post.get("votes", "").strip()
        votes = int(raw) if raw.isdigit() and len(raw) <= 6 else 0
    return lambda: slips.slip_evaluate(
        actor=request.user,
        slip=slip,
        rating=post.get("rating", ""),
        note=posted_text(request, "note", 500),
        source=source,
        votes=votes,
        meeting=meeting,
    )
