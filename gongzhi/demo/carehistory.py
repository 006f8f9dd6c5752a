"""A year of care history in the demo street, up to the generator's `now`:

- regular visits and calls (定期探访) on each subject's schedule, most on time, some late; a
  春节 and a 重阳节 round over the street, answered by a visit each;
- alerts the rules raised, mostly acknowledged within the 30 minutes and closed with the
  visitor's outcome (some flagged 误报, a few 已送医 followed by a hospital stay); and the
  history's 门磁 cases (MS03 from a sensor, planned by the casebook) as the 上门探访 cases of
  the alerts nobody acknowledged in time, each closed when its case was done;
- the last-seen rows as they stand at `now` (a door passage today, the water meter's last
  24 hours in half-hour slots, the power meter's reading), so the rule pass starts from a
  quiet street; a few subjects "going quiet" (no door for 47 hours, little water since the
  morning) raise their alerts in the demo's first hour, and `care_simulate` keeps them silent.

No raw events: the rules and the reports read the last-seen rows and the alerts, and raw
events last CARE_EVENT_RETENTION_DAYS anyway; `care_simulate` sends live ones through the doors.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max

from gongzhi.care import windows
from gongzhi.care.choices import (
    DEVICE_SIGNALS,
    SIGNAL_OF_DEVICE,
    AlertState,
    AwayReason,
    DeviceKind,
    Outcome,
    RoundKind,
    RuleKind,
    Signal,
    VisitKind,
)
from gongzhi.care.ingest import derive_water_row
from gongzhi.care.models import Alert, AwayPeriod, CareSubject, LastSeen, Visit, VisitRound
from gongzhi.care.rulebook import RuleBook
from gongzhi.cases.states import Source, State
from gongzhi.demo.care import DEMO_GRID, Enrolled, insert_rows
from gongzhi.demo.casebook import CasePlan
from gongzhi.demo.district import FIRST
from gongzhi.demo.rows import new
from gongzhi.demo.workclock import moment
from gongzhi.geo.models import Node

YEAR = timedelta(days=365)
QUIET_SUBJECTS = 3  # "going quiet" at `now`: their alerts come in the demo's first hour
# Holidays the street's rounds follow (lunar dates, so listed): 春节 and 重阳节.
HOLIDAYS: dict[str, tuple[date, ...]] = {
    RoundKind.SPRING_FESTIVAL: (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26)),
    RoundKind.DOUBLE_NINTH: (date(2025, 10, 29), date(2026, 10, 18), date(2027, 10, 8), date(2028, 10, 26)),
}
ROUND_NAMES: dict[str, str] = {
    RoundKind.SPRING_FESTIVAL: "春节走访慰问",
    RoundKind.DOUBLE_NINTH: "重阳节敬老探访",
}
VISIT_NOTES = (
    "身体尚好，聊了家常",
    "精神不错，家中整洁",
    "血压偏高，已提醒按时服药",
    "腿脚不便，代为取了药",
    "子女刚来看过，一切正常",
    "天冷了，提醒注意保暖",
    "反映楼道灯不亮，已记下报修",
    "一切平安",
)
CALL_NOTES = ("电话问候，一切平安", "电话中声音有精神", "电话联系，说在女儿家吃饭")
SAFE_NOTES: dict[str, tuple[str, ...]] = {
    RuleKind.NO_DOOR: ("在家休息，身体无碍", "感冒了几天没出门，已送去药品"),
    RuleKind.WATER_LOW: ("外出买菜回来了，平安", "去邻居家打牌，平安"),
    RuleKind.WATER_LEAK: ("卫生间水箱漏水，已联系物业维修", "水龙头没关紧，已关好"),
    RuleKind.NO_POWER: ("跳闸了，已帮忙合上", "在家，平安"),
    RuleKind.SOS: ("老人误按了呼叫器，平安", "起身时头晕，休息后好转"),
    RuleKind.SMOKE: ("做饭烧焦了锅，已开窗通风", "烟感误报，平安"),
    RuleKind.VISIT_OVERDUE: ("补做探访，一切平安",),
}
FALSE_ALARM_NOTES = ("外出未带手机，平安", "在子女家小住，忘了登记外出")


@dataclass
class _Chain:
    """One alert's history, as the chain would have written it."""

    subject: Enrolled
    kind: str
    opened: datetime
    detail: str
    case: CasePlan | None = None


def write_history(
    enrolled: list[Enrolled], street_node: Node, cases: list[CasePlan], now: datetime, seed_rng: random.Random
) -> dict[str, int]:
    """The year's visits, rounds, alerts, away periods and the last-seen rows at `now`."""
    rng = seed_rng
    tz = ZoneInfo(settings.TIME_ZONE)
    rounds = _rounds(street_node, enrolled, now, tz)
    insert_rows(VisitRound, rounds)
    visits = _regular_visits(rng, enrolled, now, tz) + _round_visits(rng, enrolled, rounds, now)
    chains = _alerts_planned(rng, enrolled, now, tz) + _visit_case_alerts(rng, enrolled, cases)
    alerts, alert_visits, aways = _alerts(rng, chains, now)
    insert_rows(Alert, alerts)
    for visit, alert in alert_visits:
        visit.alert_id = alert.pk
    visits += [v for v, _a in alert_visits]
    visits.sort(key=lambda v: (v.at, v.subject_id))
    insert_rows(Visit, visits)
    quiet = _quiet(rng, enrolled)
    aways += _away_now(rng, enrolled, quiet, now)
    insert_rows(AwayPeriod, aways)
    last = _last_visits(visits)
    for e in enrolled:
        seen = last.get(e.subject.pk)
        if seen is not None:
            e.subject.visit_due_at = max(
                seen + timedelta(days=e.subject.visit_every_days), now + timedelta(hours=2)
            )
    _save_due(enrolled)
    insert_rows(LastSeen, _last_seen(rng, enrolled, alerts, last, quiet, now, tz))
    return {
        "care_visits": len(visits),
        "care_rounds": len(rounds),
        "care_alerts": len(alerts),
        "care_visit_cases": sum(1 for a in alerts if a.visit_case_id),
    }


# --- visits ------------------------------------------------------------------------------------------


def _regular_visits(rng: random.Random, enrolled: list[Enrolled], now: datetime, tz: ZoneInfo) -> list[Visit]:
    """Each subject's visits and calls on their schedule since enrolment (a year at most):
    most on or before the day, one in five a few days late."""
    out: list[Visit] = []
    for e in enrolled:
        every = e.subject.visit_every_days
        at = max(e.subject.enrolled_at, now - YEAR)
        while True:
            gap = every - rng.uniform(0, 2) if rng.random() < 0.8 else every + rng.uniform(1, 5)
            at = _working_hours(rng, at + timedelta(days=gap), tz)
            if at >= now:
                break
            call = rng.random() < 0.3
            out.append(
                new(
                    Visit,
                    subject_id=e.subject.pk,
                    kind=VisitKind.CALL if call else VisitKind.VISIT,
                    at=at,
                    by_id=e.users[0] if rng.random() < 0.7 or len(e.users) == 1 else e.users[1],
                    note=rng.choice(CALL_NOTES if call else VISIT_NOTES),
                )
            )
    return out


def _rounds(street_node: Node, enrolled: list[Enrolled], now: datetime, tz: ZoneInfo) -> list[VisitRound]:
    """The street's holiday rounds of the past year, started ten days before the holiday."""
    found: list[VisitRound] = []
    for kind, days in HOLIDAYS.items():
        for day in days:
            due = datetime(day.year, day.month, day.day, 18, tzinfo=tz)
            created = due - timedelta(days=10, hours=8)
            if now - YEAR <= created and due < now:
                subjects = sum(1 for e in enrolled if e.subject.enrolled_at < created)
                found.append(
                    new(
                        VisitRound,
                        kind=kind,
                        name=f"{day.year}年{ROUND_NAMES[kind]}",
                        node_id=street_node.pk,
                        node_path=street_node.path,
                        due_at=due,
                        subjects=subjects,
                        created_at=created,
                    )
                )
    return sorted(found, key=lambda r: r.created_at)


def _round_visits(
    rng: random.Random, enrolled: list[Enrolled], rounds: list[VisitRound], now: datetime
) -> list[Visit]:
    """A round's visit for nearly every subject, most before its due date, a few just after."""
    out: list[Visit] = []
    for r in rounds:
        span = (r.due_at - r.created_at).total_seconds()
        for e in enrolled:
            if e.subject.enrolled_at >= r.created_at or rng.random() < 0.03:
                continue
            late = rng.random() < 0.08
            at = (
                r.due_at + timedelta(days=rng.uniform(0.2, 3))
                if late
                else r.created_at + timedelta(seconds=rng.uniform(0.1, 0.95) * span)
            )
            if at >= now:
                continue
            out.append(
                new(
                    Visit,
                    subject_id=e.subject.pk,
                    kind=VisitKind.VISIT,
                    at=at,
                    by_id=e.users[0],
                    note="节日慰问，送去慰问品"
                    if r.kind == RoundKind.SPRING_FESTIVAL
                    else "重阳节上门探望，送去重阳糕",
                    round_id=r.pk,
                )
            )
    return out


def _last_visits(visits: list[Visit]) -> dict[int, datetime]:
    last: dict[int, datetime] = {}
    for v in visits:
        if v.kind in (VisitKind.VISIT, VisitKind.CALL) and v.at > last.get(v.subject_id, v.at - YEAR):
            last[v.subject_id] = v.at
    return last


def _save_due(enrolled: list[Enrolled]) -> None:
    CareSubject.objects.bulk_update([e.subject for e in enrolled], ["visit_due_at"], batch_size=1000)


def _working_hours(rng: random.Random, at: datetime, tz: ZoneInfo) -> datetime:
    """`at`'s day between 09:00 and 17:00 local time."""
    local = at.astimezone(tz)
    return local.replace(hour=rng.randint(9, 16), minute=rng.randrange(60), second=0, microsecond=0)


# --- alerts ------------------------------------------------------------------------------------------


def _alerts_planned(
    rng: random.Random, enrolled: list[Enrolled], now: datetime, tz: ZoneInfo
) -> list[_Chain]:
    """What the rules raised over the year: one or two alerts a subject on average, of the
    rules their devices feed (and the overdue visit, which needs none)."""
    out: list[_Chain] = []
    for e in enrolled:
        signals = e.signals
        kinds: list[tuple[str, float]] = [(RuleKind.VISIT_OVERDUE, 1)]
        if Signal.DOOR in signals:
            kinds.append((RuleKind.NO_DOOR, 4))
        if Signal.WATER in signals:
            kinds += [(RuleKind.WATER_LOW, 5), (RuleKind.WATER_LEAK, 0.6)]
        if Signal.POWER in signals:
            kinds.append((RuleKind.NO_POWER, 0.8))
        kinds += [(RuleKind.SOS, 2)] if any(d.kind == DeviceKind.SOS for d in e.devices) else []
        kinds += [(RuleKind.SMOKE, 0.7)] if any(d.kind == DeviceKind.SMOKE for d in e.devices) else []
        watched_from = min((d.bound_at for d in e.devices if d.bound_at), default=e.subject.enrolled_at)
        start = max(watched_from, now - YEAR)
        span = (now - timedelta(days=2) - start).total_seconds()
        if span <= 0:
            continue
        n = rng.choices((0, 1, 2, 3, 4), weights=(30, 33, 20, 11, 6))[0] if signals else rng.randint(0, 1)
        for _ in range(n):
            kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
            opened = start + timedelta(seconds=rng.uniform(0, span))
            if kind not in (RuleKind.SOS, RuleKind.SMOKE, RuleKind.WATER_LEAK):  # quiet hours hold them
                local = opened.astimezone(tz)
                opened = local.replace(hour=rng.randint(7, 20), minute=rng.randrange(60))
            out.append(_Chain(e, kind, opened, _detail(rng, kind, opened, tz)))
    return out


def _visit_case_alerts(rng: random.Random, enrolled: list[Enrolled], cases: list[CasePlan]) -> list[_Chain]:
    """The history's 门磁 cases (MS03 from a sensor, done) where a watched subject with a door
    sensor lives: the alerts nobody acknowledged within the 30 minutes became those cases."""
    by_building: dict[int, list[Enrolled]] = {}
    for e in enrolled:
        if any(d.kind == DeviceKind.DOOR for d in e.devices):
            by_building.setdefault(e.building.pk, []).append(e)
    out: list[_Chain] = []
    for case in cases:
        if case.code != "MS03" or case.source != Source.SENSOR or case.state != State.CLOSED:
            continue
        opened = moment(case.created) - timedelta(minutes=settings.CARE_ACK_MINUTES)
        here = [
            e
            for e in by_building.get(case.node.pk, [])
            if min(d.bound_at for d in e.devices if d.bound_at) < opened
        ]
        if here:
            hours = rng.randint(48, 60)
            detail = f"已 {hours} 小时门磁无开合（阈值 48 小时）"
            out.append(_Chain(rng.choice(here), RuleKind.NO_DOOR, opened, detail, case))
    return out


def _detail(rng: random.Random, kind: str, at: datetime, tz: ZoneInfo) -> str:
    """The alert's line as rules.describe writes it."""
    if kind == RuleKind.NO_DOOR:
        return f"已 {rng.randint(48, 56)} 小时门磁无开合（阈值 48 小时）"
    if kind == RuleKind.NO_POWER:
        return f"已 {rng.randint(24, 30)} 小时无用电（阈值 24 小时）"
    if kind == RuleKind.WATER_LOW:
        return "12 小时内用水少于 10 升"
    if kind == RuleKind.WATER_LEAK:
        return "疑似漏水：24 小时用水超过 2000 升或持续不断"
    if kind == RuleKind.VISIT_OVERDUE:
        return f"探访已逾期 {rng.randint(1, 4)} 天"
    return f"{RuleKind(kind).label} {at.astimezone(tz):%H:%M}"


def _alerts(
    rng: random.Random, chains: list[_Chain], now: datetime
) -> tuple[list[Alert], list[tuple[Visit, Alert]], list[AwayPeriod]]:
    """Each chain played out: told at once; acknowledged within the 30 minutes (or, for the
    visit cases, not); the outcome recorded; a hospital stay after 已送医."""
    alerts: list[Alert] = []
    visits: list[tuple[Visit, Alert]] = []
    aways: list[AwayPeriod] = []
    chains.sort(key=lambda c: (c.opened, c.subject.subject.pk))
    for c in chains:
        e = c.subject
        alert = new(
            Alert,
            subject_id=e.subject.pk,
            kind=c.kind,
            state=AlertState.CLOSED,
            node_path=e.subject.node_path,
            opened_at=c.opened,
            detail=c.detail,
            notified_at=c.opened,
        )
        by = e.users[0] if rng.random() < 0.75 or len(e.users) == 1 else e.users[1]
        if c.case is None:
            acked = c.opened + timedelta(minutes=min(29.0, rng.lognormvariate(2.0, 0.6)))
            alert.state, alert.acknowledged_at, alert.acknowledged_by_id = AlertState.ACKNOWLEDGED, acked, by
            done = acked + timedelta(minutes=rng.uniform(15, 100))
        else:
            alert.visit_case_id = c.case.pk
            handled = [ev.at for ev in c.case.events if ev.to == State.AWAITING_VERIFICATION]
            done = moment(handled[0] if handled else c.case.closed_at or c.case.created)
        outcome = rng.choices((Outcome.SAFE, Outcome.HOSPITAL), weights=(92, 8))[0]
        false_alarm = outcome == Outcome.SAFE and rng.random() < (0.5 if c.kind == RuleKind.SOS else 0.3)
        if outcome == Outcome.SAFE:
            note = rng.choice(FALSE_ALARM_NOTES if false_alarm else SAFE_NOTES[c.kind])
        else:
            note = "上门发现身体不适，已陪同送医"
        alert.state, alert.closed_at, alert.closed_by_id = AlertState.CLOSED, min(done, now), by
        alert.outcome, alert.outcome_note, alert.false_alarm = outcome, note, false_alarm
        alerts.append(alert)
        if outcome == Outcome.SAFE:
            visit = new(
                Visit, subject_id=e.subject.pk, kind=VisitKind.VISIT, at=alert.closed_at, by_id=by, note=note
            )
            visits.append((visit, alert))
        elif done + timedelta(days=3) < now:
            aways.append(
                new(
                    AwayPeriod,
                    subject_id=e.subject.pk,
                    reason=AwayReason.HOSPITAL,
                    starts_at=done,
                    ends_at=min(done + timedelta(days=rng.uniform(3, 12)), now - timedelta(hours=1)),
                    note="住院观察",
                    recorded_by_id=by,
                )
            )
    return alerts, visits, aways


# --- now ---------------------------------------------------------------------------------------------


def _quiet(rng: random.Random, enrolled: list[Enrolled]) -> set[int]:
    """The few subjects going quiet at `now` (one in the demo grid when it has a watched one)."""
    watched = [e for e in enrolled if any(d.kind == DeviceKind.DOOR for d in e.devices)]
    demo = [e for e in watched if f"/{DEMO_GRID}/" in e.subject.node_path]
    rest = [e for e in watched if e not in demo[:1]]
    count = min(QUIET_SUBJECTS, len(watched) // 4)
    if count == 0:
        return set()
    chosen = demo[:1] + rng.sample(rest, count - len(demo[:1]))
    return {e.subject.pk for e in chosen}


def _away_now(
    rng: random.Random, enrolled: list[Enrolled], quiet: set[int], now: datetime
) -> list[AwayPeriod]:
    """Two subjects away at `now` (in hospital, staying with a daughter): their silence is no alarm."""
    others = [e for e in enrolled if e.subject.pk not in quiet and e.devices]
    out: list[AwayPeriod] = []
    for e, reason, note in zip(
        rng.sample(others, min(2, len(others))),
        (AwayReason.HOSPITAL, AwayReason.FAMILY),
        ("住院治疗", "去女儿家小住"),
        strict=False,
    ):
        out.append(
            new(
                AwayPeriod,
                subject_id=e.subject.pk,
                reason=reason,
                starts_at=now - timedelta(days=rng.uniform(3, 6)),
                ends_at=now + timedelta(days=rng.uniform(4, 10)),
                note=note,
                recorded_by_id=e.users[0],
            )
        )
        e.away = True
    return out


def _last_seen(
    rng: random.Random,
    enrolled: list[Enrolled],
    alerts: list[Alert],
    last_visit: dict[int, datetime],
    quiet: set[int],
    now: datetime,
    tz: ZoneInfo,
) -> list[LastSeen]:
    """Each subject's last-seen rows at `now`: the devices' latest signs, the water ring of the
    last 24 hours, the last visit (a sign of life)."""
    book = RuleBook.load()
    last_alarm: dict[int, datetime] = {}
    for a in alerts:
        if a.kind in (RuleKind.SOS, RuleKind.SMOKE):
            last_alarm[a.subject_id] = max(a.opened_at, last_alarm.get(a.subject_id, a.opened_at))
    out: list[LastSeen] = []
    for e in enrolled:
        sid = e.subject.pk
        silent, away = sid in quiet, e.away
        lag = timedelta(days=4) if away else timedelta(0)
        visited = last_visit.get(sid)
        if visited is not None:
            out += [_row(sid, Signal.LIFE, visited, visited), _row(sid, Signal.VISIT, visited, visited)]
        for signal in sorted(e.signals):
            bound = min(d.bound_at for d in e.devices if SIGNAL_OF_DEVICE[d.kind] == signal and d.bound_at)
            if signal == Signal.DOOR:
                passed = now - lag - (timedelta(hours=47) if silent else timedelta(hours=rng.uniform(0.3, 9)))
                out.append(_row(sid, signal, passed, passed))
            elif signal == Signal.ALARM:
                alarm = last_alarm.get(sid)
                out.append(_row(sid, signal, alarm, max(bound, alarm) if alarm else bound))
            elif signal == Signal.POWER:
                at = now - lag - timedelta(minutes=rng.uniform(1, 30))
                row = _row(sid, signal, at, at)
                row.reading, row.reading_at = round(rng.uniform(2_000, 9_000), 2), at
                out.append(row)
            else:
                out.append(_water(rng, e, now - lag, silent, book, tz))
    return out


def _row(subject_id: int, signal: str, seen: datetime | None, active: datetime | None) -> LastSeen:
    return new(LastSeen, subject_id=subject_id, signal=signal, seen_at=seen, active_at=active)


def _water(
    rng: random.Random, e: Enrolled, at: datetime, silent: bool, book: RuleBook, tz: ZoneInfo
) -> LastSeen:
    """The water meter's ring for the 24 hours before `at`: morning, midday and evening use
    (none since the early morning for a subject going quiet), and the derived columns."""
    newest = windows.slot_of(at)
    start = newest - windows.RING + 1
    slots: list[float | None] = []
    for s in range(start, newest + 1):
        hour = windows.slot_start(s).astimezone(tz).hour
        litres = 0.0
        if 6 <= hour < 9:
            litres = rng.uniform(4, 20)
        elif 11 <= hour < 13 or 17 <= hour < 21:
            litres = rng.uniform(0, 14)
        if silent and s > newest - 23:  # nothing in the last 11.5 hours
            litres = 0.0
        slots.append(round(litres, 1))
    row = new(
        LastSeen,
        subject_id=e.subject.pk,
        signal=Signal.WATER,
        seen_at=at,
        active_at=max(
            (windows.slot_start(start + i) for i, v in enumerate(slots) if v), default=at - timedelta(days=1)
        ),
        reading=round(rng.uniform(50_000, 400_000), 1),
        reading_at=at,
        slots_start=start,
        slots=slots,
    )
    derive_water_row(row, book, e.subject.node_path)
    return row


def catch_up(now: datetime) -> int:
    """Bring an existing demo street's watch forward to `now` (`gongzhi demo --if-empty`, which
    `make demo` runs on a street generated days ago): the devices' last-seen rows, the visit
    due dates and the away periods still running move by the time the demo was not running
    (whole half hours, so the water rings keep their slots), as if the devices had gone on
    reporting and the visits had kept their rhythm. Without it, the first rule pass would
    open an alert for nearly every subject at once. Returns the half hours moved (0: fresh)."""
    # the care demo is street 1's; its path holds the district above it (or not, made before)
    under = Node.objects.filter(code=FIRST.code).values_list("path", flat=True).first() or f"/{FIRST.code}/"
    devices = LastSeen.objects.filter(subject__node_path__startswith=under, signal__in=DEVICE_SIGNALS)
    anchor = devices.aggregate(last=Max("seen_at"))["last"]
    if anchor is None:
        return 0
    slots = int((now - anchor).total_seconds() // windows.SLOT_SECONDS)
    if slots < 2:
        return 0
    delta = timedelta(seconds=slots * windows.SLOT_SECONDS)
    with transaction.atomic():
        moved = {f: F(f) + delta for f in ("seen_at", "active_at", "reading_at", "quiet_at", "leak_since")}
        devices.update(**moved, slots_start=F("slots_start") + slots)
        subjects = CareSubject.objects.filter(node_path__startswith=under, ended_at__isnull=True)
        subjects.update(visit_due_at=F("visit_due_at") + delta)
        AwayPeriod.objects.filter(subject__in=subjects, ends_at__gt=anchor).update(
            starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta
        )
    return slots
