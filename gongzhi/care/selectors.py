"""Reads of care, every one scoped through orgs.access (care_subjects_q)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongzhi.care.choices import AlertState, SubjectKind
from gongzhi.care.models import Alert, Assignment, CareSubject, Visit, VisitRound
from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post


def subjects(*, user: Any, include_ended: bool = False) -> QuerySet[CareSubject]:
    qs = CareSubject.objects.filter(access.care_subjects_q(user)).distinct()
    if not include_ended:
        qs = qs.filter(ended_at__isnull=True)
    return qs.select_related("person", "home")


def subject_get(*, user: Any, pk: int) -> CareSubject | None:
    """One subject, or None when missing or out of scope (answered alike: 404)."""
    return subjects(user=user, include_ended=True).filter(pk=pk).first()


@dataclass(frozen=True)
class Candidate:
    person: Person
    kind: str  # the suggested SubjectKind


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def candidates(*, user: Any, limit: int = 200) -> list[Candidate]:
    """Residents living alone aged 60+ in the user's MANAGE_CARE subtrees, not yet enrolled:
    suggestions only, a committee decides (disabled or hardship are not in the person records,
    so those are enrolled by hand)."""
    if not access.has_power(user, access.MANAGE_CARE):
        return []
    today = clock.now().date()
    eighty, sixty = _years_ago(today, 80), _years_ago(today, 60)
    people = (
        Person.objects.filter(access.nodes_q(user, access.MANAGE_CARE, "home"))
        .filter(lives_alone=True, birth_date__lte=sixty, home__isnull=False)
        .exclude(pk__in=CareSubject.objects.filter(ended_at__isnull=True).values("person_id"))
        .select_related("home")
        .order_by("birth_date", "code")[:limit]
    )
    return [
        Candidate(
            p, SubjectKind.ALONE_80 if p.birth_date and p.birth_date <= eighty else SubjectKind.ALONE_60
        )
        for p in people
    ]


# --- alerts and visits (the chain and the regular visits) -------------------------------------------


def alerts(*, user: Any, open_only: bool = True) -> QuerySet[Alert]:
    """The alerts of the subjects the user may see (newest first)."""
    qs = Alert.objects.filter(subject__in=subjects(user=user, include_ended=True).values("pk"))
    if open_only:
        qs = qs.exclude(state=AlertState.CLOSED)
    return qs.select_related("subject__person", "subject__home", "visit_case")


def alert_get(*, user: Any, pk: int) -> Alert | None:
    return alerts(user=user, open_only=False).filter(pk=pk).first()


def mine_q(user: Any) -> Q:
    """The subjects a post the user holds or deputises serves."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Q(pk__in=[])
    return Q(assignments__post__person_id=person_id) | Q(assignments__post__deputy_id=person_id)


def visits_due(*, user: Any, within_days: int = 2, mine: bool = False) -> QuerySet[CareSubject]:
    """Subjects whose next visit is due within `within_days` (the overdue first): the user's
    own when `mine` (a grid worker's "my visits due"), else everyone in scope."""
    horizon = clock.now() + timedelta(days=within_days)
    qs = subjects(user=user).filter(visit_due_at__lte=horizon)
    if mine:
        qs = qs.filter(pk__in=CareSubject.objects.filter(mine_q(user)).values("pk"))
    return qs.order_by("visit_due_at", "pk")


def overdue_per_post(*, user: Any) -> list[tuple[Post, int]]:
    """The responsible posts with overdue visits among the subjects in scope, most first."""
    now = clock.now()
    rows = (
        Assignment.objects.filter(
            subject__in=subjects(user=user).filter(visit_due_at__lt=now).values("pk"),
        )
        .values("post_id")
        .annotate(n=Count("subject_id", distinct=True))
        .order_by("-n", "post_id")
    )
    counts = {r["post_id"]: r["n"] for r in rows}
    posts = Post.objects.filter(pk__in=counts).select_related("unit", "node", "person")
    return sorted(((p, counts[p.pk]) for p in posts), key=lambda pn: (-pn[1], pn[0].code))


def visits(*, subject: CareSubject, limit: int = 20) -> list[Visit]:
    return list(subject.visits.select_related("by")[:limit])


def round_progress(round_: VisitRound) -> tuple[int, int]:
    """(visited, due) of a holiday round."""
    return round_.visits.values("subject_id").distinct().count(), round_.subjects
