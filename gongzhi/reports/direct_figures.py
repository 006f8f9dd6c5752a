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

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.mobilisation import direct_chain
from gongzhi.mobilisation.direct_roster import roster_street_ids
from gongzhi.mobilisation.models import OPEN_STATES, ConvertedTo, DirectKind, DirectReport
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


def span_label(minutes: int) -> str:
    """A window in the tiles' words: 15 → "15分钟", 60 → "1小时", 90 → "90分钟"."""
    if minutes >= 60 and minutes % 60 == 0:
        return _("%(n)d小时") % {"n": minutes // 60}
    return _("%(n)d分钟") % {"n": minutes}


def ack_span() -> str:
    """DIRECT_ACK_MINUTES as the labels say it."""
    return span_label(direct_chain.ack_minutes())


def follow_up_span() -> str:
    """DIRECT_FOLLOW_UP_MINUTES as the labels say it."""
    return span_label(direct_chain.follow_up_minutes())


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
    to_case: int = 0  # converted into a case (转为工单)
    to_mobilisation: int = 0  # converted into a mobilisation (转为应急动员)

    @property
    def converted(self) -> int:
        return self.to_case + self.to_mobilisation

    @property
    def ack_span(self) -> str:
        return ack_span()

    @property
    def follow_up_span(self) -> str:
        return follow_up_span()


# The sets each figure counts and each drill-down lists (one definition for both).
REPORTED = "direct_reported"
ACK_DUE = "direct_ack_due"  # the acknowledgement rate's denominator
ACKED_ON_TIME = "direct_acked_on_time"  # its numerator
ACKED_LATE = "direct_acked_late"  # the rest: acknowledged late or not at all
FOLLOW_UP_DUE = "direct_follow_up_due"
FOLLOWED_UP_ON_TIME = "direct_followed_up_on_time"
FOLLOWED_UP_LATE = "direct_followed_up_late"
CONVERTED = "direct_converted"
MISUSE = "direct_misuse"
MEASURES = (
    REPORTED,
    ACK_DUE,
    ACKED_ON_TIME,
    ACKED_LATE,
    FOLLOW_UP_DUE,
    FOLLOWED_UP_ON_TIME,
    FOLLOWED_UP_LATE,
    CONVERTED,
    MISUSE,
)


def measure_label(measure: str) -> str:
    """The list's title, with the windows as settings have them."""
    ack, follow = ack_span(), follow_up_span()
    return {
        REPORTED: _("期间内的直报"),
        ACK_DUE: _("应确认的直报（已满%(span)s或已确认）") % {"span": ack},
        ACKED_ON_TIME: _("%(span)s内确认的直报") % {"span": ack},
        ACKED_LATE: _("未在%(span)s内确认的直报") % {"span": ack},
        FOLLOW_UP_DUE: _("应续报的直报（已满%(span)s或已续报，误用除外）") % {"span": follow},
        FOLLOWED_UP_ON_TIME: _("%(span)s内续报的直报") % {"span": follow},
        FOLLOWED_UP_LATE: _("未在%(span)s内续报的直报") % {"span": follow},
        CONVERTED: _("转为工单或应急动员的直报"),
        MISUSE: _("误用直报"),
    }[measure]


def measure_q(measure: str, now: datetime) -> Q:
    """The reports of a period a figure counts (module docstring: the definitions)."""
    window = ack_window()
    ack_due = Q(acknowledged_at__isnull=False) | Q(reported_at__lte=now - window)
    acked_on_time = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("reported_at") + window)
    follow_up_due = Q(misuse=False) & (Q(followed_up_at__isnull=False) | Q(follow_up_due_at__lte=now))
    followed_on_time = Q(followed_up_at__isnull=False, followed_up_at__lte=F("follow_up_due_at"))
    return {
        REPORTED: Q(),
        ACK_DUE: ack_due,
        ACKED_ON_TIME: ack_due & acked_on_time,
        ACKED_LATE: ack_due & ~acked_on_time,
        FOLLOW_UP_DUE: follow_up_due,
        FOLLOWED_UP_ON_TIME: follow_up_due & followed_on_time,
        FOLLOWED_UP_LATE: follow_up_due & ~followed_on_time,
        CONVERTED: ~Q(converted_to=""),
        MISUSE: Q(misuse=True),
    }[measure]


def figures(subject: Subject, period: Period, now: datetime | None = None) -> DirectFigures:
    now = now or clock.now()
    rows = reported(subject, period)

    def count(measure: str, **extra: Any) -> Count:
        return Count("pk", filter=measure_q(measure, now) & Q(**extra))

    found = rows.aggregate(
        reported=Count("pk"),
        ack_num=count(ACKED_ON_TIME),
        ack_den=count(ACK_DUE),
        fu_num=count(FOLLOWED_UP_ON_TIME),
        fu_den=count(FOLLOW_UP_DUE),
        misuse=count(MISUSE),
        to_case=count(CONVERTED, converted_to=ConvertedTo.CASE),
        to_mobilisation=count(CONVERTED, converted_to=ConvertedTo.MOBILISATION),
    )
    kinds = {k: KindRow(k, str(DirectKind(k).label)) for k in DirectKind.values}
    for row in rows.order_by().values("kind").annotate(n=Count("pk"), m=count(MISUSE)):
        kinds[row["kind"]].reported, kinds[row["kind"]].misuse = row["n"], row["m"]
    open_rows = open_reports(subject)
    return DirectFigures(
        reported=found["reported"],
        acked_on_time=Rate(found["ack_num"], found["ack_den"]),
        followed_up_on_time=Rate(found["fu_num"], found["fu_den"]),
        misuse=found["misuse"],
        open_now=open_rows.count(),
        unacknowledged_now=open_rows.filter(acknowledged_at__isnull=True).count(),
        by_kind=[k for k in kinds.values() if k.reported],
        to_case=found["to_case"],
        to_mobilisation=found["to_mobilisation"],
    )


def behind(
    subject: Subject,
    period: Period,
    measure: str,
    *,
    user: Actor,
    kind: str = "",
    now: datetime | None = None,
) -> QuerySet[DirectReport]:
    """The reports behind one figure (of one kind, if given), only those `user` may open
    (access.direct_reports_q, as the /direct/ pages): the newest first."""
    rows = reported(subject, period).filter(measure_q(measure, now or clock.now()))
    if kind:
        rows = rows.filter(kind=kind)
    visible = access.direct_reports_q(user, street_ids=roster_street_ids(user))
    return rows.filter(visible).select_related("node", "reporter_post__unit").order_by("-reported_at", "-pk")


def _rate(rate: Rate) -> dict[str, Any]:
    return {
        "value": rate.value,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "grade": rate.grade or "",
    }


def report_figures(subject: Subject, period: Period, now: datetime) -> dict[str, Any] | None:
    """The 日报/周报's 直报 section as plain values (frozen as JSON): reports by kind, the two
    rates with their windows as the labels say them, conversions and misuse. None when 直报 do
    not apply to the place."""
    if not applies(subject):
        return None
    found = figures(subject, period, now)
    return {
        "reported": found.reported,
        "by_kind": [
            {"kind": k.kind, "label": k.label, "reported": k.reported, "misuse": k.misuse}
            for k in found.by_kind
        ],
        "ack_span": found.ack_span,
        "follow_up_span": found.follow_up_span,
        "acked_on_time": _rate(found.acked_on_time),
        "followed_up_on_time": _rate(found.followed_up_on_time),
        "to_case": found.to_case,
        "to_mobilisation": found.to_mobilisation,
        "misuse": found.misuse,
        "open_now": found.open_now,
    }


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
        "ack_span": found.ack_span,
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
