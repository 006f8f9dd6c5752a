"""全市视图 (/city/): districts and streets ranked by on-time rate over a period (the last 30
days unless asked), with satisfaction and volumes, read from the city database only (alias
"city": the districts' replicated day totals, no person in them; gongzhi.city.dashboard).
`data.json` is what the page's chart draws.

Access: orgs.access.can_view_city (the permission city.view_city, or a superuser); anyone else
gets the 403 page, before anything about the city database is said. A server without
CITY_DATABASE_URL says so plainly; a city database that cannot be read is a 503 page, not a 500.
"""

import logging
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.city import dashboard
from gongzhi.orgs import access
from gongzhi.reports import periods
from gongzhi.web.http import messages_of, page
from gongzhi.web.reports.kpis import period_choices

logger = logging.getLogger(__name__)
TEMPLATE = "web/city/dashboard.html"


def _asked(request: HttpRequest) -> periods.Period:
    if not access.can_view_city(request.user):
        raise PermissionDenied
    return periods.from_query(request.GET, default=dashboard.default_period())


def _chips() -> list[dict[str, str]]:
    return [
        {"label": str(label), "query": urlencode(periods.page_params(p)), **periods.page_params(p)}
        for label, p in period_choices()
    ]


@page
def city_page(request: HttpRequest) -> HttpResponse:
    period = _asked(request)
    context: dict[str, Any] = {
        "period": period,
        "quick": _chips(),
        "query": urlencode(periods.page_params(period)),
        "configured": dashboard.configured(),
    }
    if not context["configured"]:
        return render(request, TEMPLATE, context)
    try:
        board = dashboard.board(period)
    except DatabaseError:
        logger.exception("the city database cannot be read")
        return render(request, TEMPLATE, {**context, "unreachable": True}, status=503)
    return render(request, TEMPLATE, {**context, "board": board})


@page
def city_data(request: HttpRequest) -> HttpResponse:
    """The ranking as JSON for the page's chart (errors as {"errors": [...]}: 400, 503)."""
    try:
        period = _asked(request)
    except ValidationError as exc:
        return JsonResponse({"errors": messages_of(exc)}, status=400)
    if not dashboard.configured():
        return JsonResponse({"errors": [_("本服务器未配置全市视图（CITY_DATABASE_URL）")]}, status=503)
    try:
        board = dashboard.board(period)
    except DatabaseError:
        logger.exception("the city database cannot be read")
        return JsonResponse({"errors": [_("暂时无法读取市级统计数据库，请稍后再试")]}, status=503)
    response = JsonResponse(dashboard.as_json(board), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response
