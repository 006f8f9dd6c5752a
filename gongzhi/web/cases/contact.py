"""Reveal a case's contact phone (查看完整号码) for those who call the reporter back: htmx POST
with a purpose, logged by cases.contact before the value leaves the database."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import contact
from gongzhi.cases import selectors as case_selectors
from gongzhi.web.common.reveal import purpose_of, revealed
from gongzhi.web.http import error_response, not_found, page, valid_id


@require_POST
@page
def case_contact(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk) if valid_id(pk) else None
    if case is None:
        raise not_found()
    purpose = purpose_of(request)
    if len(purpose) < 2:
        return error_response(request, 400, [_("请选择或填写查看用途")])
    value = contact.case_contact_reveal(actor=request.user, case=case, purpose=purpose)
    return revealed(
        request, "web/cases/contact_revealed.html", {"case": case, "field": "phone", "value": value}
    )
