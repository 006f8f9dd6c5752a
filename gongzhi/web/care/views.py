"""Care pages for the phone (docs/care.md): "my visits due" with open alerts, a subject's
alerts and visits with the acknowledge and record buttons, the visit form and the outcome
form. Everything is scoped through care.selectors (access.care_subjects_q: out of scope is a
404); visit notes and outcomes only for the serving posts and the auditor, each view logged;
every write goes through care.services or care.chain."""

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.care import chain, selectors, services
from gongzhi.care.choices import CLOSING_OUTCOMES, Outcome, VisitKind
from gongzhi.care.details import details_logged
from gongzhi.care.models import CareSubject
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.orgs.models import Category
from gongzhi.web.http import not_found, page


def _subject(request: HttpRequest, pk: int) -> CareSubject:
    subject = selectors.subject_get(user=request.user, pk=pk)
    if subject is None:
        raise not_found()
    return subject


@page
def care_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = request.GET.get("all") != "1"
    return render(
        request,
        "web/care/home.html",
        {
            "mine": mine,
            "due": list(selectors.visits_due(user=user, mine=mine)[:100]),
            "alerts": list(selectors.alerts(user=user)[:50]),
            "per_post": selectors.overdue_per_post(user=user)[:20] if not mine else [],
            "now": clock.now(),
        },
    )


@page
def care_subject(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    details = details_logged(request.user, subject, field="visits")
    return render(
        request,
        "web/care/subject.html",
        {
            "subject": subject,
            "details": details,
            "alerts": list(subject.alerts.select_related("visit_case")[:10]),
            "visits": selectors.visits(subject=subject),
            "can_act": chain.may_act(request.user, subject),
            "now": clock.now(),
        },
    )


@require_POST
@page
def care_ack(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    if alert is None:
        raise not_found()
    with contextlib.suppress(ConflictError):  # someone took it meanwhile: the page shows it
        chain.acknowledge(actor=request.user, alert=alert)
    return redirect("web:care_subject", alert.subject_id)


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


@page
def care_visit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    context: dict[str, Any] = {"subject": subject, "kinds": VisitKind.choices, "errors": {}, "typed": {}}
    if request.method == "POST":
        kind, note = request.POST.get("kind", ""), request.POST.get("note", "")[:600]
        photo = request.FILES.get("photo")
        try:
            services.visit_record(actor=request.user, subject=subject, kind=kind, note=note, photo=photo)
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed={"kind": kind, "note": note})
            return _form_page(request, "web/care/visit.html", context, status=422)
        return redirect("web:care_subject", subject.pk)
    return _form_page(request, "web/care/visit.html", context)


@page
def care_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    if alert is None:
        raise not_found()
    outcomes = [(o, Outcome(o).label) for o in (*CLOSING_OUTCOMES, Outcome.UNREACHABLE)]
    categories = Category.objects.filter(parent__isnull=False, active=True).order_by("code")
    context: dict[str, Any] = {
        "alert": alert,
        "outcomes": outcomes,
        "categories": categories,
        "errors": {},
        "typed": {},
    }
    if request.method == "POST":
        outcome, note = request.POST.get("outcome", ""), request.POST.get("note", "")[:600]
        code = request.POST.get("category", "")
        category = categories.filter(code=code).first() if code else None
        try:
            chain.outcome_record(
                actor=request.user,
                alert=alert,
                outcome=outcome,
                note=note,
                false_alarm=request.POST.get("false_alarm") == "1",
                category=category,
            )
        except ValidationError as exc:
            context.update(
                errors=exc.message_dict, typed={"outcome": outcome, "note": note, "category": code}
            )
            return _form_page(request, "web/care/outcome.html", context, status=422)
        return redirect("web:care_subject", alert.subject_id)
    return _form_page(request, "web/care/outcome.html", context)
