"""The overdue list (超期工单): open cases past the deadline of the step they are at, scoped by
access like every case list, most overdue first."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet

from gongzhi.cases.models import Case
from gongzhi.cases.timers import PHASES, Phase
from gongzhi.orgs import access


def overdue_q(now: datetime, phases: Iterable[Phase] = PHASES) -> Q:
    q = Q(pk__in=[])
    for phase in phases:
        q |= Q(state__in=phase.states, **{f"{phase.due_field}__lte": now})
    return q


def overdue_cases(*, user: Any, now: datetime, deadline: str = "") -> QuerySet[Case]:
    """Cases the user may see that are past due; `deadline` (dispatch/handle/verify) narrows it.
    Each row carries `overdue_since`, the deadline that ran out."""
    phases = [p for p in PHASES if not deadline or p.name == deadline]
    since = models.Case(
        *(models.When(state__in=p.states, then=F(p.due_field)) for p in phases),
        output_field=models.DateTimeField(),
    )
    return (
        Case.objects.filter(access.cases_q(user))
        .filter(overdue_q(now, phases))
        .annotate(overdue_since=since)
        .select_related("node", "category", "post")
        .order_by("overdue_since", "pk")
    )
