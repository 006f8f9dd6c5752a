"""Case lists: the dispatcher's queue, my cases, all cases with filters, the overdue list.
Every list reads through gongzhi.cases.selectors."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import selectors_overdue, selectors_todo, sla, suggestions
from gongzhi.cases.states import State
from gongzhi.core import clock, paging, pii, refdata, workcal
from gongzhi.core.actors import Actor
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.reports import todos
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import page, require_power

PAGE_SIZE = 50
QUEUE_STATES = [
    State.RECEIVED,
    State.REGISTERED,
    State.RETURNED,
    State.ESCALATED,
    State.AWAITING_VERIFICATION,
]
FILTER_NODES = 400  # most nodes offered in the place filter
FLAGS = ("overdue", "due_soon")  # the case list's yes/no filters (cases.selectors_overdue)


def _page(request: HttpRequest, rows: Any) -> Page:
    """Page numbers over a count capped at 10,000 ("超过 10000 件"): a street holds a million
    cases and nobody pages that far; filters narrow the list instead (core.paging)."""
    return paging.CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def received_count(user: Actor) -> int:
    """待受理: received cases this user dispatches at their rung (a handful of queries)."""
    return case_selectors.dispatch_queue(user=user, states=[State.RECEIVED]).count()


@page
def queue(request: HttpRequest) -> HttpResponse:
    require_power(request, access.DISPATCH)
    state = request.GET.get("state", "")
    states = [state] if state in QUEUE_STATES else QUEUE_STATES
    rows = _page(request, case_selectors.dispatch_queue(user=request.user, states=states))
    return render(
        request,
        "web/cases/queue.html",
        {
            "received": received_count(request.user),
            "rows": rows,
            # 需人工分诊 and the top suggestion of uncategorised cases, from their intake
            "intake_suggestions": suggestions.stored_for(rows),
            "state": state,
            "states": [(s.value, s.label) for s in QUEUE_STATES],
            "query": urlencode({"state": state}),
            "now": clock.now(),
        },
    )


@page
def queue_count(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the 待受理 figure, polled by the queue page so it stays current."""
    require_power(request, access.DISPATCH)
    return HttpResponse(str(received_count(request.user)), content_type="text/plain; charset=utf-8")


@page
def mine(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    rows = _page(request, case_selectors.my_cases(user=request.user, open_only=not show_all))
    context = {"rows": rows, "show_all": show_all, "query": urlencode({"all": "1" if show_all else ""})}
    return render(request, "web/cases/mine.html", {**context, "now": clock.now()})


def _filter_nodes(user: Actor) -> list[Node]:
    """The place filter's choices: the tree and the user's posts decide them, so they are kept
    in the reference snapshot (core.refdata), not read on every page of the list."""
    return refdata.snapshot().get("case_filter_nodes", user.pk, lambda _key: _read_filter_nodes(user))  # type: ignore[no-any-return]


def _read_filter_nodes(user: Actor) -> list[Node]:
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.VIEW_CASES):
        below = geo_selectors.descendants(root).filter(level__lte=Level.ESTATE).defer("geometry")
        nodes.extend(below.order_by("path")[:FILTER_NODES])
    return nodes[:FILTER_NODES]


def _day(value: str, errors: list[str], label: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(_("%(label)s日期格式应为 年-月-日") % {"label": label})
        return None
    if not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        errors.append(_("%(label)s日期超出范围") % {"label": label})
        return None
    return day


def case_filters(
    request: HttpRequest, given: QueryDict | None = None
) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """The case list's filters as given (values), as case_search takes them (filters), and what
    was wrong with them (errors). The list page and its exports both read them here, from the
    query string unless `given` (the filter form's POST)."""
    get = request.GET if given is None else given
    errors: list[str] = []
    values = {
        k: get.get(k, "").strip()[:100] for k in ("state", "category", "node", "q", "from", "to", "todo")
    }
    for flag in FLAGS:  # 只看超期 / 即将超期: "1" or nothing (a checkbox posts "1")
        values[flag] = "1" if get.get(flag, "") in {"1", "on", "true"} else ""
    filters: dict[str, Any] = {"q": values["q"], **{flag: bool(values[flag]) for flag in FLAGS}}
    if values["todo"] not in selectors_todo.KEYS:
        values["todo"] = ""
    filters["todo"] = values["todo"]
    if pii.carries_number(values["q"]):  # the URL, and so every access log, would keep it
        errors.append(_("描述筛选不能含手机号、身份证号等号码（网址会被记录）"))
        filters["q"] = values["q"] = ""
    if values["state"] in State.values:
        filters["state"] = values["state"]
    filters["category"] = values["category"]
    if values["node"]:
        node = org_selectors.node_get(user=request.user, code=values["node"], power=access.VIEW_CASES)
        if node is None:
            errors.append(_("没有找到该位置"))
        else:
            filters["node_path"] = node.path
    filters["date_from"] = _day(values["from"], errors, _("开始"))
    filters["date_to"] = _day(values["to"], errors, _("结束"))
    if filters["date_from"] and filters["date_to"] and filters["date_from"] > filters["date_to"]:
        errors.append(_("开始日期不能晚于结束日期"))
        filters["date_from"] = filters["date_to"] = None
    return values, filters, errors


@page
def case_list(request: HttpRequest) -> HttpResponse:
    """All cases the user may see, filtered by state, category, place, text and report date.

    The filter form posts: valid filters go on (303) to this page's GET URL, which pages and
    exports carry; a number typed into 描述包含 is refused here, before it can reach a URL."""
    posted = request.method == "POST"
    values, filters, errors = case_filters(request, request.POST if posted else None)
    if posted and not errors:
        query = urlencode({k: v for k, v in values.items() if v})
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path, status=303)
    rows = _page(request, case_selectors.case_search(user=request.user, filters=filters))
    return render(
        request,
        "web/cases/list.html",
        {
            "rows": rows,
            "values": values,
            "errors": errors,
            "states": State.choices,
            "categories": category_groups(),
            "nodes": _filter_nodes(request.user),
            "todo_label": todos.LABELS.get(values["todo"], ""),
            "query": urlencode({k: v for k, v in values.items() if v}),
            "now": clock.now(),
        },
        status=400 if errors else 200,
    )


@page
def overdue(request: HttpRequest) -> HttpResponse:
    """Open cases past the deadline of their step, most overdue first, with the working time
    by which each is late."""
    now = clock.now()
    deadline = request.GET.get("deadline", "")
    if deadline not in selectors_overdue.DEADLINES:
        deadline = ""
    node = overdue_node(request)
    under = [node.path] if node else []
    found = selectors_overdue.overdue_cases(user=request.user, now=now, deadline=deadline, under=under)
    rows = _page(request, found)
    items = [
        {"case": c, "late": -workcal.remaining(now, c.overdue_since, sla.calendar(c.node_path))} for c in rows
    ]
    kinds = [("dispatch", _("派遣超期")), ("handle", _("处置超期")), ("verify", _("核查超期"))]
    node_code = node.code if node else ""
    context = {
        "rows": rows,
        "items": items,
        "deadline": deadline,
        "kinds": kinds,
        "node": node,
        "node_query": urlencode({"node": node_code}) if node_code else "",
        "query": urlencode({k: v for k, v in {"deadline": deadline, "node": node_code}.items() if v}),
    }
    return render(request, "web/cases/overdue.html", context)


def overdue_node(request: HttpRequest) -> Node | None:
    """The `?node=` of the overdue list and its export: a node whose cases the user sees.
    Unknown and out of scope alike are the case list's 400 没有找到该位置 (no hint either way)."""
    code = request.GET.get("node", "").strip()[:40]
    if not code:
        return None
    node = org_selectors.node_get(user=request.user, code=code, power=access.VIEW_CASES)
    if node is None:
        raise ValidationError({"node": [_("没有找到该位置")]})
    return node
