"""The SLA sweep (docs/design.md §5): 催办 at 75% of a deadline's working time and at its expiry,
督办 by the street one working day after the handling deadline, and a reminder when a parked
case's review date comes. Run every 5 minutes (Celery beat, or cron: `gongzhi sla_sweep`).

Each step is an event appended through `services.case_act` by the system, with its outbox
messages in the same transaction. Whether a step was done is read back from the system's own
remind/supervise events since the deadline's clock started, so the sweep keeps no state of
its own, running it twice adds nothing, and a moved deadline (an approved extension) earns its
own reminders. A sweep that was down past a deadline sends the expiry notice, not a stale 75%.

A category counted on the wall clock (`CategoryPolicy.wall_clock`: a care alert's home visit)
runs its handling steps on the wall clock too: the 75% reminder at 75% of the elapsed time,
the expiry notice to the post and the committee's dispatchers, and the street's 督办
SLA_WALL_CLOCK_SUPERVISE_MINUTES after the deadline rather than a working day.

Events are stamped with `clock.now()`: pass an explicit `now` only under `clock.freeze(now)`.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from gongzhi.cases import notifications, sla
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, case_act
from gongzhi.cases.states import State
from gongzhi.core import clock, outbox, workcal
from gongzhi.core.errors import ConflictError
from gongzhi.core.outbox import OutboxSpec

REMIND_AT = 0.75
Messages = Callable[[Case, CaseEvent], list[OutboxSpec]]


@dataclass(frozen=True)
class Phase:
    """A deadline on the case row and the states and event that run its clock."""

    name: str  # dispatch / handle / verify
    due_field: str
    states: frozenset[str]
    start_action: str  # the latest such event starts the clock ("create": the report time)


PHASES = (
    Phase("dispatch", "dispatch_due", frozenset({State.RECEIVED, State.REGISTERED}), "create"),
    Phase("handle", "handle_due", frozenset({State.DISPATCHED, State.IN_PROGRESS}), "dispatch"),
    Phase("verify", "verify_due", frozenset({State.AWAITING_VERIFICATION}), "submit"),
)


@dataclass(frozen=True)
class Step:
    action: str  # remind / supervise
    expired: bool = False


@dataclass
class SweepResult:
    reminders: int = 0
    overdue: int = 0
    supervised: int = 0
    reviews: int = 0
    conflicts: int = 0  # someone acted on the case meanwhile; the next sweep looks again

    def __str__(self) -> str:
        return (
            f"催办 {self.reminders} 件，超时提醒 {self.overdue} 件，督办 {self.supervised} 件，"
            f"挂账复查提醒 {self.reviews} 件，并发冲突跳过 {self.conflicts} 件"
        )


def steps_due(
    phase: str,
    start: datetime,
    due: datetime,
    now: datetime,
    marks: list[tuple[str, datetime]],
    cal: workcal.WorkCalendar,
    wall_clock: bool = False,
) -> list[Step]:
    """What the sweep owes one deadline at `now`, given the system's remind/supervise events
    since `start` (pure: no database). `wall_clock`: the deadline runs day and night."""
    reminds = [at for action, at in marks if action == "remind"]
    steps: list[Step] = []
    if now >= due:
        if not any(at >= due for at in reminds):
            steps.append(Step("remind", expired=True))
        supervised = any(action == "supervise" and at >= due for action, at in marks)
        if wall_clock:
            supervise_at = due + timedelta(minutes=settings.SLA_WALL_CLOCK_SUPERVISE_MINUTES)
        else:
            supervise_at = workcal.add_working_time(due, cal.day_length, cal)
        if phase == "handle" and not supervised and now >= supervise_at:
            steps.append(Step("supervise"))
        return steps
    if wall_clock:
        at_75 = start + (due - start) * REMIND_AT if start < due else due
    else:
        at_75 = workcal.moment_at_fraction(start, due, REMIND_AT, cal) if start < due else due
    if now >= at_75 and not any(at_75 <= at < due for at in reminds):
        steps.append(Step("remind"))
    return steps


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass over the open cases with a deadline, and the parked cases."""
    now = now or clock.now()
    result = SweepResult()
    for phase in PHASES:
        _sweep_phase(phase, now, result)
    _sweep_parked(now, result)
    return result


def _sweep_phase(phase: Phase, now: datetime, result: SweepResult) -> None:
    cases = Case.objects.filter(state__in=phase.states, **{f"{phase.due_field}__isnull": False})
    in_phase = CaseEvent.objects.filter(case__state__in=phase.states)
    starts: dict[int, datetime] = dict(
        in_phase.filter(action=phase.start_action)
        .values("case_id")
        .annotate(at=Max("at"))
        .values_list("case_id", "at")
    )
    marks = _marks(in_phase)
    for case in cases.select_related("node", "category__policy", "post").order_by("pk"):
        due: datetime = getattr(case, phase.due_field)
        start = starts.get(case.pk, case.created_at)
        since = [(action, at) for action, at in marks.get(case.pk, []) if at >= start]
        wall = phase.name == "handle" and sla.wall_clock(case.category)
        cal = sla.calendar(case.node_path)  # each street's own calendar (a snapshot lookup)
        for step in steps_due(phase.name, start, due, now, since, cal, wall_clock=wall):
            updated = _append(case, step, phase, due)
            if updated is None:
                result.conflicts += 1
                break
            case = updated
            if step.action == "supervise":
                result.supervised += 1
            elif step.expired:
                result.overdue += 1
            else:
                result.reminders += 1


def _marks(events: QuerySet[CaseEvent]) -> dict[int, list[tuple[str, datetime]]]:
    marks: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    system = events.filter(actor__isnull=True, action__in=["remind", "supervise"])
    for case_id, action, at in system.values_list("case_id", "action", "at"):
        marks[case_id].append((action, at))
    return marks


def _append(case: Case, step: Step, phase: Phase, due: datetime) -> Case | None:
    name = notifications.PHASE_NAMES[phase.name]
    if step.action == "supervise":
        note = f"系统督办：超过处置时限（{notifications.when(due)}）一个工作日仍未办结"
    elif step.expired:
        note = f"系统催办：已超过{name}时限（{notifications.when(due)}）"
    else:
        note = f"系统催办：{name}时限已用去75%，截止 {notifications.when(due)}"
    data = {"deadline": phase.name, "due": due.isoformat(), "expired": step.expired}

    def messages(updated: Case, event: CaseEvent) -> list[OutboxSpec]:
        if step.action == "supervise":
            return notifications.supervision_messages(updated, event, due=due)
        return notifications.reminder_messages(
            updated, event, phase=phase.name, due=due, expired=step.expired
        )

    return _act(case, step.action, note, data, messages)


def _sweep_parked(now: datetime, result: SweepResult) -> None:
    today = timezone.localtime(now).date()
    parked = Case.objects.filter(state=State.PARKED, park_review_on__lte=today)
    marks = _marks(CaseEvent.objects.filter(case__state=State.PARKED))
    for case in parked.select_related("node", "category", "post").order_by("pk"):
        review: date = case.park_review_on  # type: ignore[assignment]  # filtered on above
        day_start = timezone.make_aware(datetime.combine(review, time.min))
        if any(action == "remind" and at >= day_start for action, at in marks.get(case.pk, [])):
            continue
        note = f"系统提醒：挂账复查日期（{review:%m月%d日}）已到，请复查是否恢复处置"
        data = {"review_date": review.isoformat()}
        if _act(case, "remind", note, data, notifications.review_messages) is None:
            result.conflicts += 1
        else:
            result.reviews += 1


def _act(case: Case, action: str, note: str, data: dict[str, Any], messages: Messages) -> Case | None:
    """Append the system's event and its messages in one transaction; None on a conflict."""
    try:
        with transaction.atomic():
            updated = case_act(
                actor=None, case=case, act=Act(action=action, version=case.version, note=note, data=data)
            )
            event = CaseEvent.objects.get(case=updated, seq=updated.version)
            outbox.enqueue_all(messages(updated, event))
    except ConflictError:
        return None
    return updated
