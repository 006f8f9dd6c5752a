"""Reveal a person's masked phone or ID number: htmx POST with a purpose, logged by
orgs.services.person_reveal before the value leaves the database."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.orgs import selectors, services
from gongzhi.web.common.reveal import purpose_of, revealed
from gongzhi.web.http import error_response, not_found, page


@require_POST
@page
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise not_found()
    field = request.POST.get("field", "")
    purpose = purpose_of(request)
    if field not in services.REVEALABLE_FIELDS:
        return error_response(request, 400, [_("不能查看该字段")])
    if len(purpose) < 2:
        return error_response(request, 400, [_("请选择或填写查看用途")])
    value = services.person_reveal(actor=request.user, person=person, field=field, purpose=purpose)
    context = {"person": person, "field": field, "value": value}
    return revealed(request, "web/roster/revealed.html", context)
