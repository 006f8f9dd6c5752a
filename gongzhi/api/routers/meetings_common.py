"""What the meetings routers share (meetings, topics, slips): path ids, the area filter, lookups
of the objects a path or a body names, the event shape and the list helper.

A meeting, topic or slip outside the caller's scope answers 404 like a missing one; an id or
code named in a body that does not exist (or is out of scope) is a 422 on that field.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from gongzhi.api.pagination import PageParams, paginate
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.meetings import selectors, workflow
from gongzhi.meetings.models import Meeting, MeetingEvent, Slip, SlipState, Topic, TopicState
from gongzhi.orgs import access

M = TypeVar("M", bound=Model)

MeetingId = Path(..., ge=1, le=MAX_ID, description="会议 id")
TopicId = Path(..., ge=1, le=MAX_ID, description="议题 id")
SlipId = Path(..., ge=1, le=MAX_ID, description="任务流转单 id")
Id = Field(..., ge=1, le=MAX_ID)
IdItem = Annotated[int, Field(ge=1, le=MAX_ID)]

# Actions taken only by the sweep (or with no endpoint of their own) are never offered.
NOT_OFFERED = {"remind", "bind", "complete", "carry"}

# Until issue 12 the meetings, topics and slips routes were one module; ninja names an operation
# "<module>_<function>", and clients generated from the schema call operations by that id.
MEETINGS_OPERATION_IDS = "gongzhi.api.routers.meetings"


class KeptIdsRouter(Router):
    """A router whose operations keep the ids they had in module `ids_from` (unless a route
    names its own), so moving routes between modules leaves the OpenAPI document unchanged."""

    def __init__(self, *, ids_from: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ids_from = ids_from

    def add_api_operation(
        self,
        path: str,
        methods: list[str],
        view_func: Callable[..., Any],
        *,
        operation_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        kept = f"{self.ids_from}_{view_func.__name__}".replace(".", "_")
        super().add_api_operation(path, methods, view_func, operation_id=operation_id or kept, **kwargs)


# --- schemas shared by several routers ----------------------------------------------------------


class MeetingEventOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: datetime
    note: str
    data: dict[str, Any]
    meeting: int | None
    topic: int | None
    slip: int | None


class AreaFilters(PageParams):
    """Paging and the subtree, shared by the meeting, topic and slip lists."""

    node: str | None = Field(None, max_length=40, description="辖区编码（含下级）")

    def where(self) -> dict[str, Any]:
        """The list selector's keyword arguments (an unknown node is a 404)."""
        return {"node_path": node_filter(self.node)}


class MeetingNoteIn(Schema):
    note: str = Field("", max_length=4000)


# --- lookups and helpers ------------------------------------------------------------------------


@contextmanager
def fields_as(**names: str) -> Iterator[None]:
    """Report a service's field error under the body field the API calls it."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def offered(table: dict[tuple[str, str], workflow.Step], state: str, kinds: set[str]) -> list[str]:
    return [
        action
        for (s, action), rule in table.items()
        if s == state and action not in NOT_OFFERED and rule.by & kinds
    ]


def state_codes(states: list[TopicState] | list[SlipState] | None) -> list[str] | None:
    """A list filter's states as the selector takes them (none chosen: every state)."""
    return [str(s) for s in states] if states else None


def node_filter(code: str | None) -> str:
    if not code:
        return ""
    return found(Node.objects.filter(code=code).first()).path


def body_node(code: str, field: str = "node") -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None:
        raise invalid(field, _("位置 %(code)s 不存在") % {"code": code})
    return node


def today() -> date:
    return timezone.localdate(clock.now())


def scoped_meeting(user: Actor, meeting_id: int) -> Meeting:
    return found(selectors.meeting_get(user=user, pk=meeting_id))


def scoped_topic(user: Actor, topic_id: int) -> Topic:
    return found(selectors.topic_get(user=user, pk=topic_id))


def scoped_slip(user: Actor, slip_id: int) -> Slip:
    return found(selectors.slip_get(user=user, pk=slip_id))


def body_meeting(user: Actor, meeting_id: int | None, field: str = "meeting") -> Meeting | None:
    if meeting_id is None:
        return None
    meeting = selectors.meeting_get(user=user, pk=meeting_id)
    if meeting is None:
        raise invalid(field, _("会议不存在"))
    return meeting


def body_cases(user: Actor, ids: list[int], field: str = "cases") -> list[Case]:
    wanted = set(ids)
    rows = list(Case.objects.filter(access.cases_q(user), pk__in=wanted))
    if len(rows) != len(wanted):
        raise invalid(field, _("关联的工单须是您可查看的工单"))
    return rows


def event_out(event: MeetingEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor.get_username() if event.actor else None,
        "at": event.at,
        "note": event.note,
        "data": event.data,
        "meeting": event.meeting_id,
        "topic": event.topic_id,
        "slip": event.slip_id,
    }


@dataclass(frozen=True)
class Listing(Generic[M]):
    """A list endpoint: its scoped selector, what its rows' answers read, and their shape."""

    select: Callable[..., QuerySet[M]]  # a selector taking user= and the filters' where()
    out: Callable[[M, Any], dict[str, Any]]  # (row, user) -> the answer's item
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def page(self, request: HttpRequest, params: PageParams) -> dict[str, Any]:
        """One page {count, items}: counted on the caller's scope, filtered by `params`."""
        user = caller(request)
        where = params.where() if isinstance(params, AreaFilters) else {}
        rows = self.select(user=user, **where).prefetch_related(*self.prefetch)
        if self.related:  # (select_related() without names would follow every relation)
            rows = rows.select_related(*self.related)
        return paginate(rows, params, lambda row: self.out(row, user))
