"""The reporter's callback (回访) link, without login: the case's summary and three buttons.
The page shows what the problem was and where (area level), never personal data."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.cases import callback, progress
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.cases.states import Satisfaction
from gongzhi.core.errors import ConflictError
from gongzhi.core.i18n import localized
from gongzhi.core.scrub import public_text
from gongzhi.web.http import messages_of
from gongzhi.web.public.cases import area_names, photo_links


def _summary(case: Case) -> dict[str, Any]:
    """The reporter's own report, with the result of the case that answered it (for a merged
    report, its master's category and closing time): what was done (the handler's report,
    scrubbed) and the photos after handling, shown before the grade is asked."""
    outcome = case_services.outcome_of(case)
    category = case.category or outcome.category
    done = progress.progress_of(case)
    return {
        "category": localized(category) if category else _("其他"),
        "area": area_names([case.node_path])[case.node_path],
        "text": public_text(case.text, limit=200),
        "created": case.created_at,
        "closed": outcome.closed_at,
        "result": done.result,
        "photos": photo_links(done.photos),
    }


def callback_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the reporter: the case's summary and three buttons."""
    try:
        case = callback.case_for_token(token)
    except ValidationError as exc:
        return render(request, "web/public/callback_invalid.html", {"errors": messages_of(exc)}, status=400)
    if request.method == "POST":
        try:
            callback.rate_by_token(
                token=token,
                satisfaction=request.POST.get("satisfaction", ""),
                note=request.POST.get("note", "")[:500],
            )
        except ConflictError as exc:
            return render(request, "web/public/callback_done.html", {"message": str(exc)}, status=409)
        except ValidationError as exc:
            retry = {"summary": _summary(case), "token": token, "errors": messages_of(exc)}
            return render(request, "web/public/callback.html", retry, status=400)
        return render(request, "web/public/callback_done.html", {"message": _("感谢您的评价！")})
    if case.satisfaction:
        return render(
            request, "web/public/callback_done.html", {"message": _("该工单已评价过，谢谢您的反馈")}
        )
    context: dict[str, Any] = {"summary": _summary(case), "token": token, "choices": Satisfaction.choices}
    return render(request, "web/public/callback.html", context)
