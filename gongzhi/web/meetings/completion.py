"""The slip page's completion box: the lead unit reports a slip without cases done (a note and
photos or PDFs), the Party organisation confirms or returns it; and the evidence files.

The box offers exactly what `meetings.completion` accepts (the workflow table's rows and who
the user is to the slip, `completion.slip_kinds`); the service refuses anything else.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.actors import Actor
from gongzhi.meetings import completion, selectors, workflow
from gongzhi.meetings.models import Slip, SlipEvidence, SlipState
from gongzhi.web.cases.files import file_response
from gongzhi.web.http import not_found, page, valid_id
from gongzhi.web.meetings.forms import attempt, see_other, split_general, typed_back

ACTIONS = {
    "submit": "submit_completion",
    "confirm": "confirm_completion",
    "return": "return_completion",
}


def completion_context(user: Actor, slip: Slip) -> dict[str, Any]:
    """What the slip page shows and offers about finishing a slip without cases."""
    kinds = completion.slip_kinds(user, slip)
    has_cases = slip.cases.exists()
    report = completion.latest_report(slip) if not has_cases else None
    return {
        "completion_report": report,
        "completion_evidence": list(report.evidence.all()) if report else [],
        "can_report": slip.state == SlipState.BINDING and not has_cases and workflow.LEAD in kinds,
        "can_confirm": slip.state == SlipState.CONFIRMING and workflow.PARTY in kinds,
        "evidence_max": completion.MAX_FILES,
    }


def _seq(request: HttpRequest) -> int | None:
    raw = request.POST.get("seq", "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


@require_POST
@page
def slip_completion(request: HttpRequest, pk: int) -> HttpResponse:
    # slips shows this module's completion_context, so its page helpers are imported here
    from gongzhi.web.meetings.slips import slip_context, slip_or_404

    slip = slip_or_404(request, pk)
    user, post = request.user, request.POST
    step = post.get("step", "")
    seq = _seq(request)
    note = post.get("note", "")[:4000]
    if step == "submit":
        files = request.FILES.getlist("files")
        status, errors = attempt(
            lambda: completion.slip_submit_completion(actor=user, slip=slip, note=note, files=files, seq=seq)
        )
    elif step == "confirm":
        status, errors = attempt(
            lambda: completion.slip_confirm_completion(actor=user, slip=slip, note=note[:500], seq=seq)
        )
    elif step == "return":
        status, errors = attempt(
            lambda: completion.slip_return_completion(actor=user, slip=slip, note=note[:500], seq=seq)
        )
    else:
        status, errors = 400, {"__all__": [_("未知的操作")]}
    if not status:
        return see_other(reverse("web:slip_detail", args=[slip.pk]), ACTIONS[step])
    general, errors = split_general(errors)
    fresh = slip_or_404(request, pk)
    context = slip_context(
        request, fresh, typed=typed_back(request), errors=errors, general=general, failed=f"completion-{step}"
    )
    return render(request, "web/meetings/slip.html", context, status=status)


@login_required  # a file, not a page: no domain errors to turn into pages
def slip_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A completion report's photo or PDF, for whoever may see its slip; ?thumb=1 for a photo's
    small JPEG."""
    found = SlipEvidence.objects.select_related("event").filter(pk=pk).first() if valid_id(pk) else None
    slip_id = found.event.slip_id if found is not None else None
    if found is None or slip_id is None or selectors.slip_get(user=request.user, pk=slip_id) is None:
        raise not_found()
    response = file_response(found, thumb=request.GET.get("thumb") == "1")
    if not found.is_image:
        response["Content-Disposition"] = "attachment"
    return response
