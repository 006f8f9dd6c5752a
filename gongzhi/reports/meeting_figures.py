"""Meeting and task-slip figures: meetings held, slips countersigned on time, slips done on time.

These tables are small (a street holds a few hundred meetings a year), so the figures are
counted straight from them, no rollup. A node's figures count the meetings and slips placed
under it; a unit's (post's) the meetings it attended and the slips that name it.

Given a `user` (a KPI page, a drill-down), the figures and their lists keep to the meetings
and slips that user may see (meetings.selectors.meeting_q / slip_q, over orgs.access): a
unit's meetings elsewhere are not shown to a committee that may look at the unit's figures.
Without one (the scheduled 日报/周报, a node's own figures) they count the whole subject.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Value

from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import Meeting, MeetingState, Slip, SlipState
from gongzhi.reports import definitions as d
from gongzhi.reports.periods import Period, today
from gongzhi.reports.subjects import Subject, path_q

HELD = [MeetingState.HELD, MeetingState.FINAL]
NEVER_OUT = [SlipState.DRAFT, SlipState.VOID]  # slips that never bound anybody


def visible(rows: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The meetings or slips among `rows` that `user` may see (all of them for None)."""
    if user is None:
        return rows
    if rows.model is Meeting:
        return rows.filter(pk__in=Meeting.objects.filter(meeting_selectors.meeting_q(user)).values("pk"))
    return rows.filter(pk__in=Slip.objects.filter(meeting_selectors.slip_q(user)).values("pk"))


def meetings(subject: Subject, period: Period) -> QuerySet[Meeting]:
    """Meetings scheduled in the period, of the subject's places or attended by its unit."""
    q = Q(starts_at__gte=period.since, starts_at__lt=period.until)
    if subject.paths:
        q &= path_q(subject.paths)
    if subject.post_ids is not None or subject.unit is not None:
        present = Q(participants__attendance__in=[Attendance.PRESENT, Attendance.DELEGATE])
        posts: list[int] = list(subject.post_ids or [])  # a person's other posts at a joint meeting count too
        who = Q(participants__post_id__in=posts) | Q(participants__also_posts__in=posts)
        if subject.unit is not None and subject.post is None:
            unit = subject.unit.pk
            who |= Q(participants__unit_id=unit) | Q(participants__also_posts__unit_id=unit)
        q &= present & who
    ids = Meeting.objects.filter(q).values("pk")
    return Meeting.objects.filter(pk__in=ids)


def _slips(subject: Subject) -> QuerySet[Slip]:
    q = Q()
    if subject.paths:
        q &= path_q(subject.paths)
    if subject.post is not None:
        q &= Q(parties__post_id=subject.post.pk)
    elif subject.unit is not None:
        q &= Q(parties__unit_id=subject.unit.pk)
    return Slip.objects.filter(pk__in=Slip.objects.filter(q).values("pk"))


def issued(subject: Subject, period: Period) -> QuerySet[Slip]:
    """Slips first sent out for countersigning in the period, with `issued_at`."""
    first = Min("events__at", filter=Q(events__action="issue"))
    return (
        _slips(subject)
        .annotate(issued_at=first)
        .filter(issued_at__gte=period.since, issued_at__lt=period.until)
    )


def signed_on_time(subject: Subject, period: Period) -> QuerySet[Slip]:
    window = ExpressionWrapper(Value(timedelta(days=d.slip_sign_days())), output_field=DurationField())
    return issued(subject, period).filter(bound_at__isnull=False, bound_at__lte=F("issued_at") + window)


def due(subject: Subject, period: Period) -> QuerySet[Slip]:
    """Slips sent out (not drafts, not void) whose deadline falls in the period."""
    return _slips(subject).filter(due__gte=period.start, due__lt=period.end).exclude(state__in=NEVER_OUT)


def done_on_time(subject: Subject, period: Period) -> QuerySet[Slip]:
    return due(subject, period).filter(state=SlipState.DONE, done_at__date__lte=F("due"))


def bound(subject: Subject, period: Period) -> QuerySet[Slip]:
    """Slips that bound (every unit agreed) in the period (the 日报/周报's 生效)."""
    return _slips(subject).filter(bound_at__gte=period.since, bound_at__lt=period.until)


def done(subject: Subject, period: Period) -> QuerySet[Slip]:
    """Slips done in the period (the 日报/周报's 办结)."""
    return _slips(subject).filter(done_at__gte=period.since, done_at__lt=period.until)


def late(subject: Subject, today: date) -> QuerySet[Slip]:
    """Binding slips past their deadline on `today` (the 日报/周报's 逾期未办结: a snapshot)."""
    return _slips(subject).filter(state=SlipState.BINDING, due__lt=today)


def measures(subject: Subject, period: Period, user: Any = None) -> dict[str, int]:
    """The counts, of what `user` may see when given (each the length of its drill list)."""
    held = visible(meetings(subject, period), user)
    return {
        "held": held.filter(state__in=HELD).count(),
        "scheduled": held.count(),
        "issued": visible(issued(subject, period), user).count(),
        "signed_on_time": visible(signed_on_time(subject, period), user).count(),
        "due": visible(due(subject, period), user).count(),
        "done_on_time": visible(done_on_time(subject, period), user).count(),
    }


MEETING_MEASURES = frozenset({"held", "scheduled"})
SLIP_MEASURES = frozenset({"issued", "signed_on_time", "due", "done_on_time", "bound", "done", "late"})


def drill(subject: Subject, period: Period, measure: str, user: Any = None) -> QuerySet[Any]:
    """The meetings or slips behind one measure (`late`: today, whatever the period), of
    those `user` may see when given."""
    if measure == "held":
        return visible(meetings(subject, period), user).filter(state__in=HELD).order_by("-starts_at")
    if measure == "scheduled":
        return visible(meetings(subject, period), user).order_by("-starts_at")
    found: dict[str, Any] = {
        "issued": issued,
        "signed_on_time": signed_on_time,
        "due": due,
        "done_on_time": done_on_time,
        "bound": bound,
        "done": done,
        "late": lambda s, _p: late(s, today()),  # a snapshot, like the overdue cases: now
    }
    return visible(found[measure](subject, period), user).select_related("node").order_by("due", "pk")
