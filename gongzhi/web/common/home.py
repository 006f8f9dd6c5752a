"""The home page: the nodes the user is posted to with their figures, or a resident's own record."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
from gongzhi.reports import todos
from gongzhi.reports.home import HomeStats, home_stats
from gongzhi.web.common.personal import personal
from gongzhi.web.common.reveal import PURPOSES
from gongzhi.web.http import page


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


def todo_tiles(user: Actor) -> list[dict[str, Any]]:
    """The user's to-dos as tiles: label, count, the list it opens (reports.todos)."""
    return [{"todo": todo, "url": todo.url} for todo in todos.todos(user)]


def local_stats(user: Actor) -> HomeStats | None:
    """For dispatchers (committees, blocks, the street): the 本级解决率, escalation, rework and
    return counts of the last STATS_DAYS days over the places they see, as the KPI page
    defines them (gongzhi.reports)."""
    return home_stats(user, days=STATS_DAYS) if access.has_power(user, access.DISPATCH) else None


@page
def home(request: HttpRequest) -> HttpResponse:
    roots = access.root_nodes(request.user)
    scope = access.scope(request.user)
    me = None
    if not roots and scope.person_id is not None:
        me = selectors.person_get(user=request.user, pk=scope.person_id)
    return render(
        request,
        "web/common/home.html",
        {
            "tiles": todo_tiles(request.user) if roots else [],
            "stats": local_stats(request.user) if roots else None,
            "stats_days": STATS_DAYS,
            "cards": node_cards(request, roots),
            "me": me,
            "purposes": PURPOSES,
            "me_address": selectors.person_address(user=request.user, person=me) if me else [],
            "care_board": access.has_power(request.user, access.VIEW_CARE),
            "direct_report": access.has_power(request.user, access.DIRECT_REPORT),
            "personal": personal(request.user, staff=bool(roots)),
        },
    )
