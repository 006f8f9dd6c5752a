"""Reads of orders, always cut by `access.orders_q` (an order outside it is a 404, as a missing
one), and of the modules residents may order from."""

from django.db.models import QuerySet

from gongzhi.core.actors import Actor
from gongzhi.orders import bank, teams
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order, OrderEvent
from gongzhi.orgs import access

MAX_ID = 2**63 - 1


def visible(user: Actor) -> QuerySet[Order]:
    ids = Order.objects.filter(access.orders_q(user)).values("pk")
    return Order.objects.filter(pk__in=ids).select_related("module", "node", "server")


def order_get(*, user: Actor, pk: int) -> Order | None:
    if not 0 < pk <= MAX_ID:
        return None
    return visible(user).filter(pk=pk).first()


def pool(user: Actor) -> QuerySet[Order]:
    """The open orders of the modules on whose team the user is, oldest first (抢单池)."""
    return (
        Order.objects.filter(module_id__in=teams.module_ids(user), state=OrderState.OPEN)
        .select_related("module", "node")
        .order_by("created_at", "pk")
    )


def serving(user: Actor) -> QuerySet[Order]:
    """The orders the user is serving or has served and the resident has yet to confirm."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Order.objects.none()
    return (
        Order.objects.filter(server_id=person_id, state__in=[OrderState.TAKEN, OrderState.SERVED])
        .select_related("module", "node")
        .order_by("taken_at", "pk")
    )


def to_assign(user: Actor) -> QuerySet[Order]:
    """Open orders past their response time that the user may assign: as a module's lead, or as
    the committee or the street they were escalated to."""
    leads = teams.module_ids(user, leads=True)
    overdue = visible(user).filter(state=OrderState.OPEN, escalation__gt=0)
    return overdue.filter(module_id__in=leads) | overdue.filter(
        pk__in=[o.pk for o in overdue if access.may_assign_order(user, o.node_path, o.escalation)]
    )


def hours_waiting(user: Actor) -> QuerySet[Order]:
    """The lead's to-do (待确认时长): orders of the modules they lead, within their orders, whose
    volunteer server's hours wait for a confirmation into the time bank (orders.bank), oldest
    served first. The home tile counts this list; /orders/?todo=hours shows it."""
    leads = teams.module_ids(user, leads=True)
    if not leads:
        return Order.objects.none()
    return (
        bank.waiting_q(visible(user).filter(module_id__in=leads))
        .select_related("module", "node", "server")
        .order_by("served_at", "pk")
    )


def mine(user: Actor) -> QuerySet[Order]:
    """The orders the user posted as a resident."""
    s = access.scope(user)
    if s.user_id is None:
        return Order.objects.none()
    q = Order.objects.filter(resident_user_id=s.user_id)
    if s.person_id is not None:
        q = q | Order.objects.filter(resident_id=s.person_id)
    return q.select_related("module", "node").order_by("-created_at")


def listed(user: Actor, *, state: str = "") -> QuerySet[Order]:
    qs = visible(user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def events(order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").prefetch_related("photos").order_by("seq")
