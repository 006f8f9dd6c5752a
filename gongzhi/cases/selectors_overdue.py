"""The overdue list (超期工单) and the cases about to be (即将超期): open cases past, or within
one working day of (`soon_until`), the deadline of the step they are at, scoped by access like
every case list.

`overdue_q` / `due_soon_q` are the one definition: the overdue page, the case list's
`?overdue=1` / `?due_soon=1` (page and API), the home page's counts and the 日报/周报's 超期
snapshot all filter with them, so a figure and the list it opens agree.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import models
from django.db.models import F, Q, QuerySet

from gongzhi.cases.models import Case
from gongzhi.cases.timers import PHASES, Phase
from gongzhi.core import workcal, workcal_db
from gongzhi.core.actors import Actor
from gongzhi.orgs import access

DEADLINES = tuple(p.name for p in PHASES)  # dispatch / handle / verify


def overdue_q(now: datetime, phases: Iterable[Phase] = PHASES) -> Q:
    q = Q(pk__in=[])
    for phase in phases:
        q |= Q(state__in=phase.states, **{f"{phase.due_field}__lte": now})
    return q


def soon_until(now: datetime) -> datetime:
    """The end of the 即将超期 window: one working day of working time from `now` (deadlines
    run in working hours, so a Friday evening warns of Monday's deadlines)."""
    cal = workcal_db.current_calendar()
    return workcal.add_working_time(now, cal.day_length, cal)


def due_soon_q(now: datetime, until: datetime | None = None) -> Q:
    """Open cases whose current step's deadline is still ahead but before `until` (by default
    `soon_until(now)`). The home page's 即将超期 tile narrows it to the user's own steps."""
    until = until or soon_until(now)
    q = Q(pk__in=[])
    for phase in PHASES:
        q |= Q(state__in=phase.states, **{f"{phase.due_field}__gt": now, f"{phase.due_field}__lte": until})
    return q


def overdue_cases(
    *, user: Actor, now: datetime, deadline: str = "", under: Sequence[str] = ()
) -> QuerySet[Case]:
    """Cases the user may see that are past due; `deadline` (dispatch/handle/verify) narrows it,
    `under` (node paths) keeps those placed under these nodes. Each row carries
    `overdue_since`, the deadline that ran out."""
    phases = [p for p in PHASES if not deadline or p.name == deadline]
    since = models.Case(
        *(models.When(state__in=p.states, then=F(p.due_field)) for p in phases),
        output_field=models.DateTimeField(),
    )
    return (
        Case.objects.filter(access.cases_q(user, under=list(under)))
        .filter(overdue_q(now, phases))
        .annotate(overdue_since=since)
        .select_related("node", "category", "post")
        .order_by("overdue_since", "pk")
    )
