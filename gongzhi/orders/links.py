"""The resident's link to an order (no login): signed, expiring, naming the order only.

The thank-you page shows it once and the texts carry it (signed at send time); whoever holds it
follows the order and, once it is served, confirms and rates it — once. Like the case's
callback link (cases.callback) it holds the order's id under Django's TimestampSigner, nothing
else; a forged or expired link names no order.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from gongzhi.orders.models import Order

SALT = "gongzhi.orders.link"


def link_days() -> int:
    return int(getattr(settings, "ORDER_LINK_DAYS", 60))


def token(order: Order) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(order.pk))


def order_for(token_: str) -> Order | None:
    try:
        pk = int(signing.TimestampSigner(salt=SALT).unsign(token_, max_age=link_days() * 86400))
    except (signing.BadSignature, ValueError):
        return None
    return Order.objects.filter(pk=pk).select_related("module", "node").first()


def path(order: Order) -> str:
    return reverse("web:order_follow", args=[token(order)])
