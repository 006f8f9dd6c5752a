"""Which served orders' hours wait for a confirmation into the time bank (ADR 0031): the server
is a registered volunteer and nothing is banked under the order's key yet. Read by the services
(the lead's button, the serve form), the notifications (the lead's reminder) and the lead's
to-do list (selectors.hours_waiting), so all three agree."""

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from gongzhi.community.choices import HoursSource
from gongzhi.community.models import HoursEntry, Volunteer
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order

WAITING_STATES = (OrderState.SERVED, OrderState.CLOSED)  # confirm_hours' states


def hours_key(order: Order) -> str:
    """The order's one entry in the time bank (community.volunteers.hours_record is idempotent
    on it)."""
    return f"order:{order.pk}"


def banked(order: Order) -> bool:
    return HoursEntry.objects.filter(source_key=hours_key(order)).exists()


def waiting_q(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Of `orders`, those served or closed whose server is an active volunteer and whose hours
    nobody has confirmed into the bank yet."""
    key = Concat(Value("order:"), Cast(OuterRef("pk"), CharField()))
    entry = HoursEntry.objects.filter(source=HoursSource.ORDER, source_key=key)
    volunteers = Volunteer.objects.filter(ended_at__isnull=True).values("person_id")
    return orders.filter(state__in=WAITING_STATES, hours__isnull=False, server_id__in=volunteers).exclude(
        Exists(entry)
    )


def waiting(order: Order) -> bool:
    return waiting_q(Order.objects.filter(pk=order.pk)).exists()
