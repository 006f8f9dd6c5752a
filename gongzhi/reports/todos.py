"""A person's to-dos (待办) with their counts, for the home page's tiles.

Each count is the count of the very list its tile opens, read through the same selector call
(one door): the dispatcher's queue, the case list's `?todo=` filters, the overdue list, the
Party organisation's vetting queue, the slips waiting for the user's countersignature, the
slips reported done that their Party organisation confirms, the meetings they are invited
to, and the community's 双报到 waiting for confirmation and points claims and appeals waiting
for the branch secretary (community.selectors), the 直报 waiting for the duty roster's
acknowledgement and one's own 直报 past their 续报 deadline (mobilisation.direct_selectors),
and a service module's lead's volunteers' hours waiting for confirmation (orders.selectors).
The home page's tiles and GET /api/v1/me/todos read them here, with the list each opens. A role sees the tiles of the to-dos it can have (zero shown
muted); the others are left out (an auditor has none)."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.care import selectors as care_selectors
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import selectors_overdue, selectors_todo
from gongzhi.cases.states import State
from gongzhi.community import selectors as community_selectors
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.meetings.models import SlipState
from gongzhi.mobilisation import direct_selectors
from gongzhi.mobilisation.direct_roster import roster_street_ids
from gongzhi.orders import selectors as order_selectors
from gongzhi.orders import teams as order_teams
from gongzhi.orgs import access
from gongzhi.orgs.roles import PostRole

ACCEPT = "accept"  # 待受理
HANDLE = selectors_todo.HANDLE  # 待我处理
SOON = selectors_todo.SOON  # 即将超期
OVERDUE = "overdue"  # 超期
VET = "vet"  # 待审核议题
SIGN = "sign"  # 待会签
CONFIRM = "confirm"  # 待确认: slips reported done, for the Party organisation
INVITED = "invited"  # 会议邀请
CALLBACK = selectors_todo.CALLBACK  # 待回访
CARE = "care"  # 关爱预警: open care alerts of the subjects the user sees (docs/care.md)
REGISTRATIONS = "registrations"  # 待确认报到: 双报到 applications the user decides (docs/community.md)
POINTS = "points"  # 待审核积分: points claims and appeals the user decides
DIRECT_ACK = (
    "direct_ack"  # 直报待确认: for whoever is on a street's duty roster (docs/mobilisation.md "直报")
)
DIRECT_FOLLOW_UP = "direct_follow_up"  # 续报待写: one's own 直报 past the 续报 deadline
ORDER_HOURS = "order_hours"  # 待确认时长: volunteers' order hours a module's lead confirms (docs/services.md)

LABELS: dict[str, Promise] = {
    ACCEPT: _("待受理"),
    HANDLE: _("待我处理"),
    SOON: _("即将超期"),
    OVERDUE: _("超期"),
    VET: _("待审核议题"),
    SIGN: _("待会签"),
    CONFIRM: _("待确认"),
    INVITED: _("会议邀请"),
    CALLBACK: _("待回访"),
    CARE: _("关爱预警"),
    REGISTRATIONS: _("待确认报到"),
    POINTS: _("待审核积分"),
    DIRECT_ACK: _("直报待确认"),
    DIRECT_FOLLOW_UP: _("续报待写"),
    ORDER_HOURS: _("待确认时长"),
}
# 直报待确认 first (minutes count); 续报待写 last (a reporter's tile, zero on most days)
ORDER = (
    DIRECT_ACK,
    ACCEPT,
    HANDLE,
    SOON,
    OVERDUE,
    VET,
    SIGN,
    CONFIRM,
    INVITED,
    CALLBACK,
    CARE,
    REGISTRATIONS,
    POINTS,
    ORDER_HOURS,
    DIRECT_FOLLOW_UP,
)
# Where each to-do leads: the list whose length it counts (URL name, query string).
LINKS: dict[str, tuple[str, str]] = {
    ACCEPT: ("web:case_queue", "?state=received"),
    HANDLE: ("web:case_list", "?todo=handle"),
    SOON: ("web:case_list", "?todo=soon"),
    OVERDUE: ("web:case_overdue", ""),
    VET: ("web:topic_vet_queue", ""),
    SIGN: ("web:slips", "?todo=sign"),
    CONFIRM: ("web:slips", "?todo=confirm"),
    INVITED: ("web:meetings", "?todo=invited"),
    CALLBACK: ("web:case_list", "?todo=callback"),
    CARE: ("web:care_home", ""),
    REGISTRATIONS: ("web:community_queue", ""),
    POINTS: ("web:community_approvals", ""),
    DIRECT_ACK: ("web:direct_home", f"?todo={direct_selectors.TODO_ACK}"),
    DIRECT_FOLLOW_UP: ("web:direct_home", f"?todo={direct_selectors.TODO_FOLLOW_UP}"),
    ORDER_HOURS: ("web:order_pool", "?todo=hours"),
}
WARN = frozenset(
    {SOON, OVERDUE, CARE, DIRECT_ACK, DIRECT_FOLLOW_UP}
)  # a non-zero count of these is shown as a warning


@dataclass(frozen=True)
class Todo:
    key: str
    count: int

    @property
    def label(self) -> Promise:
        return LABELS[self.key]

    @property
    def url(self) -> str:
        """The list this to-do counts."""
        name, query = LINKS[self.key]
        return reverse(name) + query

    @property
    def warn(self) -> bool:
        return self.key in WARN and self.count > 0


def keys_for(user: Actor) -> list[str]:
    """The to-dos the user's posts can ever give them, in the tiles' order."""
    s = access.scope(user)
    dispatcher = access.has_power(user, access.DISPATCH)
    # Every post but an auditor's may have cases dispatched to it (the routing's candidates).
    handler = s.person_id is not None and bool(s.roles() - {PostRole.AUDITOR})
    wanted = {
        ACCEPT: dispatcher,
        HANDLE: handler,
        SOON: dispatcher or handler,
        OVERDUE: access.has_power(user, access.VIEW_CASES),
        VET: access.has_power(user, access.VET),
        CONFIRM: access.has_power(user, access.VET),  # the Party organisation confirms slips
        SIGN: s.person_id is not None and access.has_power(user, access.VIEW_MEETINGS),
        INVITED: s.person_id is not None and access.has_power(user, access.VIEW_MEETINGS),
        CALLBACK: dispatcher,
        # who acts on a care alert: the committee (MANAGE_CARE) and the grid worker serving the
        # subject (chain.may_act); /care/ lists the same alerts
        CARE: access.has_power(user, access.MANAGE_CARE) or PostRole.GRID_WORKER in s.roles(),
        # the Party side decides 双报到, points claims and appeals (APPROVE_COMMUNITY)
        REGISTRATIONS: access.has_power(user, access.APPROVE_COMMUNITY),
        POINTS: access.has_power(user, access.APPROVE_COMMUNITY),
        # the duty roster acknowledges 直报 (direct_roster: the officers, the day's leaders and
        # the leaders); reporters owe the 续报 of their own
        DIRECT_ACK: s.person_id is not None and bool(roster_street_ids(user)),
        DIRECT_FOLLOW_UP: access.has_power(user, access.DIRECT_REPORT),
        # a service module's lead confirms their volunteers' hours (orders.teams)
        ORDER_HOURS: bool(order_teams.module_ids(user, leads=True)),
    }
    return [key for key in ORDER if wanted[key]]


def count(user: Actor, key: str, now: datetime) -> int:
    """The length of the list the tile opens, read as that list reads it."""
    if key == ACCEPT:
        return case_selectors.dispatch_queue(user=user, states=[State.RECEIVED]).count()
    if key in selectors_todo.KEYS:
        return case_selectors.case_list(user=user, filters={"todo": key}).count()
    if key == OVERDUE:
        return selectors_overdue.overdue_cases(user=user, now=now).count()
    if key == VET:
        return meeting_selectors.to_vet(user=user).count()
    if key == SIGN:
        return meeting_selectors.slip_list(user=user, states=[SlipState.SIGNING], to_sign=True).count()
    if key == CONFIRM:
        return meeting_selectors.slip_list(user=user, states=[SlipState.CONFIRMING], to_confirm=True).count()
    if key == INVITED:
        return meeting_selectors.invitations(user=user, now=now).count()
    if key == CARE:
        return care_selectors.alerts(user=user).count()
    if key == REGISTRATIONS:
        return community_selectors.confirm_queue(user=user).count()
    if key == POINTS:  # /community/approvals/ lists both
        claims = community_selectors.pending_claims(user=user).count()
        return claims + community_selectors.open_appeals(user=user).count()
    if key == DIRECT_ACK:
        return direct_selectors.to_acknowledge(user).count()
    if key == DIRECT_FOLLOW_UP:
        return direct_selectors.follow_up_owed(user, now).count()
    if key == ORDER_HOURS:
        return order_selectors.hours_waiting(user).count()
    raise ValueError(key)


def todos(user: Actor) -> list[Todo]:
    """The user's to-dos with their counts now (an empty list for a role that has none, and for
    one who sees no place: a resident's home page shows their own reports instead)."""
    s = access.scope(user)
    if not (s.superuser or s.paths(access.VIEW_TREE)):  # no query: the scope is in memory
        return []
    now = clock.now()  # the case list's filters read clock.now() too
    return [Todo(key, count(user, key, now)) for key in keys_for(user)]
