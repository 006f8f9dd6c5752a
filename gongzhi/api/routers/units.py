"""/api/v1/units: units, seen by whoever sees the roster of the unit's node."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.shortcuts import caller, found
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_name: str
    node: str
    node_name: str
    office_phone: str  # an office line, published on purpose; not personal data
    address: str
    active: bool


class UnitFilters(PageParams):
    node: str | None = Field(None, max_length=40, description="所在辖区编码（含下级）")
    kind: str | None = Field(None, max_length=30)
    q: str | None = Field(None, max_length=100, description="名称包含")


def unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "kind_name": str(unit.get_kind_display()),
        "node": unit.node.code,
        "node_name": unit.node.name,
        "office_phone": unit.office_phone,
        "address": unit.address,
        "active": unit.active,
    }


@router.get("", response=Page[UnitOut], summary="单位列表")
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> dict[str, Any]:
    user = caller(request)
    qs = org_selectors.unit_list(user=user).order_by("code")
    if filters.node:
        # as for /posts?node=: a node outside the roster scope is unknown (404)
        node = found(org_selectors.node_get(user=user, code=filters.node, power=access.VIEW_ROSTER))
        qs = qs.filter(node__path__startswith=node.path)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(name__contains=filters.q)
    page = paginate(qs, filters)
    page["items"] = [unit_out(u) for u in page["items"]]
    return page


@router.get("/{code}", response=UnitOut, summary="单位详情")
def unit_detail(request: HttpRequest, code: str = Path(..., max_length=40)) -> dict[str, Any]:
    return unit_out(found(org_selectors.unit_list(user=caller(request)).filter(code=code).first()))
