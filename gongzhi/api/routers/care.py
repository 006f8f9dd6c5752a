"""/api/v1/care: the batch endpoint device gateways post sensor events to (docs/care.md).

A gateway authenticates with its own token (`Authorization: Bearer gzgw_…`, created in the
admin, only a keyed hash stored), never a person's. A request carries up to 5,000 events;
each is stored once (idempotent on device + event id) or refused with its index and reason
(an unknown or unbound device, no consent for its signal, a reading that goes backwards, a time
in the future or too old); the good ones are stored either way. A malformed body writes
nothing and answers 422 with the fields at fault.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import BaseModel

from gongzhi.api.auth import DEFAULT_AUTH
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.care import chain
from gongzhi.care import details as care_details
from gongzhi.care import selectors as care_selectors
from gongzhi.care import services as care_services
from gongzhi.care.choices import Door
from gongzhi.care.ingest import MAX_BATCH, Incoming, ingest
from gongzhi.care.models import Alert, Gateway, Visit
from gongzhi.core import clock
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Category

router = Router(tags=["care"])


class GatewayAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Gateway:
        gateway = care_services.gateway_authenticate(token.strip())
        if gateway is None:
            raise AuthenticationError(401, _("网关令牌无效或已吊销"))
        return gateway


class EventIn(BaseModel):
    """A plain pydantic model, not a ninja Schema: the Schema's per-object validator (made to
    read Django models) cost more CPU than the rest of a 1,000-event request's parsing
    (docs/benchmarks.md, "care"). Same fields, constraints and error messages."""

    device: str = Field(..., min_length=1, max_length=64, description="设备编号")
    id: str = Field(
        ..., min_length=1, max_length=64, description="设备（或网关）给出的事件编号：重发同一事件不会重复入库"
    )
    at: datetime = Field(..., description="发生时间，ISO 8601，须带时区")
    value: float | None = Field(None, ge=0, description="表计的累计读数（水表：升；电表：千瓦时）")


class EventsIn(Schema):
    events: list[EventIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class ItemErrorOut(Schema):
    index: int
    reason: str
    msg: str


class IngestOut(Schema):
    received: int
    stored: int
    duplicates: int
    refused: int
    alerts: int
    errors: list[ItemErrorOut]


@router.post("/events", auth=GatewayAuth(), response=IngestOut, summary="设备网关批量上报事件")
def care_ingest(request: HttpRequest, payload: EventsIn) -> dict[str, Any]:
    result = ingest(
        [Incoming(device=e.device, event_id=e.id, at=e.at, value=e.value) for e in payload.events],
        door=Door.HTTP,
    )
    return {
        "received": result.received,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "refused": result.refused,
        "alerts": result.alerts,
        "errors": [{"index": e.index, "reason": e.reason, "msg": e.message} for e in result.errors],
    }


# --- the alert chain and the regular visits (people's tokens, scoped like the pages) ---------------


class AlertOut(Schema):
    id: int
    subject: int
    kind: str
    state: str
    detail: str
    opened_at: datetime
    acknowledged_at: datetime | None
    visit_case: int | None
    outcome: str
    false_alarm: bool


class OutcomeIn(Schema):
    outcome: str = Field(..., max_length=20, description="safe / needs_help / hospital / unreachable / died")
    note: str = Field("", max_length=500)
    false_alarm: bool = False
    category: str | None = Field(None, max_length=20, description="需要帮助时：问题的小类编码")


class VisitIn(Schema):
    kind: str = Field("visit", max_length=10, description="visit / call / checkin")
    note: str = Field("", max_length=500)
    at: datetime | None = None


class VisitOut(Schema):
    id: int
    kind: str
    at: datetime
    note: str | None = Field(None, description="情况说明：仅责任岗位和审计员可见")


class DueOut(Schema):
    subject: int
    home: str
    visit_due_at: datetime
    overdue: bool


class RoundIn(Schema):
    node: str = Field(..., max_length=60, description="居民区（或块区、街道）编码")
    kind: str = Field(..., max_length=20, description="spring_festival / double_ninth / other")
    name: str = Field("", max_length=60)
    due_at: datetime


class RoundOut(Schema):
    id: int
    name: str
    subjects: int
    due_at: datetime


def _alert_out(a: Alert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "subject": a.subject_id,
        "kind": a.kind,
        "state": a.state,
        "detail": a.detail,
        "opened_at": a.opened_at,
        "acknowledged_at": a.acknowledged_at,
        "visit_case": a.visit_case_id,
        "outcome": a.outcome,
        "false_alarm": a.false_alarm,
    }


@router.get("/alerts", response=list[AlertOut], summary="关爱预警（默认只列未关闭的）", auth=DEFAULT_AUTH)
def alert_list(request: HttpRequest, closed: bool = False) -> list[dict[str, Any]]:
    rows = care_selectors.alerts(user=caller(request), open_only=not closed)[:200]
    return [_alert_out(a) for a in rows]


@router.post("/alerts/{alert_id}/ack", response=AlertOut, summary="响应预警（我来处理）", auth=DEFAULT_AUTH)
def alert_ack(request: HttpRequest, alert_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    alert = found(care_selectors.alert_get(user=caller(request), pk=alert_id))
    return _alert_out(chain.acknowledge(actor=caller(request), alert=alert))


@router.post("/alerts/{alert_id}/outcome", response=AlertOut, summary="登记探访结果", auth=DEFAULT_AUTH)
def alert_outcome(
    request: HttpRequest, payload: OutcomeIn, alert_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    alert = found(care_selectors.alert_get(user=caller(request), pk=alert_id))
    category = Category.objects.filter(code=payload.category).first() if payload.category else None
    if payload.category and category is None:
        raise invalid("category", _("没有这个小类"))
    done = chain.outcome_record(
        actor=caller(request),
        alert=alert,
        outcome=payload.outcome,
        note=payload.note,
        false_alarm=payload.false_alarm,
        category=category,
    )
    return _alert_out(done)


def _visit_out(v: Visit, details: bool) -> dict[str, Any]:
    return {"id": v.pk, "kind": v.kind, "at": v.at, "note": v.note if details else None}


@router.get("/subjects/{subject_id}/visits", response=list[VisitOut], summary="探访记录", auth=DEFAULT_AUTH)
def visit_list(request: HttpRequest, subject_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, Any]]:
    user = caller(request)
    subject = found(care_selectors.subject_get(user=user, pk=subject_id))
    details = care_details.details_logged(user, subject, field="visits")
    return [_visit_out(v, details) for v in care_selectors.visits(subject=subject)]


@router.post(
    "/subjects/{subject_id}/visits",
    response={201: VisitOut},
    summary="登记探访、电话或平安确认",
    auth=DEFAULT_AUTH,
)
def visit_create(
    request: HttpRequest, payload: VisitIn, subject_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    subject = found(care_selectors.subject_get(user=user, pk=subject_id))
    visit = care_services.visit_record(
        actor=user, subject=subject, kind=payload.kind, at=payload.at, note=payload.note
    )
    return 201, _visit_out(visit, True)


@router.get("/visits/due", response=list[DueOut], summary="待探访（mine=true：我负责的）", auth=DEFAULT_AUTH)
def visits_due(request: HttpRequest, mine: bool = True, days: int = 2) -> list[dict[str, Any]]:
    now = clock.now()
    rows = care_selectors.visits_due(user=caller(request), within_days=max(0, min(days, 30)), mine=mine)[:500]
    return [
        {
            "subject": s.pk,
            "home": s.home.name,
            "visit_due_at": s.visit_due_at,
            "overdue": s.visit_due_at < now,
        }
        for s in rows
    ]


@router.post("/rounds", response={201: RoundOut}, summary="发起节日探访（春节、重阳节）", auth=DEFAULT_AUTH)
def round_create(request: HttpRequest, payload: RoundIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    node = Node.objects.filter(code=payload.node).first()
    if node is None or not access.can(user, access.VIEW_CARE, node):
        raise invalid("node", _("没有这个辖区"))
    r = care_services.round_create(
        actor=user, node=node, kind=payload.kind, name=payload.name, due_at=payload.due_at
    )
    return 201, {"id": r.pk, "name": r.name, "subjects": r.subjects, "due_at": r.due_at}
