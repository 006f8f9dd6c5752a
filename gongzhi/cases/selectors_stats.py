"""本级解决率 and the escalation, rework and return counts, derived from the recorded facts.

Every figure is about a cohort: the cases the user may see (selectors.case_q) reported in a
period (created_at in [since, until)), optionally under one node's path.

- received (受理): cases reported in the period (merged and voided ones included: they were
  received, then judged duplicates or invalid).
- closed (结案): those whose current state is closed (a reopened case is not closed).
- escalated (上报升级): those escalated or pulled up at least once (an escalate or pull event).
- closed_locally (本级结案): closed, and never escalated or pulled: solved at the rung where
  they started (every case starts at the residential area).
- local_rate (本级解决率): closed_locally / closed; None when nothing is closed.
- escalations: the escalate and pull events themselves (a case can go up twice).
- rework (返工): reject (failed verification) and reopen (unsatisfied callback) events.
- returned (退单): return events (the handler sent the case back to the dispatcher).

One aggregate query whatever the number of nodes: event counts are correlated subqueries on
the (case, seq) index, evaluated only for the cohort's rows (FILTER / CASE WHEN).
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import Aggregate, Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.selectors import case_q, dispatch_q
from gongzhi.cases.selectors_overdue import overdue_q
from gongzhi.cases.states import State

ESCALATION_ACTIONS = ("escalate", "pull")
REWORK_ACTIONS = ("reject", "reopen")
RETURN_ACTIONS = ("return",)
ALL = ""  # the key of the whole scope in case_stats_by_path


@dataclass(frozen=True)
class CaseStats:
    received: int = 0
    closed: int = 0
    escalated: int = 0
    closed_locally: int = 0
    escalations: int = 0
    rework: int = 0
    returned: int = 0

    @property
    def local_rate(self) -> float | None:
        """本级解决率 as a fraction (0..1), or None when no case is closed."""
        return self.closed_locally / self.closed if self.closed else None

    @property
    def local_rate_percent(self) -> float | None:
        rate = self.local_rate
        return None if rate is None else round(rate * 100, 1)


NAMES = [f.name for f in fields(CaseStats)]


def _events(actions: tuple[str, ...]) -> Subquery:
    """How many of these events the outer case has (NULL for none, which SUM skips)."""
    count = Func(F("pk"), function="COUNT")
    rows = CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=actions).order_by()
    return Subquery(rows.annotate(n=count).values("n"), output_field=IntegerField())


def cohort_q(user: Any, since: datetime | None = None, until: datetime | None = None) -> Q:
    q = case_q(user)
    if since is not None:
        q &= Q(created_at__gte=since)
    if until is not None:
        q &= Q(created_at__lt=until)
    return q


def stats_aggregates(q: Q, suffix: str = "") -> dict[str, Aggregate]:
    """The CaseStats figures over the cases matching `q`, as aggregates over Case rows (keys are
    the CaseStats field names plus `suffix`), to combine with other figures in one query."""
    escalated = Q(Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=ESCALATION_ACTIONS)))
    closed = Q(state=State.CLOSED)
    return {
        f"received{suffix}": Count("pk", filter=q),
        f"closed{suffix}": Count("pk", filter=q & closed),
        f"escalated{suffix}": Count("pk", filter=q & escalated),
        f"closed_locally{suffix}": Count("pk", filter=q & closed & ~escalated),
        f"escalations{suffix}": Sum(_events(ESCALATION_ACTIONS), filter=q),
        f"rework{suffix}": Sum(_events(REWORK_ACTIONS), filter=q),
        f"returned{suffix}": Sum(_events(RETURN_ACTIONS), filter=q),
    }


def stats_from(row: dict[str, Any], suffix: str = "") -> CaseStats:
    return CaseStats(**{name: row[f"{name}{suffix}"] or 0 for name in NAMES})


def case_stats_by_path(
    *,
    user: Any,
    paths: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, CaseStats]:
    """CaseStats for each node path (cases at or under it) and for the whole scope (key ALL).

    Only the cases the user may see are counted, so a path outside their scope counts zero.
    """
    groups = [ALL, *(paths or [])]
    wanted: dict[str, Aggregate] = {}
    for i, path in enumerate(groups):
        wanted.update(stats_aggregates(Q(node_path__startswith=path) if path else Q(), f"_{i}"))
    row = Case.objects.filter(cohort_q(user, since, until)).aggregate(**wanted)
    return {path: stats_from(row, f"_{i}") for i, path in enumerate(groups)}


def case_stats(*, user: Any, since: datetime | None = None, until: datetime | None = None) -> CaseStats:
    """The figures over every case the user may see, reported in [since, until)."""
    return case_stats_by_path(user=user, since=since, until=until)[ALL]


@dataclass(frozen=True)
class HomeFigures:
    work: dict[str, int] = field(default_factory=dict)  # received (待受理), overdue (超期)
    stats: CaseStats | None = None


def home_figures(
    *, user: Any, now: datetime, received: bool, overdue: bool, stats_since: datetime | None
) -> HomeFigures:
    """The home page's case figures in one query: 待受理 and 超期 as selectors.work_counts counts
    them (each if asked), and the CaseStats of the cases reported since `stats_since` (None: no
    stats)."""
    wanted: dict[str, Aggregate] = {}
    if received:
        wanted["received"] = Count("pk", filter=dispatch_q(user) & Q(state=State.RECEIVED))
    if overdue:
        wanted["overdue"] = Count("pk", filter=case_q(user) & overdue_q(now))
    if stats_since is not None:
        wanted.update(stats_aggregates(cohort_q(user, stats_since), "_stats"))
    if not wanted:
        return HomeFigures()
    row = Case.objects.aggregate(**wanted)
    work: dict[str, int] = {k: row[k] or 0 for k in ("received", "overdue") if k in row}
    return HomeFigures(work=work, stats=stats_from(row, "_stats") if stats_since is not None else None)
