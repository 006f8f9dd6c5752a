"""Care (关爱) figures of a place for a period (docs/kpis.md "Care"): alerts raised, by rule;
answered within CARE_ACK_MINUTES; someone at the door within REPORTS_CARE_VISIT_HOURS; false
alarms; regular visits done against those due; and, now, the open alerts and overdue visits
(the command centre's tile and map layer).

Counted straight from the care tables (Alert, Visit, AwayPeriod and the visit cases' events),
not from the daily rollup (ADR 0021): a street's care rows are a few thousand alerts and some
tens of thousands of visits a year, an alert's figures change after the fact (acknowledged,
visited, marked a false alarm) with no case event to tell the rollup, and the lists behind the
figures are cut per subject (access.care_subjects_q), not per area.

Two kinds of reader, two cuts:
- the figures are counts of the whole place, with no name in them; they are shown to whoever
  may open the place's figures (VIEW_CASES, reports.subjects) and takes part in care there
  (`may_see`: VIEW_CARE over the place, or a post serving a subject under it). A department,
  a property company or a partner sees none.
- the lists behind them (`alerts_behind`, `dues_behind`) hold only the subjects the asker may
  see (care.selectors, over access.care_subjects_q): a grid worker's list is their own
  subjects, a committee's its whole area.
"""

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, FloatField, Func, Min, OuterRef, Q, QuerySet, Subquery

from gongzhi.care import selectors as care_selectors
from gongzhi.care.choices import CLOSING_OUTCOMES, AlertState, RuleKind, VisitKind
from gongzhi.care.models import Alert, AwayPeriod, CareSubject, Visit
from gongzhi.cases.models import CaseEvent
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs import access
from gongzhi.reports import definitions as d
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

SCHEDULED = (VisitKind.VISIT, VisitKind.CALL)  # what answers the regular schedule (not 平安确认)
CASE_DONE = ("submit", "conclude", "verify")  # the visit case's visitor has been and reported


# --- who ----------------------------------------------------------------------------------------------


def applies(subject: Subject) -> bool:
    """Care figures belong to places (a street, a block area, an area, a grid), not to a unit's
    or a post's case work."""
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    """Whether `user` sees the place's care counts: VIEW_CARE over the whole place (the
    committee, the cadres above it, the auditor), or a post of theirs serving a subject there
    (a grid worker: the counts of their grid). None: the schedule (the 日报/周报 count the node).
    Never for a unit's or a post's figures (`applies`)."""
    if not applies(subject):
        return False
    if user is None:
        return True
    if access.scope(user).superuser:
        return True
    if all(access.can_under(user, access.VIEW_CARE, p) for p in subject.paths):
        return True
    served = CareSubject.objects.filter(care_selectors.mine_q(user)).filter(path_q(subject.paths))
    return served.exists()


# --- alerts -----------------------------------------------------------------------------------------


def ack_window() -> timedelta:
    return timedelta(minutes=settings.CARE_ACK_MINUTES)


def visit_window() -> timedelta:
    return timedelta(hours=d.care_visit_hours())


@dataclass(frozen=True)
class AlertFacts:
    """What the figures need of one alert, the times derived from its row and its visit case."""

    id: int
    subject_id: int
    kind: str
    opened_at: datetime
    closed: bool
    false_alarm: bool
    answered_at: datetime | None  # acknowledged, outcome recorded or reported unreachable
    visit_from: datetime  # the visit case's creation, or the alert itself when none was needed
    visited_at: datetime | None  # a visit, an outcome in person, or the visit case reported done

    def ack_due(self, now: datetime) -> bool:
        """Counts in the denominator: answered, or its window is over (else it is still young)."""
        return self.answered_at is not None or now >= self.opened_at + ack_window()

    def acked_on_time(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.opened_at + ack_window()

    def visit_due(self, now: datetime) -> bool:
        return self.visited_at is not None or now >= self.visit_from + visit_window()

    def visited_on_time(self) -> bool:
        return self.visited_at is not None and self.visited_at <= self.visit_from + visit_window()


def _earliest(*times: datetime | None) -> datetime | None:
    found = [t for t in times if t is not None]
    return min(found) if found else None


def raised(subject: Subject, period: Period) -> QuerySet[Alert]:
    """The alerts opened in the period under the subject's places (every one, no scope)."""
    return Alert.objects.filter(
        path_q(subject.paths), opened_at__gte=period.since, opened_at__lt=period.until
    )


def alert_facts(subject: Subject, period: Period) -> list[AlertFacts]:
    """The period's alerts with their answer and visit times, in two queries' worth of SQL."""
    done = CaseEvent.objects.filter(case_id=OuterRef("visit_case_id"), action__in=CASE_DONE).order_by("at")
    rows = (
        raised(subject, period)
        .annotate(
            first_visit=Min("visits__at", filter=Q(visits__kind=VisitKind.VISIT)),
            case_from=F("visit_case__created_at"),
            case_done=Subquery(done.values("at")[:1]),
        )
        .order_by("opened_at", "pk")
        .values_list(
            *("pk", "subject_id", "kind", "opened_at", "state", "false_alarm", "acknowledged_at"),
            *(
                "escalated_at",
                "closed_at",
                "closed_by_id",
                "outcome",
                "first_visit",
                "case_from",
                "case_done",
            ),
        )
    )
    out = []
    for (
        pk,
        sid,
        kind,
        opened,
        state,
        false,
        acked,
        escalated,
        closed_at,
        by,
        outcome,
        visit,
        case_from,
        case_done,
    ) in rows:
        # an outcome a person recorded (not the case hook's) is an answer, and someone was there
        in_person = closed_at if by is not None and outcome in CLOSING_OUTCOMES else None
        out.append(
            AlertFacts(
                id=pk,
                subject_id=sid,
                kind=kind,
                opened_at=opened,
                closed=state == AlertState.CLOSED,
                false_alarm=bool(false),
                answered_at=_earliest(acked, escalated, in_person, visit),
                visit_from=case_from or opened,
                visited_at=_earliest(visit, escalated, in_person, case_done),
            )
        )
    return out


# the alert KPIs: (numerator, denominator) tests of one alert, `now` given
ALERT_PARTS = {
    "care_ack_on_time": (lambda a, now: a.acked_on_time(), lambda a, now: a.ack_due(now)),
    "care_visit_on_time": (lambda a, now: a.visited_on_time(), lambda a, now: a.visit_due(now)),
    "care_false_alarm": (lambda a, now: a.closed and a.false_alarm, lambda a, now: a.closed),
}


# --- regular visits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One regular visit due: every `visit_every_days` since the enrolment a visit or a call
    should have come in the days before (a fixed calendar: a late visit misses one due and
    answers the next, and nobody's figure grows by visiting more often). Times in seconds since
    1970 (a year of a street is ~40,000 dues: counted, not turned into datetimes)."""

    subject_id: int
    due: float
    met: float | None  # the latest visit or call in the window that ends at the due

    @property
    def due_at(self) -> datetime:
        return datetime.fromtimestamp(self.due, UTC)

    @property
    def met_at(self) -> datetime | None:
        return None if self.met is None else datetime.fromtimestamp(self.met, UTC)


class Epoch(Func):
    """A time as seconds since 1970 (a float), computed by the database: a year of visits is
    ~40,000 times, and turning each into an aware datetime cost more than all the rest."""

    output_field = FloatField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps UTC text; julianday counts days (with their fraction) from an epoch of its own
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def dues(subject: Subject, period: Period, now: datetime | None = None) -> list[Due]:
    """The visits due in the period up to now, under the subject's places: not after a subject's
    care ended, not while they were away (住院, 子女家小住: nobody to visit)."""
    now = now or clock.now()
    end = min(period.until, now)
    if end <= period.since:
        return []
    people = list(
        CareSubject.objects.filter(path_q(subject.paths), enrolled_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=period.since))
        .values_list("pk", "enrolled_at", "ended_at", "visit_every_days")
    )
    if not people:
        return []
    ids = [p[0] for p in people]
    reach = period.since - timedelta(days=max(p[3] for p in people))  # the earliest window's start
    visits: dict[int, list[float]] = defaultdict(list)
    rows = Visit.objects.filter(subject_id__in=ids, kind__in=SCHEDULED, at__gt=reach, at__lt=end)
    for sid, seconds in rows.order_by("at").values_list("subject_id", Epoch("at")):
        visits[sid].append(seconds)
    away: dict[int, list[tuple[float, float]]] = defaultdict(list)
    spans = AwayPeriod.objects.filter(subject_id__in=ids, starts_at__lt=end, ends_at__gt=period.since)
    for sid, begins, ends in spans.values_list("subject_id", "starts_at", "ends_at"):
        away[sid].append((begins.timestamp(), ends.timestamp()))
    since, out = period.since.timestamp(), []
    for sid, enrolled_at, ended_at, every in people:
        enrolled, step = enrolled_at.timestamp(), every * 86400.0
        horizon = min(end, ended_at).timestamp() if ended_at else end.timestamp()
        k = max(1, math.ceil((since - enrolled) / step))  # the first due in the period
        times, spans_of = visits.get(sid, []), away.get(sid)
        due = enrolled + k * step
        while due < horizon:
            if not (spans_of and any(start <= due < until for start, until in spans_of)):
                last = bisect_right(times, due)
                met = times[last - 1] if last and times[last - 1] > due - step else None
                out.append(Due(sid, due, met))
            k += 1
            due = enrolled + k * step
    out.sort(key=lambda x: (x.due, x.subject_id))
    return out


def visits_done(subject: Subject, period: Period) -> int:
    """Visits and calls recorded in the period (平安确认 check-ins not counted)."""
    return Visit.objects.filter(
        subject__in=CareSubject.objects.filter(path_q(subject.paths)).values("pk"),
        kind__in=SCHEDULED,
        at__gte=period.since,
        at__lt=period.until,
    ).count()


# --- now --------------------------------------------------------------------------------------------


def open_alerts(subject: Subject) -> QuerySet[Alert]:
    return Alert.objects.filter(path_q(subject.paths)).exclude(state=AlertState.CLOSED)


def overdue_subjects(subject: Subject, now: datetime | None = None) -> QuerySet[CareSubject]:
    """Subjects in care whose next visit is past due now (the /care/ overdue list's test)."""
    now = now or clock.now()
    return CareSubject.objects.filter(path_q(subject.paths), ended_at__isnull=True, visit_due_at__lt=now)


# --- the figures -----------------------------------------------------------------------------------------


@dataclass
class RuleRow:
    kind: str
    label: str
    raised: int = 0
    closed: int = 0
    false_alarms: int = 0


@dataclass
class CareFigures:
    measures: dict[str, int]  # the KPIs' numerators and denominators (definitions.CARE_KPIS)
    raised: int
    by_rule: list[RuleRow] = field(default_factory=list)
    visits_done: int = 0
    open_alerts: int = 0  # now
    overdue_visits: int = 0  # now


def figures(subject: Subject, period: Period, now: datetime | None = None) -> CareFigures:
    """Every care figure of the place for the period (counts, no names)."""
    now = now or clock.now()
    alerts = alert_facts(subject, period)
    measures: dict[str, int] = {}
    for key, (numerator, denominator) in ALERT_PARTS.items():
        kpi = d.BY_KEY[key]
        counted = [a for a in alerts if denominator(a, now)]
        measures[kpi.denominator] = len(counted)
        measures[kpi.numerator] = sum(1 for a in counted if numerator(a, now))
    due = dues(subject, period, now)
    measures["visits_due"], measures["visits_met"] = len(due), sum(1 for x in due if x.met is not None)
    rules: dict[str, RuleRow] = {k: RuleRow(k, str(RuleKind(k).label)) for k in RuleKind.values}
    for a in alerts:
        row = rules[a.kind]
        row.raised += 1
        row.closed += a.closed
        row.false_alarms += a.closed and a.false_alarm
    return CareFigures(
        measures=measures,
        raised=len(alerts),
        by_rule=[r for r in rules.values() if r.raised],
        visits_done=visits_done(subject, period),
        open_alerts=open_alerts(subject).count(),
        overdue_visits=overdue_subjects(subject, now).count(),
    )


def report_figures(subject: Subject, period: Period, now: datetime) -> dict[str, Any]:
    """The 日报/周报's 关爱 section as plain values (frozen as JSON with the report)."""
    found = figures(subject, period, now)
    m = found.measures

    def rate(key: str) -> dict[str, Any]:
        kpi = d.BY_KEY[key]
        num, den = m[kpi.numerator], m[kpi.denominator]
        value = round(100.0 * num / den, 1) if den else None
        grade = d.grade_of(d.score(kpi, value)) if value is not None else None
        return {"key": key, "label": str(kpi.label), "value": value, "numerator": num, "denominator": den,
                "grade": grade or ""}  # fmt: skip

    return {
        "raised": found.raised,
        "by_rule": [
            {
                "kind": r.kind,
                "label": r.label,
                "raised": r.raised,
                "closed": r.closed,
                "false_alarms": r.false_alarms,
            }
            for r in found.by_rule
        ],
        "rates": [rate(k.key) for k in d.CARE_KPIS],
        "false_alarms": m["false_alarms"],
        "visits_done": found.visits_done,
        "visits_due": m["visits_due"],
        "visits_met": m["visits_met"],
        "open_alerts": found.open_alerts,
        "overdue_visits": found.overdue_visits,
    }


# --- the command centre: a tile and a map layer, counts only ----------------------------------------


def _area_of(path: str, areas: dict[str, str]) -> str | None:
    """The residential area (its code) a home's path lies under."""
    for code in path.strip("/").split("/"):
        if code in areas:
            return code
    return None


def per_area(subject: Subject, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open alerts and overdue visits per residential area under the place: codes and counts,
    never a name or an id of a person (the map layer)."""
    nodes = Node.objects.filter(subtree_q(list(subject.paths)), level=Level.AREA)
    areas = dict(nodes.values_list("code", "path"))
    counts: dict[str, dict[str, int]] = {code: {"alerts": 0, "overdue": 0} for code in areas}
    for path in open_alerts(subject).values_list("node_path", flat=True):
        code = _area_of(path, areas)
        if code:
            counts[code]["alerts"] += 1
    for path in overdue_subjects(subject, now).values_list("node_path", flat=True):
        code = _area_of(path, areas)
        if code:
            counts[code]["overdue"] += 1
    return [{"code": code, **c} for code, c in sorted(counts.items()) if c["alerts"] or c["overdue"]]


def area_names(care: dict[str, Any] | None) -> dict[str, str]:
    """The places' names for the layer's table on the page (the JSON carries codes only)."""
    if not care:
        return {}
    codes = [a["code"] for a in care["areas"]]
    return dict(Node.objects.filter(code__in=codes).values_list("code", "name"))


def tile(subject: Subject, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """The care tile: open alerts now, the period's answered-within-30-minutes rate, visits
    overdue now, and the per-area layer. Counts only."""
    now = now or clock.now()
    alerts = alert_facts(subject, period)
    due = [a for a in alerts if a.ack_due(now)]
    on_time = sum(1 for a in due if a.acked_on_time())
    kpi = d.BY_KEY["care_ack_on_time"]
    value = round(100.0 * on_time / len(due), 1) if due else None
    return {
        "open_alerts": open_alerts(subject).count(),
        "raised": len(alerts),
        "ack": {
            "value": value,
            "numerator": on_time,
            "denominator": len(due),
            "grade": d.grade_of(d.score(kpi, value)) if value is not None else None,
        },
        "overdue_visits": overdue_subjects(subject, now).count(),
        "areas": per_area(subject, now),
    }


# --- the lists behind the figures (scoped) ---------------------------------------------------------------


def visible_alerts(user: Actor) -> QuerySet[Alert]:
    return care_selectors.alerts(user=user, open_only=False)


def alerts_behind(
    subject: Subject, period: Period, key: str, part: str, *, user: Actor, rule: str = ""
) -> QuerySet[Alert]:
    """The alerts behind one part (numerator, denominator, rest) of an alert KPI (`key`), or
    behind a count (`part`: raised, false_alarms, open) when `key` is empty; only those of the
    subjects `user` may see, the newest first."""
    now = clock.now()
    if key:
        numerator, denominator = ALERT_PARTS[key]
        chosen = [
            a.id
            for a in alert_facts(subject, period)
            if denominator(a, now) and (part == "denominator" or numerator(a, now) == (part == "numerator"))
        ]
        rows = Alert.objects.filter(pk__in=chosen)
    elif part == "open":
        rows = open_alerts(subject)
    elif part == "false_alarms":
        rows = raised(subject, period).filter(state=AlertState.CLOSED, false_alarm=True)
    else:
        rows = raised(subject, period)
    if rule:
        rows = rows.filter(kind=rule)
    return (
        visible_alerts(user)
        .filter(pk__in=rows.values("pk"))
        .select_related("visit_case")
        .order_by("-opened_at", "-pk")
    )


def overdue_behind(subject: Subject, *, user: Actor) -> QuerySet[CareSubject]:
    """The subjects past their visit now, of those `user` may see, the longest overdue first."""
    due = overdue_subjects(subject).values("pk")
    return care_selectors.subjects(user=user).filter(pk__in=due).order_by("visit_due_at", "pk")


@dataclass(frozen=True)
class DueRow:
    """A due visit as a drill-down row: the subject (in the asker's scope), when, met by what."""

    subject: CareSubject
    due_at: datetime
    met_at: datetime | None

    @property
    def pk(self) -> int:
        return self.subject.pk


def dues_behind(subject: Subject, period: Period, part: str, *, user: Actor) -> list[DueRow]:
    """The visits due (denominator), met (numerator) or missed (rest), of the subjects `user`
    may see; the latest first."""
    found = dues(subject, period)
    if part == "numerator":
        found = [x for x in found if x.met is not None]
    elif part == "rest":
        found = [x for x in found if x.met is None]
    seen = {
        s.pk: s
        for s in care_selectors.subjects(user=user, include_ended=True).filter(
            pk__in={x.subject_id for x in found}
        )
    }
    rows = [DueRow(seen[x.subject_id], x.due_at, x.met_at) for x in found if x.subject_id in seen]
    rows.reverse()
    return rows
