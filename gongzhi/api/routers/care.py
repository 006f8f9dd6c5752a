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
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from gongzhi.care import services as care_services
from gongzhi.care.choices import Door
from gongzhi.care.ingest import MAX_BATCH, Incoming, ingest

router = Router(tags=["care"])


class GatewayAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        gateway = care_services.gateway_authenticate(token.strip())
        if gateway is None:
            raise AuthenticationError(401, _("网关令牌无效或已吊销"))
        return gateway


class EventIn(Schema):
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
