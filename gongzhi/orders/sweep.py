"""The order sweep (beat `orders-sweep` every minute, or `gongzhi orders_sweep`): an order nobody
took within its module's response time goes to the module's lead to assign; after a second
response time to the area's committee, after a third to the street. One event per step, each
telling the office it reached; taken orders are left alone. Idempotent: a step is a
conditional UPDATE on the level (services.order_escalate), so overlapping runs step once.

An order served but not confirmed within ORDER_AUTO_CONFIRM_DAYS (7 by default) is closed by
the same sweep (services.order_auto_close: an `auto_close` event by the system, rated nothing);
a resident confirming at the same moment wins or loses on the same conditional UPDATE.

A volunteer's hours still unconfirmed ORDER_HOURS_REMIND_DAYS (3) after serving remind the
module's leads once (services.order_remind_hours); their to-do tile lists the same orders."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from gongzhi.core import clock
from gongzhi.orders import bank
from gongzhi.orders.choices import Escalation, OrderState
from gongzhi.orders.models import Order
from gongzhi.orders.services import (
    auto_confirm_days,
    hours_remind_days,
    order_auto_close,
    order_escalate,
    order_remind_hours,
)

BATCH = 500
REMIND_WITHIN_DAYS = 30


@dataclass
class SweepResult:
    checked: int = 0
    escalated: int = 0  # steps taken (an order may step more than once after a long pause)
    closed: int = 0  # served orders closed unconfirmed
    reminded: int = 0  # leads reminded of a volunteer's hours waiting


def level_due(order: Order, now: datetime) -> int:
    """How far the order should have gone by now: one level per response time waited."""
    minutes = max(order.module.response_minutes, 1)
    waited = (now - order.created_at).total_seconds() / 60
    return min(int(waited // minutes), int(Escalation.STREET))


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or clock.now()
    result = SweepResult()
    due = (
        Order.objects.filter(state=OrderState.OPEN, take_due__lte=now, escalation__lt=Escalation.STREET)
        .select_related("module", "node")
        .order_by("take_due")[:BATCH]
    )
    for order in due:
        result.checked += 1
        for level in range(order.escalation + 1, level_due(order, now) + 1):
            if order_escalate(order=order, level=level, now=now) is not None:
                result.escalated += 1
    stale = Order.objects.filter(
        state=OrderState.SERVED, served_at__lte=now - timedelta(days=auto_confirm_days())
    ).order_by("served_at")[:BATCH]
    for order in stale:
        result.checked += 1
        if order_auto_close(order=order) is not None:
            result.closed += 1
    for order in hours_to_remind(now)[:BATCH]:
        result.checked += 1
        if order_remind_hours(order=order, now=now) is not None:
            result.reminded += 1
    return result


def hours_to_remind(now: datetime) -> QuerySet[Order]:
    """Orders whose volunteer server's hours have waited ORDER_HOURS_REMIND_DAYS since serving
    for a confirmation, and whose leads were not reminded yet. Only those served within the last
    REMIND_WITHIN_DAYS: a street switching this on is not sent its whole history."""
    served = Order.objects.filter(
        served_at__lte=now - timedelta(days=hours_remind_days()),
        served_at__gt=now - timedelta(days=REMIND_WITHIN_DAYS),
    )
    return (
        bank.waiting_q(served)
        .exclude(events__action="remind_hours")
        .select_related("module", "node", "server")
        .order_by("served_at", "pk")
    )
