"""The KPI facts of one case, derived from its row and its events by a pure function.

A fact is one thing a KPI counts: a case received, its first dispatch, a dispatch settled
(accepted, or returned / reassigned), its closure, a verdict on the handler's work, a
rating, an escalation, a return, a case open now (the command centre's 未办结 and 待受理).
Each fact carries the local day it is attributed to, the post that answered for the case at
that moment, and a flag saying whether it counts in the KPI's numerator (docs/kpis.md gives
every definition).

Some facts read the case's current row (the cohort's "closed now", the closure that still
stands, the rating grade), so the facts of a case are re-derived whenever the case gets an
event (`rollup`); nothing else changes a case. The same `facts_of` feeds the stored facts,
the daily totals and the recomputation the tests compare them with: one definition.
"""

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from gongzhi.cases.states import OPEN_STATES, Satisfaction, State

# fact kinds
RECEIVE = "receive"  # the report itself (day: created_at); ok = closed now, None = void/merged
DISPATCH = "dispatch"  # the first dispatch; ok = at or before dispatch_due
SETTLE = "settle"  # a dispatch settled: ok = accepted; not ok = returned or reassigned first
CLOSE = "close"  # the closure that stands (case closed now); ok = on time, local = never escalated
VERDICT = "verdict"  # verify (ok), reject or reopen (rework) events
RATE = "rate"  # a rating: ok = 满意 or 基本满意
ESCALATE = "escalate"  # escalate and pull events
RETURN = "return"  # return events (退单)
OPEN = "open"  # the case is open now (day: created_at, post: the case's); ok = still 待受理
KINDS = (RECEIVE, DISPATCH, SETTLE, CLOSE, VERDICT, RATE, ESCALATE, RETURN, OPEN)

ESCALATIONS = frozenset({"escalate", "pull"})
VERDICTS = frozenset({"verify", "reject", "reopen"})
FINISHED_ELSEWHERE = frozenset({State.VOID, State.MERGED})
GOOD_GRADES = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY})


@dataclass(frozen=True)
class CaseRow:
    """What the facts need of the case row."""

    id: int
    node_path: str
    created_at: datetime
    state: str
    dispatch_due: datetime | None = None
    handle_due: datetime | None = None
    satisfaction: str = ""
    category_id: int | None = None
    post_code: str | None = None  # the post holding the case now


@dataclass(frozen=True)
class EventRow:
    seq: int
    action: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    case_id: int
    kind: str
    at: datetime
    node_path: str
    post_code: str | None = None
    ok: bool | None = None
    local: bool = False
    value: float | None = None  # hours from report to closure (close facts)
    category_id: int | None = None  # the case's category (receive facts: the category mix)

    @property
    def day(self) -> date:
        return local_day(self.at)

    @property
    def hours_bucket(self) -> int | None:
        """The HOUR_BUCKETS index of a closure's hours (None for other facts)."""
        return hours_bucket(self.value) if self.kind == CLOSE else None


def local_day(at: datetime) -> date:
    """The street's calendar day of a moment (Asia/Shanghai, whatever zone is active)."""
    return timezone.localtime(at, timezone.get_default_timezone()).date()


def facts_of(case: CaseRow, events: Sequence[EventRow]) -> list[Fact]:
    """Every fact of one case, from its row and its events in seq order."""
    out: list[Fact] = []

    def add(kind: str, at: datetime, post: str | None, **kw: Any) -> None:
        out.append(Fact(case_id=case.id, kind=kind, at=at, node_path=case.node_path, post_code=post, **kw))

    closed_now = case.state == State.CLOSED
    routed = next((e.data.get("post") for e in events if e.action == "create"), None)
    cohort: bool | None = None if case.state in FINISHED_ELSEWHERE else closed_now
    add(RECEIVE, case.created_at, routed, ok=cohort, category_id=case.category_id)
    if case.state in OPEN_STATES:
        add(OPEN, case.created_at, case.post_code, ok=case.state == State.RECEIVED)

    post: str | None = routed
    pending: str | None = None  # the post of a dispatch nobody has settled yet
    dispatched = escalated = False
    last_verify: EventRow | None = None
    last_verify_post: str | None = None
    rates: list[tuple[int, EventRow, str | None]] = []
    reopened_after: list[int] = []  # seqs of reopen events (an unsatisfied rating reopens)
    for i, e in enumerate(events):
        action = e.action
        if action in {"dispatch", "reassign"}:
            new_post = e.data.get("post") or post
            if action == "reassign" and pending is not None:
                add(SETTLE, e.at, pending, ok=False)  # 改派 before acceptance: not accurate
            if action == "dispatch" and not dispatched:
                on_time = case.dispatch_due is None or e.at <= case.dispatch_due
                add(DISPATCH, e.at, new_post, ok=on_time)
                dispatched = True
            post = pending = new_post
        elif action == "accept" and pending is not None:
            add(SETTLE, e.at, pending, ok=True)
            pending = None
        elif action == "return":
            if pending is not None:
                add(SETTLE, e.at, pending, ok=False)
            add(RETURN, e.at, pending or post)
            pending = None
        elif action in ESCALATIONS:
            add(ESCALATE, e.at, post)
            escalated, pending = True, None
        if action in VERDICTS:
            add(VERDICT, e.at, post, ok=action == "verify")
        if action == "verify":
            last_verify, last_verify_post = e, post
        if action == "reopen":
            reopened_after.append(i)
        if action == "rate":
            rates.append((i, e, post))
    if closed_now and last_verify is not None:
        hours = (last_verify.at - case.created_at).total_seconds() / 3600
        on_time = case.handle_due is None or last_verify.at <= case.handle_due
        add(CLOSE, last_verify.at, last_verify_post, ok=on_time, local=not escalated, value=hours)
    for n, (i, e, rated_post) in enumerate(rates):
        grade = e.data.get("satisfaction") or _grade(
            case, i, rates[n + 1][0] if n + 1 < len(rates) else None, reopened_after
        )
        if grade:
            add(RATE, e.at, rated_post, ok=grade in GOOD_GRADES)
    return out


def _grade(case: CaseRow, index: int, next_rate: int | None, reopens: list[int]) -> str:
    """The grade of a rate event recorded before rate events carried theirs (2026-11-23): the
    case row holds the latest one, and an earlier rating that was followed by a reopen before
    the next rating was unsatisfied (that is what reopens a rated case)."""
    if next_rate is None:
        return case.satisfaction
    if any(index < r < next_rate for r in reopens):
        return Satisfaction.UNSATISFIED
    return case.satisfaction


# --- counters: what the daily totals hold, each a count of one kind of fact ----------------------


@dataclass(frozen=True)
class Counter:
    kind: str
    ok: bool | None = None  # count only facts with this flag (None: any)
    ok_known: bool = False  # count only facts whose flag is not None (the 结案率 cohort)
    local: bool = False  # count only facts closed without escalation
    low: float | None = None  # count only facts whose value (hours) is at least this
    high: float | None = None  # ... and below this

    def matches(self, fact: Fact) -> bool:
        value = fact.value if fact.value is not None else -1.0
        return (
            fact.kind == self.kind
            and (self.ok is None or fact.ok is self.ok)
            and (not self.ok_known or fact.ok is not None)
            and (not self.local or fact.local)
            and (self.low is None or value >= self.low)
            and (self.high is None or value < self.high)
        )

    def lookups(self) -> dict[str, Any]:
        """The same test as ORM lookups on the stored facts."""
        q: dict[str, Any] = {"kind": self.kind}
        if self.ok is not None:
            q["ok"] = self.ok
        if self.ok_known:
            q["ok__isnull"] = False
        if self.local:
            q["local"] = True
        if self.low is not None:
            q["value__gte"] = self.low
        if self.high is not None:
            q["value__lt"] = self.high
        return q


COUNTERS: dict[str, Counter] = {
    "received": Counter(RECEIVE),
    "cohort": Counter(RECEIVE, ok_known=True),
    "cohort_closed": Counter(RECEIVE, ok=True),
    "dispatched": Counter(DISPATCH),
    "dispatched_on_time": Counter(DISPATCH, ok=True),
    "settled": Counter(SETTLE),
    "settled_accurate": Counter(SETTLE, ok=True),
    "closed": Counter(CLOSE),
    "closed_on_time": Counter(CLOSE, ok=True),
    "closed_local": Counter(CLOSE, local=True),
    "verdicts": Counter(VERDICT),
    "reworks": Counter(VERDICT, ok=False),
    "rated": Counter(RATE),
    "satisfied": Counter(RATE, ok=True),
    "escalations": Counter(ESCALATE),
    "returns": Counter(RETURN),
    "open_now": Counter(OPEN),
    "waiting": Counter(OPEN, ok=True),
}

# Hours to close, in buckets: the daily totals count closures per bucket, so an exact
# percentile reads only the closures of the one bucket that holds it, in the period
# (kpis.percentile_hours). Narrow buckets keep that read small (it is proportional to the
# bucket's closures): half an hour wide up to 4 hours, then 1, 2, 3, 4, 6 and 8 hours, 12 hours
# from 4 to 10 days, wider beyond; on closing times spread evenly over 10 days a bucket holds
# about 5% of a period's closures.
HOUR_EDGES = (
    *(0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0),
    *(14.0, 16.0, 18.0, 20.0, 22.0, 24.0, 27.0, 30.0, 33.0, 36.0, 40.0, 44.0, 48.0, 54.0, 60.0),
    *(66.0, 72.0, 80.0, 88.0, 96.0, 108.0, 120.0, 132.0, 144.0, 156.0, 168.0, 180.0, 192.0),
    *(204.0, 216.0, 228.0, 240.0, 264.0, 288.0, 312.0, 336.0, 384.0, 432.0, 480.0, 600.0, 720.0),
)
HOUR_BUCKETS: tuple[tuple[str, float, float | None], ...] = tuple(
    (f"h{i}", low, high)
    for i, (low, high) in enumerate(zip((0.0, *HOUR_EDGES), (*HOUR_EDGES, None), strict=True))
)
COUNTERS.update({name: Counter(CLOSE, low=low, high=high) for name, low, high in HOUR_BUCKETS})


def hours_bucket(value: float | None) -> int | None:
    """The index in HOUR_BUCKETS of a closure's hours: the bucket whose counter counts it (None
    for no value or a negative one, which no bucket counts)."""
    if value is None or value < 0:
        return None
    return bisect_right(HOUR_EDGES, value)


def count(facts: Sequence[Fact]) -> dict[str, int]:
    """The counters over some facts, in Python (the recomputation the rollup must equal)."""
    return {name: sum(1 for f in facts if c.matches(f)) for name, c in COUNTERS.items()}
