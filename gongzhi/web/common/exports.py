"""What every export of a list shares (docs/exports.md; the views are each domain's exports.py):
each list page's rows, with the page's filters and scope, as Excel (capped at
core.exports.XLSX_MAX_ROWS) or as a streamed CSV.

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

from gongzhi.core import exports, replicas
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.exports import Spec
from gongzhi.web.http import error_response, messages_of, not_found

ExportView = Callable[..., HttpResponseBase]


def guarded(view: ExportView) -> ExportView:
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
    return login_required(guarded(view))


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
    as given or, when a filter is a token, as `logged` says them. The rows are read from a
    replica that keeps up (core.replicas), the CSV's too though it streams after the view returns."""
    qs = qs.using(replicas.alias())
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
    return render(request, "web/common/export_too_many.html", context, status=400)


def refuse(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return error_response(request, 400, errors)
