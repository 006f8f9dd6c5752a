"""GET /api/v1/cases/export.csv: the case list as a streamed CSV (docs/exports.md).

The filters are the case list's (state, category, node, q) plus the report dates of the case
page; `limit` caps the rows. The rows come from the same selector as the list, so the file
holds exactly what the caller may see. Unknown values answer 422 with a field message; a node
unknown or outside the caller's scope answers 404 alike. Holding personal data (masked), the
export writes one access-log row before streaming (core.exports.export_log).

Mounted at /v1/cases before the cases router, whose /{case_id} would otherwise take
"export.csv" for an id.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.api.shortcuts import caller, not_found, refuse_number_in_url, require
from gongzhi.cases import exports as case_exports
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.states import State
from gongzhi.core import exports
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors

router = Router(tags=["exports"])
MAX_ROWS = 10_000_000  # a limit beyond any street's cases, bounded so the database is not asked for more


class CaseExportFilters(Schema):
    state: State | None = None
    category: str | None = Field(None, max_length=20, description="小类编码")
    node: str | None = Field(None, max_length=40, description="辖区编码（含下级）")
    q: str | None = Field(None, max_length=100, description="描述包含")
    date_from: date | None = Field(None, description="上报日期起（含）")
    date_to: date | None = Field(None, description="上报日期止（含）")
    limit: int | None = Field(None, ge=1, le=MAX_ROWS, description="最多导出行数（默认全部）")


def _invalid(field: str, message: str) -> JsonResponse:
    """The API's 422 shape, with a message of our own (ninja's would be a generic one)."""
    detail = [{"type": "value_error", "loc": ["query", field], "msg": message}]
    return JsonResponse({"detail": detail}, status=422, json_dumps_params={"ensure_ascii": False})


@router.get(
    "/export.csv",
    summary="导出工单（CSV，流式）",
    openapi_extra={
        "responses": {
            200: {
                "description": "UTF-8 CSV（带 BOM，Excel 可直接打开）；联系电话已脱敏",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def case_export_csv(request: HttpRequest, filters: Query[CaseExportFilters]) -> HttpResponseBase:
    user = caller(request)
    require(access.has_power(user, access.EXPORT))
    refuse_number_in_url(filters.q)
    if filters.category and case_exports.filter_errors(category=filters.category):
        return _invalid("category", _("没有该分类"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        return _invalid("date_to", _("开始日期不能晚于结束日期"))
    wanted: dict[str, Any] = {
        "state": filters.state,
        "category": filters.category,
        "q": filters.q,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }
    if filters.node:
        node = org_selectors.node_get(user=user, code=filters.node, power=access.VIEW_CASES)
        if node is None:
            not_found()  # unknown and out of scope alike
        wanted["node_path"] = node.path
    qs = case_selectors.case_search(user=user, filters=wanted)
    params = {k: str(v) for k, v in filters.model_dump().items() if v is not None}
    exports.export_log(actor=user, spec=case_exports.CASES, fmt="csv", params=params)
    rows = exports.rows(case_exports.CASES, qs, limit=filters.limit)
    return exports.csv_response(exports.csv_stream(case_exports.CASES, rows), case_exports.CASES.stem)
