"""/api/v1/routing/coverage: for each residential area in scope × active 小类, the post a case
would be routed to and the rule used (本地 / 牵头单位), or a gap. The same read as the 分派覆盖
page (`cases.coverage`, which asks `cases.routing` as the intake does)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.api.shortcuts import caller, found, require
from gongzhi.cases import coverage
from gongzhi.orgs.models import Post

router = Router(tags=["routing"])


class RoutedPostOut(Schema):
    code: str
    title: str
    node: str
    node_name: str
    unit_name: str
    person_name: str


class CellOut(Schema):
    category: str
    category_name: str
    rule: str = Field(description="local（本地岗位）、lead_unit（牵头单位兜底）；空串为缺口")
    post: RoutedPostOut | None
    assisting: list[str]
    below: int = Field(description="居民区以下（小区、网格）负责该小类的岗位数：那里的问题先交给它们")


class AreaCoverageOut(Schema):
    area: str
    area_name: str
    gaps: int
    cells: list[CellOut]


class CoverageFilters(Schema):
    node: str | None = Field(None, max_length=40, description="居民区或其上级的编码：只看其下的居民区")
    gaps_only: bool = Field(False, description="只列缺口")


def _post(post: Post | None) -> dict[str, Any] | None:
    if post is None:
        return None
    return {
        "code": post.code,
        "title": post.title,
        "node": post.node.code,
        "node_name": post.node.name,
        "unit_name": post.unit.name,
        "person_name": post.person.name,
    }


@router.get("/coverage", response=list[AreaCoverageOut], summary="分派覆盖（居民区 × 小类）")
def routing_coverage(request: HttpRequest, filters: Query[CoverageFilters]) -> list[dict[str, Any]]:
    user = caller(request)
    require(coverage.may_view(user))
    under = found(coverage.area_get(user=user, code=filters.node)) if filters.node else None
    out = []
    for area in coverage.coverage(user=user, under=under):
        cells = area.gaps if filters.gaps_only else area.cells
        out.append(
            {
                "area": area.area.code,
                "area_name": area.area.name,
                "gaps": len(area.gaps),
                "cells": [
                    {
                        "category": c.category.code,
                        "category_name": c.category.name,
                        "rule": c.route.rule,
                        "post": _post(c.route.post),
                        "assisting": [p.code for p in c.route.assisting],
                        "below": c.below,
                    }
                    for c in cells
                ],
            }
        )
    return out
