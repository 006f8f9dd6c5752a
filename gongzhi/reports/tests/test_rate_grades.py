"""A rating's grade comes from its own event; older rate events (without it) fall back to the
case row and the reopen that followed them."""

from datetime import UTC, datetime, timedelta

from gongzhi.cases.states import Satisfaction
from gongzhi.reports import facts as f

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def rates(case: f.CaseRow, events: list[f.EventRow]) -> list[bool | None]:
    return [fact.ok for fact in f.facts_of(case, events) if fact.kind == f.RATE]


def event(seq: int, action: str, **data: str) -> f.EventRow:
    return f.EventRow(seq=seq, action=action, at=T0 + timedelta(hours=seq), data=data)


def test_each_rating_counts_its_own_grade():
    # rated 基本满意, later rated 不满意 by a second reporter's callback without a reopen
    case = f.CaseRow(
        id=1, node_path="/S/", created_at=T0, state="closed", satisfaction=Satisfaction.UNSATISFIED
    )
    events = [
        event(1, "create"),
        event(2, "rate", satisfaction=Satisfaction.BASICALLY),
        event(3, "rate", satisfaction=Satisfaction.UNSATISFIED),
    ]
    assert rates(case, events) == [True, False]


def test_rate_events_without_a_grade_fall_back_to_the_case_row():
    case = f.CaseRow(
        id=1, node_path="/S/", created_at=T0, state="closed", satisfaction=Satisfaction.SATISFIED
    )
    assert rates(case, [event(1, "create"), event(2, "rate")]) == [True]
