"""The task slips' follow-up list as a file (docs/exports.md), with the page's filters and
scope and access.EXPORT on top."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.meetings.exports import SLIPS
from gongzhi.meetings.models import SlipState
from gongzhi.orgs import access
from gongzhi.web.common.exports import refuse, send, staff_export
from gongzhi.web.http import require_power
from gongzhi.web.meetings.common import node_filter


@staff_export
def slips_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The slip follow-up list with its filters (place, state; open slips when no state)."""
    require_power(request, access.VIEW_MEETINGS)
    require_power(request, access.EXPORT)
    errors: list[str] = []
    node = node_filter(request, errors)  # unknown and out of scope alike: 没有找到该辖区
    state = request.GET.get("state", "")
    if state and state not in SlipState.values:
        errors.append(_("状态取值无效：%(value)s") % {"value": state[:20]})
    if errors:
        return refuse(request, errors)
    states = [state] if state else [str(s) for s in meeting_selectors.OPEN_SLIP_STATES]
    todo = request.GET.get("todo", "")  # the 待会签 and 待确认 lists, as the page reads them
    if todo == "sign":
        states = [SlipState.SIGNING]
    elif todo == "confirm":
        states = [SlipState.CONFIRMING]
    qs = meeting_selectors.slip_list(
        user=request.user,
        node_path=node.path if node else "",
        states=states,
        to_sign=todo == "sign",
        to_confirm=todo == "confirm",
    )
    return send(request, SLIPS, qs, fmt)
