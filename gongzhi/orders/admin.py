"""The back office of the order mode: the street's service modules with their teams (edited by
whoever holds MANAGE_ROSTER over the street: the street admin), checked by orders.modules as a
whole; the orders themselves read-only, cut by access.orders_q and with the phone masked."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.core.actors import Actor
from gongzhi.orders import modules
from gongzhi.orders.models import Order, ServiceModule, TeamMember
from gongzhi.orgs import access


def keeps_modules(user: Actor, module: ServiceModule | None = None) -> bool:
    if not (isinstance(user, User) and user.is_active and user.is_staff):
        return False
    if module is None or module.street_id is None:
        return access.has_power(user, access.MANAGE_ROSTER)
    return access.can(user, access.MANAGE_ROSTER, module.street)


class ModuleForm(forms.ModelForm):
    class Meta:
        model = ServiceModule
        fields = [
            "street",
            "code",
            "name",
            "name_en",
            "kind",
            "description",
            "places",
            "weekdays",
            "opens_at",
            "closes_at",
            "response_minutes",
            "default_hours",
            "active",
            "position",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        module = ServiceModule(**{k: v for k, v in data.items() if k != "places"})
        if data.get("street") is None:
            return data
        module.street = data["street"]
        errors = modules.module_errors(module, list(data.get("places") or []))
        if errors:
            raise ValidationError(errors)
        return data


class MemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["post", "unit", "person", "is_lead"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        row = TeamMember(
            post=data.get("post"),
            unit=data.get("unit"),
            person=data.get("person"),
            is_lead=bool(data.get("is_lead")),
        )
        errors = modules.member_errors(row)
        if errors:
            raise ValidationError(errors)
        return data


class MemberInline(admin.TabularInline):
    """The team rows, kept by whoever keeps the module (not Django's model permissions, which
    the street admin does not hold: without these the inline was silently left out of the form
    and a team could not be edited)."""

    model = TeamMember
    form = MemberForm
    extra = 1
    raw_id_fields = ["post", "unit", "person"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)  # a row is who serves now, not history


@admin.register(ServiceModule)
class ServiceModuleAdmin(admin.ModelAdmin):
    form = ModuleForm
    inlines = [MemberInline]
    list_display = ["code", "name", "kind", "street", "response_minutes", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["street"]
    filter_horizontal = ["places"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceModule]:
        qs = super().get_queryset(request).select_related("street")
        return qs.filter(access.nodes_q(request.user, access.MANAGE_ROSTER, "street"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return keeps_modules(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return keeps_modules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_modules(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders keep their module: switch it off (启用) instead


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "module", "node", "state", "escalation", "contact_phone_masked", "created_at"]
    list_filter = ["state", "escalation"]
    readonly_fields = [
        f.name for f in Order._meta.fields if f.name not in {"contact_phone_enc", "contact_phone_hash"}
    ]
    exclude = ["contact_phone_enc", "contact_phone_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        ids = Order.objects.filter(access.orders_q(request.user)).values("pk")
        return super().get_queryset(request).filter(pk__in=ids).select_related("module", "node")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from residents, through orders.services

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
