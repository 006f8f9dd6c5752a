"""The public closed-case list as a file: no login, no personal data, capped at
cases.exports.PUBLIC_MAX_ROWS (docs/exports.md)."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from gongzhi.cases import exports as case_exports
from gongzhi.web.common.exports import guarded, send
from gongzhi.web.public import streets


@guarded
def public_cases_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    street = streets.required(request)
    spec = case_exports.public_spec()
    rows = case_exports.public_cases(street.path)
    return send(request, spec, rows, fmt, limit=case_exports.PUBLIC_MAX_ROWS)
