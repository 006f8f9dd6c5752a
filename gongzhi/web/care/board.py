"""The committee's care board (docs/care.md "Pages"): counts on top, the subjects with their
last sign per signal coloured against their rules, the open alerts, the overdue visits per
post, and a map of the buildings with open alerts (counts only: `map.json` carries a building
and a number, never a person). VIEW_CARE holders: the committee, the Party secretary, the
cadres, street admins, the auditor. Every figure and row comes from care.selectors, the same
functions the API answers with, cut by access.care_subjects_q."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.care import selectors
from gongzhi.core import clock
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.web.http import page, require_power, valid_id


def _under(request: HttpRequest) -> Node | None:
    return selectors.board_node(user=request.user, code=request.GET.get("node", ""))


def _after(request: HttpRequest) -> int | None:
    text = request.GET.get("after", "")
    if not text:
        return None
    if not text.isdigit() or not valid_id(int(text)):
        raise ValidationError({"after": [_("翻页标记无效，请从第一页重新开始")]})
    return int(text)


@page
def care_board(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CARE)
    user, under = request.user, _under(request)
    board = selectors.board_rows(user=user, under=under, after=_after(request))
    alerts = selectors.alerts(user=user)
    if under is not None:
        alerts = alerts.filter(node_path__startswith=under.path)
    return render(
        request,
        "web/care/board.html",
        {
            "under": under,
            "places": selectors.board_places(user=user),
            "summary": selectors.board_summary(user=user, under=under),
            "board": board,
            "alerts": list(alerts[:50]),
            "per_post": selectors.overdue_per_post(user=user, under=under)[:20],
            "can_enrol": access.has_power(user, access.MANAGE_CARE),
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "now": clock.now(),
        },
    )


@page
def care_board_map(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CARE)
    body = selectors.alert_buildings_geojson(user=request.user, under=_under(request))
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/geo+json; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response
