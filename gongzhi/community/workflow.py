"""The project workflow as data: (state, action) → the next state and who may take it.

STAFF: the committee, the Party secretary or a cadre above (MANAGE_COMMUNITY over the project's
place); UNIT: staff of the claiming unit (for a claim: of any active unit); SYSTEM: the pledge
coming into force and the reminders of the follow-up sweep.
"""

from django.utils.translation import gettext as _

from gongzhi.community.models import ProjectState as P
from gongzhi.core.errors import ConflictError, PermissionDeniedError

STAFF, UNIT, SYSTEM = "staff", "unit", "system"

PROJECT: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (P.DRAFT, "publish"): (P.OPEN, frozenset({STAFF})),
    (P.DRAFT, "cancel"): (P.CANCELLED, frozenset({STAFF})),
    (P.OPEN, "cancel"): (P.CANCELLED, frozenset({STAFF})),
    (P.OPEN, "claim"): (P.CLAIMED, frozenset({UNIT, STAFF})),
    (P.CLAIMED, "revise_pledge"): (P.CLAIMED, frozenset({STAFF})),
    (P.CLAIMED, "sign"): (P.CLAIMED, frozenset({UNIT, STAFF})),
    (P.CLAIMED, "in_force"): (P.ACTIVE, frozenset({SYSTEM})),
    (P.ACTIVE, "milestone_done"): (P.ACTIVE, frozenset({UNIT, STAFF})),
    (P.ACTIVE, "remind"): (P.ACTIVE, frozenset({SYSTEM})),
    (P.ACTIVE, "finish"): (P.DONE, frozenset({STAFF})),
}


def allowed(state: str) -> list[str]:
    return sorted(action for (s, action) in PROJECT if s == state)


def step(state: str, action: str, kinds: set[str]) -> str:
    """The state `action` leads to from `state`; 409 when the state does not allow it (naming
    what may be done instead), 403 when the actor is not among those who may."""
    rule = PROJECT.get((state, action))
    if rule is None:
        messages = {
            "claim": _("该项目已被认领或不在认领期，不能再认领"),
            "sign": _("承诺书已生效或项目不在签约阶段"),
            "revise_pledge": _("承诺书已生效，不能再修订"),
            "milestone_done": _("项目不在实施中"),
            "finish": _("项目不在实施中，不能完成"),
        }
        raise ConflictError(messages.get(action, _("项目当前状态不允许此操作")), allowed=allowed(state))
    to, by = rule
    if not by & kinds:
        raise PermissionDeniedError(_("您无权对该项目执行此操作"))
    return to
