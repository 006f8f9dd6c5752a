"""日报 / 周报 pages: the list of a node's daily and weekly reports, one report with its
commentary, and its Word and Excel downloads. Reads go through gongzhi.reports.selectors; a
node outside the user's case scope is the 403 page."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.orgs import access
from gongzhi.reports import documents, periods, selectors, services
from gongzhi.reports.models import Report, ReportKind
from gongzhi.web.http import not_found, page, require_power, valid_id
from gongzhi.web.reports.kpis import PAGE_SIZE, place_options, subject_of

# --- 日报 / 周报 ------------------------------------------------------------------------------------------


@page
def report_list(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ReportKind.values else ""
    node_path = ""
    if request.GET.get("node"):
        node_path = subject_of(request).paths[0]
    rows = selectors.report_list(user=request.user, kind=kind, node_path=node_path)
    query = urlencode({k: v for k, v in {"kind": kind, "node": request.GET.get("node", "")}.items() if v})
    return render(
        request,
        "web/reports/list.html",
        {
            "rows": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "kind": kind,
            "kinds": ReportKind.choices,
            "node": request.GET.get("node", ""),
            "places": place_options(request.user),
            "districts": selectors.district_reports(user=request.user),  # district staff: theirs first
            "query": query,
        },
    )


def _report(request: HttpRequest, pk: int) -> Report:
    report = selectors.report_get(user=request.user, pk=pk) if valid_id(pk) else None
    if report is None:
        raise not_found()
    return report


def _sections(request: HttpRequest, report: Report) -> dict[str, bool]:
    """Which of a report's place sections the reader sees (reports.documents.sections)."""
    return documents.sections(request.user, report)


def _streets(request: HttpRequest, report: Report, f: dict[str, Any]) -> list[dict[str, Any]]:
    """A district report's street rows for the page: each opens the street's live lists for the
    report's days and the street's own report of the same period (when the reader sees it)."""
    if not f["streets"]:
        return []
    days = periods.page_params(periods.Period(report.start, report.end))
    own = selectors.street_reports(user=request.user, report=report)
    extra = documents.street_columns(f)
    return [
        {
            **s,
            "q": urlencode({"node": s["code"], **days}),
            "node_q": urlencode({"node": s["code"]}),
            "report": own.get(s["code"]),
            "extra": [s[key] for _header, key in extra],
        }
        for s in f["streets"]
    ]


@page
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    f = documents.context(report, **_sections(request, report))
    return render(
        request,
        "web/reports/detail.html",
        {
            "report": report,
            "f": f,
            "streets": _streets(request, report, f),
            "extra": documents.street_columns(f),
            # each figure opens the live list behind it: the report's place and days
            "q": urlencode(
                {"node": report.node.code, **periods.page_params(periods.Period(report.start, report.end))}
            ),
            "node_q": urlencode({"node": report.node.code}),
            "notes": selectors.report_notes(report),
            "may_comment": services.may_comment(request.user, report),
        },
    )


@page
@require_POST
def report_note(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    services.report_note_add(actor=request.user, report=report, text=request.POST.get("text", ""))
    return redirect("web:reports_detail", pk=report.pk)


@page
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    response = HttpResponse(
        documents.report_docx(report, **_sections(request, report)), content_type=documents.DOCX_TYPE
    )
    response["Content-Disposition"] = _attachment(documents.filename(report, "docx"))
    return response


@page
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    response = HttpResponse(
        documents.report_xlsx(report, **_sections(request, report)), content_type=documents.XLSX_TYPE
    )
    response["Content-Disposition"] = _attachment(documents.filename(report, "xlsx"))
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
