"""The case workflow as data: (state, action) → what follows, who may do it, what it needs.

`services.case_act` is the one function that applies it. Actions with no state change
(comments, reminders, extensions, ratings) are listed in NOTES and only append an event.
"""

from dataclasses import dataclass

from gongzhi.cases.states import State

# Who may act: the dispatcher of the case's current rung, the holder (or deputy) of the post
# the case is assigned to (主办), the holder (or deputy) of an assisting post (协办: reports
# progress, never closes), the street (supervision), or the system (timers, callbacks, and a
# binding task slip registering and dispatching the cases it creates).
DISPATCHER = "dispatcher"
HANDLER = "handler"
ASSISTANT = "assistant"
STREET = "street"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    to: State
    by: frozenset[str]
    needs: frozenset[str] = frozenset()  # note, category, post, master, review_date, photo


def t(to: State, *by: str, needs: tuple[str, ...] = ()) -> Transition:
    return Transition(to=to, by=frozenset(by), needs=frozenset(needs))


S = State
TRANSITIONS: dict[tuple[State, str], Transition] = {
    (S.RECEIVED, "register"): t(S.REGISTERED, DISPATCHER, SYSTEM, needs=("category",)),
    (S.RECEIVED, "void"): t(S.VOID, DISPATCHER, needs=("note",)),
    (S.REGISTERED, "void"): t(S.VOID, DISPATCHER, needs=("note",)),
    (S.RECEIVED, "merge"): t(S.MERGED, DISPATCHER, needs=("master",)),
    (S.REGISTERED, "merge"): t(S.MERGED, DISPATCHER, needs=("master",)),
    (S.MERGED, "unmerge"): t(S.RECEIVED, DISPATCHER, needs=("note",)),
    (S.REGISTERED, "dispatch"): t(S.DISPATCHED, DISPATCHER, SYSTEM, needs=("post",)),
    (S.RETURNED, "dispatch"): t(S.DISPATCHED, DISPATCHER, needs=("post",)),
    (S.ESCALATED, "dispatch"): t(S.DISPATCHED, DISPATCHER, needs=("post",)),
    (S.DISPATCHED, "accept"): t(S.IN_PROGRESS, HANDLER),
    (S.DISPATCHED, "return"): t(S.RETURNED, HANDLER, needs=("note",)),
    (S.DISPATCHED, "reassign"): t(S.DISPATCHED, DISPATCHER, needs=("post", "note")),
    (S.IN_PROGRESS, "reassign"): t(S.DISPATCHED, DISPATCHER, needs=("post", "note")),
    (S.IN_PROGRESS, "submit"): t(S.AWAITING_VERIFICATION, HANDLER, needs=("note",)),
    (S.AWAITING_VERIFICATION, "verify"): t(S.CLOSED, DISPATCHER, needs=("photo",)),
    (S.AWAITING_VERIFICATION, "reject"): t(S.IN_PROGRESS, DISPATCHER, needs=("note",)),
    (S.CLOSED, "reopen"): t(S.IN_PROGRESS, SYSTEM, DISPATCHER, needs=("note",)),
    (S.REGISTERED, "escalate"): t(S.ESCALATED, DISPATCHER, needs=("note",)),
    (S.RETURNED, "escalate"): t(S.ESCALATED, DISPATCHER, needs=("note",)),
    (S.IN_PROGRESS, "escalate"): t(S.ESCALATED, DISPATCHER, HANDLER, needs=("note",)),
    (S.IN_PROGRESS, "park"): t(S.PARKED, DISPATCHER, needs=("note", "review_date")),
    (S.PARKED, "unpark"): t(S.IN_PROGRESS, DISPATCHER),
}
# A higher package's own record concludes a case it opened (a care visit's outcome closes its
# 上门探访 case, docs/care.md): the system closes it with the outcome as the note.
for _state in (S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED, S.RETURNED):
    TRANSITIONS[(_state, "conclude")] = t(S.CLOSED, SYSTEM, needs=("note",))
# The street may pull any open case up to itself.
for _state in (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.PARKED, S.ESCALATED):
    TRANSITIONS[(_state, "pull")] = t(S.ESCALATED, STREET, needs=("note",))


@dataclass(frozen=True)
class Note:
    """An action that appends an event without changing the state, in the states listed
    (None: any state — the system's notes on closed and merged cases)."""

    by: frozenset[str]
    needs: frozenset[str] = frozenset()
    states: frozenset[State] | None = None


def n(*by: str, needs: tuple[str, ...] = (), states: frozenset[State] | None = None) -> Note:
    return Note(by=frozenset(by), needs=frozenset(needs), states=states)


OPEN = frozenset(S) - {S.CLOSED, S.MERGED, S.VOID}
# The handling clock runs only while the case is with its post: an extension is asked then.
HANDLING = frozenset({S.DISPATCHED, S.IN_PROGRESS})

NOTES: dict[str, Note] = {
    "comment": n(DISPATCHER, HANDLER, ASSISTANT, STREET, needs=("note",), states=OPEN),
    # 办理进展: what the lead or an assisting post has done so far, with photos as evidence.
    "progress": n(HANDLER, ASSISTANT, needs=("note",), states=HANDLING),
    # What was tried at this rung: escalation needs one (resolve locally first).
    # SYSTEM: a 居务会 took it up.
    "record_attempt": n(DISPATCHER, HANDLER, SYSTEM, needs=("note",), states=OPEN),
    "remind": n(SYSTEM, DISPATCHER, STREET, states=OPEN),  # 催办
    "supervise": n(SYSTEM, STREET, needs=("note",), states=OPEN),  # 督办
    "request_extension": n(HANDLER, needs=("note", "until"), states=HANDLING),
    "decide_extension": n(DISPATCHER, STREET, needs=("approved",), states=OPEN),
    "rate": n(SYSTEM),
    # The master this case was merged into has closed: its reporter is told (并案结果告知).
    "master_closed": n(SYSTEM),
    # 列入需求清单: the case shows a need the community takes up (community.needs; any state,
    # a closed case may have shown it); the event's data names the need.
    "list_need": n(DISPATCHER, HANDLER, STREET, needs=("note",)),
}


def allowed_actions(state: str) -> list[str]:
    return sorted(action for (s, action) in TRANSITIONS if s == state)


def notes_in(state: str) -> list[str]:
    """The note actions the table allows in this state (who may take them is asked apart)."""
    return [action for action, note in NOTES.items() if note.states is None or state in note.states]


def replay(to_states: list[str]) -> str:
    """The current state from the events' to_state column, in order (note events repeat it)."""
    return to_states[-1] if to_states else State.RECEIVED
