"""The report page's live category hint (分类提示): while a resident types, an htmx request
brings back the likeliest 小类 (cases.suggestions.for_text), so they see what the street will
read their report as, or that a person will sort it. Nothing is stored; the category is still
set by the dispatcher. No login, like the report page; the classifier is in memory, so a
request costs one query."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from gongzhi.cases import services as case_services
from gongzhi.cases import suggestions

MIN_CHARS = 4  # shorter than this says nothing yet


@require_http_methods(["GET", "POST"])
def report_suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the top 3 小类 of the text typed so far, or the 需人工分诊 hint."""
    text = (request.POST.get("text") or request.GET.get("text") or "").replace("\x00", "")
    text = text[: case_services.MAX_TEXT].strip()
    suggested = suggestions.for_text(text) if len(text) >= MIN_CHARS else None
    return render(request, "web/cases/_suggest.html", {"suggested": suggested})
