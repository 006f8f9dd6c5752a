"""The SLA sweep: 催办 at 75% and at expiry, 督办 a working day later, parked-case reviews, the
overdue list; with the clock frozen on an ordinary week (Mon 23 – Wed 25 Nov 2026)."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.cases import timers
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.selectors_overdue import overdue_cases
from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source, State
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock, workcal
from gongzhi.core.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
CAL = workcal.make_calendar({})


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


def act(user, case, action, when, **kw) -> Case:
    case.refresh_from_db()
    with clock.freeze(when):
        return case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))


def report(world, when, node=None) -> Case:
    with clock.freeze(when):
        intake = Intake(
            node=node or world.tree.b1,
            text="3楼楼道堆满纸板",
            source=Source.RESIDENT,
            category=world.category,
        )
        return case_create(actor=None, intake=intake)


def dispatched(world) -> Case:
    """Reported Mon 09:00, dispatched Mon 09:10: 楼道堆物 has 1 working day, due Tue 09:10."""
    case = report(world, at(23, 9))
    case = act(world.dispatcher, case, "register", at(23, 9, 5))
    return act(world.dispatcher, case, "dispatch", at(23, 9, 10))


def sweep(when) -> timers.SweepResult:
    with clock.freeze(when):
        return timers.sweep(when)


def system_events(case, action="remind") -> list[CaseEvent]:
    return list(case.events.filter(actor__isnull=True, action=action).order_by("seq"))


def told(kind) -> list[str]:
    """Who was told (usernames; "robot" for a group-robot message), by kind."""
    rows = OutboxMessage.objects.filter(kind=kind).order_by("pk")
    return sorted(m.recipient.username if m.recipient else "robot" for m in rows)


# --- pure: what is owed -----------------------------------------------------------------------------


def test_steps_due_on_a_plain_calendar():
    start, due = at(23, 9, 10), at(24, 9, 10)  # one working day
    at_75 = workcal.moment_at_fraction(start, due, 0.75, CAL)
    assert at_75 == at(23, 16, 17, 30)  # 5 h 37.5 min of working time after Mon 09:10
    assert timers.steps_due("handle", start, due, at_75 - timedelta(seconds=1), [], CAL) == []
    assert timers.steps_due("handle", start, due, at_75, [], CAL) == [timers.Step("remind")]
    assert timers.steps_due("handle", start, due, at_75, [("remind", at_75)], CAL) == []
    assert timers.steps_due("handle", start, due, due, [("remind", at_75)], CAL) == [
        timers.Step("remind", True)
    ]
    late = at(25, 9, 10)  # one working day after expiry
    expired = [("remind", at_75), ("remind", due)]
    assert timers.steps_due("handle", start, due, late - timedelta(seconds=1), expired, CAL) == []
    assert timers.steps_due("handle", start, due, late, expired, CAL) == [timers.Step("supervise")]
    assert timers.steps_due("verify", start, due, late, expired, CAL) == []  # 督办 is for handling only
    # a sweep that was down past the deadline owes the expiry notice, not a stale 75%
    assert timers.steps_due("handle", start, due, due + timedelta(hours=1), [], CAL) == [
        timers.Step("remind", True)
    ]


@given(
    offset=st.integers(min_value=0, max_value=60 * 24 * 10),
    hours=st.integers(min_value=1, max_value=40),
    phase=st.sampled_from(["dispatch", "handle", "verify"]),
)
def test_steps_due_is_idempotent(offset, hours, phase):
    """Whatever the moment, recording what the sweep did leaves nothing more to do then."""
    start = at(23, 9, 10)
    due = workcal.deadline(start, workcal.WorkLimit.hours(hours), CAL)
    now = start + timedelta(minutes=offset)
    marks: list[tuple[str, datetime]] = []
    for _ in range(3):
        owed = timers.steps_due(phase, start, due, now, marks, CAL)
        marks += [(step.action, now) for step in owed]
    assert timers.steps_due(phase, start, due, now, marks, CAL) == []
    assert len(marks) <= 2 and len({m for m in marks if m[0] == "supervise"}) <= 1


# --- the sweep against the database ---------------------------------------------------------------


def test_handling_reminder_at_75_percent_then_expiry_then_supervision(world):
    case = dispatched(world)
    assert case.handle_due == at(24, 9, 10)
    assert sweep(at(23, 16, 17)).reminders == 0 and not system_events(case)

    result = sweep(at(23, 16, 20))
    assert result.reminders == 1
    [remind] = system_events(case)
    assert remind.at == at(23, 16, 20) and "75%" in remind.note and remind.to_state == State.DISPATCHED
    assert told("case.reminder") == ["handler"]  # the post holder (no deputy here)
    message = OutboxMessage.objects.get(kind="case.reminder")
    assert message.payload["case_id"] == case.pk and message.payload["event_seq"] == remind.seq
    assert case.number in message.subject and "纸板" not in message.body  # no problem text

    # twice at the same moment: nothing more
    assert str(sweep(at(23, 16, 20))) == str(timers.SweepResult())
    assert len(system_events(case)) == 1 and told("case.reminder") == ["handler"]

    result = sweep(at(24, 9, 10))
    assert result.overdue == 1 and result.supervised == 0
    expired = system_events(case)[-1]
    assert "已超过处置时限" in expired.note
    assert told("case.overdue") == ["handler", "robot"]
    assert sweep(at(24, 15)).overdue == 0

    assert sweep(at(25, 9, 9)).supervised == 0
    result = sweep(at(25, 9, 10))
    assert result.supervised == 1
    [supervise] = system_events(case, "supervise")
    assert supervise.note.startswith("系统督办") and supervise.actor is None
    assert told("case.supervised") == ["handler", "r1staff", "robot", "streetcadre"]
    assert sweep(at(26, 9)).supervised == 0
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.version == supervise.seq


def test_dispatch_deadline_reminds_the_dispatchers(world):
    case = report(world, at(23, 9))
    assert case.dispatch_due == at(23, 10)
    assert sweep(at(23, 9, 44)).reminders == 0
    assert sweep(at(23, 9, 45)).reminders == 1
    assert told("case.reminder") == ["r1staff"]
    assert sweep(at(23, 10)).overdue == 1
    assert told("case.overdue") == ["r1staff", "robot"]
    # once dispatched, the dispatch deadline no longer counts
    case = act(world.dispatcher, case, "register", at(23, 10, 5))
    case = act(world.dispatcher, case, "dispatch", at(23, 10, 6))
    assert sweep(at(23, 10, 30)).overdue == 0


def test_verification_deadline(world):
    case = dispatched(world)
    case = act(world.handler, case, "accept", at(23, 9, 20))
    case = act(world.handler, case, "submit", at(23, 11, 30), note="已清理", files=[photo()])
    assert case.verify_due == at(23, 14)  # 1 working hour across the lunch break
    sweep(at(23, 14))
    assert told("case.overdue") == ["r1staff", "robot"]
    notes = [e.note for e in system_events(case)]
    assert len(notes) == 1 and "核查时限" in notes[0]  # straight to expiry: 75% was missed


def test_an_approved_extension_earns_its_own_reminders(world):
    case = dispatched(world)
    sweep(at(23, 16, 20))
    case = act(world.handler, case, "request_extension", at(23, 16, 30), note="需协调业主", until=at(26, 17))
    case = act(world.dispatcher, case, "decide_extension", at(23, 16, 40), approved=True)
    assert case.handle_due == at(26, 17)
    assert sweep(at(24, 9, 10)).overdue == 0  # the old deadline no longer applies
    assert sweep(at(26, 9)).reminders == 1  # 75% of Mon 09:10 → Thu 17:00
    assert len(system_events(case)) == 2


def test_parked_case_review_reminds_the_dispatcher_once(world):
    case = dispatched(world)
    case = act(world.handler, case, "accept", at(23, 9, 20))
    case = act(world.dispatcher, case, "park", at(23, 10), note="需大修资金", review_date=date(2026, 11, 30))
    assert sweep(at(29, 23)).reviews == 0
    result = sweep(at(30, 8))
    assert result.reviews == 1 and result.overdue == 0  # parked: no handling reminders
    assert told("case.review") == ["r1staff"]
    assert "复查" in system_events(case)[-1].note
    assert sweep(at(30, 9)).reviews == 0


def test_a_concurrent_change_is_skipped_not_lost(world):
    case = dispatched(world)
    stale = Case.objects.get(pk=case.pk)
    act(world.dispatcher, case, "comment", at(23, 16), note="已电话联系物业")
    with clock.freeze(at(23, 16, 20)):
        assert timers._act(stale, "remind", "x", {}, lambda c, e: []) is None
    assert not system_events(case) and told("case.reminder") == []
    assert sweep(at(23, 16, 20)).reminders == 1


def test_closed_and_void_cases_are_left_alone(world):
    case = report(world, at(23, 9))
    act(world.dispatcher, case, "void", at(23, 9, 1), note="重复上报")
    assert str(sweep(at(25, 12))) == str(timers.SweepResult())


def test_the_command_and_the_eager_task(world):
    dispatched(world)
    out = StringIO()
    with clock.freeze(at(23, 16, 20)):
        call_command("sla_sweep", stdout=out)
    assert "催办 1 件" in out.getvalue()
    from gongzhi.cases.tasks import sla_sweep

    with clock.freeze(at(24, 9, 10)):
        assert sla_sweep.delay().get()["overdue"] == 1  # eager: runs in-process


# --- the overdue list ---------------------------------------------------------------------------


def test_overdue_list_is_scoped_and_most_overdue_first(world):
    late = dispatched(world)
    fresh = report(world, at(24, 8, 45))
    other = report(world, at(24, 8, 50), node=world.tree.r3)
    now = at(24, 10)
    mine = list(overdue_cases(user=world.dispatcher, now=now))
    assert [c.pk for c in mine] == [late.pk, fresh.pk]  # handling due 09:10, dispatch due 09:45
    assert [c.overdue_since for c in mine] == [late.handle_due, fresh.dispatch_due]
    assert list(overdue_cases(user=world.outsider, now=now).values_list("pk", flat=True)) == [other.pk]
    handle = overdue_cases(user=world.street, now=now, deadline="handle")
    assert list(handle.values_list("pk", flat=True)) == [late.pk]
    assert not overdue_cases(user=world.dispatcher, now=at(23, 9, 30)).exists()


@pytest.mark.parametrize("state", [State.CLOSED, State.VOID, State.MERGED])
def test_finished_cases_are_never_overdue(world, state):
    case = dispatched(world)
    Case.objects.filter(pk=case.pk).update(state=state)
    assert not overdue_cases(user=world.street, now=at(30, 9)).exists()
