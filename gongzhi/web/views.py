"""The home page: the nodes the user is posted to with their figures, or a resident's own record."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.cases import selectors as case_selectors
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
from gongzhi.reports.home import HomeStats, home_stats
from gongzhi.web.http import page
from gongzhi.web.reveal import PURPOSES


def node_cards(request: HttpRequest, nodes: list[Node]) -> list[dict[str, Any]]:
    """Nodes with their figures, ready for the `_node_card.html` include."""
    figures = selectors.node_figures(user=request.user, nodes=nodes)
    return [
        {
            "node": n,
            "figures": figures[n.pk],
            "levels": [(Level(lv).label, count) for lv, count in sorted(figures[n.pk].levels.items())],
            "is_area": n.level == Level.AREA,
        }
        for n in nodes
        if n.pk in figures
    ]


STATS_DAYS = 30  # the home page's 本级解决率 covers the last 30 days


def work_counts(user: Any) -> tuple[dict[str, int], HomeStats | None]:
    """The home page's case figures: 待受理 and 超期 for the powers the user holds (one query),
    and for dispatchers (committees, blocks, the street) the 本级解决率, escalation, rework and
    return counts of the last STATS_DAYS days over the places they see, as the KPI page
    defines them (gongzhi.reports)."""
    dispatcher = access.has_power(user, access.DISPATCH)
    work = case_selectors.work_counts(
        user=user, now=clock.now(), received=dispatcher, overdue=access.has_power(user, access.VIEW_CASES)
    )
    return work, home_stats(user, days=STATS_DAYS) if dispatcher else None


@page
def home(request: HttpRequest) -> HttpResponse:
    roots = access.root_nodes(request.user)
    scope = access.scope(request.user)
    me = None
    if not roots and scope.person_id is not None:
        me = selectors.person_get(user=request.user, pk=scope.person_id)
    work, stats = work_counts(request.user) if roots else (None, None)
    return render(
        request,
        "web/home.html",
        {
            "work": work,
            "stats": stats,
            "stats_days": STATS_DAYS,
            "cards": node_cards(request, roots),
            "me": me,
            "purposes": PURPOSES,
            "me_address": selectors.person_address(user=request.user, person=me) if me else [],
        },
    )
