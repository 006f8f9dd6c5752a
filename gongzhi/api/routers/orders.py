"""/api/v1/orders: the order mode (docs/services.md). Modules residents may order from; a signed-in
resident's order; the lists, cut by access.orders_q (an order outside it is a 404 like a missing
one); the workflow's actions (take: exactly one of several at once wins, the others get a 409
"已被接单"); the events. Every write goes through orders.services."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.core.errors import invalid
from gongzhi.core.i18n import localized
from gongzhi.geo.models import Node
from gongzhi.orders import modules as order_modules
from gongzhi.orders import selectors, services
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order, ServiceModule
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Person

router = Router(tags=["orders"])


class ModuleOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    description: str
    hours: str
    response_minutes: int
    places: list[str]


class OrderIn(Schema):
    module: str = Field(..., max_length=40, description="服务模块编码")
    node: str = Field(..., max_length=60, description="服务地点（小区、楼栋或户）的编码")
    text: str = Field(..., max_length=services.MAX_TEXT, description="需要什么服务")
    wanted_at: datetime | None = Field(None, description="希望服务的时间（可不填：尽快）")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field(..., max_length=20, description="手机号：加密保存，只显示打码")


class OrderOut(Schema):
    id: int
    number: str
    module: str
    node: str
    node_name: str
    text: str
    state: str
    escalation: int
    wanted_at: datetime | None
    contact_name: str
    contact_phone: str = Field(..., description="打码后的手机号")
    server: str | None
    take_due: datetime
    taken_at: datetime | None
    served_at: datetime | None
    hours: float | None
    satisfaction: str
    case: int | None
    created_at: datetime
    allowed_actions: list[str]


class ActIn(Schema):
    note: str = Field("", max_length=services.MAX_TEXT)
    server: int | None = Field(None, ge=1, le=MAX_ID, description="派单：服务人员（团队成员）的人员编号")
    hours: float | None = Field(
        None,
        description="登记服务：服务时长（小时）；服务人员是登记的志愿者时必填，否则不填按服务模块的默认时长",
    )
    satisfaction: str = Field("", max_length=12, description="确认：satisfied / basically / unsatisfied")
    category: str | None = Field(None, max_length=20, description="转为工单：小类编码（可不填）")


class EventOut(Schema):
    seq: int
    action: str
    from_state: str
    to_state: str
    at: datetime
    note: str
    data: dict[str, Any]


def _module_out(m: ServiceModule) -> dict[str, Any]:
    return {
        "id": m.pk,
        "code": m.code,
        "name": localized(m, "name"),
        "kind": m.kind,
        "description": m.description,
        "hours": order_modules.hours_label(m),
        "response_minutes": m.response_minutes,
        "places": [p.code for p in m.places.all()],
    }


def _out(order: Order, user: User) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "module": order.module.code,
        "node": order.node.code,
        "node_name": order.node.name,
        "text": order.text,
        "state": order.state,
        "escalation": order.escalation,
        "wanted_at": order.wanted_at,
        "contact_name": order.contact_name,
        "contact_phone": order.contact_phone_masked,
        "server": order.server.name if order.server_id and order.server else None,
        "take_due": order.take_due,
        "taken_at": order.taken_at,
        "served_at": order.served_at,
        "hours": float(order.hours) if order.hours is not None else None,
        "satisfaction": order.satisfaction,
        "case": order.case_id,
        "created_at": order.created_at,
        "allowed_actions": services.allowed_for(user, order),
    }


@router.get("/modules", response=list[ModuleOut], summary="可下单的服务模块")
def order_modules_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_module_out(m) for m in services.open_modules()]


@router.post("", response={201: OrderOut}, summary="居民下单（登录的居民）")
def order_create(request: HttpRequest, payload: OrderIn) -> Status:
    user = caller(request)
    module = ServiceModule.objects.filter(code=payload.module, active=True).select_related("street").first()
    if module is None:
        raise invalid("module", _("没有这项服务"))
    node = Node.objects.filter(code=payload.node).first()
    if node is None:
        raise invalid("node", _("没有这个地点"))
    person_id = access.scope(user).person_id
    draft = services.OrderDraft(
        module=module,
        node=node,
        text=payload.text,
        wanted_at=payload.wanted_at,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        resident=Person.objects.filter(pk=person_id).first() if person_id else None,
    )
    order = services.order_create(actor=user, draft=draft)
    return Status(201, _out(selectors.order_get(user=user, pk=order.pk) or order, user))


@router.get("", response=list[OrderOut], summary="我能看到的服务订单（pool=true：我的抢单池）")
def order_list(
    request: HttpRequest, state: str = "", pool: bool = False, limit: int = 50
) -> list[dict[str, Any]]:
    user = caller(request)
    if state and state not in OrderState.values:
        raise invalid("state", _("状态无效"))
    rows = selectors.pool(user) if pool else selectors.listed(user, state=state)
    return [_out(o, user) for o in rows[: max(1, min(limit, 200))]]


@router.get("/{order_id}", response=OrderOut, summary="一张服务订单")
def order_detail(request: HttpRequest, order_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    user = caller(request)
    return _out(found(selectors.order_get(user=user, pk=order_id)), user)


@router.get("/{order_id}/events", response=list[EventOut], summary="订单经过")
def order_events(request: HttpRequest, order_id: int = Path(..., ge=1, le=MAX_ID)) -> list[Any]:
    order = found(selectors.order_get(user=caller(request), pk=order_id))
    return list(selectors.events(order))


@router.post("/{order_id}/take", response=OrderOut, summary="抢单（只有一人能抢到，其余得到 409“已被接单”）")
def order_take(request: HttpRequest, order_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    user = caller(request)
    order = found(selectors.order_get(user=user, pk=order_id))
    return _out(services.order_take(actor=user, order=order), user)


ACTIONS = ("assign", "release", "serve", "confirm", "cancel", "convert", "comment", "confirm_hours")


@router.post(
    "/{order_id}/{action}",
    response=OrderOut,
    summary="派单、退回、登记服务、确认评价、取消、转为工单、备注、确认时长计入时间银行",
)
def order_action(
    request: HttpRequest, payload: ActIn, action: str, order_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = caller(request)
    order = found(selectors.order_get(user=user, pk=order_id))
    if action not in ACTIONS:
        raise invalid("action", _("动作无效，可选：%(actions)s") % {"actions": "、".join(ACTIONS)})
    server = None
    if payload.server is not None:
        server = Person.objects.filter(pk=payload.server).first()
        if server is None:
            raise invalid("server", _("所选人员不在该服务的团队中"))
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, active=True, parent__isnull=False).first()
        if category is None:
            raise invalid("category", _("没有这个小类"))
    act = services.OrderAct(
        action=action,
        note=payload.note,
        server=server,
        hours=payload.hours,
        satisfaction=payload.satisfaction,
        category=category,
    )
    return _out(services.order_act(actor=user, order=order, act=act), user)
