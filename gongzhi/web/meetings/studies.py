"""案例说 pages: a done slip becomes a case study (before/after photos + its meeting record),
the list of case studies, and putting one on the street's weekly case-talk meeting."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.meetings import selectors, studies
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import MeetingState
from gongzhi.web.http import error_response, messages_of, not_found, page, valid_id
from gongzhi.web.meetings.meeting import meeting_or_404
from gongzhi.web.meetings.slips import slip_or_404


@page
def study_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.case_studies(user=request.user)
    talks = selectors.meeting_list(user=request.user, kind=MeetingKind.CASE_TALK).exclude(
        state=MeetingState.CANCELLED
    )[:20]
    return render(request, "web/meetings/studies.html", {"rows": rows, "talks": list(talks)})


@require_POST
@page
def study_create(request: HttpRequest, pk: int) -> HttpResponse:
    slip = slip_or_404(request, pk)
    try:
        studies.case_study_create(
            actor=request.user,
            slip=slip,
            title=request.POST.get("title", "")[:200],
            story=request.POST.get("story", "")[:9000],
            before_photo=request.FILES.get("before_photo"),
            after_photo=request.FILES.get("after_photo"),
        )
    except ConflictError as exc:
        return error_response(request, 409, [str(exc)])
    except ValidationError as exc:
        return error_response(request, 400, messages_of(exc))
    return redirect("web:studies")


@require_POST
@page
def study_tell(request: HttpRequest, pk: int) -> HttpResponse:
    study = selectors.case_studies(user=request.user).filter(pk=pk).first() if valid_id(pk) else None
    if study is None:
        raise not_found()
    raw = request.POST.get("meeting", "")
    if not raw.isdigit():
        return error_response(request, 400, [_("请选择案例说例会")])
    meeting = meeting_or_404(request, int(raw))
    try:
        studies.case_study_tell(actor=request.user, study=study, meeting=meeting)
    except PermissionDeniedError:
        raise
    except ValidationError as exc:
        return error_response(request, 400, messages_of(exc))
    return redirect("web:meeting_detail", pk=meeting.pk)


@login_required
def study_photo(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    study = selectors.case_studies(user=request.user).filter(pk=pk).first() if valid_id(pk) else None
    if study is None or which not in {"before", "after"}:
        raise not_found()
    stored = study.before_photo if which == "before" else study.after_photo
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise not_found() from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
