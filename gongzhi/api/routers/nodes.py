"""/api/v1/nodes: the jurisdiction tree, scoped by orgs.access; writes through geo.services."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.shortcuts import caller, found, require
from gongzhi.core.errors import invalid
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo import services as geo_services
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors

router = Router(tags=["nodes"])

CodePath = Path(..., max_length=40, description="节点编码")


class NodeOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent: str | None
    ancestors: list[str] = Field(..., description="从根到本节点的编码")
    address: str


class NodeDetailOut(NodeOut):
    geometry: dict[str, Any] | None


class NodeFilters(PageParams):
    level: int | None = Field(None, ge=1, le=7, description="层级 1街道…7户")
    parent: str | None = Field(None, max_length=40, description="上级编码")
    q: str | None = Field(None, max_length=100, description="名称包含")


class NodeIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    level: int = Field(..., ge=1, le=7)
    parent: str | None = Field(None, max_length=40, description="上级编码；街道为空")
    address: str = Field("", max_length=200)
    geometry: dict[str, Any] | None = None


class NodePatch(Schema):
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    geometry: dict[str, Any] | None = None
    note: str = Field("", max_length=200)


class NodeMoveIn(Schema):
    parent: str = Field(..., max_length=40, description="新的上级编码")
    note: str = Field("", max_length=200)


class NodeChangeOut(Schema):
    kind: str
    kind_name: str
    at: datetime
    actor: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    note: str


def node_out(node: Node, *, detail: bool = False) -> dict[str, Any]:
    codes = node.ancestor_codes()
    out: dict[str, Any] = {
        "code": node.code,
        "name": node.name,
        "level": node.level,
        "level_name": str(node.get_level_display()),
        "parent": codes[-2] if len(codes) > 1 else None,
        "ancestors": codes,
        "address": node.address,
    }
    if detail:
        out["geometry"] = node.geometry
    return out


def _visible(request: HttpRequest, code: str) -> Node:
    return found(org_selectors.node_get(user=caller(request), code=code))


def _parent_for_write(request: HttpRequest, code: str) -> Node:
    """A parent named in a body: unknown or out of scope is a field error, not a 404."""
    parent = org_selectors.node_get(user=caller(request), code=code)
    if parent is None:
        raise invalid("parent", _("上级节点 %(code)s 不存在") % {"code": code})
    require(access.can(caller(request), access.MANAGE_TREE, parent))
    return parent


@router.get("", response=Page[NodeOut], summary="辖区节点列表")
def node_list(request: HttpRequest, filters: Query[NodeFilters]) -> dict[str, Any]:
    qs = org_selectors.node_list(user=caller(request)).order_by("path")
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    if filters.q:
        qs = qs.filter(name__contains=filters.q)
    page = paginate(qs, filters)
    page["items"] = [node_out(n) for n in page["items"]]
    return page


@router.get("/{code}", response=NodeDetailOut, summary="节点详情")
def node_detail(request: HttpRequest, code: str = CodePath) -> dict[str, Any]:
    return node_out(_visible(request, code), detail=True)


@router.get("/{code}/children", response=list[NodeOut], summary="下级节点")
def node_children(request: HttpRequest, code: str = CodePath) -> list[dict[str, Any]]:
    node = _visible(request, code)
    return [node_out(n) for n in geo_selectors.children(node)]


@router.get("/{code}/geojson", response=dict[str, Any], summary="节点及下级的 GeoJSON")
def node_geojson(
    request: HttpRequest,
    code: str = CodePath,
    level: int | None = Query(None, ge=1, le=7, description="只要这一层级"),
) -> dict[str, Any]:
    # A visible node's whole subtree is visible: every grant covers a subtree.
    node = _visible(request, code)
    return geo_selectors.geojson_feature_collection(geo_selectors.descendants(node, level=level))


@router.get("/{code}/history", response=list[NodeChangeOut], summary="节点变更记录")
def node_history(request: HttpRequest, code: str = CodePath) -> list[dict[str, Any]]:
    node = _visible(request, code)
    return [
        {
            "kind": c.kind,
            "kind_name": str(c.get_kind_display()),
            "at": c.at,
            "actor": c.actor.get_username() if c.actor else None,
            "before": c.before,
            "after": c.after,
            "note": c.note,
        }
        for c in geo_selectors.node_history(node)
    ]


@router.post("", response={201: NodeDetailOut}, summary="新建节点")
def node_create(request: HttpRequest, payload: NodeIn) -> Status[dict[str, Any]]:
    user = caller(request)
    if payload.parent:
        parent: Node | None = _parent_for_write(request, payload.parent)
    else:
        parent = None
        require(access.scope(user).superuser)  # a new root (street) is the system's to add
    node = geo_services.node_create(
        actor=user,
        code=payload.code,
        name=payload.name,
        level=payload.level,
        parent=parent,
        address=payload.address,
        geometry=payload.geometry,
    )
    return Status(201, node_out(node, detail=True))


@router.patch("/{code}", response=NodeDetailOut, summary="修改节点（更名、地址、边界）")
def node_update(request: HttpRequest, payload: NodePatch, code: str = CodePath) -> dict[str, Any]:
    user = caller(request)
    node = _visible(request, code)
    require(access.can(user, access.MANAGE_TREE, node))
    node = geo_services.node_update(
        actor=user,
        node=node,
        name=payload.name,
        address=payload.address,
        geometry=payload.geometry,
        note=payload.note,
    )
    return node_out(node, detail=True)


@router.post("/{code}/move", response=NodeDetailOut, summary="迁移节点")
def node_move(request: HttpRequest, payload: NodeMoveIn, code: str = CodePath) -> dict[str, Any]:
    user = caller(request)
    node = _visible(request, code)
    require(access.can(user, access.MANAGE_TREE, node))
    new_parent = _parent_for_write(request, payload.parent)
    node = geo_services.node_move(actor=user, node=node, new_parent=new_parent, note=payload.note)
    return node_out(node, detail=True)
