"""Downloads of meeting documents: minutes, sign-in sheet and task slips, as Word and PDF.

Read-only. Scoped by the meetings selectors: a meeting or slip the user may not see is simply
not found. Where WeasyPrint cannot load (no pango), the PDF links answer 503 with a message
and the Word files still work.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.meetings import documents, selectors
from gongzhi.meetings.models import Meeting, Slip
from gongzhi.web.http import error_response, not_found, page, valid_id


def _download(request: HttpRequest, build: Callable[[], bytes], filename: str, pdf: bool) -> HttpResponse:
    try:
        body = build()
    except documents.PdfUnavailable:
        return error_response(
            request, 503, [_("本服务器未安装PDF生成组件（WeasyPrint/pango），请下载Word版本")]
        )
    response = HttpResponse(body, content_type=documents.PDF_TYPE if pdf else documents.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk) if valid_id(pk) else None
    if meeting is None:
        raise not_found()
    return meeting


def _slip(request: HttpRequest, pk: int) -> Slip:
    slip = selectors.slip_get(user=request.user, pk=pk) if valid_id(pk) else None
    if slip is None:
        raise not_found()
    return slip


@require_GET
@page
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _download(request, lambda: documents.minutes_docx(meeting), f"minutes-{pk}.docx", pdf=False)


@require_GET
@page
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _download(request, lambda: documents.minutes_pdf(meeting), f"minutes-{pk}.pdf", pdf=True)


@require_GET
@page
def signin_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _download(request, lambda: documents.signin_docx(meeting), f"signin-{pk}.docx", pdf=False)


@require_GET
@page
def signin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _download(request, lambda: documents.signin_pdf(meeting), f"signin-{pk}.pdf", pdf=True)


@require_GET
@page
def slip_docx(request: HttpRequest, pk: int) -> HttpResponse:
    slip = _slip(request, pk)
    return _download(request, lambda: documents.slip_docx(slip), f"{slip.number}.docx", pdf=False)


@require_GET
@page
def slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    slip = _slip(request, pk)
    return _download(request, lambda: documents.slip_pdf(slip), f"{slip.number}.pdf", pdf=True)
