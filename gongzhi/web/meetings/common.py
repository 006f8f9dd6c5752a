"""What the 居务会 pages share: their limits, the timeline's event labels, date parsing, and the
places a user may convene at, filter by or join a meeting with.

Reads go through gongzhi.meetings.selectors (and the cases, orgs and geo selectors); every
write is a POST handled in the *_actions modules, which call the meetings services only.
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.models import (
    TopicState,
)
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors

MAX_NODES = 300
MAX_ROSTER = 200
MAX_CASES = 100
SLIP_PAGE = 50
NEW_CASE_ROWS = 2

EVENT_LABELS = {
    "create": gettext_lazy("创建"),
    "invite": gettext_lazy("邀请参会"),
    "attend": gettext_lazy("登记出席"),
    "hold": gettext_lazy("会议召开"),
    "cancel": gettext_lazy("取消会议"),
    "remind": gettext_lazy("提醒"),
    "write_minutes": gettext_lazy("保存纪要"),
    "finalise": gettext_lazy("纪要定稿"),
    "amend_minutes": gettext_lazy("修改已定稿纪要"),
    "propose": gettext_lazy("提出议题"),
    "approve": gettext_lazy("党组织审核通过"),
    "reject": gettext_lazy("党组织审核不通过"),
    "schedule": gettext_lazy("排入会议"),
    "discuss": gettext_lazy("会上讨论"),
    "refer": gettext_lazy("提交上级会议"),
    "carry": gettext_lazy("转下次会议"),
    "edit": gettext_lazy("修改草稿"),
    "issue": gettext_lazy("发出会签"),
    "sign": gettext_lazy("会签同意"),
    "object": gettext_lazy("会签有异议"),
    "bind": gettext_lazy("全部会签，生效"),
    "revise": gettext_lazy("修订"),
    "link_case": gettext_lazy("关联工单"),
    "complete": gettext_lazy("办结"),
    "reopen": gettext_lazy("关联工单重新办理，恢复生效"),
    "submit_completion": gettext_lazy("主办单位报告办结"),
    "confirm_completion": gettext_lazy("党组织确认办结"),
    "return_completion": gettext_lazy("党组织退回办结报告"),
    "void": gettext_lazy("作废"),
    "evaluate": gettext_lazy("评议"),
}
ACTIVE_TOPIC_STATES: list[str] = [TopicState.PROPOSED, TopicState.APPROVED]


def local_datetime(value: str) -> datetime | None:
    """A datetime-local field as an aware datetime in the site's zone (None if unusable)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not datetime(2000, 1, 1) <= parsed.replace(tzinfo=None) <= datetime(2099, 12, 31):
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def parse_day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2099, 12, 31) else None


def convene_nodes(user: Actor) -> list[Node]:
    """The nodes where the user may call a meeting or propose a topic (street, block, area)."""
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.CONVENE):
        below = geo_selectors.descendants(root).filter(level__lte=Level.AREA)
        nodes.extend(below.order_by("path")[:MAX_NODES])
    return nodes[:MAX_NODES]


def filter_nodes(user: Actor) -> list[Node]:
    """The places offered in the area filters (street, block areas, residential areas)."""
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.VIEW_MEETINGS):
        below = geo_selectors.descendants(root).filter(level__lte=Level.AREA)
        nodes.extend(below.order_by("path")[:MAX_NODES])
    return nodes[:MAX_NODES]


def joint_options(user: Actor) -> list[Node]:
    """Residential areas that may join a 联合居务会: the areas of the blocks the user convenes in."""
    blocks: dict[int, Node] = {}
    for n in convene_nodes(user):
        if n.level == Level.BLOCK:
            blocks[n.pk] = n
        elif n.level == Level.AREA and n.parent is not None:
            blocks[n.parent.pk] = n.parent
    out: list[Node] = []
    for block in blocks.values():
        out.extend(geo_selectors.children(block).filter(level=Level.AREA).order_by("path"))
    return out[:MAX_NODES]


def node_filter(request: HttpRequest, errors: list[str]) -> Node | None:
    code = request.GET.get("node", "").strip()[:100]
    if not code:
        return None
    node = org_selectors.node_get(user=request.user, code=code, power=access.VIEW_MEETINGS)
    if node is None:
        errors.append(_("没有找到该辖区"))
    return node
