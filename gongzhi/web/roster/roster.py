"""The 三定 roster of a residential area: who answers for what, by 1+8+X seat."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.cases import coverage
from gongzhi.geo.levels import Level
from gongzhi.orgs import access, selectors
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import THE_EIGHT, THE_ONE, MeetingRole
from gongzhi.web.common.reveal import PURPOSES
from gongzhi.web.http import not_found, page


def seats(posts: list[Post]) -> dict[str, Any]:
    """Group posts as the 居务会 seats them: the 1 and the 8 always listed (empty = 空缺),
    then the X seats that are filled, then staff posts without a seat."""
    by_role: dict[str, list[Post]] = {}
    for post in posts:
        by_role.setdefault(post.meeting_role, []).append(post)
    fixed = [THE_ONE, *THE_EIGHT]
    return {
        "one": {"label": THE_ONE.label, "posts": by_role.get(THE_ONE, [])},
        "eight": [{"label": role.label, "posts": by_role.get(role, [])} for role in THE_EIGHT],
        "x": [
            {"label": role.label, "posts": by_role[role]}
            for role in MeetingRole
            if role not in fixed and by_role.get(role)
        ],
        "staff": by_role.get("", []),
    }


@page
def roster(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.node_get(user=request.user, code=code, power=access.VIEW_ROSTER)
    if area is None or area.level != Level.AREA:
        raise not_found()
    posts = list(selectors.roster(user=request.user, area=area))
    return render(
        request,
        "web/roster/roster.html",
        {
            "area": area,
            "trail": list(selectors.node_trail(user=request.user, node=area)),
            "seats": seats(posts),
            "count": len(posts),
            "purposes": PURPOSES,
            "coverage": coverage.area_get(user=request.user, code=area.code) is not None,
        },
    )
