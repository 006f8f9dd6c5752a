"""Exports of the case lists (docs/exports.md): the list, the dispatcher's queue, my cases and
the overdue list, each with its page's filters and scope and access.EXPORT on top."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from gongzhi.cases import exports as case_exports
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import selectors_overdue
from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.web.cases.lists import QUEUE_STATES, case_filters, overdue_node
from gongzhi.web.common.exports import refuse, send, staff_export
from gongzhi.web.http import require_power


@staff_export
def case_list_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The case list with its filters (state, category, place, text, report dates)."""
    require_power(request, access.EXPORT)
    values, filters, errors = case_filters(request)
    errors += case_exports.filter_errors(state=values["state"], category=values["category"])
    if errors:
        return refuse(request, errors)
    qs = case_selectors.case_search(user=request.user, filters=filters)
    return send(request, case_exports.CASES, qs, fmt)


@staff_export
def queue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    require_power(request, access.DISPATCH)
    require_power(request, access.EXPORT)
    state = request.GET.get("state", "")
    if state and state not in QUEUE_STATES:
        return refuse(request, [_("状态取值无效：%(value)s") % {"value": state[:20]}])
    states = [state] if state else QUEUE_STATES
    qs = case_selectors.dispatch_queue(user=request.user, states=states)
    return send(request, case_exports.QUEUE, qs, fmt)


@staff_export
def mine_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    require_power(request, access.EXPORT)
    show_all = request.GET.get("all", "")
    if show_all not in {"", "1"}:
        return refuse(request, [_("参数 all 只能为 1 或留空")])
    qs = case_selectors.my_cases(user=request.user, open_only=show_all != "1")
    return send(request, case_exports.MINE, qs, fmt)


@staff_export
def overdue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    require_power(request, access.EXPORT)
    deadline = request.GET.get("deadline", "")
    if deadline not in {"", *selectors_overdue.DEADLINES}:
        return refuse(request, [_("超期环节取值无效：%(value)s") % {"value": deadline[:20]}])
    node = overdue_node(request)  # the page's ?node=, so the file holds what the page lists
    under = [node.path] if node else []
    qs = selectors_overdue.overdue_cases(user=request.user, now=clock.now(), deadline=deadline, under=under)
    return send(request, case_exports.OVERDUE, qs, fmt)
