"""The team's order pages (phone first): /orders/ is the pool (抢单池) of the user's modules, the
orders they serve, those waiting for them to assign (a lead; the committee or the street once
escalated) and those they posted; /orders/<pk>/ one order with its events and the buttons the
table allows the user (services.allowed_for). Every read is orders.selectors (outside
access.orders_q: 404), every write orders.services; a take that lost the race is the 409 page
"已被接单"."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.orders import selectors, services, teams
from gongzhi.orders.choices import Satisfaction
from gongzhi.orders.models import Order
from gongzhi.orgs.models import Category, Person
from gongzhi.web.http import messages_of, not_found, page, valid_id

MAX_LISTED = 100


def _order(request: HttpRequest, pk: int) -> Order:
    order = selectors.order_get(user=request.user, pk=pk) if valid_id(pk) else None
    if order is None:
        raise not_found()
    return order


@page
def order_pool(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.GET.get("todo") == "hours":  # the lead's to-do tile: only that list
        waiting = list(selectors.hours_waiting(user)[:MAX_LISTED])
        return render(request, "web/orders/pool.html", {"hours_only": True, "hours_waiting": waiting})
    context = {
        "hours_waiting": list(selectors.hours_waiting(user)[:MAX_LISTED]),
        "pool": list(selectors.pool(user)[:MAX_LISTED]),
        "serving": list(selectors.serving(user)[:MAX_LISTED]),
        "to_assign": list(selectors.to_assign(user)[:MAX_LISTED]),
        "mine": list(selectors.mine(user)[:MAX_LISTED]),
        "now": clock.now(),
    }
    return render(request, "web/orders/pool.html", context)


def _detail(
    request: HttpRequest, order: Order, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    allowed = services.allowed_for(request.user, order)
    context: dict[str, Any] = {
        "order": order,
        "events": list(selectors.events(order)),
        "allowed": allowed,
        "members": teams.members(order.module) if "assign" in allowed else [],
        "categories": Category.objects.filter(active=True, parent__isnull=False).order_by("code")
        if "convert" in allowed
        else [],
        "choices": Satisfaction.choices,
        "bank_hours": services.hours_confirmable(request.user, order),
        "errors": errors or [],
        "now": clock.now(),
    }
    return render(request, "web/orders/detail.html", context, status=status)


@page
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _order(request, pk))


@require_POST
@page
def order_take(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        services.order_take(actor=request.user, order=order)
    except ConflictError as exc:
        order.refresh_from_db()
        return _detail(request, order, errors=[str(exc)], status=409)
    return redirect("web:order_detail", order.pk)


@page
def order_serve(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    context: dict[str, Any] = {
        "order": order,
        "errors": {},
        "typed": {},
        "max_photos": services.MAX_PHOTOS,
        "default_hours": order.module.default_hours,
        "hours_required": services.hours_required(order),
    }
    if request.method == "POST":
        note, hours = request.POST.get("note", "")[:1000], request.POST.get("hours", "")[:10]
        act = services.OrderAct(action="serve", note=note, hours=hours, files=request.FILES.getlist("files"))
        try:
            services.order_act(actor=request.user, order=order, act=act)
        except ConflictError as exc:
            context.update(errors={"": [str(exc)]}, typed={"note": note, "hours": hours})
            return render(request, "web/orders/serve.html", context, status=409)
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed={"note": note, "hours": hours})
            return render(request, "web/orders/serve.html", context, status=422)
        return redirect("web:order_detail", order.pk)
    return render(request, "web/orders/serve.html", context)


PAGE_ACTIONS = ("assign", "release", "cancel", "convert", "confirm", "comment", "confirm_hours")


@require_POST
@page
def order_act(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    action = request.POST.get("action", "")
    if action not in PAGE_ACTIONS:
        return _detail(request, order, errors=[_("动作无效")], status=400)
    server_id = request.POST.get("server", "")
    code = request.POST.get("category", "")
    act = services.OrderAct(
        action=action,
        note=request.POST.get("note", "")[:1000],
        server=Person.objects.filter(pk=int(server_id)).first()
        if server_id.isdigit() and len(server_id) < 18
        else None,
        satisfaction=request.POST.get("satisfaction", "")[:12],
        category=Category.objects.filter(code=code[:20], active=True, parent__isnull=False).first()
        if code
        else None,
    )
    try:
        services.order_act(actor=request.user, order=order, act=act)
    except ConflictError as exc:
        order.refresh_from_db()
        return _detail(request, order, errors=[str(exc)], status=409)
    except ValidationError as exc:
        return _detail(request, order, errors=messages_of(exc), status=422)
    return redirect("web:order_detail", order.pk)
