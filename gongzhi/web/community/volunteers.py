"""The volunteer's phone page: register (resident of the street, with skills and weekly
availability), the time-bank balance and its entries, the open tasks of the area to accept,
and a link to my shifts; /community/volunteer/edit/ changes the skills, the weekly windows
(several a day), the limits and the days away. Writes through community.volunteers: a bad
entry is a 422 with the field's message and nothing written."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.community import volunteers
from gongzhi.community.choices import Skill, VolunteerKind
from gongzhi.community.models import HoursEntry, VolunteerTask
from gongzhi.core.errors import ConflictError, invalid
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


BLANK_SLOTS = 2  # empty rows the edit form offers for new windows
BLANK_ABSENCES = 1
FIELD_LABELS = {
    "availability": gettext_lazy("可服务时间"),
    "absences": gettext_lazy("暂停服务日期"),
    "skills": gettext_lazy("技能"),
    "max_hours_day": gettext_lazy("每天最多小时"),
    "max_hours_week": gettext_lazy("每周最多小时"),
    "min_rest_hours": gettext_lazy("两班最少间隔"),
}


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 3 else -1


def _edit_slots(request: HttpRequest) -> list[volunteers.Slot]:
    """The form's window rows (weekday, from, to); a row left all blank is no window."""
    rows = zip(
        request.POST.getlist("slot_weekday"),
        request.POST.getlist("slot_start"),
        request.POST.getlist("slot_end"),
        strict=False,
    )
    return [volunteers.Slot(_number(d), _number(a), _number(b)) for d, a, b in rows if a.strip() or b.strip()]


def _day(text: str, i: int) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise invalid("absences", _("第%(i)d段日期格式不对") % {"i": i}) from None


def _edit_absences(request: HttpRequest) -> list[volunteers.Away]:
    rows = zip(
        request.POST.getlist("away_from"),
        request.POST.getlist("away_to"),
        request.POST.getlist("away_reason"),
        strict=False,
    )
    kept = [(a, b, r) for a, b, r in rows if a.strip() or b.strip() or r.strip()]
    return [volunteers.Away(_day(a, i), _day(b, i), r[:200]) for i, (a, b, r) in enumerate(kept, start=1)]


def _edit_render(
    request: HttpRequest, mine: Any, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    if request.method == "POST":
        slots = [
            row
            for row in zip(
                request.POST.getlist("slot_weekday"),
                request.POST.getlist("slot_start"),
                request.POST.getlist("slot_end"),
                strict=False,
            )
            if row[1].strip() or row[2].strip()
        ]
        away = list(
            zip(
                request.POST.getlist("away_from"),
                request.POST.getlist("away_to"),
                request.POST.getlist("away_reason"),
                strict=False,
            )
        )
        chosen = request.POST.getlist("skills")
        limits = {k: request.POST.get(k, "") for k in ("max_hours_day", "max_hours_week", "min_rest_hours")}
    else:
        windows = mine.availability.order_by("weekday", "start_hour")
        slots = [(str(a.weekday), str(a.start_hour), str(a.end_hour)) for a in windows]
        away = [
            (a.starts_on.isoformat(), a.ends_on.isoformat(), a.reason)
            for a in mine.absences.order_by("starts_on")
        ]
        chosen = mine.skills
        limits = {
            "max_hours_day": mine.max_hours_day,
            "max_hours_week": mine.max_hours_week,
            "min_rest_hours": mine.min_rest_hours,
        }
    context = {
        "volunteer": mine,
        "slots": [*slots, *[("", "", "")] * BLANK_SLOTS],
        "away": [*away, *[("", "", "")] * BLANK_ABSENCES],
        "chosen": set(chosen),
        "limits": limits,
        "skills": Skill.choices,
        "weekdays": [(str(i), name) for i, name in enumerate(volunteers.WEEKDAY_NAMES)],
        "field_errors": [(FIELD_LABELS.get(f, ""), m) for f, ms in (errors or {}).items() for m in ms],
    }
    return render(request, "web/community/volunteer_edit.html", context, status=status)


@page
def community_volunteer_edit(request: HttpRequest) -> HttpResponse:
    mine = volunteers.my_volunteer(request.user)
    if mine is None:
        return redirect("web:community_volunteer")
    if request.method != "POST":
        return _edit_render(request, mine)
    try:
        volunteers.volunteer_update(
            actor=request.user,
            volunteer=mine,
            skills=request.POST.getlist("skills"),
            availability=_edit_slots(request),
            max_hours_day=_number(request.POST.get("max_hours_day", "")),
            max_hours_week=_number(request.POST.get("max_hours_week", "")),
            min_rest_hours=_number(request.POST.get("min_rest_hours", "")),
            absences=_edit_absences(request),
        )
    except ConflictError as exc:
        return _edit_render(request, mine, {"": [str(exc)]}, 409)
    except ValidationError as exc:
        return _edit_render(request, mine, exc.message_dict, 422)
    return redirect("web:community_volunteer")
