"""In-process hooks that higher layers register to run inside a case's own transaction.

cases may not import meetings (the layers go one way), yet a task slip must complete in the
same transaction as its last case (ADR 0017). A higher package registers a callable at start-up
(its AppConfig.ready()); `services.case_act` runs every registered callable after it has
written the event, inside its transaction: what they write commits or rolls back with the case.
Not a Django signal: the registry is explicit, ordered, typed and small, and a failure in a
callable fails the case's action rather than vanishing into a receiver.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from gongzhi.cases.states import State

if TYPE_CHECKING:
    from gongzhi.cases.models import Case, CaseEvent

# A case that reaches one of these has nothing more to be done (closed, merged into another, void).
FINISHED_STATES = frozenset({State.CLOSED, State.MERGED, State.VOID})

Callback = Callable[["Case", "CaseEvent"], None]


class Hook:
    """An ordered registry of callables; registering the same callable twice keeps one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback] = []

    def register(self, callback: Callback) -> Callback:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def unregister(self, callback: Callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def run(self, case: "Case", event: "CaseEvent") -> None:
        for callback in list(self._callbacks):
            callback(case, event)


# Run when an action moves a case from an open state into a finished one (verify → 已结案,
# merge → 已合并, void → 作废), inside case_act's transaction.
on_case_finished = Hook("on_case_finished")


# Run when an action moves a finished case back into an open state (a closed case reopened),
# inside case_act's transaction: a slip done with it is binding again.
on_case_reopened = Hook("on_case_reopened")


def reopens(from_state: str, to_state: str) -> bool:
    return from_state in FINISHED_STATES and to_state not in FINISHED_STATES


def finishes(from_state: str, to_state: str) -> bool:
    return to_state in FINISHED_STATES and from_state not in FINISHED_STATES
