"""Intake pages: a resident's report (no login) and a grid worker's patrol report.

The suggestion box (意见箱) of the public board is the same page with ?kind=suggestion: titled
意见建议, the place optional (the street when none is given), the case marked with
Intake.data {"channel": "suggestion"} and triaged by the dispatchers like any other.

A resident's report gets a tracking code (cases.tracking) with its number: the thank-you page
shows both once, and /track/ shows the case's progress to whoever has them (web.track).

Both end in `cases.services.case_create`, which validates again (text, phone, photos by
content) and writes nothing when anything is wrong; its field errors are shown next to the
fields. The resident page offers only places (estates, buildings, map boundaries), never
anything about the people living there.
"""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import choices, tracking
from gongzhi.cases import notifications as case_notifications
from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.core.actors import Actor
from gongzhi.core.i18n import localized
from gongzhi.geo import locate
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, reference
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Category, Person
from gongzhi.web.cases import report_guard
from gongzhi.web.http import page, require_power

MAX_PHOTOS = choices.MAX_PHOTOS
PATROL_PLACES = 500  # most places offered in a patrol worker's select
SUGGESTION = "suggestion"


class IntakeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("问题描述"),
        max_length=case_services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("请描述问题"),
            "max_length": gettext_lazy("问题描述不能超过4000字"),
        },
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)


class ReportForm(IntakeForm):
    estate = forms.CharField(label=gettext_lazy("小区"), required=False, max_length=40)
    building = forms.CharField(label=gettext_lazy("楼栋"), required=False, max_length=40)
    contact_name = forms.CharField(label=gettext_lazy("联系人（可不填）"), required=False, max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("手机号（可不填）"), required=False, max_length=20)


class PatrolForm(IntakeForm):
    place = forms.CharField(label=gettext_lazy("位置"), max_length=40, required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("分类"),
        queryset=Category.objects.filter(active=True, parent__isnull=False).select_related("parent"),
        required=False,
        empty_label=gettext_lazy("不确定，由受理员分类"),
        error_messages={"invalid_choice": gettext_lazy("请选择一个启用的小类")},
    )


def photos(request: HttpRequest, form: forms.Form) -> list[Any]:
    files = request.FILES.getlist("files")
    if len(files) > MAX_PHOTOS:
        form.add_error(None, _("最多上传%(n)d张照片") % {"n": MAX_PHOTOS})
    return files


def add_service_errors(form: forms.Form, exc: ValidationError) -> bool:
    """Put a service's field errors next to the form's fields (or on top when it has no such field).
    True when photos were refused by their content: the page answers 422 then, as the API does."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return False
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        if field == "files":
            form.add_error(None, [_("照片：%(m)s") % {"m": m} for m in messages])
        else:
            form.add_error(target, messages)
    return "files" in exc.error_dict


def _streets() -> list[Node]:
    return list(geo_selectors.children(None))


def estates() -> list[Node]:
    return [e for s in _streets() for e in geo_selectors.descendants(s, level=Level.ESTATE).order_by("code")]


def _estate(code: str) -> Node | None:
    return next((e for e in estates() if e.code == code), None) if code else None


def _report_place(form: ReportForm, *, default: Node | None = None) -> Node | None:
    """The node a resident chose: a building of the estate, the estate, or the map point
    (else `default`, for a suggestion about the whole street)."""
    data = form.cleaned_data
    estate = _estate(data.get("estate") or "")
    if data.get("estate") and estate is None:
        form.add_error("estate", _("请选择小区"))
        return None
    if estate is not None:
        code = data.get("building") or ""
        if not code:
            return estate
        building = geo_selectors.descendants(estate, level=Level.BUILDING).filter(code=code).first()
        if building is None:
            form.add_error("building", _("该楼栋不在所选小区"))
        return building
    lat, lon = data.get("lat"), data.get("lon")
    if lat is not None and lon is not None:
        node = locate.node_for_point(lat, lon)
        if node is None:
            form.add_error("estate", _("地图上选的位置不在本街道范围内，请重新选择"))
        return node
    if default is not None:
        return default
    form.add_error("estate", _("请选择小区，或在地图上点选位置"))
    return None


def _suggestion_place() -> Node | None:
    """A suggestion without a place goes to the street (only when there is exactly one)."""
    streets = _streets()
    return streets[0] if len(streets) == 1 else None


def report(request: HttpRequest) -> HttpResponse:
    """The resident's report page; logged-in residents are linked as the reporter. Past a
    device's, a phone's or an address's budget it asks a question first (web.report_guard)."""
    suggestion = request.GET.get("kind") == SUGGESTION
    form = ReportForm(request.POST or None)
    challenge, status = None, 200
    if request.method == "POST":
        phone = request.POST.get("contact_phone", "")
        if "challenge" in request.POST and not report_guard.answered(
            request.POST["challenge"], request.POST.get("answer", "")
        ):
            form.add_error(None, _("答案不对或已过期，请再算一次"))
            challenge, status = report_guard.new_challenge(), 429
        elif "challenge" not in request.POST and report_guard.needs_challenge(request, phone):
            challenge, status = report_guard.new_challenge(), 429
        else:
            done, photos_refused = _create_report(request, form, suggestion=suggestion)
            if done is not None:
                report_guard.count_report(request, phone)
                return report_guard.keep_device(request, done)
            # a photo refused by its content (not an image, too many pixels) is a 422, as in the API
            status = 422 if photos_refused else 400
    context: dict[str, Any] = {
        "form": form,
        "estates": estates(),
        "max_photos": MAX_PHOTOS,
        "buildings": _buildings(form),
        "suggestion": suggestion,
        "challenge": challenge,
        "sms": case_notifications.sms_enabled(),
    }
    return report_guard.keep_device(request, render(request, "web/cases/report.html", context, status=status))


def _create_report(
    request: HttpRequest, form: ReportForm, *, suggestion: bool
) -> tuple[HttpResponse | None, bool]:
    """Create the case and answer the redirect to the done page; None (errors on the form) else,
    with True when the service refused the photos by their content."""
    default = _suggestion_place() if suggestion else None
    node = _report_place(form, default=default) if form.is_valid() else None
    files = photos(request, form)
    if not form.is_valid() or node is None:
        return None, False
    data = form.cleaned_data
    code = tracking.new_code()
    intake = case_services.Intake(
        node=node,
        text=data["text"],
        source=Source.RESIDENT,
        lat=data.get("lat"),
        lon=data.get("lon"),
        contact_name=data.get("contact_name") or "",
        contact_phone=data.get("contact_phone") or "",
        reporter=_reporter(request),
        files=files,
        data={"channel": SUGGESTION} if suggestion else {},
        tracking_code=code,
    )
    try:
        case = case_services.case_create(actor=request.user, intake=intake)
    except ValidationError as exc:
        return None, add_service_errors(form, exc)
    request.session["reported_kind"] = SUGGESTION if suggestion else ""
    request.session["reported_case"] = case.number
    request.session["reported_case_id"] = case.pk
    request.session["reported_code"] = code  # shown once by report_done, then forgotten
    return redirect("web:report_done"), False


def _reporter(request: HttpRequest) -> Person | None:
    person_id = access.scope(request.user).person_id
    if person_id is None:
        return None
    return org_selectors.person_get(user=request.user, pk=person_id)


def _buildings(form: forms.Form) -> list[Node]:
    """Keep the building select filled when a form comes back with errors."""
    estate = _estate(form.data.get("estate", "")) if form.is_bound else None
    return list(geo_selectors.descendants(estate, level=Level.BUILDING).order_by("code")) if estate else []


def report_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get("reported_case")
    if not number:
        return redirect("web:report")
    # A logged-in reporter may follow the case (the case list shows them their own reports).
    follow = request.session.get("reported_case_id") if request.user.is_authenticated else None
    suggestion = request.session.get("reported_kind") == SUGGESTION
    # The tracking code is shown once: a reload shows the number only (the case keeps a hash).
    code = request.session.pop("reported_code", "")
    context = {
        "number": number,
        "code": code,
        "code_shown": tracking.shown(code),
        "follow": follow,
        "suggestion": suggestion,
    }
    response = render(request, "web/cases/report_done.html", context)
    response["Cache-Control"] = "no-store"
    return response


def report_buildings(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the <option>s of an estate's buildings (names only)."""
    estate = _estate(request.GET.get("estate", "")[:40])
    buildings = geo_selectors.descendants(estate, level=Level.BUILDING).order_by("code") if estate else []
    return render(request, "web/cases/_building_options.html", {"buildings": buildings})


def report_places(request: HttpRequest) -> HttpResponse:
    """Boundaries of the residential areas and estates, for the map on the report page."""
    shapes = [
        n
        for s in _streets()
        for n in geo_selectors.descendants(s).filter(level__in=[Level.AREA, Level.ESTATE])
        if n.geometry
    ]
    collection = geo_selectors.geojson_feature_collection(shapes)
    for feature in collection["features"]:
        feature["properties"] = {
            "name": feature["properties"]["name"],
            "level": feature["properties"]["level"],
        }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- patrol -------------------------------------------------------------------------------------


def patrol_places(user: Actor) -> list[Node]:
    """The worker's own nodes (their grids) first, then the estates, grids and buildings under them."""
    places: list[Node] = []
    for root in access.root_nodes(user, access.VIEW_CASES):
        places.append(root)
        below = geo_selectors.descendants(root, include_self=False).filter(
            level__in=[Level.ESTATE, Level.GRID, Level.BUILDING]
        )
        places.extend(below.order_by("path")[:PATROL_PLACES])
    return places[:PATROL_PLACES]


@page
def patrol(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    places = patrol_places(request.user)
    form = PatrolForm(request.POST or None, initial={"place": places[0].code if places else ""})
    photos_refused = False
    if request.method == "POST":
        node = None
        if form.is_valid():
            node = next((p for p in places if p.code == form.cleaned_data["place"]), None)
            if node is None:
                form.add_error("place", _("请选择您负责范围内的位置"))
        files = photos(request, form)
        if form.is_valid() and node is not None:
            data = form.cleaned_data
            intake = case_services.Intake(
                node=node,
                text=data["text"],
                source=Source.PATROL,
                category=data.get("category"),
                lat=data.get("lat"),
                lon=data.get("lon"),
                reporter=_reporter(request),
                files=files,
            )
            try:
                case = case_services.case_create(actor=request.user, intake=intake)
            except ValidationError as exc:
                photos_refused = add_service_errors(form, exc)
            else:
                return redirect(reverse("web:case_detail", args=[case.pk]) + "?done=create")
    context = {"form": form, "places": places, "max_photos": MAX_PHOTOS, "categories": category_groups()}
    status = 422 if photos_refused else 400 if form.errors else 200
    return render(request, "web/cases/patrol.html", context, status=status)


def category_groups() -> list[tuple[str, list[Category]]]:
    """Active 小类 grouped by 大类, for <optgroup>s."""
    groups: dict[str, list[Category]] = {}
    for c in reference.active_categories():
        groups.setdefault(localized(c.parent), []).append(c)
    return list(groups.items())
