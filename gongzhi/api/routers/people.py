"""/api/v1/people: residents and staff, masked. Only /reveal returns a clear value, and it
writes a PiiAccessLog row (orgs.services.person_reveal).

Search by a whole phone or ID number is POST /search: a number in a query string would be
kept by every access log on the way (docs/personal-data.md), so GET refuses one with a 400
naming the POST. Each search by number writes its own access-log row.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.routers.people_schemas import PersonOut, person_out
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.core import pii
from gongzhi.core.errors import invalid
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs import services as org_services

router = Router(tags=["people"])

IdPath = Path(..., ge=1, le=MAX_ID)


class PeopleFilters(PageParams):
    q: str | None = Field(
        None, max_length=100, description="姓名包含或人员编码；手机号、身份证号请用 POST /people/search"
    )


class NumberSearchIn(PageParams):
    number: str = Field(..., max_length=30, description="完整手机号或身份证号（精确查找）")
    purpose: str = Field("", max_length=200, description="查找用途（可不填，写入查看记录）")


class RevealIn(Schema):
    field: str = Field(..., max_length=20, description="phone 或 id_number")
    purpose: str = Field(..., max_length=200, description="查看用途，如“上门探视”")


class RevealOut(Schema):
    field: str
    value: str


@router.get("", response=Page[PersonOut], summary="人员列表与查找")
def person_list(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    user = caller(request)
    q = (filters.q or "").strip()
    if pii.carries_number(q):
        raise HttpError(400, _("手机号、身份证号请用 POST /api/v1/people/search 查找（不放进网址）"))
    qs = org_selectors.person_search(user=user, text=q) if q else org_selectors.person_list(user=user)
    page = paginate(qs.order_by("code"), filters)
    page["items"] = [person_out(p) for p in page["items"]]
    return page


@router.post("/search", response=Page[PersonOut], summary="按完整手机号或身份证号查找（留痕）")
def person_number_search(request: HttpRequest, payload: NumberSearchIn) -> dict[str, Any]:
    """Exact, scoped (a number outside the caller's scope counts 0) and written to the access
    log with the masked number and the count. Each call is one search, so each page is logged."""
    search = pii.number_search(payload.number)
    if search is None:
        raise invalid("number", _("请输入完整的11位手机号或18位身份证号"))
    found = org_services.person_number_search(actor=caller(request), search=search, purpose=payload.purpose)
    page = paginate(found.order_by("code"), payload)
    page["items"] = [person_out(p) for p in page["items"]]
    return page


@router.get("/{person_id}", response=PersonOut, summary="人员详情")
def person_detail(request: HttpRequest, person_id: int = IdPath) -> dict[str, Any]:
    return person_out(found(org_selectors.person_get(user=caller(request), pk=person_id)))


@router.post("/{person_id}/reveal", response=RevealOut, summary="查看完整手机号或身份证号（留痕）")
def person_reveal(request: HttpRequest, payload: RevealIn, person_id: int = IdPath) -> dict[str, Any]:
    user = caller(request)
    person = found(org_selectors.person_get(user=user, pk=person_id))
    value = org_services.person_reveal(
        actor=user, person=person, field=payload.field, purpose=payload.purpose
    )
    return {"field": payload.field, "value": value}
