"""What revealing a masked number asks of every page that offers it (a person's numbers:
web.roster.reveal; a case's contact phone: web.cases.contact): a purpose, chosen from the usual
ones or typed, and a response nobody keeps.

The clear value appears only in that response's fragment: never in a URL, a log line or a
cached page (the response is marked no-store). The services check who may and log first.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from gongzhi.web.http import is_htmx

# The usual reasons, offered as choices; staff may also type their own.
PURPOSES = [
    gettext_lazy("上门走访"),
    gettext_lazy("电话联系"),
    gettext_lazy("工单处置"),
    gettext_lazy("紧急情况处置"),
    gettext_lazy("核实身份"),
]


def purpose_of(request: HttpRequest) -> str:
    # A typed purpose wins over the chosen one, so "其他" can be made precise.
    return (request.POST.get("purpose_other") or request.POST.get("purpose") or "").strip()


def revealed(request: HttpRequest, page_template: str, context: dict[str, object]) -> HttpResponse:
    template = "web/_revealed.html" if is_htmx(request) else page_template
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    if is_htmx(request):
        # The form targets its message slot (for errors); the number replaces the masked one.
        response["HX-Retarget"] = "closest .pii"
        response["HX-Reswap"] = "outerHTML"
    return response
