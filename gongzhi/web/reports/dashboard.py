"""The street command centre (指挥中心): one page per node with its KPIs, trend, category mix,
rankings, the 待受理 counter and the map; `data.json` is what the page re-reads every minute, so
it refreshes without a reload. `?screen=1` is the big-screen layout for the street's wall
display; the default is the phone layout.

Access: VIEW_CASES over the node (reports.subjects.subject_for: 403 outside the scope, an
unknown node a 400 with its message), so no total counts a case the viewer could not open.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongzhi.core import replicas
from gongzhi.orgs import access
from gongzhi.reports import care_figures, periods
from gongzhi.reports import dashboard as dash
from gongzhi.reports.subjects import subject_for
from gongzhi.web.http import messages_of, page, require_power
from gongzhi.web.reports.kpis import query_of

REFRESH_SECONDS = 60
RANGES = (("today", _("今天")), ("week", _("近7天")), ("month", _("本月")), ("year", _("近一年")))


class DashboardForm(forms.Form):
    """The node, the preset and the layout; the days (`start`, `end` included, the old `to`)
    are read by periods.days_asked, the same parser as the KPI pages'."""

    node = forms.CharField(label=_("辖区"), max_length=40, required=False)
    range = forms.ChoiceField(label=_("期间"), choices=RANGES, required=False)
    screen = forms.BooleanField(required=False)


def preset(name: str) -> periods.Period:
    today = periods.today()
    if name == "today":
        return periods.day_of(today)
    if name == "week":
        return periods.last_days(7)
    if name == "year":
        return periods.Period(date(today.year - 1, today.month, 1), today + timedelta(days=1))
    return periods.this_month()


@dataclass(frozen=True)
class Asked:
    form: DashboardForm
    start: date | None  # the days typed in (a custom start/end wins over the preset)
    end: date | None


def _board(request: HttpRequest) -> tuple[Asked, dash.Dashboard]:
    require_power(request, access.VIEW_CASES)
    form = DashboardForm(request.GET)
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in errors] for name, errors in form.errors.items()})
    start, end = periods.days_asked(request.GET)
    period = periods.from_days(start, end, default=preset(form.cleaned_data.get("range") or "month"))
    subject = subject_for(request.user, node=form.cleaned_data.get("node") or "")
    return Asked(form, start, end), dash.dashboard(subject, period, viewer=request.user)


@page
@replicas.reading
def dashboard(request: HttpRequest) -> HttpResponse:
    asked, board = _board(request)
    form = asked.form
    context: dict[str, Any] = {
        "form": form,
        "start": asked.start,
        "end": asked.end,
        "board": board,
        "data": dash.as_json(board),
        "screen": form.cleaned_data.get("screen"),
        "query": request.GET.urlencode(),
        "phone_query": _query(request, screen=False),
        "screen_query": _query(request, screen=True),
        "ranges": RANGES,
        "refresh_seconds": REFRESH_SECONDS,
        "tile_url": settings.MAP_TILE_URL,
        "node_code": board.subject.node.code if board.subject.node else "",
        "drill_query": query_of(board.subject, board.period),  # each figure opens onto its cases
        "subject_query": query_of(board.subject, board.period, start="", end=""),  # the trend's days
        "period_query": urlencode(periods.page_params(board.period)),
        "care_area_names": care_figures.area_names(board.care),  # the care layer's table
    }
    return render(request, "web/reports/dashboard.html", context)


def _query(request: HttpRequest, *, screen: bool) -> str:
    query = request.GET.copy()
    query.pop("screen", None)
    if screen:
        query["screen"] = "1"
    return query.urlencode()


@page
@replicas.reading
def dashboard_data(request: HttpRequest) -> HttpResponse:
    """The figures as JSON for the page's refresh (errors as {"errors": [...]}, 400/403)."""
    try:
        _asked, board = _board(request)
    except ValidationError as exc:
        return JsonResponse({"errors": messages_of(exc)}, status=400)
    response = JsonResponse(dash.as_json(board), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response
