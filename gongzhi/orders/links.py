"""The resident's link to an order (no login): signed, expiring, naming the order only.

The thank-you page shows it once and the texts carry it (signed at send time); whoever holds it
follows the order and, once it is served, confirms and rates it — once. Like the case's
callback link (cases.callback) it holds the order's id under Django's TimestampSigner, nothing
else; a forged or expired link names no order.

The link page shows the photos of what was done through links of their own, as the case
tracking page does (cases.tracking.photo_token): each signs one photo's id under another salt,
valid a day, so no photo id can be guessed and a copied link soon stops working.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from gongzhi.orders.models import Order, OrderPhoto

SALT = "gongzhi.orders.link"
PHOTO_SALT = "gongzhi.orders.link.photo"
PHOTO_MAX_AGE = 24 * 3600  # a page's photo links work for a day


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


def photo_token(photo: OrderPhoto) -> str:
    return signing.TimestampSigner(salt=PHOTO_SALT).sign(str(photo.pk))


def photo_for(token_: str) -> OrderPhoto | None:
    try:
        pk = int(signing.TimestampSigner(salt=PHOTO_SALT).unsign(token_, max_age=PHOTO_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return None
    return OrderPhoto.objects.filter(pk=pk).first()


def photo_path(photo: OrderPhoto) -> str:
    return reverse("web:order_photo", args=[photo_token(photo)])
