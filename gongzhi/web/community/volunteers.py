"""The volunteer's phone page: register (resident of the street, with skills and weekly
availability), the time-bank balance and its entries, the open tasks of the area to accept,
and a link to my shifts. Writes through community.volunteers."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.community import volunteers
from gongzhi.community.choices import Skill, VolunteerKind
from gongzhi.community.models import HoursEntry, VolunteerTask
from gongzhi.core.errors import ConflictError
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Person
from gongzhi.web.http import messages_of, not_found, page, valid_id

WEEKDAYS = range(7)


def _slots(request: HttpRequest) -> list[volunteers.Slot]:
    """Ticked weekdays, one window for them all (the phone form's simple case)."""
    start, end = request.POST.get("start_hour", ""), request.POST.get("end_hour", "")
    a = int(start) if start.isdigit() else -1
    b = int(end) if end.isdigit() else -1
    days = [int(d) for d in request.POST.getlist("weekday") if d.isdigit()]
    return [volunteers.Slot(d, a, b) for d in days]


def _me(request: HttpRequest) -> Person | None:
    person_id = access.scope(request.user).person_id
    return Person.objects.filter(pk=person_id).select_related("home").first() if person_id else None


def _render(request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    mine = volunteers.my_volunteer(request.user)
    person = _me(request)
    areas = []
    if person is not None and person.home is not None:
        areas = list(Node.objects.filter(level=Level.AREA, path__in=access.prefixes(person.home.path)))
    context = {
        "volunteer": mine,
        "balance": volunteers.balance(mine) if mine else None,
        "entries": list(HoursEntry.objects.filter(volunteer=mine).order_by("-occurred_on", "-id")[:50])
        if mine
        else [],
        "tasks": list(volunteers.open_tasks(mine)[:50]) if mine else [],
        "skills": Skill.choices,
        "weekdays": WEEKDAYS,
        "areas": areas,
        "errors": errors or [],
    }
    return render(request, "web/community/volunteer.html", context, status=status)


@page
def community_volunteer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request)
    person = _me(request)
    area_id = request.POST.get("area", "")
    area = (
        Node.objects.filter(pk=int(area_id)).first() if area_id.isdigit() and valid_id(int(area_id)) else None
    )
    try:
        if person is None or area is None:
            raise ValidationError({"area": [_("请选择服务的居民区")]})
        volunteers.volunteer_register(
            actor=request.user,
            person=person,
            kind=VolunteerKind.RESIDENT,
            area=area,
            skills=request.POST.getlist("skills"),
            availability=_slots(request),
        )
    except (ValidationError, ConflictError) as exc:
        return _render(request, messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)], 400)
    return redirect("web:community_volunteer")


@require_POST
@page
def community_task_accept(request: HttpRequest, pk: int) -> HttpResponse:
    mine = volunteers.my_volunteer(request.user)
    task = VolunteerTask.objects.filter(pk=pk, area=mine.area).first() if mine and valid_id(pk) else None
    if task is None:
        raise not_found()
    try:
        volunteers.task_accept(actor=request.user, task=task)
    except (ValidationError, ConflictError) as exc:
        return _render(request, messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)], 400)
    return redirect("web:community_volunteer")
