"""/api/v1/posts: the 三定 roster (fixed person, post and duty). Phones are masked; calling
someone means revealing the number through /people/{id}/reveal, which is logged."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.routers.people_schemas import PersonBriefOut, person_brief
from gongzhi.api.shortcuts import caller, found
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Post

router = Router(tags=["posts"])


class PostOut(Schema):
    code: str
    title: str
    duty: str
    title_en: str = Field(description="岗位英文名称（可为空）")
    duty_en: str = Field(description="职责英文（可为空）")
    role: str
    role_name: str
    meeting_role: str
    node: str
    node_name: str
    unit: str
    unit_name: str
    person: PersonBriefOut
    deputy: PersonBriefOut | None
    categories: list[str]
    active_from: date
    active_until: date | None


class PostFilters(PageParams):
    node: str | None = Field(None, max_length=40, description="辖区编码：该节点及下级的岗位")


def post_out(post: Post) -> dict[str, Any]:
    return {
        "code": post.code,
        "title": post.title,
        "duty": post.duty,
        "title_en": post.title_en,
        "duty_en": post.duty_en,
        "role": post.role,
        "role_name": str(post.get_role_display()),
        "meeting_role": post.meeting_role,
        "node": post.node.code,
        "node_name": post.node.name,
        "unit": post.unit.code,
        "unit_name": post.unit.name,
        "person": person_brief(post.person),
        "deputy": person_brief(post.deputy),
        "categories": [c.code for c in post.categories.all()],
        "active_from": post.active_from,
        "active_until": post.active_until,
    }


@router.get("", response=Page[PostOut], summary="三定岗位（名册）")
def post_list(request: HttpRequest, filters: Query[PostFilters]) -> dict[str, Any]:
    user = caller(request)
    node = None
    if filters.node:
        node = found(org_selectors.node_get(user=user, code=filters.node, power=access.VIEW_ROSTER))
    qs = org_selectors.post_list(user=user, node=node).order_by("node__path", "code")
    page = paginate(qs, filters)
    page["items"] = [post_out(p) for p in page["items"]]
    return page


@router.get("/{code}", response=PostOut, summary="岗位详情")
def post_detail(request: HttpRequest, code: str = Path(..., max_length=40)) -> dict[str, Any]:
    return post_out(found(org_selectors.post_list(user=caller(request)).filter(code=code).first()))
