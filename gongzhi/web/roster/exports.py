"""Exports of the people search and an area's 三定 roster (docs/exports.md): the page's selector,
filters and scope, access.EXPORT on top, and the access-log row before the first byte."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.orgs import exports as org_exports
from gongzhi.orgs import selectors as org_selectors
from gongzhi.web.common.exports import refuse, send, staff_export
from gongzhi.web.http import not_found, require_power
from gongzhi.web.roster import people


@staff_export
def people_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The people search's results (the page lists nobody until something is searched): by
    name from `q`, by number from the page's token (web.roster.people), never from a number in the URL."""
    require_power(request, access.VIEW_PEOPLE)
    require_power(request, access.EXPORT)
    token = request.GET.get("s", "")
    if token:
        search = people.stashed(request, token)
        if search is None:
            return refuse(request, [_("查询已过期，请重新输入号码查询")])
        qs = org_selectors.person_by_number(user=request.user, search=search).order_by("name", "code")
        return send(request, org_exports.PEOPLE, qs, fmt, logged={"number": search.masked})
    q = (request.GET.get("q") or "").strip()[:50]
    if pii.carries_number(q):
        return refuse(request, [_("手机号、身份证号请在查询框中输入（不放进网址）")])
    if not q:
        return refuse(request, [_("请先输入查询条件（姓名、手机号或身份证号）")])
    qs = org_selectors.person_search(user=request.user, text=q).order_by("name", "code")
    return send(request, org_exports.PEOPLE, qs, fmt)


@staff_export
def roster_export(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    """A residential area's 三定 roster, in the page's seat order."""
    require_power(request, access.EXPORT)
    area = org_selectors.node_get(user=request.user, code=code, power=access.VIEW_ROSTER)
    if area is None or area.level != Level.AREA:
        raise not_found()
    qs = org_exports.in_seat_order(org_selectors.roster(user=request.user, area=area))
    return send(request, org_exports.ROSTER, qs, fmt)
