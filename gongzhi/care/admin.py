"""The back office of care: devices, rules and gateways, every write through care.services.

- 感知设备: registered through `device_register` (the form), unbound by an action; listed
  within the user's MANAGE_CARE subtrees. Binding needs a consent and happens on the subject.
- 关爱规则: each street's rows, edited by whoever holds MANAGE_CARE over the street
  (`rule_update`: water rules re-derive the meters' columns).
- 设备网关: created with the clear token shown once (only a keyed hash is stored), revoked by
  an action. Street admins only, as the Open311 keys.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.care import services
from gongzhi.care.models import Device, Gateway, Rule
from gongzhi.cases.admin import CREATED_PAGE, SecretKeyAdmin
from gongzhi.core import secret_keys
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs import access


def manages_care(user: Actor) -> bool:
    return bool(
        isinstance(user, User)
        and user.is_active
        and user.is_staff
        and access.has_power(user, access.MANAGE_CARE)
    )


class CareAdminMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return manages_care(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_care(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["serial", "kind", "household", "note"]


@admin.register(Device)
class DeviceAdmin(CareAdminMixin, admin.ModelAdmin):
    form = DeviceForm
    list_display = ["serial", "kind", "household", "subject", "bound_at"]
    list_filter = ["kind"]
    search_fields = ["serial"]
    raw_id_fields = ["household"]
    actions = ["unbind"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        qs = super().get_queryset(request).select_related("household", "subject__person")
        return qs.filter(access.nodes_q(request.user, access.MANAGE_CARE, "household"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return manages_care(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # registered, bound and unbound through the services; never edited

    def has_unbind_permission(self, request: HttpRequest) -> bool:
        return manages_care(request.user)

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        data = form.cleaned_data
        row = services.device_register(
            actor=request.user,
            serial=data["serial"],
            kind=data["kind"],
            household=data["household"],
            note=data["note"],
        )
        obj.pk, obj.registered_at = row.pk, row.registered_at

    @admin.action(description=_lazy("解绑所选设备"), permissions=["unbind"])
    def unbind(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset.filter(subject__isnull=False):
            try:
                services.device_unbind(actor=request.user, device=device)
            except (ValidationError, PermissionDeniedError) as exc:
                self.message_user(request, f"{device.serial}: {exc}", messages.ERROR)


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["enabled", "hours", "litres", "quiet_from", "quiet_until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user", None)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.rule_update(
                actor=self.user, street=self.instance.street, kind=self.instance.kind, **data
            )
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        except PermissionDeniedError as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(Rule)
class RuleAdmin(CareAdminMixin, admin.ModelAdmin):
    form = RuleForm
    list_display = ["street", "kind", "enabled", "hours", "litres", "quiet_from", "quiet_until", "updated_at"]
    list_filter = ["kind", "enabled"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rule]:
        return (
            super()
            .get_queryset(request)
            .select_related("street")
            .filter(access.nodes_q(request.user, access.MANAGE_CARE, "street"))
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a street's rows are created from the defaults at its first enrolment

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_care(request.user) and (
            obj is None or access.can(request.user, access.MANAGE_CARE, obj.street)
        )

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        pass  # written by rule_update in the form's clean()


class GatewayForm(forms.ModelForm):
    class Meta:
        model = Gateway
        fields = ["name"]


@admin.register(Gateway)
class GatewayAdmin(SecretKeyAdmin):
    form = GatewayForm
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Gateway, form: Any, change: bool) -> None:
        row, clear = services.gateway_create(actor=request.user, name=form.cleaned_data["name"])
        obj.pk, obj.prefix, obj.created_at = row.pk, row.prefix, row.created_at
        request._care_clear_key = clear  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: Gateway, post_url_continue: Any = None) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "row": obj,
            "key": getattr(request, "_care_clear_key", ""),
            "list_url": reverse("admin:care_gateway_changelist"),
            "opts": self.opts,
        }
        response = HttpResponse(CREATED_PAGE.render(context, request))
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_lazy("吊销所选网关令牌"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Gateway]) -> None:
        for row in queryset.filter(revoked_at__isnull=True):
            secret_keys.revoke(row)
