"""Writes for orders. `order_create` is the one intake (the phone page, the API); `order_act`
applies the workflow table (orders.workflow) and appends the event, in one transaction.

Every transition is a conditional UPDATE on the order's current state (`state = from`): of two
members taking one order at once exactly one row is updated; the other's UPDATE, after waiting
for the winner's row lock (PostgreSQL) or the database lock (SQLite), matches nothing and is
answered 409 "已被接单" (ADR 0026). Nothing else locks an order.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import attachments
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.cases.states import Source
from gongzhi.community import volunteers
from gongzhi.community.choices import HoursSource
from gongzhi.community.models import HoursEntry
from gongzhi.core import clock, outbox, pii
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.contributions import SERVE_ORDER, ServiceFact, on_service_facts
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo.models import Node
from gongzhi.orders import bank, notifications, teams, workflow
from gongzhi.orders.bank import hours_key
from gongzhi.orders.choices import OrderState, Satisfaction
from gongzhi.orders.models import Order, OrderEvent, OrderPhoto, ServiceModule
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Person

MAX_TEXT = 1000
MAX_PHOTOS = 6
MAX_HOURS = Decimal("24")
WANTED_AHEAD_DAYS = 60  # a wish further ahead is a booking, not an order


# --- the places a module serves ---------------------------------------------------------------------


def serves(module: ServiceModule, node: Node) -> bool:
    """The node lies under one of the module's places (and so on its street)."""
    return node.path.startswith(module.street.path) and any(
        node.path.startswith(p.path) for p in module.places.all()
    )


def open_modules(street: Node | None = None) -> list[ServiceModule]:
    """The active modules residents may order from (the page's and the API's choices)."""
    qs = ServiceModule.objects.filter(active=True).select_related("street").prefetch_related("places")
    if street is not None:
        qs = qs.filter(street=street)
    return list(qs.order_by("street__path", "position", "code"))


# --- intake ------------------------------------------------------------------------------------------


@dataclass
class OrderDraft:
    """What a resident asks: the module, the need, the place, when, a phone to call back."""

    module: ServiceModule | None
    node: Node | None
    text: str
    contact_phone: str
    contact_name: str = ""
    wanted_at: datetime | None = None
    resident: Person | None = None


def _validate(draft: OrderDraft, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    module, node = draft.module, draft.node
    if module is None or not module.active:
        errors["module"] = [_("请选择一项服务")]
    if node is None:
        errors["node"] = [_("请选择服务地点")]
    elif module is not None and not node.path.startswith(module.street.path):
        errors["node"] = [_("所选地点不在本街道范围内")]
    elif module is not None and not serves(module, node):
        errors["node"] = [_("所选地点不在该服务的服务范围内")]
    text = (draft.text or "").strip()
    if not text:
        errors["text"] = [_("请说明需要什么服务")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("需求内容不能超过%(n)d字") % {"n": MAX_TEXT}]
    phone = pii.normalise_phone(draft.contact_phone)
    if not phone:
        errors["contact_phone"] = [_("请留下手机号，服务人员接单后会联系您")]
    elif not pii.PHONE_RE.match(phone):
        errors["contact_phone"] = [_("手机号应为11位数字，以1开头")]
    if len(draft.contact_name or "") > 50:
        errors["contact_name"] = [_("联系人最多50个字")]
    if draft.wanted_at is not None:
        wanted = (
            draft.wanted_at if timezone.is_aware(draft.wanted_at) else timezone.make_aware(draft.wanted_at)
        )
        draft.wanted_at = wanted
        if wanted < now - timedelta(hours=1):
            errors["wanted_at"] = [_("希望服务时间不能早于现在")]
        elif wanted > now + timedelta(days=WANTED_AHEAD_DAYS):
            errors["wanted_at"] = [_("希望服务时间最多预约%(n)d天以内") % {"n": WANTED_AHEAD_DAYS}]
    if errors:
        raise ValidationError(errors)


def order_create(*, actor: Actor | None, draft: OrderDraft) -> Order:
    """Record a resident's order: validate (nothing written on an error), seal the phone, open
    it in the module's pool with its take deadline, tell the team."""
    now = clock.now()
    _validate(draft, now)
    assert draft.module is not None and draft.node is not None
    module, node = draft.module, draft.node
    phone = pii.normalise_phone(draft.contact_phone)
    user = recorded_or_system(actor)
    with transaction.atomic():
        order = Order.objects.create(
            module=module,
            node=node,
            node_path=node.path,
            text=draft.text.strip(),
            wanted_at=draft.wanted_at,
            contact_name=(draft.contact_name or "").strip(),
            contact_phone_enc=pii.encrypt(phone),
            contact_phone_hash=pii.lookup_hash(phone),
            contact_phone_masked=pii.mask_phone(phone),
            resident=draft.resident,
            resident_user=user,
            take_due=now + timedelta(minutes=module.response_minutes),
            created_at=now,
            updated_at=now,
        )
        event = OrderEvent.objects.create(
            order=order, seq=1, action="create", to_state=OrderState.OPEN, actor=user, at=now
        )
        outbox.enqueue_all(notifications.for_event(order, event))
    return order


# --- acting on an order ------------------------------------------------------------------------------


def actor_kinds(user: Actor | None, order: Order) -> set[str]:
    """Which of the table's roles the user plays on this order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    kinds: set[str] = set()
    s = access.scope(user)
    if order.resident_user_id == user.pk or (s.person_id is not None and order.resident_id == s.person_id):
        kinds.add(workflow.RESIDENT)
    module_ids = teams.module_ids(user)
    if order.module_id in module_ids:
        kinds.add(workflow.TEAM)
        if order.module_id in teams.module_ids(user, leads=True):
            kinds.add(workflow.LEAD)
    if s.person_id is not None and order.server_id == s.person_id:
        kinds.add(workflow.SERVER)
    office = access.may_assign_order(user, order.node_path, order.escalation)
    if office == "committee":
        kinds.add(workflow.COMMITTEE)
    elif office == "street":
        kinds.update({workflow.COMMITTEE, workflow.STREET})
    return kinds


@dataclass
class OrderAct:
    """An action on an order and what the actor supplies with it."""

    action: str
    note: str = ""
    server: Person | None = None  # assign: the team member who will serve
    hours: Any = None  # serve: the time given, in hours (a number or a text)
    satisfaction: str = ""  # confirm
    category: Category | None = None  # convert: the case's 小类, when the converter knows it
    files: list[Any] = field(default_factory=list)  # serve: photos of what was done


def allowed_for(user: Actor | None, order: Order) -> list[str]:
    """The transitions `order_act` would accept from the user now (what the page offers)."""
    kinds = actor_kinds(user, order)
    return [
        a
        for a in workflow.allowed_actions(order.state)
        if workflow.TRANSITIONS[(OrderState(order.state), a)].by & kinds
    ]


def order_act(*, actor: Actor | None, order: Order, act: OrderAct) -> Order:
    """Apply one action of the table. PermissionDeniedError (403) when the actor may not;
    ConflictError (409) when the state no longer allows it ("已被接单" for a take or an assign
    that lost the race); ValidationError (422) when something it needs is missing or wrong."""
    return _act(actor=actor, order=order, act=act, kinds=actor_kinds(actor, order))


def order_confirm_by_link(*, order: Order, satisfaction: str, note: str = "") -> Order:
    """The resident's confirmation and rating through the order's signed link (orders.links):
    holding the link is being the resident. Rated once: a second rating is a 409."""
    act = OrderAct(action="confirm", satisfaction=satisfaction, note=note)
    return _act(actor=None, order=order, act=act, kinds={workflow.RESIDENT})


def order_escalate(*, order: Order, level: int, now: datetime) -> Order | None:
    """The sweep's step: the order is still open past `level` response times; None when it was
    taken meanwhile or already escalated that far (the sweep is idempotent)."""
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, state=OrderState.OPEN, escalation__lt=level).update(
            escalation=level, version=F("version") + 1, updated_at=now
        )
        if not updated:
            return None
        current = Order.objects.select_related("module", "node").get(pk=order.pk)
        event = OrderEvent.objects.create(
            order=current,
            seq=current.version,
            action="escalate",
            from_state=OrderState.OPEN,
            to_state=OrderState.OPEN,
            at=now,
            data={"level": level},
        )
        outbox.enqueue_all(notifications.for_event(current, event))
    return current


def _rule(order: Order, action: str) -> workflow.Transition | workflow.Note:
    state = OrderState(order.state)
    if (state, action) in workflow.TRANSITIONS:
        return workflow.TRANSITIONS[(state, action)]
    note = workflow.NOTES.get(action)
    if note is not None and state in note.states:
        return note
    raise ConflictError(_gone(order, action), allowed=workflow.allowed_actions(state))


def _gone(order: Order, action: str) -> str:
    if action in workflow.RACED and order.state != OrderState.OPEN:
        return _("已被接单")
    if action == "confirm" and order.state == OrderState.CLOSED:
        return _("该订单已评价过，谢谢您的反馈")
    return _("订单当前状态“%(state)s”不能执行此操作") % {"state": order.get_state_display()}


def _act(*, actor: Actor | None, order: Order, act: OrderAct, kinds: set[str]) -> Order:
    current = Order.objects.select_related("module__street", "node").get(pk=order.pk)
    rule = _rule(current, act.action)
    if not rule.by & kinds:
        if act.action in workflow.RACED and workflow.TEAM not in kinds and workflow.LEAD not in kinds:
            raise PermissionDeniedError(_("您不在该服务的团队中，不能接单"))
        raise PermissionDeniedError(_("您无权对该订单执行此操作"))
    fields, data = _check(current, act, rule.needs)
    if act.action == "take":
        fields.update(_taker(actor))
    to_state = rule.to if isinstance(rule, workflow.Transition) else OrderState(current.state)
    now = clock.now()
    user = recorded_or_system(actor)
    with transaction.atomic():
        case = _convert(actor, current, act) if act.action == "convert" else None
        if case is not None:
            fields["case"] = case
            data["case"] = case.pk
        fields.update(_times(act.action, now))
        updated = Order.objects.filter(pk=current.pk, state=current.state).update(
            state=to_state, version=F("version") + 1, updated_at=now, **fields
        )
        if not updated:  # another request moved it first (the take race's loser)
            current.refresh_from_db(fields=["state"])
            raise ConflictError(_gone(current, act.action))
        done = Order.objects.select_related("module__street", "node", "server").get(pk=current.pk)
        event = OrderEvent.objects.create(
            order=done,
            seq=done.version,
            action=act.action,
            from_state=current.state,
            to_state=to_state,
            actor=user,
            at=now,
            note=act.note.strip(),
            data=data,
        )
        _attach(event, act.files)
        outbox.enqueue_all(notifications.for_event(done, event))
        if act.action == "serve":
            _announce_service(done, now)
        if act.action in BANKED_BY:
            bank_hours(done, confirmed_by=user)
    return done


# --- the time bank -----------------------------------------------------------------------------------

# The actions that confirm the server's hours: the resident's confirmation (signed in, or None
# through the link) and the lead's. Closing by the sweep confirms nothing.
BANKED_BY = frozenset({"confirm", "confirm_hours"})


def hours_confirmable(user: Actor | None, order: Order) -> bool:
    """The lead may confirm the hours now (the page's button): a lead of the module, the order
    served or closed, its server a volunteer, nothing in the bank for it yet."""
    rule = workflow.NOTES["confirm_hours"]
    return order.state in rule.states and bool(rule.by & actor_kinds(user, order)) and not _bank_errors(order)


def bank_hours(order: Order, *, confirmed_by: Any) -> HoursEntry | None:
    """Post the server's hours into their time bank when they are a registered volunteer, in
    the caller's transaction; once per order."""
    volunteer = volunteers.active_volunteer(order.server_id) if order.server_id else None
    if volunteer is None or order.hours is None:
        return None
    return volunteers.hours_record(
        confirmed_by=confirmed_by,
        volunteer=volunteer,
        hours=order.hours,
        occurred_on=timezone.localtime(order.served_at or clock.now()).date(),
        source=HoursSource.ORDER,
        source_key=hours_key(order),
        label=_("服务订单 %(number)s（%(module)s）") % {"number": order.number, "module": order.module.name},
    )


def order_confirm_hours(*, actor: Actor | None, order: Order) -> Order:
    """The module's lead confirms the server's hours into the time bank (an order the resident
    has not confirmed, or one the sweep closed). 422 when the server is no volunteer or the
    hours are already there."""
    return order_act(actor=actor, order=order, act=OrderAct(action="confirm_hours"))


# --- closing served orders nobody confirmed --------------------------------------------------------


def auto_confirm_days() -> int:
    return int(getattr(settings, "ORDER_AUTO_CONFIRM_DAYS", 7))


def order_auto_close(*, order: Order) -> Order | None:
    """The sweep's close of an order served `auto_confirm_days()` ago and never confirmed: an
    `auto_close` event by the system, rated nothing, no hours banked (nobody confirmed them).
    None when the resident confirmed meanwhile (the same conditional UPDATE as every step)."""
    try:
        return _act(actor=None, order=order, act=OrderAct(action="auto_close"), kinds={workflow.SYSTEM})
    except ConflictError:
        return None


def hours_remind_days() -> int:
    return int(getattr(settings, "ORDER_HOURS_REMIND_DAYS", 3))


def order_remind_hours(*, order: Order, now: datetime) -> Order | None:
    """The sweep's one reminder to the module's leads that a volunteer's hours wait for their
    confirmation (a `remind_hours` event by the system, and `order.hours_waiting` to the leads).
    None when the order changed meanwhile: the UPDATE is conditional on the version the sweep
    read, so overlapping runs remind once; the sweep skips orders already reminded."""
    with transaction.atomic():
        updated = Order.objects.filter(
            pk=order.pk, version=order.version, state__in=workflow.NOTES["remind_hours"].states
        ).update(version=F("version") + 1, updated_at=now)
        if not updated:
            return None
        current = Order.objects.select_related("module", "node", "server").get(pk=order.pk)
        event = OrderEvent.objects.create(
            order=current,
            seq=current.version,
            action="remind_hours",
            from_state=current.state,
            to_state=current.state,
            at=now,
        )
        outbox.enqueue_all(notifications.for_event(current, event))
    return current


def _times(action: str, now: datetime) -> dict[str, Any]:
    if action in {"take", "assign"}:
        return {"taken_at": now}
    if action == "release":
        return {"taken_at": None, "server": None}
    if action == "serve":
        return {"served_at": now}
    if action in {"confirm", "convert", "cancel", "auto_close"}:
        return {"closed_at": now}
    return {}


def _check(order: Order, act: OrderAct, needs: frozenset[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the action needs, checked before anything is written; the row's new values and the
    event's data."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if "note" in needs and not act.note.strip():
        errors["note"] = [_("请填写说明")]
    if len(act.note) > MAX_TEXT:
        errors["note"] = [_("说明不能超过%(n)d字") % {"n": MAX_TEXT}]
    if act.action == "assign":
        if act.server is None:
            errors["server"] = [_("请选择服务人员")]
        elif act.server.pk not in teams.person_ids(order.module):
            errors["server"] = [_("所选人员不在该服务的团队中")]
        else:
            fields["server"] = act.server
            data["server"] = act.server.pk
    if "hours" in needs:
        blank = act.hours is None or not str(act.hours).strip()
        hours = order.module.default_hours if blank else _hours(act.hours)
        if blank and hours_required(order):
            errors["hours"] = [_("请填写服务时长：您是登记的志愿者，时长将计入时间银行")]
        elif hours is None:
            errors["hours"] = [_("请填写服务时长（小时，大于0且不超过24）")]
        else:
            fields["hours"] = hours
            data["hours"] = str(hours)
    if "satisfaction" in needs:
        if act.satisfaction not in Satisfaction.values:
            errors["satisfaction"] = [_("请选择满意、基本满意或不满意")]
        else:
            fields["satisfaction"] = act.satisfaction
            data["satisfaction"] = act.satisfaction
    if act.files and act.action != "serve":
        errors["files"] = [_("只有登记服务情况时可以上传照片")]
    if len(act.files) > MAX_PHOTOS:
        errors["files"] = [_("最多上传%(n)d张照片") % {"n": MAX_PHOTOS}]
    if act.action == "confirm_hours":
        errors.update(_bank_errors(order))
    if errors:
        raise ValidationError(errors)
    attachments.validate_files(act.files)
    return fields, data


def hours_required(order: Order) -> bool:
    """A volunteer server states their hours: they go into the time bank (and so the points
    ledger) once confirmed, so the module's default would credit a figure nobody gave. Anyone
    else's hours only feed the figures, where the default stands in for a blank."""
    return order.server_id is not None and volunteers.active_volunteer(order.server_id) is not None


def _bank_errors(order: Order) -> dict[str, list[str]]:
    """Why the lead cannot confirm the order's hours into the time bank, if so."""
    if order.server_id is None or volunteers.active_volunteer(order.server_id) is None:
        return {"server": [_("服务人员不是登记的志愿者，时长不计入时间银行")]}
    if bank.banked(order):
        return {"hours": [_("该订单的服务时长已计入时间银行")]}
    return {}


def _hours(value: Any) -> Decimal | None:
    try:
        hours = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return hours if Decimal("0") < hours <= MAX_HOURS else None


def _attach(event: OrderEvent, files: list[Any]) -> None:
    for upload in files:
        photo = OrderPhoto(
            event=event,
            content_type=attachments.image_content_type(upload) or "image/jpeg",
            size=upload.size,
        )
        photo.file.save(upload.name, upload, save=False)
        photo.thumbnail.save(f"thumb_{upload.name}", attachments.thumbnail(upload), save=False)
        photo.save()


def _taker(actor: Actor | None) -> dict[str, Any]:
    person_id = access.scope(actor).person_id
    if person_id is None:
        raise PermissionDeniedError(_("您不在该服务的团队中，不能接单"))
    return {"server_id": person_id}


def order_take(*, actor: Actor | None, order: Order) -> Order:
    """抢单: the actor, on the module's team, takes the open order; of several at once exactly
    one wins and the others get ConflictError("已被接单")."""
    return order_act(actor=actor, order=order, act=OrderAct(action="take"))


def _convert(actor: Actor | None, order: Order, act: OrderAct) -> Case:
    """A governance problem behind the order becomes a case at the order's place, its text
    carrying the order's history; the resident's phone moves sealed to the case's contact."""
    history = [
        f"{timezone.localtime(e.at):%m-%d %H:%M} {e.action}{('：' + e.note) if e.note else ''}"
        for e in order.events.order_by("seq")
    ]
    text = _("%(text)s\n\n（由服务订单 %(number)s 转为工单：%(reason)s）\n订单经过：\n%(history)s") % {
        "text": order.text,
        "number": order.number,
        "reason": act.note.strip(),
        "history": "\n".join(history),
    }
    intake = case_services.Intake(
        node=order.node,
        text=text[: case_services.MAX_TEXT],
        source=Source.RESIDENT,
        category=act.category,
        contact_name=order.contact_name,
        contact_phone=pii.decrypt(order.contact_phone_enc),
        reporter=order.resident,
        data={"channel": "order", "order": order.pk, "order_number": order.number},
    )
    return case_services.case_create(actor=actor, intake=intake)


def _announce_service(order: Order, now: datetime) -> None:
    """A served order is a service fact for the ledger (core.contributions): the server's person,
    the day, the place and the hours given."""
    if order.server_id is None:
        return
    on_service_facts.announce(
        [
            ServiceFact(
                kind=SERVE_ORDER,
                source_key=f"order:{order.pk}:server:{order.server_id}",
                person_id=order.server_id,
                occurred_on=timezone.localtime(now).date(),
                node_path=order.node_path,
                detail=order.module.kind,
                label=_("服务订单 %(number)s（%(module)s）")
                % {"number": order.number, "module": order.module.name},
                hours=float(order.hours or 0),
            )
        ]
    )
