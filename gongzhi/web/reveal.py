"""Reveal a masked phone or ID number (a person's, or a case's contact phone): htmx POST with
a purpose, logged by the service (orgs.services.person_reveal, cases.contact).

The clear value appears only in this response's fragment: never in a URL, a log line or a
cached page (the response is marked no-store).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import contact
from gongzhi.cases import selectors as case_selectors
from gongzhi.orgs import selectors, services
from gongzhi.web.http import error_response, is_htmx, not_found, page, valid_id

# The usual reasons, offered as choices; staff may also type their own.
PURPOSES = [
    gettext_lazy("上门走访"),
    gettext_lazy("电话联系"),
    gettext_lazy("工单处置"),
    gettext_lazy("紧急情况处置"),
    gettext_lazy("核实身份"),
]


@require_POST
@page
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise not_found()
    field = request.POST.get("field", "")
    purpose = _purpose(request)
    if field not in services.REVEALABLE_FIELDS:
        return error_response(request, 400, [_("不能查看该字段")])
    if len(purpose) < 2:
        return error_response(request, 400, [_("请选择或填写查看用途")])
    value = services.person_reveal(actor=request.user, person=person, field=field, purpose=purpose)
    context = {"person": person, "field": field, "value": value}
    return _revealed(request, "web/revealed.html", context)


@require_POST
@page
def case_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """A case's contact phone (查看完整号码), for those who call the reporter back."""
    case = case_selectors.case_get(user=request.user, pk=pk) if valid_id(pk) else None
    if case is None:
        raise not_found()
    purpose = _purpose(request)
    if len(purpose) < 2:
        return error_response(request, 400, [_("请选择或填写查看用途")])
    value = contact.case_contact_reveal(actor=request.user, case=case, purpose=purpose)
    return _revealed(
        request, "web/cases/contact_revealed.html", {"case": case, "field": "phone", "value": value}
    )


def _purpose(request: HttpRequest) -> str:
    # A typed purpose wins over the chosen one, so "其他" can be made precise.
    return (request.POST.get("purpose_other") or request.POST.get("purpose") or "").strip()


def _revealed(request: HttpRequest, page_template: str, context: dict[str, object]) -> HttpResponse:
    template = "web/_revealed.html" if is_htmx(request) else page_template
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    if is_htmx(request):
        # The form targets its message slot (for errors); the number replaces the masked one.
        response["HX-Retarget"] = "closest .pii"
        response["HX-Reswap"] = "outerHTML"
    return response
