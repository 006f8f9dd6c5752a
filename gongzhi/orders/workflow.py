"""The order workflow as data: (state, action) → what follows, who may do it, what it needs.

`services.order_act` is the one function that applies it (docs/services.md has the table as a
picture). Actions without a state change (a comment, the sweep's reminders) are NOTES.
"""

from dataclasses import dataclass

from gongzhi.orders.choices import OrderState

RESIDENT = "resident"  # who posted it (signed in, or holding the order's link)
TEAM = "team"  # anyone on the module's team
SERVER = "server"  # the team member serving it
LEAD = "lead"  # a lead of the module
COMMITTEE = "committee"  # the area's committee, once the order is escalated to it
STREET = "street"  # the street, once escalated to it
SYSTEM = "system"  # the sweep


@dataclass(frozen=True)
class Transition:
    to: OrderState
    by: frozenset[str]
    needs: frozenset[str] = frozenset()  # note, server, hours, satisfaction


def t(to: OrderState, *by: str, needs: tuple[str, ...] = ()) -> Transition:
    return Transition(to=to, by=frozenset(by), needs=frozenset(needs))


S = OrderState
TRANSITIONS: dict[tuple[OrderState, str], Transition] = {
    # 抢单: the first team member wins (a conditional UPDATE, ADR 0026)
    (S.OPEN, "take"): t(S.TAKEN, TEAM),
    # 派单: nobody took it in time, the lead (or the office it was escalated to) names a member
    (S.OPEN, "assign"): t(S.TAKEN, LEAD, COMMITTEE, STREET, needs=("server",)),
    (S.OPEN, "cancel"): t(S.CANCELLED, RESIDENT),
    (S.TAKEN, "release"): t(S.OPEN, SERVER, needs=("note",)),
    (S.TAKEN, "serve"): t(S.SERVED, SERVER, needs=("note", "hours")),
    (S.SERVED, "confirm"): t(S.CLOSED, RESIDENT, needs=("satisfaction",)),
    # served, never confirmed: the sweep closes it after ORDER_AUTO_CONFIRM_DAYS, rated nothing
    (S.SERVED, "auto_close"): t(S.CLOSED, SYSTEM),
    # a governance problem, not a service: it becomes a case with the order's history
    (S.OPEN, "convert"): t(S.CONVERTED, LEAD, COMMITTEE, STREET, needs=("note",)),
    (S.TAKEN, "convert"): t(S.CONVERTED, SERVER, LEAD, COMMITTEE, STREET, needs=("note",)),
}


@dataclass(frozen=True)
class Note:
    by: frozenset[str]
    states: frozenset[OrderState]
    needs: frozenset[str] = frozenset()


OPEN_STATES = frozenset({S.OPEN, S.TAKEN, S.SERVED})
NOTES: dict[str, Note] = {
    "comment": Note(
        by=frozenset({RESIDENT, TEAM, SERVER, LEAD, COMMITTEE, STREET}),
        states=OPEN_STATES,
        needs=frozenset({"note"}),
    ),
    # the module's lead confirms the server's hours into the time bank (an order closed
    # without the resident's confirmation, or one the resident has not confirmed yet)
    "confirm_hours": Note(by=frozenset({LEAD}), states=frozenset({S.SERVED, S.CLOSED})),
    # the sweep, once per order: a volunteer's hours have waited ORDER_HOURS_REMIND_DAYS for
    # a confirmation; the leads are reminded
    "remind_hours": Note(by=frozenset({SYSTEM}), states=frozenset({S.SERVED, S.CLOSED})),
    # the sweep: the response time passed with nobody taking it (data: the level reached)
    "escalate": Note(by=frozenset({SYSTEM}), states=frozenset({S.OPEN})),
}

# Taking and assigning race; the loser is told the order is gone, whatever took it.
RACED = frozenset({"take", "assign"})


def allowed_actions(state: str) -> list[str]:
    return sorted(action for (s, action) in TRANSITIONS if s == state)
