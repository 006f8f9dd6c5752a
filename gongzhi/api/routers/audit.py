"""/api/v1/audit: the personal-data access log, for holders of access.AUDIT."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.shortcuts import caller, require
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors

router = Router(tags=["audit"])


class PiiAccessOut(Schema):
    id: int
    at: datetime
    actor: str
    subject_model: str
    subject_id: int
    subject_label: str
    field: str
    purpose: str


class PiiAccessFilters(PageParams):
    date_from: date | None = Field(None, description="起始日期（含）")
    date_to: date | None = Field(None, description="截止日期（含）")
    actor: str | None = Field(None, max_length=150, description="查看人用户名")


@router.get("/pii-access", response=Page[PiiAccessOut], summary="个人信息查看记录")
def pii_access_list(request: HttpRequest, filters: Query[PiiAccessFilters]) -> dict[str, Any]:
    user = caller(request)
    require(access.has_power(user, access.AUDIT))
    qs = org_selectors.pii_access_log_list(
        user=user, date_from=filters.date_from, date_to=filters.date_to, actor=filters.actor
    )
    page = paginate(qs, filters)
    page["items"] = [
        {
            "id": row.pk,
            "at": row.at,
            "actor": row.actor.get_username(),
            "subject_model": row.subject_model,
            "subject_id": row.subject_id,
            "subject_label": row.subject_label,
            "field": row.field,
            "purpose": row.purpose,
        }
        for row in page["items"]
    ]
    return page
