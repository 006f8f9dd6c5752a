"""The map of open cases by residential area: boundaries from Node.geometry, coloured by the
number of open cases the user may see. No tile layer unless MAP_TILE_URL is set, so the map
works offline with the boundaries alone."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.cases import selectors as case_selectors
from gongzhi.core.actors import Actor
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.web.http import page, require_power


def map_areas(user: Actor) -> list[Node]:
    """The residential areas the user sees cases in; for a grid worker, the area around their grid."""
    areas = list(org_selectors.node_list(user=user, power=access.VIEW_CASES).filter(level=Level.AREA))
    if not areas:
        found = {
            a.pk: a
            for root in access.root_nodes(user, access.VIEW_CASES)
            for a in geo_selectors.ancestors(root).filter(level=Level.AREA)
        }
        areas = list(found.values())
    return sorted(areas, key=lambda n: n.path)


@page
def case_map(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    return render(request, "web/cases/map.html", {"tile_url": getattr(settings, "MAP_TILE_URL", "")})


@page
def case_map_data(request: HttpRequest) -> HttpResponse:
    """GeoJSON of the areas with `open` = open cases the user may see there (scoped by access)."""
    require_power(request, access.VIEW_CASES)
    areas = map_areas(request.user)
    within = request.GET.get("node", "")[:40]  # the command centre's node: its areas only
    if within:
        node = Node.objects.filter(code=within).first()
        areas = [a for a in areas if node is not None and a.path.startswith(node.path)]
    counts = case_selectors.open_counts(user=request.user, paths=[a.path for a in areas])
    features = [
        {
            "type": "Feature",
            "id": a.code,
            "geometry": a.geometry,
            "properties": {"code": a.code, "name": a.name, "open": counts.get(a.path, 0)},
        }
        for a in areas
    ]
    body = {"type": "FeatureCollection", "features": features}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-cache"
    return response
