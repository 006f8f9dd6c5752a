"""The case to-dos (待办) a person has: filters of the case list (`?todo=<key>`), so the home
page's tile counts exactly the list it opens (gongzhi.reports.todos counts through
`selectors.case_list(filters={"todo": key})`, the list page reads the same call).

- handle (待我处理): cases with a post the user holds or deputises (AB岗), in handling states;
- soon (即将超期): the cases whose next step is the user's — to dispatch or verify at their
  rung, to handle at their post — with that step's deadline within the next working day;
- callback (待回访): closed cases of the user's rung nobody has rated yet, reported by someone
  who can be called back, while the callback link still works; and the reports merged into a
  case that has closed (one level: their master, whose outcome the callback page shows), on
  the same terms, since each merged reporter is owed the callback too.

待受理 is the dispatcher's queue (`selectors.dispatch_queue`, state received) and 超期 the
overdue list (`selectors_overdue`); they keep their own pages.
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from gongzhi.cases.models import Case
from gongzhi.cases.selectors_overdue import due_soon_q
from gongzhi.cases.states import Source, State
from gongzhi.cases.timers import PHASES
from gongzhi.cases.workflow import HANDLING
from gongzhi.core.actors import Actor
from gongzhi.orgs import access

HANDLE = "handle"
SOON = "soon"
CALLBACK = "callback"
KEYS = (HANDLE, SOON, CALLBACK)
# Reports made by staff or machines: there is no resident to call back about them.
NO_CALLBACK_SOURCES = (Source.PATROL, Source.SENSOR, Source.MEETING)


def mine_q(user: Actor) -> Q:
    """Cases assigned to a post the user holds or deputises (as `selectors.my_cases`)."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Q(pk__in=[])
    return Q(post__person_id=person_id) | Q(post__deputy_id=person_id)


def todo_q(user: Actor, key: str, now: datetime) -> Q:
    """The filter of one case to-do (inside `access.cases_q`, which the case list adds)."""
    if key == HANDLE:
        return mine_q(user) & Q(state__in=sorted(HANDLING))
    if key == SOON:
        # the case list's 即将超期 (selectors_overdue.due_soon_q), narrowed to the user's steps
        mine = Q(pk__in=[])
        for phase in PHASES:
            whose = mine_q(user) if phase.name == "handle" else access.dispatch_cases_q(user)
            mine |= whose & Q(state__in=sorted(phase.states))
        return mine & due_soon_q(now)
    if key == CALLBACK:
        from gongzhi.cases.callback import link_days

        reachable = ~Q(contact_phone_masked="") | Q(reporter_user__isnull=False) | Q(reporter__isnull=False)
        since = now - timedelta(days=link_days())
        closed = Q(state=State.CLOSED, closed_at__gte=since)
        # a report merged into another is answered by that case: owed once its master closed
        merged = Q(state=State.MERGED, master__state=State.CLOSED, master__closed_at__gte=since)
        return (
            access.dispatch_cases_q(user)
            & (closed | merged)
            & Q(satisfaction="")
            & ~Q(source__in=NO_CALLBACK_SOURCES)
            & reachable
        )
    raise ValueError(key)


def order_for(key: str, rows: QuerySet[Case]) -> QuerySet[Case]:
    """The order a to-do list reads best in: the nearest deadline first for 即将超期 (each row
    carries it as `due_at`), the longest waiting first otherwise."""
    if key == SOON:
        due = models.Case(
            *(models.When(state__in=sorted(p.states), then=F(p.due_field)) for p in PHASES),
            output_field=models.DateTimeField(),
        )
        return rows.annotate(due_at=due).order_by("due_at", "pk")
    if key == CALLBACK:  # the longest closed first (a merged report: when its master closed)
        closed = Coalesce(F("closed_at"), F("master__closed_at"))
        return rows.annotate(answered_at=closed).order_by("answered_at", "pk")
    return rows.order_by("created_at", "pk")
