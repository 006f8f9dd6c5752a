"""/api/v1/people: residents and staff, masked. Only /reveal returns a clear value, and it
writes a PiiAccessLog row (orgs.services.person_reveal)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.routers.people_schemas import PersonOut, person_out
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs import services as org_services

router = Router(tags=["people"])

IdPath = Path(..., ge=1, le=MAX_ID)


class PeopleFilters(PageParams):
    q: str | None = Field(None, max_length=100, description="姓名包含，或完整手机号 / 身份证号")


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
    # Search goes through the scoped selector: an exact phone outside scope counts 0.
    qs = org_selectors.person_search(user=user, text=q) if q else org_selectors.person_list(user=user)
    page = paginate(qs.order_by("code"), filters)
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
