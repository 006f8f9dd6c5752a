"""The incident pages: the list, declaring (the cadres), an incident's page with what it must
cover, the rota and the lead's buttons (plan shifts, 排班, approve swaps, mark a no-show,
re-solve a gap, close), the live board (also at wall size, ?screen=1, re-read every 30 s by htmx) and the
after-action report. Reads through mobilisation.selectors, writes through its services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import board, incidents, report, rostering, selectors
from gongzhi.mobilisation.choices import IncidentKind, ItemKind
from gongzhi.mobilisation.models import Incident
from gongzhi.orgs import access
from gongzhi.web.http import messages_of, not_found, page, valid_id


def _incident(request: HttpRequest, pk: int) -> Incident:
    incident = selectors.incident_get(user=request.user, pk=pk) if valid_id(pk) else None
    if incident is None:
        raise not_found()
    return incident


@page
def mobilisation_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/mobilisation/home.html",
        {
            "incidents": list(selectors.incidents(user=request.user)[:50]),
            "may_declare": access.has_power(request.user, access.MOBILISE),
            "mine": list(selectors.my_assignments(user=request.user)[:5]),
        },
    )


def _zone_choices(user: Actor) -> list[Node]:
    return list(
        Node.objects.filter(access.nodes_q(user, access.MOBILISE))
        .filter(level__in=[Level.BLOCK, Level.AREA, Level.ESTATE])
        .order_by("path")[:300]
    )


@page
def mobilisation_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    errors: list[str] = []
    if request.method == "POST":
        picked = [int(x) for x in request.POST.getlist("nodes") if x.isdigit() and valid_id(int(x))]
        nodes = list(Node.objects.filter(pk__in=picked))
        try:
            incident = incidents.incident_declare(
                actor=user,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                nodes=nodes,
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = messages_of(exc)
        else:
            return redirect("web:mobilisation_incident", incident.pk)
    return render(
        request,
        "web/mobilisation/new.html",
        {"kinds": IncidentKind.choices, "nodes": _zone_choices(user), "errors": errors, "form": request.POST},
        status=400 if errors else 200,
    )


def _context(request: HttpRequest, incident: Incident, errors: list[str] | None = None) -> dict[str, Any]:
    rows = list(selectors.assignments(incident))
    by_shift: dict[int, list[Any]] = {}
    for a in rows:
        by_shift.setdefault(a.shift_id, []).append(a)
    return {
        "incident": incident,
        "lead": incidents.may_lead(request.user, incident),
        "zone": list(incident.zone.order_by("path")),
        "units": list(incident.units.order_by("code")),
        "posts": list(incident.posts.all()),
        "shifts": [(s, by_shift.get(s.pk, [])) for s in selectors.shifts(incident)[:300]],
        "rota": incident.rotas.order_by("-version").first(),
        "swaps": list(selectors.pending_swaps(incident)),
        "gaps": list(selectors.gaps(incident, clock.now())[:100]),
        "items": [(label, list(selectors.items(incident, k)[:200])) for k, label in ItemKind.choices],
        "figures": board.figures(incident),
        "errors": errors or [],
        "now": clock.now(),
    }


@page
def mobilisation_incident(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return render(request, "web/mobilisation/incident.html", _context(request, incident))


def _act(request: HttpRequest, incident: Incident) -> None:
    user, post = request.user, request.POST
    action = post.get("action", "")
    if action == "plan":
        days, hours = post.get("days", ""), post.get("shift_hours", "")
        incidents.shifts_plan(
            actor=user,
            incident=incident,
            days=int(days) if days.isdigit() else 0,
            shift_hours=int(hours) if hours.isdigit() else 0,
        )
    elif action == "solve":
        rostering.rota_solve(actor=user, incident=incident)
    elif action == "close":
        incidents.incident_close(actor=user, incident=incident, note=post.get("note", ""))
    elif action in {"approve", "refuse"}:
        swap_id = post.get("swap", "")
        swap = selectors.swap_get(user=user, pk=int(swap_id)) if swap_id.isdigit() else None
        if swap is None:
            raise not_found()
        rostering.swap_decide(
            actor=user, swap=swap, approve=action == "approve", answer=post.get("answer", "")
        )
    elif action == "no_show":
        aid = post.get("assignment", "")
        assignment = (
            selectors.assignment_get(user=user, pk=int(aid)) if aid.isdigit() and valid_id(int(aid)) else None
        )
        if assignment is None:
            raise not_found()
        rostering.assignment_no_show(actor=user, assignment=assignment)
    elif action == "refill":
        aid = post.get("assignment", "")
        assignment = (
            selectors.assignment_get(user=user, pk=int(aid)) if aid.isdigit() and valid_id(int(aid)) else None
        )
        if assignment is None:
            raise not_found()
        rostering.gap_resolve(actor=user, assignment=assignment)
    elif action == "item_done":
        iid = post.get("item", "")
        item = selectors.item_get(user=user, pk=int(iid)) if iid.isdigit() and valid_id(int(iid)) else None
        if item is None:
            raise not_found()
        incidents.item_done(actor=user, item=item, note=post.get("note", ""))
    else:
        raise ValidationError({"action": [_("未知操作")]})


@require_POST
@page
def mobilisation_act(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    try:
        _act(request, incident)
    except (ValidationError, ConflictError) as exc:
        errors = messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)]
        incident.refresh_from_db()
        return render(
            request, "web/mobilisation/incident.html", _context(request, incident, errors), status=400
        )
    return redirect("web:mobilisation_incident", incident.pk)


@page
def mobilisation_board(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    context = {
        "incident": incident,
        "figures": board.figures(incident),
        "screen": request.GET.get("screen") == "1",
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/mobilisation/_board.html", context)
    return render(request, "web/mobilisation/board.html", context)


@page
def mobilisation_report(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    incidents.require_lead(request.user, incident)
    response = HttpResponse(
        report.report_docx(incident),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}.docx"'
    return response
