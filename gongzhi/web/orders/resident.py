"""The resident's order pages (no login needed, like the report page): /orders/new/ picks a
service, says what is needed, where (the report page's estate and building pickers, or the
map) and when, and leaves a phone; the done page shows the order's number and its link once;
the link (/orders/t/<token>/) follows the order and, once served, confirms and rates it, once.

Past a device's, a phone's or an address's budget the page asks a question first: the report
page's guard (web.cases.report_guard), whose budgets an order spends like a report. Every
write is orders.services; its field errors show next to the fields (422), nothing written.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import notifications as case_notifications
from gongzhi.core.errors import ConflictError
from gongzhi.core.scrub import public_text
from gongzhi.orders import links, modules, services
from gongzhi.orders.choices import OrderState, Satisfaction
from gongzhi.orders.models import Order, ServiceModule
from gongzhi.orgs import access
from gongzhi.orgs.models import Person
from gongzhi.web.cases import report, report_guard
from gongzhi.web.cases.files import file_response
from gongzhi.web.http import messages_of, not_found
from gongzhi.web.public.cases import area_names


class OrderForm(forms.Form):
    module = forms.CharField(label=gettext_lazy("服务项目"), max_length=40)
    text = forms.CharField(
        label=gettext_lazy("需要什么服务"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请说明需要什么服务")},
    )
    estate = forms.CharField(label=gettext_lazy("小区"), required=False, max_length=40)
    building = forms.CharField(label=gettext_lazy("楼栋"), required=False, max_length=40)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    wanted_at = forms.DateTimeField(
        label=gettext_lazy("希望服务时间（可不填：尽快）"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": gettext_lazy("时间格式不对")},
    )
    contact_name = forms.CharField(label=gettext_lazy("联系人（可不填）"), required=False, max_length=50)
    contact_phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请留下手机号，服务人员接单后会联系您")},
    )


SERVICE_FIELDS = {"node": "estate", "module": "module", "text": "text", "wanted_at": "wanted_at"}


def _module(code: str) -> ServiceModule | None:
    return next((m for m in services.open_modules() if m.code == code), None) if code else None


def _resident(request: HttpRequest) -> Person | None:
    person_id = access.scope(request.user).person_id
    return Person.objects.filter(pk=person_id).first() if person_id else None


def order_new(request: HttpRequest) -> HttpResponse:
    form = OrderForm(request.POST or None, initial={"module": request.GET.get("module", "")[:40]})
    challenge, status = None, 200
    if request.method == "POST":
        phone = request.POST.get("contact_phone", "")
        if "challenge" in request.POST and not report_guard.answered(
            request.POST["challenge"], request.POST.get("answer", "")
        ):
            form.add_error(None, _("答案不对或已过期，请再算一次"))
            challenge, status = report_guard.new_challenge(), 429
        elif "challenge" not in request.POST and report_guard.needs_challenge(request, phone):
            challenge, status = report_guard.new_challenge(), 429
        else:
            order = _create(request, form)
            if order is not None:
                report_guard.count_report(request, phone)
                request.session["ordered_number"] = order.number
                request.session["ordered_link"] = links.path(order)  # shown once
                return report_guard.keep_device(request, redirect("web:order_done"))
            status = 422
    context: dict[str, Any] = {
        "form": form,
        "modules": [(m, modules.hours_label(m)) for m in services.open_modules()],
        "estates": report.estates(),
        "buildings": report._buildings(form),
        "challenge": challenge,
        "sms": case_notifications.sms_enabled(),
    }
    return report_guard.keep_device(request, render(request, "web/orders/new.html", context, status=status))


def _create(request: HttpRequest, form: OrderForm) -> Order | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    module = _module(data["module"])
    if module is None:
        form.add_error("module", _("请选择一项服务"))
        return None
    node = report._report_place(form)  # type: ignore[arg-type]  # the same fields as the report form
    if node is None:
        return None
    draft = services.OrderDraft(
        module=module,
        node=node,
        text=data["text"],
        wanted_at=data.get("wanted_at"),
        contact_name=data.get("contact_name") or "",
        contact_phone=data["contact_phone"],
        resident=_resident(request),
    )
    try:
        return services.order_create(actor=request.user, draft=draft)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            target = SERVICE_FIELDS.get(field, field)
            form.add_error(target if target in form.fields else None, messages)
        return None


def order_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get("ordered_number")
    if not number:
        return redirect("web:order_new")
    link = request.session.pop("ordered_link", "")
    response = render(request, "web/orders/done.html", {"number": number, "link": link})
    response["Cache-Control"] = "no-store"
    return response


def _summary(order: Order) -> dict[str, Any]:
    served = order.events.filter(action="serve").order_by("-seq").first()
    auto = order.events.filter(action="auto_close").exists()
    return {
        "number": order.number,
        "module": order.module.name,
        "area": area_names([order.node_path])[order.node_path],
        "text": public_text(order.text, limit=300),
        "state": order.get_state_display(),
        "created": order.created_at,
        "taken": order.taken_at,
        "served": order.served_at,
        "result": public_text(served.note, limit=500) if served else "",
        "satisfaction": order.get_satisfaction_display() if order.satisfaction else "",
        "photos": [links.photo_path(p) for p in served.photos.order_by("pk")] if served else [],
        "auto_closed": auto,
        "auto_days": services.auto_confirm_days(),
    }


def order_follow(request: HttpRequest, token: str) -> HttpResponse:
    """The order's own link: its progress, and the confirm-and-rate buttons once served."""
    order = links.order_for(token[:200])
    if order is None:
        return render(request, "web/orders/follow_invalid.html", status=404)
    context: dict[str, Any] = {"summary": _summary(order), "choices": Satisfaction.choices, "errors": []}
    status = 200
    if request.method == "POST":
        try:
            order = services.order_confirm_by_link(
                order=order,
                satisfaction=request.POST.get("satisfaction", ""),
                note=request.POST.get("note", "")[:500],
            )
        except ConflictError as exc:
            context["errors"], status = [str(exc)], 409
        except ValidationError as exc:
            context["errors"], status = messages_of(exc), 422
        else:
            context["summary"], context["thanks"] = _summary(order), True
    context["rate"] = order.state == OrderState.SERVED
    response = render(request, "web/orders/follow.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def order_photo(request: HttpRequest, token: str) -> HttpResponseBase:
    """A photo of what was done, through the signed link the order's page gave out (a day
    long); only its thumbnail, as the case tracking page's photos."""
    found = links.photo_for(token[:200])
    if found is None:
        raise not_found()
    return file_response(found, thumb=True)
