"""Exports of the lists (docs/exports.md): each list page's rows, with the page's filters and
scope, as Excel (capped at core.exports.XLSX_MAX_ROWS) or as a streamed CSV.

Every export reads through the same selector as its page, so it can never hold a row the page
would not show. Filter values a page quietly ignores (an unknown state, say) are refused here
with a 400: a file holding more than was asked for is a leak waiting to happen. Staff exports
need access.EXPORT as well as the list's own power; the public list needs no login and holds
no personal data. A list with personal data writes its access-log row before the first byte
(core.exports.export_log).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.cases import exports as case_exports
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import selectors_overdue
from gongzhi.core import clock, exports, pii
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.exports import Spec
from gongzhi.geo.levels import Level
from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.meetings.exports import SLIPS
from gongzhi.meetings.models import SlipState
from gongzhi.orgs import access
from gongzhi.orgs import exports as org_exports
from gongzhi.orgs import selectors as org_selectors
from gongzhi.web.cases.lists import QUEUE_STATES, case_filters, overdue_node
from gongzhi.web.http import error_response, messages_of, not_found, require_power
from gongzhi.web.meetings.common import node_filter
from gongzhi.web.roster import people

ExportView = Callable[..., HttpResponseBase]


def _guarded(view: ExportView) -> ExportView:
    """Like web.http.page, for views answering a file: refusals and invalid input become the
    usual error pages, never a 500; an unknown format is a 404. (A NUL never gets this far:
    config/middleware.py refuses it.)"""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponseBase:
        if fmt not in exports.FORMATS:
            raise not_found()
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except PermissionDeniedError as exc:
            return error_response(request, 403, [str(exc) or _("您没有权限访问此页面")])
        except ValidationError as exc:
            return error_response(request, 400, messages_of(exc))

    return wrapped


def staff_export(view: ExportView) -> ExportView:
    return login_required(_guarded(view))


def _params(request: HttpRequest) -> dict[str, str]:
    """The filters as given, for the access log (the page number is not a filter)."""
    return {k: str(v)[:100] for k, v in request.GET.items() if k != "page" and v}


def send(
    request: HttpRequest,
    spec: Spec,
    qs: QuerySet[Any],
    fmt: str,
    *,
    limit: int | None = None,
    logged: dict[str, str] | None = None,
) -> HttpResponseBase:
    """The file: Excel if it fits under the cap (else a page pointing to the CSV), or the CSV
    stream. The access-log row (lists with personal data) is written first, with the filters
    as given or, when a filter is a token, as `logged` says them."""
    capped = limit is not None and limit <= exports.XLSX_MAX_ROWS
    if fmt == "xlsx" and not capped and exports.exceeds(qs, exports.XLSX_MAX_ROWS):
        return too_many(request)
    if request.user.is_authenticated:
        params = _params(request) if logged is None else logged
        exports.export_log(actor=request.user, spec=spec, fmt=fmt, params=params)
    if fmt == "xlsx":
        return exports.xlsx_response(exports.xlsx_file(spec, exports.rows(spec, qs, limit=limit)), spec.stem)
    return exports.csv_response(exports.csv_stream(spec, exports.rows(spec, qs, limit=limit)), spec.stem)


def too_many(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    csv_url = request.path.removesuffix(".xlsx") + ".csv" + (f"?{query}" if query else "")
    context = {"cap": exports.XLSX_MAX_ROWS, "csv_url": csv_url}
    return render(request, "web/exports/too_many.html", context, status=400)


def refuse(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return error_response(request, 400, errors)


# --- case lists ------------------------------------------------------------------------------------


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


# --- task slips, people, roster --------------------------------------------------------------------


@staff_export
def slips_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The slip follow-up list with its filters (place, state; open slips when no state)."""
    require_power(request, access.VIEW_MEETINGS)
    require_power(request, access.EXPORT)
    errors: list[str] = []
    node = node_filter(request, errors)  # unknown and out of scope alike: 没有找到该辖区
    state = request.GET.get("state", "")
    if state and state not in SlipState.values:
        errors.append(_("状态取值无效：%(value)s") % {"value": state[:20]})
    if errors:
        return refuse(request, errors)
    states = [state] if state else [str(s) for s in meeting_selectors.OPEN_SLIP_STATES]
    todo = request.GET.get("todo", "")  # the 待会签 and 待确认 lists, as the page reads them
    if todo == "sign":
        states = [SlipState.SIGNING]
    elif todo == "confirm":
        states = [SlipState.CONFIRMING]
    qs = meeting_selectors.slip_list(
        user=request.user,
        node_path=node.path if node else "",
        states=states,
        to_sign=todo == "sign",
        to_confirm=todo == "confirm",
    )
    return send(request, SLIPS, qs, fmt)


@staff_export
def people_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The people search's results (the page lists nobody until something is searched): by
    name from `q`, by number from the page's token (web.people), never from a number in the URL."""
    require_power(request, access.VIEW_PEOPLE)
    require_power(request, access.EXPORT)
    token = request.GET.get("s", "")
    if token:
        search = people.stashed(request, token)
        if search is None:
            return refuse(request, [_("查询已过期，请重新输入号码查询")])
        qs = org_selectors.person_by_number(user=request.user, search=search).order_by("name", "code")
        return send(request, org_exports.PEOPLE, qs, fmt, logged={"number": search.masked})
    q = (request.GET.get("q") or "").strip()[:50]
    if pii.carries_number(q):
        return refuse(request, [_("手机号、身份证号请在查询框中输入（不放进网址）")])
    if not q:
        return refuse(request, [_("请先输入查询条件（姓名、手机号或身份证号）")])
    qs = org_selectors.person_search(user=request.user, text=q).order_by("name", "code")
    return send(request, org_exports.PEOPLE, qs, fmt)


@staff_export
def roster_export(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    """A residential area's 三定 roster, in the page's seat order."""
    require_power(request, access.EXPORT)
    area = org_selectors.node_get(user=request.user, code=code, power=access.VIEW_ROSTER)
    if area is None or area.level != Level.AREA:
        raise not_found()
    qs = org_exports.in_seat_order(org_selectors.roster(user=request.user, area=area))
    return send(request, org_exports.ROSTER, qs, fmt)


# --- the public closed-case list (no login, no personal data) --------------------------------------


@_guarded
def public_cases_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    spec = case_exports.public_spec()
    return send(request, spec, case_exports.public_cases(), fmt, limit=case_exports.PUBLIC_MAX_ROWS)
