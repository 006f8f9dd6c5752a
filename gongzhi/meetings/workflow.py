"""The meeting, topic and slip workflows as tables (docs/design.md §4): (state, action) -> the next
state, who may take it and what it needs. services.apply() is the one function that uses them.

Actors: CONVENER holds CONVENE over the node; PARTY holds VET at exactly the node (its Party
organisation); CHAIR holds the meeting's chair post (or is its deputy); SIGNER holds a post in
a unit named on the slip; LEAD holds a post in the slip's lead unit (主办); SYSTEM is the sweep
and a linked case's closing (cases.hooks).
"""

from dataclasses import dataclass

from gongzhi.meetings.models import MeetingState, SlipState, TopicState

CONVENER = "convener"
PARTY = "party"
CHAIR = "chair"
SIGNER = "signer"
LEAD = "lead"
SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    to: str | None  # None: the state does not change (a note on the record)
    by: frozenset[str]
    needs: frozenset[str] = frozenset()


def step(to: str | None, *by: str, needs: tuple[str, ...] = ()) -> Step:
    return Step(to, frozenset(by), frozenset(needs))


M, T, S = MeetingState, TopicState, SlipState

MEETING: dict[tuple[str, str], Step] = {
    (M.PLANNED, "invite"): step(None, CONVENER, CHAIR),
    (M.PLANNED, "attend"): step(None, CONVENER, CHAIR),
    (M.PLANNED, "hold"): step(M.HELD, CONVENER, CHAIR),
    (M.PLANNED, "cancel"): step(M.CANCELLED, CONVENER, CHAIR, needs=("note",)),
    (M.PLANNED, "remind"): step(None, SYSTEM),
    (M.HELD, "attend"): step(None, CONVENER, CHAIR),  # late corrections before the minutes are final
    (M.HELD, "write_minutes"): step(None, CONVENER, CHAIR, needs=("text",)),
    (M.HELD, "finalise"): step(M.FINAL, CHAIR),
    (M.FINAL, "amend_minutes"): step(None, CHAIR, needs=("text", "note")),
}

TOPIC: dict[tuple[str, str], Step] = {
    (T.PROPOSED, "approve"): step(T.APPROVED, PARTY),
    (T.PROPOSED, "reject"): step(T.REJECTED, PARTY, needs=("note",)),
    (T.PROPOSED, "schedule"): step(None, CONVENER, CHAIR),
    (T.APPROVED, "schedule"): step(None, CONVENER, CHAIR),
    (T.APPROVED, "discuss"): step(T.DISCUSSED, CONVENER, CHAIR, needs=("text",)),
    (T.DISCUSSED, "discuss"): step(None, CONVENER, CHAIR, needs=("text",)),  # until final
    (T.DISCUSSED, "refer"): step(T.REFERRED, CONVENER, CHAIR, needs=("note",)),
    (T.DISCUSSED, "carry"): step(T.CARRIED, SYSTEM, CONVENER),
    (T.APPROVED, "carry"): step(T.CARRIED, SYSTEM, CONVENER),  # on the agenda but not reached
}

SLIP: dict[tuple[str, str], Step] = {
    (S.DRAFT, "edit"): step(None, CONVENER, CHAIR),
    (S.DRAFT, "issue"): step(S.SIGNING, CONVENER, CHAIR),
    (S.SIGNING, "sign"): step(None, SIGNER),
    (S.SIGNING, "object"): step(S.RETURNED, SIGNER, needs=("note",)),
    (S.SIGNING, "bind"): step(S.BINDING, SYSTEM),
    (S.SIGNING, "remind"): step(None, SYSTEM, CONVENER, CHAIR),
    (S.SIGNING, "revise"): step(S.SIGNING, CONVENER, CHAIR, needs=("note",)),
    (S.RETURNED, "revise"): step(S.SIGNING, CONVENER, CHAIR, needs=("note",)),
    (S.BINDING, "revise"): step(S.SIGNING, CONVENER, CHAIR, needs=("note",)),
    (S.BINDING, "link_case"): step(None, CONVENER, CHAIR),
    (S.BINDING, "remind"): step(None, SYSTEM, CONVENER, CHAIR),
    (S.BINDING, "complete"): step(S.DONE, SYSTEM),  # its last case finished (or the sweep)
    # A slip without cases: the lead unit reports it done with evidence, the Party
    # organisation confirms or returns it with a reason.
    (S.BINDING, "submit_completion"): step(S.CONFIRMING, LEAD, needs=("note", "files")),
    (S.CONFIRMING, "confirm_completion"): step(S.DONE, PARTY),
    (S.CONFIRMING, "return_completion"): step(S.BINDING, PARTY, needs=("note",)),
    (S.CONFIRMING, "remind"): step(None, SYSTEM),  # the Party organisation, once a day
    (S.DONE, "reopen"): step(S.BINDING, SYSTEM),  # a case it finished with was reopened
    (S.DONE, "evaluate"): step(None, PARTY, CONVENER),  # CONVENER records a 评议会's votes
    (S.DRAFT, "void"): step(S.VOID, CONVENER, CHAIR, needs=("note",)),
    (S.SIGNING, "void"): step(S.VOID, CONVENER, CHAIR, needs=("note",)),
    (S.RETURNED, "void"): step(S.VOID, CONVENER, CHAIR, needs=("note",)),
    (S.BINDING, "void"): step(S.VOID, CHAIR, needs=("note",)),
    (S.CONFIRMING, "void"): step(S.VOID, CHAIR, needs=("note",)),
}


def allowed(table: dict[tuple[str, str], Step], state: str) -> list[str]:
    return [action for (s, action) in table if s == state]
