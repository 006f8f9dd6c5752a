"""The agenda pool (问题清单) and the Party organisation's vetting queue. Reads go through
gongzhi.meetings.selectors; the POSTs are in web.meetings.topic_actions."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.states import OPEN_STATES
from gongzhi.geo.levels import Level
from gongzhi.meetings import selectors
from gongzhi.meetings.kinds import Business
from gongzhi.meetings.models import (
    TopicState,
)
from gongzhi.orgs import access
from gongzhi.web.http import page, require_power
from gongzhi.web.meetings.common import MAX_CASES, MAX_ROSTER, convene_nodes, filter_nodes, node_filter


def topics_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    errors: list[str] = []
    node = node_filter(request, errors)
    state = request.GET.get("state", "")
    states = [state] if state in TopicState.values else []
    rows = selectors.topic_list(user=user, node_path=node.path if node else "", states=states)
    can_propose = access.has_power(user, access.CONVENE)
    nodes = convene_nodes(user) if can_propose else []
    propose_node = None
    wanted = request.GET.get("at", "") or request.POST.get("node", "")
    propose_node = next((n for n in nodes if n.code == wanted), None) or next(
        (n for n in nodes if n.level == Level.AREA), nodes[0] if nodes else None
    )
    open_cases: list[Any] = []
    if propose_node is not None:
        found = case_selectors.case_list(user=user, filters={"node_path": propose_node.path})
        open_cases = list(found.filter(state__in=OPEN_STATES)[:MAX_CASES])
    return {
        "rows": Paginator(rows, 50).get_page(request.GET.get("page")),
        "values": {"node": node.code if node else "", "state": state},
        "query": urlencode(
            {k: v for k, v in {"node": node.code if node else "", "state": state}.items() if v}
        ),
        "states": TopicState.choices,
        "nodes": filter_nodes(user),
        "filter_errors": errors,
        "can_propose": can_propose,
        "can_vet": access.has_power(user, access.VET),
        "propose_nodes": nodes,
        "propose_node": propose_node,
        "open_cases": open_cases,
        "businesses": Business.choices,
        "typed": {},
        "errors": {},
        **extra,
    }


@page
def topics(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    context = topics_context(request)
    return render(
        request, "web/meetings/topics.html", context, status=400 if context["filter_errors"] else 200
    )


def vet_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "rows": list(selectors.to_vet(user=request.user)[:MAX_ROSTER]),
        "typed": {},
        "errors": {},
        "failed": "",
        **extra,
    }


@page
def vet_queue(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VET)
    return render(request, "web/meetings/vet.html", vet_context(request))
