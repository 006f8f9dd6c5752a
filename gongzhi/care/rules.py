"""The rule pass: every watched subject checked against the rules in force, from the last-seen
table alone (never the raw events), opening at most one alert per subject and rule.

Each rule is one indexed query over `LastSeen` (or `CareSubject.visit_due_at`) with the
loosest threshold of the street, whose few candidates are then checked exactly in Python:
their own parameters, an away period (which pauses the silence rules), a sign of life since
(a 平安 check-in, a visit or a call, or coming home from an away period), quiet hours, an
alert already open. Alarms (SOS, smoke, gas) are opened by the ingest at once (`open_alarms`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils.timezone import localtime

from gongzhi.care.choices import AlertState, RuleKind, Signal
from gongzhi.care.models import Alert, AwayPeriod, CareSubject, LastSeen, Rule
from gongzhi.care.rulebook import DEFAULTS, SILENCE_RULES, Params, RuleBook
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

SIGNAL_RULES = {RuleKind.NO_DOOR: Signal.DOOR, RuleKind.NO_POWER: Signal.POWER}


@dataclass
class Candidate:
    subject_id: int
    node_path: str
    kind: str
    since: datetime | None  # the last sign the rule saw (None: never)
    detail: str = ""


@dataclass
class SweepResult:
    opened: list[Alert] = field(default_factory=list)
    candidates: int = 0

    def __str__(self) -> str:
        return f"care sweep: {self.candidates} candidates, {len(self.opened)} alerts opened"


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass over every street's subjects (beat every minute; `gongzhi care_sweep`)."""
    now = now or clock.now()
    book = RuleBook.load()
    streets = list(Node.objects.filter(level=Level.STREET).values_list("path", flat=True))
    found: list[Candidate] = []
    for path in streets:
        found += _silent_signals(book, path, now)
        found += _water(book, path, now)
        found += _visits(book, path, now)
    result = SweepResult(candidates=len(found))
    kept = _exact(book, found, now)
    result.opened = open_alerts(kept, now)
    return result


def _live_subjects(path: str) -> Q:
    return Q(subject__node_path__startswith=path, subject__ended_at__isnull=True)


def _silent_signals(book: RuleBook, path: str, now: datetime) -> list[Candidate]:
    found: list[Candidate] = []
    for kind, signal in SIGNAL_RULES.items():
        hours = book.loosest_hours(path, kind)
        if hours is None:
            continue
        rows = LastSeen.objects.filter(
            _live_subjects(path), signal=signal, active_at__lt=now - timedelta(hours=hours)
        )
        found += [
            Candidate(subject_id, node_path, kind, active_at)
            for subject_id, node_path, active_at in rows.values_list(
                "subject_id", "subject__node_path", "active_at"
            )
        ]
    return found


def _water(book: RuleBook, path: str, now: datetime) -> list[Candidate]:
    found: list[Candidate] = []
    if book.any_enabled(path, RuleKind.WATER_LOW):
        rows = LastSeen.objects.filter(_live_subjects(path), signal=Signal.WATER, quiet_at__lte=now)
        found += [
            Candidate(s, p, RuleKind.WATER_LOW, quiet_at)
            for s, p, quiet_at in rows.values_list("subject_id", "subject__node_path", "quiet_at")
        ]
    if book.any_enabled(path, RuleKind.WATER_LEAK):
        rows = LastSeen.objects.filter(_live_subjects(path), signal=Signal.WATER, leak_since__isnull=False)
        found += [
            Candidate(s, p, RuleKind.WATER_LEAK, since)
            for s, p, since in rows.values_list("subject_id", "subject__node_path", "leak_since")
        ]
    return found


def _visits(book: RuleBook, path: str, now: datetime) -> list[Candidate]:
    hours = book.loosest_hours(path, RuleKind.VISIT_OVERDUE)
    if hours is None:
        return []
    rows = CareSubject.objects.filter(
        node_path__startswith=path, ended_at__isnull=True, visit_due_at__lt=now - timedelta(hours=hours)
    )
    return [
        Candidate(s, p, RuleKind.VISIT_OVERDUE, due)
        for s, p, due in rows.values_list("id", "node_path", "visit_due_at")
    ]


def _exact(book: RuleBook, found: list[Candidate], now: datetime) -> list[Candidate]:
    """The candidates each subject's own rule holds, outside away periods and quiet hours, with
    no sign of life since, and no alert of that rule open."""
    if not found:
        return []
    ids = {c.subject_id for c in found}
    open_now = set(
        Alert.objects.filter(subject_id__in=ids)
        .exclude(state=AlertState.CLOSED)
        .values_list("subject_id", "kind")
    )
    life = dict(
        LastSeen.objects.filter(subject_id__in=ids, signal=Signal.LIFE).values_list("subject_id", "active_at")
    )
    away_now = set(
        AwayPeriod.objects.filter(subject_id__in=ids, starts_at__lte=now, ends_at__gt=now).values_list(
            "subject_id", flat=True
        )
    )
    back_at = dict(
        AwayPeriod.objects.filter(subject_id__in=ids, ends_at__lte=now)
        .values("subject_id")
        .annotate(last=Max("ends_at"))
        .values_list("subject_id", "last")
    )
    kept: list[Candidate] = []
    for c in found:
        p = book.params(c.subject_id, c.node_path, c.kind)
        if not p.enabled or (c.subject_id, c.kind) in open_now:
            continue
        if c.kind in SILENCE_RULES:
            if c.subject_id in away_now or p.quiet(now):
                continue
            hours = p.hours or 0.0
            window_start = now - timedelta(hours=hours)
            if c.kind in SIGNAL_RULES and (c.since is None or c.since >= window_start):
                continue  # the street's loosest threshold let it through, its own does not
            if c.kind == RuleKind.VISIT_OVERDUE and c.since is not None and c.since >= window_start:
                continue
            sign = max(
                [t for t in (life.get(c.subject_id), back_at.get(c.subject_id)) if t is not None],
                default=None,
            )
            # visits: a check-in is not a visit; others: any sign of life in the window
            if c.kind != RuleKind.VISIT_OVERDUE and sign is not None and sign >= window_start:
                continue
            if (
                c.kind == RuleKind.VISIT_OVERDUE
                and back_at.get(c.subject_id, now - timedelta(days=3650)) >= window_start
            ):
                continue
        c.detail = describe(c, p, now)
        kept.append(c)
    return kept


def describe(c: Candidate, p: Params, now: datetime) -> str:
    """The alert's one-line reason, in the log's language (stored, not translated)."""
    if c.kind in SIGNAL_RULES and c.since is not None:
        hours = int((now - c.since).total_seconds() // 3600)
        what = "门磁无开合" if c.kind == RuleKind.NO_DOOR else "无用电"
        return f"已 {hours} 小时{what}（阈值 {p.hours:g} 小时）"
    if c.kind == RuleKind.WATER_LOW:
        return f"{p.hours:g} 小时内用水少于 {p.litres:g} 升"
    if c.kind == RuleKind.WATER_LEAK:
        return f"疑似漏水：24 小时用水超过 {p.litres:g} 升或持续不断"
    if c.kind == RuleKind.VISIT_OVERDUE and c.since is not None:
        days = (now - c.since).days
        return f"探访已逾期 {days} 天"
    return str(RuleKind(c.kind).label)


def open_alerts(found: Iterable[Candidate], now: datetime) -> list[Alert]:
    """Insert the alerts not already open and return them; one opened meanwhile by a concurrent
    pass is skipped by the partial unique constraint."""
    wanted = {(c.subject_id, c.kind): c for c in found}
    if not wanted:
        return []
    with transaction.atomic():
        already = set(
            Alert.objects.filter(subject_id__in={s for s, _ in wanted}, kind__in={k for _, k in wanted})
            .exclude(state=AlertState.CLOSED)
            .values_list("subject_id", "kind")
        )
        rows = [
            Alert(
                subject_id=c.subject_id,
                kind=c.kind,
                node_path=c.node_path,
                opened_at=now,
                detail=c.detail[:200],
            )
            for key, c in wanted.items()
            if key not in already
        ]
        if not rows:
            return []
        Alert.objects.bulk_create(rows, ignore_conflicts=True)
        fresh = {(r.subject_id, r.kind) for r in rows}
        opened = Alert.objects.filter(
            opened_at=now, subject_id__in={s for s, _ in fresh}, kind__in={k for _, k in fresh}
        ).exclude(state=AlertState.CLOSED)
        return [a for a in opened if (a.subject_id, a.kind) in fresh]


def open_alarms(alarms: list[tuple[int, str, str, datetime]], now: datetime) -> list[Alert]:
    """SOS, smoke and gas at once, from the ingest: (subject id, node path, rule kind, at). No
    away period or quiet hour holds them back; a rule switched off does."""
    if not alarms:
        return []
    book = RuleBook.load({a[0] for a in alarms})
    found = [
        # the press's local time: a gateway may send it in UTC or any offset
        Candidate(subject_id, path, kind, at, detail=f"{RuleKind(kind).label} {localtime(at):%H:%M}")
        for subject_id, path, kind, at in alarms
        if book.params(subject_id, path, kind).enabled
    ]
    return open_alerts(found, now)


def rules_ensure(street: Node) -> None:
    """The street's rule rows, created from the defaults where missing (admins edit them)."""
    existing = set(Rule.objects.filter(street=street).values_list("kind", flat=True))
    Rule.objects.bulk_create(
        [
            Rule(
                street=street,
                kind=kind,
                enabled=p.enabled,
                hours=p.hours,
                litres=p.litres,
                quiet_from=p.quiet_from,
                quiet_until=p.quiet_until,
                updated_at=clock.now(),
            )
            for kind, p in DEFAULTS.items()
            if kind not in existing
        ],
        ignore_conflicts=True,
    )
