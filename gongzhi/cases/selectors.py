"""Reads of cases, scoped through orgs.access (`cases_q`: the one case scope filter)."""

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.cases import selectors_todo
from gongzhi.cases.models import Attachment, Case, CaseEvent
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.orgs import access


def case_list(*, user: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """The cases the user may see, filtered: `node_path` (under a node), `state`, `category`
    (小类 code), `q` (text), `overdue` / `due_soon` (past, or within a working day of, the current
    step's deadline at `now`, default clock.now(): selectors_overdue, the overdue page's and
    the home counts' definition)."""
    from gongzhi.cases.selectors_overdue import due_soon_q, overdue_q

    filters = filters or {}
    under = [filters["node_path"]] if filters.get("node_path") else []
    qs = Case.objects.filter(access.cases_q(user, under=under))
    if filters.get("overdue"):
        qs = qs.filter(overdue_q(filters.get("now") or clock.now()))
    if filters.get("due_soon"):
        qs = qs.filter(due_soon_q(filters.get("now") or clock.now()))
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("category"):
        qs = qs.filter(category__code=filters["category"])
    if filters.get("q"):
        qs = qs.filter(text__contains=filters["q"])
    qs = qs.select_related("node", "category", "post")
    if filters.get("todo") in selectors_todo.KEYS:  # a home page tile's list (待我处理 …)
        qs = qs.filter(selectors_todo.todo_q(user, filters["todo"], clock.now()))
        return selectors_todo.order_for(filters["todo"], qs)
    return qs.order_by("-created_at", "-pk")


def case_get(*, user: Actor, pk: int) -> Case | None:
    """The case if the user may see it, with what its page and its actions read of it (the
    category's 大类 and policy, the post's place and holder) in the same statement."""
    found = Case.objects.filter(access.cases_q(user), pk=pk).select_related(
        "node", "category__parent", "category__policy", "post__node", "post__person"
    )
    return found.defer("post__node__geometry").first()


def visible_ids(*, user: Actor, ids: list[int]) -> set[int]:
    """Which of these cases the user may see."""
    return set(Case.objects.filter(access.cases_q(user), pk__in=ids).values_list("pk", flat=True))


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("attachments").order_by("seq")


# --- for the case pages (gongzhi.web) -----------------------------------------------------------


def _local_midnight(day: Any) -> Any:
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def case_search(*, user: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """`case_list` plus a report-date range: `date_from`/`date_to` are local days, both included
    (a range on created_at, so the created_at index serves it)."""
    from datetime import timedelta

    filters = filters or {}
    qs = case_list(user=user, filters=filters)
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=_local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=_local_midnight(filters["date_to"] + timedelta(days=1)))
    return qs


def dispatch_queue(*, user: Actor, states: Any) -> QuerySet[Case]:
    """Cases in `states` waiting for this user as dispatcher, oldest due first (a subset of
    the cases they see: access.dispatch_cases_q)."""
    return (
        Case.objects.filter(access.dispatch_cases_q(user), state__in=list(states))
        .select_related("node", "category", "post")
        .order_by("created_at", "pk")
    )


def my_cases(*, user: Actor, open_only: bool = True) -> QuerySet[Case]:
    """Cases assigned to a post the user holds or deputises, newest first (a part of
    access.cases_q by its definition)."""
    from gongzhi.cases.states import OPEN_STATES

    person_id = access.scope(user).person_id
    if person_id is None:
        return Case.objects.none()
    qs = Case.objects.filter(Q(post__person_id=person_id) | Q(post__deputy_id=person_id))
    if open_only:
        qs = qs.filter(state__in=list(OPEN_STATES))
    return qs.select_related("node", "category", "post").order_by("-created_at", "-pk")


def open_counts(*, user: Actor, paths: list[str]) -> dict[str, int]:
    """Open cases the user may see under each path, in one aggregate query."""
    from django.db.models import Count

    from gongzhi.cases.states import OPEN_STATES

    if not paths:
        return {}
    row = Case.objects.filter(access.cases_q(user, under=paths), state__in=list(OPEN_STATES)).aggregate(
        **{f"n{i}": Count("id", filter=Q(node_path__startswith=p)) for i, p in enumerate(paths)}
    )
    return {p: row[f"n{i}"] or 0 for i, p in enumerate(paths)}


def public_closed_cases(under: str = "") -> QuerySet[Case]:
    """Closed cases for the public board (no login): the caller shows only category, area,
    closing date, scrubbed text and photos; never the reporter or the contact. `under` (a
    street's path) keeps to one street's board."""
    from gongzhi.cases.states import State

    return (
        Case.objects.filter(state=State.CLOSED, closed_at__isnull=False, node_path__startswith=under)
        .select_related("category")
        .only(
            "pk",
            "node_path",
            "category__name",
            "category__name_en",
            "text",
            "closed_at",
            "created_at",
            "state",
        )
        .order_by("-closed_at", "-pk")
    )


def attachment_get(*, user: Actor, pk: int) -> Attachment | None:
    """An attachment whose case the user may see; None otherwise (the caller answers 404)."""
    return Attachment.objects.filter(pk=pk, event__case__in=Case.objects.filter(access.cases_q(user))).first()


def public_attachments(cases: list[Case]) -> dict[int, list[Attachment]]:
    """Photos for the public board: those of the report ("before") and of the handler's
    submission and the verification ("after"), by case id."""
    rows = (
        Attachment.objects.filter(event__case__in=cases, event__action__in=["create", "submit", "verify"])
        .select_related("event")
        .order_by("event__seq", "pk")
    )
    out: dict[int, list[Attachment]] = {}
    for a in rows:
        out.setdefault(a.event.case_id, []).append(a)
    return out


def public_attachment_get(*, pk: int) -> Attachment | None:
    """A photo shown on the public board (a closed case's before/after photo), else None."""
    return Attachment.objects.filter(
        pk=pk, event__case__state=State.CLOSED, event__action__in=["create", "submit", "verify"]
    ).first()
