"""The back office of 直报: the street's duty roster (值班安排, 直报领导), every write through
mobilisation.direct_roster, kept by whoever holds MANAGE_ROSTER over the street; the reports
themselves read-only (they change only through the pages, the API and the sweep)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.geo.levels import Level
from gongzhi.mobilisation import direct_roster
from gongzhi.mobilisation.models import DirectEvent, DirectReport, DutyDay, DutyLeader
from gongzhi.orgs import access


def keeps_roster(user: Any) -> bool:
    """The street admin: MANAGE_ROSTER over a whole street."""
    if not (user.is_active and user.is_staff):
        return False
    scope = access.scope(user)
    return scope.superuser or any(
        access.MANAGE_ROSTER in g.powers and g.level == Level.STREET for g in scope.grants
    )


class KeeperForm(forms.ModelForm):
    """Refuses a street the user does not keep (the services would answer 403)."""

    user: Any = None

    def check_street(self, data: dict[str, Any]) -> None:
        street = data.get("street")
        if (
            street is not None
            and self.user is not None
            and not access.can(self.user, access.MANAGE_ROSTER, street)
        ):
            raise ValidationError({"street": [_("只能维护您管理的街道的值班安排")]})


class RosterAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return keeps_roster(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_roster(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return keeps_roster(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_roster(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a day is replaced, a leader deactivated: the chain's history stays readable

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super().get_queryset(request).filter(access.nodes_q(request.user, access.MANAGE_ROSTER, "street"))
        )


class DutyDayForm(KeeperForm):
    class Meta:
        model = DutyDay
        fields = ["street", "day", "officer", "leader"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_street(data)
        errors = direct_roster.duty_errors(data.get("street"), data.get("officer"), data.get("leader"))
        if errors:
            raise ValidationError(errors)
        return data

    def validate_unique(self) -> None:
        """A day already set is replaced by duty_set, not refused."""


class DutyLeaderForm(KeeperForm):
    class Meta:
        model = DutyLeader
        fields = ["street", "person", "title", "order", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_street(data)
        errors = direct_roster.leader_errors(
            data.get("street"), data.get("person"), data.get("title", ""), data.get("order")
        )
        if errors:
            raise ValidationError(errors)
        return data

    def validate_unique(self) -> None:
        """leader_errors names a taken order; a person already listed is updated."""


@admin.register(DutyDay)
class DutyDayAdmin(RosterAdmin):
    form = DutyDayForm
    list_display = ["day", "street", "officer", "leader"]
    list_filter = ["street"]
    date_hierarchy = "day"
    fields = ["street", "day", "officer", "leader"]
    raw_id_fields = ("street", "officer", "leader")

    def save_model(self, request: HttpRequest, obj: DutyDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            row = direct_roster.duty_set(
                actor=request.user,
                street=data["street"],
                day=data["day"],
                officer=data["officer"],
                leader=data.get("leader"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            raise
        obj.pk = row.pk


@admin.register(DutyLeader)
class DutyLeaderAdmin(RosterAdmin):
    form = DutyLeaderForm
    list_display = ["order", "title", "person", "street", "active"]
    list_filter = ["street", "active"]
    fields = ["street", "person", "title", "order", "active"]
    raw_id_fields = ("street", "person")

    def save_model(self, request: HttpRequest, obj: DutyLeader, form: Any, change: bool) -> None:
        data = form.cleaned_data
        row = direct_roster.leader_set(
            actor=request.user,
            street=data["street"],
            person=data["person"],
            title=data["title"],
            order=data["order"],
            active=data["active"],
        )
        obj.pk = row.pk


class EventInline(admin.TabularInline):
    model = DirectEvent
    extra = 0
    can_delete = False
    fields = ("seq", "action", "to_state", "actor", "at", "note")
    readonly_fields = ("seq", "action", "to_state", "actor", "at", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DirectReport)
class DirectReportAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "node",
        "state",
        "reported_at",
        "acknowledged_at",
        "followed_up_at",
        "misuse",
    ]
    list_filter = ["state", "kind", "misuse"]
    inlines = [EventInline]
    exclude = ["text"]  # the scene's text stays on the pages, which are scoped and logged in

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in DirectReport._meta.fields if f.name != "text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DirectReport]:
        return (
            super().get_queryset(request).filter(access.direct_reports_q(request.user)).select_related("node")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active
            and request.user.is_staff
            and access.has_power(request.user, access.VIEW_DIRECT)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
