"""My shifts on the phone: what is coming, check in and out (refused far from the shift's
time), ask to swap a shift to someone else on the incident's list."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.mobilisation import duty, rostering, selectors
from gongzhi.orgs.models import Person
from gongzhi.web.http import messages_of, not_found, page, valid_id


def _page(request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    rows = list(selectors.my_assignments(user=request.user))
    swappable = {}
    for a in rows:
        if a.state == "assigned" and a.shift.starts_at > clock.now():
            cands = rostering.pool(a.shift.post.incident)
            swappable[a.pk] = sorted(
                (c for c in cands.values() if c.person_id != a.person_id), key=lambda c: c.name
            )[:100]
    return render(
        request,
        "web/mobilisation/mine.html",
        {"rows": [(a, swappable.get(a.pk, [])) for a in rows], "errors": errors or [], "now": clock.now()},
        status=status,
    )


@page
def mobilisation_mine(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@page
def mobilisation_duty(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    assignment = selectors.my_assignment(user=request.user, pk=pk) if valid_id(pk) else None
    if assignment is None:
        raise not_found()
    try:
        if action == "check-in":
            duty.check_in(actor=request.user, assignment=assignment)
        elif action == "check-out":
            duty.check_out(actor=request.user, assignment=assignment)
        elif action == "swap":
            to = request.POST.get("to_person", "")
            person = Person.objects.filter(pk=int(to)).first() if to.isdigit() and valid_id(int(to)) else None
            if person is None:
                raise ValidationError({"to_person": [_("请选择接班人")]})
            rostering.swap_request(
                actor=request.user,
                assignment=assignment,
                to_person=person,
                reason=request.POST.get("reason", ""),
            )
        else:
            raise not_found()
    except (ValidationError, ConflictError) as exc:
        return _page(
            request, messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)], status=400
        )
    return redirect("web:mobilisation_mine")
