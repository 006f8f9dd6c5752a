"""The home page: the nodes the user is posted to with their figures, or a resident's own record."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.cases import selectors as case_selectors
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
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


def work_counts(user: Any) -> dict[str, int]:
    """The home page's 待受理 and 超期 figures, for the powers the user holds (one query)."""
    return case_selectors.work_counts(
        user=user,
        now=clock.now(),
        received=access.has_power(user, access.DISPATCH),
        overdue=access.has_power(user, access.VIEW_CASES),
    )


@page
def home(request: HttpRequest) -> HttpResponse:
    roots = access.root_nodes(request.user)
    scope = access.scope(request.user)
    me = None
    if not roots and scope.person_id is not None:
        me = selectors.person_get(user=request.user, pk=scope.person_id)
    return render(
        request,
        "web/home.html",
        {
            "work": work_counts(request.user) if roots else None,
            "cards": node_cards(request, roots),
            "me": me,
            "purposes": PURPOSES,
            "me_address": selectors.person_address(user=request.user, person=me) if me else [],
        },
    )
