"""/api/v1/me: what concerns the caller. /me/todos lists their to-dos (我的待办) with the counts
the home page's tiles show and the list each opens (reports.todos, the one place they are
counted), so an app can show the same badges."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gongzhi.api.shortcuts import caller
from gongzhi.reports import todos

router = Router(tags=["me"])


class TodoOut(Schema):
    key: str = Field(
        description="accept、handle、soon、overdue、vet、sign、confirm、invited、callback、care、"
        "registrations、points、direct_ack（直报待确认）、direct_follow_up（续报待写）"
    )
    label: str = Field(description="名称（按请求语言）")
    count: int = Field(description="该待办列表现在的条数（与首页待办磁贴一致）")
    warn: bool = Field(description="true：即将超期或超期且不为零")
    url: str = Field(description="打开该列表的页面地址")


@router.get("/todos", response=list[TodoOut], summary="我的待办（与首页一致）", url_name="me_todos")
def me_todos(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's to-dos in the home page's order; an empty list for a role that has none."""
    return [
        {"key": t.key, "label": str(t.label), "count": t.count, "warn": t.warn, "url": t.url}
        for t in todos.todos(caller(request))
    ]
