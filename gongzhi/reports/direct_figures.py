"""直报 figures of a place for a period (docs/kpis.md "直报"): reports sent, by kind; acknowledged
within DIRECT_ACK_MINUTES; followed up in writing within DIRECT_FOLLOW_UP_MINUTES; misuse marked;
and, now, the open reports (the command centre's tile and list).

Counted straight from the 直报 table, as the care figures are from theirs (ADR 0021): a street's
直报 are a few hundred a year and their answers change after the fact. Definitions:
- acknowledged on time: acknowledged within the window / reports whose window is over or that
  were acknowledged (a report a minute old counts in neither);
- followed up on time: the first 续报 within the window / reports not marked as misuse whose
  window is over or that were followed up (an ordinary problem owes no 续报);
- misuse: reports of the period marked as misuse (whatever their state).

Readers: the counts and the open list carry the kind, the place, the times, the state and the
reporter's post, never the text or a name; they are shown to whoever may open the place's
figures (VIEW_CASES, reports.subjects) and sees 直报 there (`may_see`: VIEW_DIRECT over the
whole place, or the street's duty roster).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.mobilisation import direct_chain
from gongzhi.mobilisation.direct_roster import roster_street_ids
from gongzhi.mobilisation.models import OPEN_STATES, DirectKind, DirectReport
from gongzhi.orgs import access
from gongzhi.reports import definitions as d
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

OPEN_LIST = 50  # the command centre's list


def applies(subject: Subject) -> bool:
    """直报 figures belong to places, not to a unit's or a post's case work."""
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    if not applies(subject):
        return False
    if user is None or access.scope(user).superuser:
        return True
    if all(access.can_under(user, access.VIEW_DIRECT, p) for p in subject.paths):
        return True
    streets = roster_street_ids(user)
    if not streets:
        return False
    from gongzhi.geo.models import Node

    roots = set(Node.objects.filter(pk__in=streets).values_list("path", flat=True))
    return all(any(p.startswith(r) for r in roots) for p in subject.paths)


def ack_window() -> timedelta:
    return timedelta(minutes=direct_chain.ack_minutes())


def reported(subject: Subject, period: Period) -> QuerySet[DirectReport]:
    return DirectReport.objects.filter(
        path_q(subject.paths), reported_at__gte=period.since, reported_at__lt=period.until
    )


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return round(100.0 * self.numerator / self.denominator, 1) if self.denominator else None

    @property
    def grade(self) -> str | None:
        value = self.value
        return d.grade_of(value) if value is not None else None


@dataclass
class KindRow:
    kind: str
    label: str
    reported: int = 0
    misuse: int = 0


@dataclass
class DirectFigures:
    reported: int
    acked_on_time: Rate
    followed_up_on_time: Rate
    misuse: int
    open_now: int
    unacknowledged_now: int
    by_kind: list[KindRow] = field(default_factory=list)


def figures(subject: Subject, period: Period, now: datetime | None = None) -> DirectFigures:
    now = now or clock.now()
    rows = list(
        reported(subject, period).values_list(
            "kind", "reported_at", "acknowledged_at", "followed_up_at", "follow_up_due_at", "misuse"
        )
    )
    window = ack_window()
    ack_num = ack_den = fu_num = fu_den = misuse = 0
    kinds = {k: KindRow(k, str(DirectKind(k).label)) for k in DirectKind.values}
    for kind, at, acked, followed, due, misused in rows:
        if acked is not None or now >= at + window:
            ack_den += 1
            ack_num += acked is not None and acked <= at + window
        if not misused and (followed is not None or now >= due):
            fu_den += 1
            fu_num += followed is not None and followed <= due
        misuse += bool(misused)
        kinds[kind].reported += 1
        kinds[kind].misuse += bool(misused)
    open_rows = open_reports(subject)
    return DirectFigures(
        reported=len(rows),
        acked_on_time=Rate(ack_num, ack_den),
        followed_up_on_time=Rate(fu_num, fu_den),
        misuse=misuse,
        open_now=open_rows.count(),
        unacknowledged_now=open_rows.filter(acknowledged_at__isnull=True).count(),
        by_kind=[k for k in kinds.values() if k.reported],
    )


def open_reports(subject: Subject) -> QuerySet[DirectReport]:
    """Every open 直报 under the place, the oldest first (visible until closed)."""
    return DirectReport.objects.filter(path_q(subject.paths), state__in=OPEN_STATES).order_by(
        "reported_at", "pk"
    )


def open_list(subject: Subject, now: datetime | None = None) -> list[dict[str, Any]]:
    """The command centre's list: places, times, state and the reporter's post only."""
    now = now or clock.now()
    rows = open_reports(subject).select_related("node", "reporter_post__unit")[:OPEN_LIST]
    return [
        {
            "id": r.pk,
            "kind": str(DirectKind(r.kind).label),
            "place": r.node.name,
            "post": direct_chain.reporter_post_label(r),
            "reported_at": timezone.localtime(r.reported_at).strftime("%m-%d %H:%M"),
            "minutes": int((now - r.reported_at).total_seconds() // 60),
            "acknowledged": r.acknowledged_at is not None,
            "escalation_level": r.escalation_level,
            "follow_up_overdue": r.followed_up_at is None and now > r.follow_up_due_at,
            "misuse": r.misuse,
        }
        for r in rows
    ]


def tile(subject: Subject, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """The command centre's 直报 tile and list (plain values: the page's JSON refresh)."""
    now = now or clock.now()
    found = figures(subject, period, now)
    return {
        "open": found.open_now,
        "unacknowledged": found.unacknowledged_now,
        "ack": {
            "value": found.acked_on_time.value,
            "numerator": found.acked_on_time.numerator,
            "denominator": found.acked_on_time.denominator,
        },
        "misuse": found.misuse,
        "reports": open_list(subject, now),
    }
