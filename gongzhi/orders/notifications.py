"""What each order event tells whom, through the outbox (docs/notifications.md): a new order the
module's team; an order nobody took the lead, then the committee, then the street; taken,
served and closed unconfirmed the resident (inbox when signed in, a text to the phone they left when the SMS gateway
is configured: the row holds the order's id, the channel decrypts the phone at send time and
signs the link then); closed unconfirmed and a volunteer's hours waiting the module's leads;
closed unconfirmed the server too.
No clear personal data in any message."""

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from gongzhi.cases import notifications as case_notifications
from gongzhi.core.outbox import OutboxSpec
from gongzhi.orders import bank, teams
from gongzhi.orders.choices import Escalation
from gongzhi.orders.models import Order, OrderEvent
from gongzhi.orgs import access
from gongzhi.orgs.models import Post

TEXTS = {
    "take": "您的服务订单 {number} 已有服务人员接单，会尽快与您联系。",
    "assign": "您的服务订单 {number} 已安排服务人员，会尽快与您联系。",
    "serve": "您的服务订单 {number} 已服务完成，请确认并评价：",
    "auto_close": "您的服务订单 {number} 服务完成后{days}天内未确认，已自动结束（未评价）。查看：",
}


def order_link(order: Order) -> str:
    try:
        return reverse("web:order_detail", args=[order.pk])
    except NoReverseMatch:
        return f"/orders/{order.pk}/"


def about(order: Order) -> str:
    return f"服务订单 {order.number}（{order.module.name}，{order.node.name}）"


def _specs(kind: str, users: list[Any], subject: str, order: Order, event: OrderEvent) -> list[OutboxSpec]:
    payload = {
        "order_id": order.pk,
        "order_number": order.number,
        "link": order_link(order),
        "event_seq": event.seq,
    }
    return [
        OutboxSpec(kind=kind, subject=subject, recipient=u, node_path=order.node_path, payload=payload)
        for u in users
    ]


def office_users(order: Order, level: int) -> list[Any]:
    """The committee of the order's area (level COMMITTEE) or the street (STREET): holders and
    deputies of the posts that see orders there (access.VIEW_ORDERS) at the matching rung."""
    roles = [role for role, powers in access.ROLE_POWERS.items() if access.VIEW_ORDERS in powers]
    posts = Post.objects.filter(
        access.active_posts_q(), role__in=roles, node__path__in=access.prefixes(order.node_path)
    )
    posts = (
        posts.filter(node__level__gte=3) if level == Escalation.COMMITTEE else posts.filter(node__level__lt=3)
    )
    people: set[int] = set()
    for person_id, deputy_id in posts.values_list("person_id", "deputy_id"):
        people.add(person_id)
        if deputy_id:
            people.add(deputy_id)
    return teams.users_of(people)


def _resident(order: Order, event: OrderEvent) -> list[OutboxSpec]:
    specs: list[OutboxSpec] = []
    text = TEXTS.get(event.action)
    if text is None:
        return specs
    body = text.format(number=order.number, days=getattr(settings, "ORDER_AUTO_CONFIRM_DAYS", 7))
    if order.resident_user_id is not None:
        specs += _specs(f"order.{event.action}", [order.resident_user], body, order, event)
    if order.contact_phone_enc and case_notifications.sms_enabled():
        specs.append(
            OutboxSpec(
                kind=f"sms.order_{event.action}",
                subject=body,
                body=body,
                node_path=order.node_path,
                payload={"order_id": order.pk, "order_number": order.number},
            )
        )
    return specs


def _auto_closed(order: Order, event: OrderEvent) -> list[OutboxSpec]:
    """The sweep closed a served order nobody confirmed: the module's leads (the hours to confirm
    when a volunteer's wait) and the server, who learns it ended unrated and, when they are a
    volunteer, that their hours wait for a lead (ADR 0031: the close banks nothing)."""
    waiting = bank.waiting(order)
    lead_ids = teams.lead_person_ids(order.module)
    servers = teams.users_of({order.server_id}) if order.server_id is not None else []
    subject = f"居民未确认，订单已自动结束：{about(order)}"
    if waiting:
        subject += "；志愿者服务时长待您确认"
    # a server who also leads the module hears once, as the server
    leads = [u for u in teams.users_of(lead_ids) if u not in servers]
    specs = _specs("order.auto_closed", leads, subject, order, event)
    if servers:
        days = getattr(settings, "ORDER_AUTO_CONFIRM_DAYS", 7)
        subject = f"居民{days}天内未确认，您服务的订单已自动结束（未评价）：{about(order)}"
        if waiting:
            subject += "；您的服务时长待" + ("您" if order.server_id in lead_ids else "负责人") + "确认"
        specs += _specs("order.server_auto_closed", servers, subject, order, event)
    return specs


def for_event(order: Order, event: OrderEvent) -> list[OutboxSpec]:
    action = event.action
    if action in {"create", "release"}:
        users = teams.users_of(teams.person_ids(order.module))
        return _specs("order.new", users, f"新服务订单：{about(order)}", order, event)
    if action == "escalate":
        level = int(event.data.get("level", 0))
        if level == Escalation.LEAD:
            users = teams.users_of(teams.lead_person_ids(order.module))
            subject = f"超时未接单，请派单：{about(order)}"
        else:
            users = office_users(order, level)
            subject = f"超时未接单，已上报{Escalation(level).label}：{about(order)}"
        return _specs("order.overdue", users, subject, order, event)
    if action == "remind_hours":
        users = teams.users_of(teams.lead_person_ids(order.module))
        return _specs("order.hours_waiting", users, f"志愿者服务时长待您确认：{about(order)}", order, event)
    specs = _resident(order, event)
    if action == "auto_close":
        specs += _auto_closed(order, event)
    if action == "assign" and order.server is not None and order.server.user_id is not None:
        specs += _specs("order.assigned", [order.server.user], f"派单给您：{about(order)}", order, event)
    if action == "confirm" and order.server is not None and order.server.user_id is not None:
        subject = f"居民已确认并评价：{about(order)}（{order.get_satisfaction_display()}）"
        specs += _specs("order.rated", [order.server.user], subject, order, event)
    return specs
