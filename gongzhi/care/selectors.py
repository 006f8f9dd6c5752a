"""Reads of care, every one scoped through orgs.access (care_subjects_q)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from gongzhi.care.choices import SubjectKind
from gongzhi.care.models import CareSubject
from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.orgs.models import Person


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
