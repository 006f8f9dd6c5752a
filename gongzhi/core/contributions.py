"""Service facts: what a person did for the community, announced by the package that records it.

The points ledger (gongzhi.community) awards points automatically from recorded facts —
attending a 居务会 or one of the 三会, a task slip done, later a volunteer shift or a service
order — but it sits on the same layer as meetings and may not import it (nor may meetings
import community). So the package that records the fact announces it here, inside its own
transaction, and community registers an awarder at start-up (CommunityConfig.ready()). What
the awarder writes commits or rolls back with the fact. Like `cases.hooks`, an explicit,
ordered, typed registry rather than a Django signal: a failing awarder fails the recording.

A fact names its source (`source_key`, unique per person and fact) so that announcing it twice
awards once; `withdrawn=True` announces that a fact no longer holds (attendance corrected to
absent): the awarder reverses what it awarded for it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

# Kinds of fact; a points rule names the kind (and optionally details) it awards for.
ATTEND_MEETING = "attend_meeting"  # detail: the meeting kind (juwuhui, joint, hearing, ...)
SLIP_DONE = "slip_done"  # detail: the party's role on the slip (lead, assist)
# Volunteer hours confirmed into the time bank (community.volunteers); detail: their source
# (order, shift, task). One fact per confirmed entry, whatever its length.
VOLUNTEER_HOURS = "volunteer_hours"
SERVE_ORDER = "serve_order"  # detail: the service module's kind (safety, legal, ...); with hours
FACT_KINDS = (ATTEND_MEETING, SLIP_DONE, VOLUNTEER_HOURS, SERVE_ORDER)


@dataclass(frozen=True)
class ServiceFact:
    kind: str
    source_key: str  # stable per fact and person: "meeting:12:participant:34"
    person_id: int
    occurred_on: date
    node_path: str  # where it happened
    detail: str = ""
    label: str = ""  # what the statement shows: the meeting's title, the slip's number
    withdrawn: bool = False
    hours: float = 0.0  # time given, where the fact records it (a served order)


Awarder = Callable[[Sequence[ServiceFact]], None]


class FactHook:
    """An ordered registry of awarders; registering the same callable twice keeps one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Awarder] = []

    def register(self, callback: Awarder) -> Awarder:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def unregister(self, callback: Awarder) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def announce(self, facts: Sequence[ServiceFact]) -> None:
        if not facts:
            return
        for callback in list(self._callbacks):
            callback(facts)


# Run by the recording package inside its transaction, with every fact the action produced.
on_service_facts = FactHook("on_service_facts")
