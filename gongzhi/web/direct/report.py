"""The 直报 form for the phone (docs/mobilisation.md "直报"): what happened, where (the
reporter's own places first, then the street's areas and estates), a line or two, photos.
Everything is checked again by mobilisation.direct.report_create: a place outside the street,
a bad photo or a missing field answers 422 with the message beside its field, nothing written."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.cases.choices import MAX_PHOTOS
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct
from gongzhi.mobilisation.models import DirectKind
from gongzhi.web.http import page

MAX_PLACES = 500


def direct_places(user: Actor) -> list[Node]:
    """The places offered: each reporting post's node and the estates, grids and buildings
    under it, then the streets' areas and estates (an incident may be next door)."""
    places: dict[int, Node] = {}
    for post in direct.reporting_posts(user):
        places.setdefault(post.node.pk, post.node)
        below = geo_selectors.descendants(post.node, include_self=False).filter(
            level__in=[Level.ESTATE, Level.GRID, Level.BUILDING]
        )
        for n in below.order_by("path")[:MAX_PLACES]:
            places.setdefault(n.pk, n)
    for street in direct.report_streets(user):
        for n in (
            geo_selectors.descendants(street).filter(level__lte=Level.ESTATE).order_by("path")[:MAX_PLACES]
        ):
            places.setdefault(n.pk, n)
    return list(places.values())[:MAX_PLACES]


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


@page
def direct_new(request: HttpRequest) -> HttpResponse:
    if not direct.may_report(request.user):
        raise PermissionDeniedError(_("只有网格员和居委会工作人员可以直报"))
    places = direct_places(request.user)
    context: dict[str, Any] = {
        "kinds": DirectKind.choices,
        "places": places,
        "max_photos": MAX_PHOTOS,
        "errors": {},
        "typed": {"place": places[0].code if places else ""},
    }
    if request.method != "POST":
        return render(request, "web/direct/report.html", context)
    post = request.POST
    typed = {k: post.get(k, "")[:2100] for k in ("kind", "place", "text", "lat", "lon")}
    code = typed["place"]
    node = Node.objects.filter(code=code).first() if code else None
    files = request.FILES.getlist("files")
    try:
        if code and node is None:
            raise ValidationError({"node": [_("请选择事发地点")]})
        report = direct.report_create(
            actor=request.user,
            kind=typed["kind"],
            text=typed["text"],
            node=node,
            lat=_float(typed["lat"]),
            lon=_float(typed["lon"]),
            files=files,
        )
    except ValidationError as exc:
        context.update(errors=exc.message_dict, typed=typed)
        return render(request, "web/direct/report.html", context, status=422)
    return redirect("web:direct_detail", report.pk)
