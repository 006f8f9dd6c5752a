"""What a person does on the platform besides a post's work, for the home page: their duty
shifts (volunteers, property and unit staff on a rota), the order teams they serve on, and for
residents the doors they use (报事, 下单, 志愿服务, 积分). Without these a volunteer's phone
showed only their own record and the shift they were on was a typed address away."""

from dataclasses import dataclass, field
from typing import Any

from gongzhi.community import selectors as community_selectors
from gongzhi.community import volunteers
from gongzhi.core.actors import Actor
from gongzhi.mobilisation import selectors as mobilisation_selectors
from gongzhi.orders import teams
from gongzhi.orgs import access

SHIFTS_SHOWN = 3


@dataclass
class Personal:
    shifts: list[Any] = field(default_factory=list)  # the next standing shifts (mobilisation)
    on_team: bool = False  # serves on an order module's team: the 抢单 pool
    resident: bool = False  # no post: the resident's doors below apply
    volunteer: bool = False
    member: bool = False  # a registered Party member: the points ledger
    unit: bool = False  # acts for a unit (双报到 unit, property company) without the committee's view


def personal(user: Actor, *, staff: bool) -> Personal:
    """Staff get their shifts and order teams (two queries) and, when they act for a unit
    but lack the committee's view of the community lists, that door (one more); residents the
    resident's doors."""
    scope = access.scope(user)
    if scope.person_id is None:
        return Personal()
    out = Personal(
        shifts=list(mobilisation_selectors.my_assignments(user=user)[:SHIFTS_SHOWN]),
        on_team=bool(teams.module_ids(user)),
    )
    if staff:
        out.unit = not access.has_power(user, access.VIEW_COMMUNITY) and bool(access.held_unit_ids(user))
    else:
        out.resident = True
        out.volunteer = volunteers.my_volunteer(user) is not None
        out.member = community_selectors.my_member(user=user) is not None
    return out
