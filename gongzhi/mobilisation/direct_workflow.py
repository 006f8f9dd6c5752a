"""The 直报 workflow as data: (state, action) → the next state and who may take it.

REPORTER: the reporter, or whoever holds DIRECT_REPORT over the place (a colleague of the
committee writes the 续报 when the reporter is busy at the scene); DUTY: the street's duty
roster (the duty officer and the leader of the report's duty day or of today, and every
active leader of the street: mobilisation.direct_roster.on_duty_for); SYSTEM: the sweep.

A 续报 may come before anyone acknowledges (the hour runs from the report, not from the
acknowledgement), so `follow_up` is open from `reported` too and `acknowledge` from
`followed_up`; whether a report has been acknowledged is its `acknowledged_at`, which the chain
and the figures read. Closing and converting need an acknowledgement first (the service says so).
`mark_misuse` and the system's notes append an event without moving the state.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.mobilisation.models.direct import DirectState as S

REPORTER, DUTY, SYSTEM = "reporter", "duty", "system"

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.REPORTED, "acknowledge"): (S.ACKNOWLEDGED, frozenset({DUTY})),
    (S.FOLLOWED_UP, "acknowledge"): (S.FOLLOWED_UP, frozenset({DUTY})),
    (S.REPORTED, "follow_up"): (S.FOLLOWED_UP, frozenset({REPORTER})),
    (S.ACKNOWLEDGED, "follow_up"): (S.FOLLOWED_UP, frozenset({REPORTER})),
    (S.FOLLOWED_UP, "follow_up"): (S.FOLLOWED_UP, frozenset({REPORTER})),
    (S.ACKNOWLEDGED, "close"): (S.CLOSED, frozenset({DUTY})),
    (S.FOLLOWED_UP, "close"): (S.CLOSED, frozenset({DUTY})),
    (S.ACKNOWLEDGED, "convert_case"): (S.CONVERTED, frozenset({DUTY})),
    (S.FOLLOWED_UP, "convert_case"): (S.CONVERTED, frozenset({DUTY})),
    (S.ACKNOWLEDGED, "convert_mobilisation"): (S.CONVERTED, frozenset({DUTY})),
    (S.FOLLOWED_UP, "convert_mobilisation"): (S.CONVERTED, frozenset({DUTY})),
}
OPEN = (S.REPORTED, S.ACKNOWLEDGED, S.FOLLOWED_UP)
# Actions that append an event and keep the state: (who, in which states).
NOTES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "escalate": (frozenset({SYSTEM}), OPEN),
    "remind_follow_up": (frozenset({SYSTEM}), OPEN),
    "mark_misuse": (frozenset({DUTY}), tuple(S.values)),
}

# What the timeline shows for each event.
EVENT_LABELS = {
    "report": gettext_lazy("直报"),
    "notify": gettext_lazy("通知值班"),
    "escalate": gettext_lazy("无人确认，报告领导"),
    "acknowledge": gettext_lazy("确认收到"),
    "follow_up": gettext_lazy("书面续报"),
    "remind_follow_up": gettext_lazy("续报逾期催报"),
    "close": gettext_lazy("办结"),
    "convert_case": gettext_lazy("转为工单"),
    "convert_mobilisation": gettext_lazy("转为应急动员"),
    "mark_misuse": gettext_lazy("标记误用直报"),
}


def allowed(state: str, kinds: set[str]) -> list[str]:
    """The actions `kinds` may take in `state` (what a page or the API offers)."""
    moves = [a for (s, a), (_to, by) in TRANSITIONS.items() if s == state and by & kinds]
    notes = [a for a, (by, states) in NOTES.items() if state in states and by & kinds and a != "escalate"]
    return sorted({*moves, *notes} - {"remind_follow_up"})


def step(state: str, action: str, kinds: set[str]) -> str:
    """The state `action` leads to from `state`; 409 when the state does not allow it, 403
    when the actor is not among those who may."""
    if action in NOTES:
        by, states = NOTES[action]
        if state not in states:
            raise ConflictError(_("直报当前状态不允许此操作"))
        if not by & kinds:
            raise PermissionDeniedError(_("您无权对该直报执行此操作"))
        return state
    rule = TRANSITIONS.get((state, action))
    if rule is None:
        messages = {
            "acknowledge": _("该直报已确认或已办结"),
            "follow_up": _("该直报已办结或已转办，不能再续报"),
            "close": _("该直报尚未确认或已办结"),
            "convert_case": _("该直报尚未确认，或已办结、已转办"),
            "convert_mobilisation": _("该直报尚未确认，或已办结、已转办"),
        }
        raise ConflictError(
            messages.get(action, _("直报当前状态不允许此操作")), allowed=allowed(state, kinds)
        )
    to, by = rule
    if not by & kinds:
        raise PermissionDeniedError(_("您无权对该直报执行此操作"))
    return to
