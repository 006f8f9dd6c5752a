"""The order sweep (beat `orders-sweep` every minute, or `gongzhi orders_sweep`): an order nobody
took within its module's response time goes to the module's lead to assign; after a second
response time to the area's committee, after a third to the street. One event per step, each
telling the office it reached; taken orders are left alone. Idempotent: a step is a
conditional UPDATE on the level (services.order_escalate), so overlapping runs step once.

An order served but not confirmed within ORDER_AUTO_CONFIRM_DAYS (7 by default) is closed by
the same sweep (services.order_auto_close: an `auto_close` event by the system, rated nothing);
a resident confirming at the same moment wins or loses on the same conditional UPDATE."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gongzhi.core import clock
from gongzhi.orders.choices import Escalation, OrderState
from gongzhi.orders.models import Order
from gongzhi.orders.services import auto_confirm_days, order_auto_close, order_escalate

BATCH = 500


@dataclass
class SweepResult:
    checked: int = 0
    escalated: int = 0  # steps taken (an order may step more than once after a long pause)
    closed: int = 0  # served orders closed unconfirmed


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
    return result
