"""Care pages around a subject (docs/care.md "Pages"): the enrolment page (suggested
candidates, never enrolled automatically, and the form), the consent page (record with the
scanned form, read it back (logged), withdraw after a confirmation that says the raw events
will be deleted; bind the home's registered devices by serial), away
periods (record, end) and emergency contacts (add; reveal with a logged purpose). Reads go
through care.selectors (out of scope is a 404), writes through care.services, which check
MANAGE_CARE and validate; a refused form is shown again with its messages (422)."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.care import consent_forms, selectors, services
from gongzhi.care.choices import DEVICE_SIGNALS, AwayReason, ConsentBy, Duty, Signal, SubjectKind
from gongzhi.care.details import details_logged
from gongzhi.care.models import CareSubject
from gongzhi.core import clock, pii
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.roles import PostRole
from gongzhi.web.http import error_response, not_found, page, require_power, valid_id

PURPOSES = [
    gettext_lazy("紧急情况联系"),
    gettext_lazy("预警处置"),
    gettext_lazy("上门探访"),
    gettext_lazy("核实联系人"),
]
CONTACT_ROWS = 2  # contact rows on the enrolment form; more are added on the contacts page
# Which duty a post's role suggests on the enrolment form (the committee may choose another).
DUTY_OF_ROLE = {PostRole.GRID_WORKER: Duty.GRID, PostRole.PARTNER: Duty.VOLUNTEER}
DUTY_SLOTS = (Duty.GRID, Duty.BUILDING_HEAD, Duty.VOLUNTEER)


def _subject(request: HttpRequest, pk: int) -> CareSubject:
    subject = selectors.subject_get(user=request.user, pk=pk) if valid_id(pk) else None
    if subject is None:
        raise not_found()
    return subject


def _manages(request: HttpRequest, subject: CareSubject) -> bool:
    return access.can(request.user, access.MANAGE_CARE, subject.home)


def _local_day(day: date, *, next_midnight: bool = False) -> datetime:
    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return start + timedelta(days=1) if next_midnight else start


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({field: [_("日期格式应为 YYYY-MM-DD")]}) from None


# --- enrolment -----------------------------------------------------------------------------------


@page
def care_enrol(request: HttpRequest) -> HttpResponse:
    """The suggestions, and a search by name for residents the suggestions leave out (disabled,
    in hardship, not living alone). A name travels in `?q=`; a number never does (400)."""
    require_power(request, access.MANAGE_CARE)
    q = (request.GET.get("q") or "").strip()[:30]
    context: dict[str, Any] = {"candidates": selectors.candidates(user=request.user), "q": q, "found": None}
    if pii.carries_number(q):
        context.update(q="", errors=[_("请按姓名查找：手机号、身份证号不放进网址")])
        return render(request, "web/care/enrol.html", context, status=400)
    if q:
        context["found"] = selectors.enrol_search(user=request.user, name=q)
    return render(request, "web/care/enrol.html", context)


@page
def care_enrol_person(request: HttpRequest, pk: int) -> HttpResponse:
    require_power(request, access.MANAGE_CARE)
    person = org_selectors.person_get(user=request.user, pk=pk) if valid_id(pk) else None
    if person is None or person.home is None:
        raise not_found()
    posts = list(selectors.serving_posts(person.home))
    suggested = next(
        (c.kind for c in selectors.candidates(user=request.user) if c.person.pk == person.pk), ""
    )
    context: dict[str, Any] = {
        "person": person,
        "kinds": SubjectKind.choices,
        "slots": _slots({}),
        "posts": posts,
        "rows": _contact_rows({}),
        "errors": {},
        "typed": {"kind": suggested, "visit_every_days": "7"},
    }
    if request.method != "POST":
        return render(request, "web/care/enrol_form.html", context)
    by_pk = {p.pk: p for p in posts}
    chosen = []
    for duty in DUTY_SLOTS:
        value = request.POST.get(f"post_{duty}", "")
        if value.isdigit() and int(value) in by_pk:
            chosen.append((by_pk[int(value)], str(duty)))
    contacts = []
    for i in range(CONTACT_ROWS):
        relation, name, phone = (
            request.POST.get(f"contact_{f}_{i}", "")[:40] for f in ("relation", "name", "phone")
        )
        if relation.strip() or name.strip() or phone.strip():
            contacts.append(services.ContactIn(relation=relation, name=name, phone=phone))
    every = request.POST.get("visit_every_days", "")
    typed = {k: request.POST.get(k, "")[:200] for k in ("kind", "visit_every_days", "note")}
    try:
        if not every.isdigit():
            raise ValidationError(
                {"visit_every_days": [_("探访频次应在1到%(n)d天之间") % {"n": services.MAX_VISIT_EVERY}]}
            )
        subject = services.subject_enrol(
            actor=request.user,
            person=person,
            kind=request.POST.get("kind", ""),
            posts=chosen,
            visit_every_days=int(every[:3]),
            contacts=contacts,
            note=request.POST.get("note", "")[:200],
        )
    except ValidationError as exc:
        context.update(
            errors=exc.message_dict, typed=typed, slots=_slots(request.POST), rows=_contact_rows(request.POST)
        )
        return render(request, "web/care/enrol_form.html", context, status=422)
    return redirect("web:care_subject", subject.pk)


def _slots(typed: Any) -> list[tuple[str, Any, str]]:
    """(duty, label, the post id chosen) for each responsible-post select of the form."""
    return [(str(d), Duty(d).label, typed.get(f"post_{d}", "")[:20]) for d in DUTY_SLOTS]


def _contact_rows(typed: Any) -> list[dict[str, Any]]:
    return [
        {"i": i, **{f: typed.get(f"contact_{f}_{i}", "")[:40] for f in ("relation", "name", "phone")}}
        for i in range(CONTACT_ROWS)
    ]


# --- consent -------------------------------------------------------------------------------------


def _consent_page(request: HttpRequest, subject: CareSubject, **extra: Any) -> HttpResponse:
    consent = selectors.consent_in_force(subject=subject)
    context = {
        "subject": subject,
        "consent": consent,
        "may_read_form": consent_forms.may_read_form(request.user, subject),
        "devices": selectors.devices(subject=subject),
        "consent_signals": [Signal(s).label for s in consent.signals] if consent else [],
        "past": subject.consents.filter(withdrawn_at__isnull=False)[:10],
        "manages": _manages(request, subject),
        "given_by": ConsentBy.choices,
        "signals": [(s, Signal(s).label) for s in DEVICE_SIGNALS],
        "errors": {},
        "typed": {"given_on": clock.today().isoformat(), "signals": list(DEVICE_SIGNALS)},
        "deleted": request.GET.get("deleted", ""),
    }
    context.update(extra)
    return render(request, "web/care/consent.html", context, status=422 if context["errors"] else 200)


@page
def care_consent(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    if request.method != "POST":
        return _consent_page(request, subject)
    given_by, relation = request.POST.get("given_by", ""), request.POST.get("guardian_relation", "")[:20]
    given_on, signals = request.POST.get("given_on", "")[:10], request.POST.getlist("signals")[:10]
    typed = {"given_by": given_by, "guardian_relation": relation, "given_on": given_on, "signals": signals}
    try:
        services.consent_record(
            actor=request.user,
            subject=subject,
            given_by=given_by,
            signals=signals,
            given_on=_day(given_on, "given_on"),
            form=request.FILES.get("form"),
            guardian_name=request.POST.get("guardian_name", "")[:30],
            guardian_relation=relation,
        )
    except ValidationError as exc:
        return _consent_page(request, subject, errors=exc.message_dict, typed=typed)
    return redirect("web:care_consent", subject.pk)


@require_POST
@page
def care_consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    if request.POST.get("confirm") != "1":
        message = _("请勾选确认：撤回后立即停止采集，并删除此人的全部原始设备数据")
        return _consent_page(request, subject, errors={"confirm": [message]})
    deleted = services.consent_withdraw(actor=request.user, subject=subject)
    return redirect(reverse("web:care_consent", args=[subject.pk]) + f"?deleted={deleted}")


@login_required
def care_consent_form(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The signed scan, for the serving posts, MANAGE_CARE over the home and the auditor (403
    for others who see the subject), logged before it leaves; never cached."""
    consent = selectors.consent_get(user=request.user, pk=pk) if valid_id(pk) else None
    try:
        opened = consent_forms.form_open(actor=request.user, consent=consent) if consent else None
    except PermissionDeniedError as exc:
        return error_response(request, 403, [str(exc)])
    if opened is None:
        raise not_found()
    handle, content_type, filename = opened
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@page
def care_device_bind(request: HttpRequest, pk: int) -> HttpResponse:
    """Bind a registered device of the home by its serial (care.services.device_bind: consent
    covering its signal, not bound elsewhere); refused with the consent page and its message."""
    subject = _subject(request, pk)
    serial = request.POST.get("serial", "").strip()[:64]
    device = selectors.device_for(subject=subject, serial=serial) if serial else None
    try:
        if device is None:
            raise ValidationError({"serial": [_("此住处没有登记这个设备编号")]})
        services.device_bind(actor=request.user, device=device, subject=subject)
    except ValidationError as exc:
        return _consent_page(request, subject, errors=exc.message_dict, typed_serial=serial)
    return redirect("web:care_consent", subject.pk)


# --- away periods --------------------------------------------------------------------------------


def _away_page(request: HttpRequest, subject: CareSubject, **extra: Any) -> HttpResponse:
    now = clock.now()
    context = {
        "subject": subject,
        "periods": selectors.away_periods(subject=subject),
        "details": details_logged(request.user, subject, field="away"),
        "manages": _manages(request, subject),
        "reasons": AwayReason.choices,
        "now": now,
        "errors": {},
        "typed": {},
    }
    context.update(extra)
    return render(request, "web/care/away.html", context, status=422 if context["errors"] else 200)


@page
def care_away(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    if request.method != "POST":
        return _away_page(request, subject)
    typed = {k: request.POST.get(k, "")[:200] for k in ("reason", "starts_on", "ends_on", "note")}
    try:
        starts = _local_day(_day(typed["starts_on"], "starts_on")) if typed["starts_on"] else clock.now()
        ends = _local_day(_day(typed["ends_on"], "ends_at"), next_midnight=True)
        services.away_record(
            actor=request.user,
            subject=subject,
            reason=typed["reason"],
            starts_at=starts,
            ends_at=ends,
            note=typed["note"],
        )
    except ValidationError as exc:
        return _away_page(request, subject, errors=exc.message_dict, typed=typed)
    return redirect("web:care_away", subject.pk)


@require_POST
@page
def care_away_end(request: HttpRequest, pk: int) -> HttpResponse:
    away = selectors.away_get(user=request.user, pk=pk) if valid_id(pk) else None
    if away is None:
        raise not_found()
    services.away_end(actor=request.user, away=away)
    return redirect("web:care_away", away.subject_id)


# --- emergency contacts --------------------------------------------------------------------------


def _contacts_page(request: HttpRequest, subject: CareSubject, **extra: Any) -> HttpResponse:
    context = {
        "subject": subject,
        "contacts": selectors.contacts(subject=subject),
        "can_reveal": access.can_see_care_details(request.user, subject),
        "manages": _manages(request, subject),
        "purposes": PURPOSES,
        "errors": {},
        "typed": {},
    }
    context.update(extra)
    return render(request, "web/care/contacts.html", context, status=422 if context["errors"] else 200)


@page
def care_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    if request.method != "POST":
        return _contacts_page(request, subject)
    typed = {k: request.POST.get(k, "")[:40] for k in ("relation", "name", "phone")}
    try:
        services.contact_add(actor=request.user, subject=subject, contact=services.ContactIn(**typed))
    except ValidationError as exc:
        return _contacts_page(request, subject, errors=exc.message_dict, typed=typed)
    return redirect("web:care_contacts", subject.pk)


@require_POST
@page
def care_contact_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """An emergency contact in clear, after the purpose is logged (services.contact_reveal);
    the answer is never cached and the values never travel in a URL."""
    contact = selectors.contact_get(user=request.user, pk=pk) if valid_id(pk) else None
    if contact is None:
        raise not_found()
    purpose = (request.POST.get("purpose_other") or request.POST.get("purpose") or "").strip()
    if len(purpose) < 2:
        return error_response(request, 400, [_("请选择或填写查看用途")])
    name, phone = services.contact_reveal(actor=request.user, contact=contact, purpose=purpose[:200])
    response = render(
        request, "web/care/contact_revealed.html", {"contact": contact, "name": name, "phone": phone}
    )
    response["Cache-Control"] = "no-store"
    return response
