"""The back office of the ledger: each street's points rules and grade bands, edited by whoever
holds MANAGE_COMMUNITY over the street, every write through community.rulebook. Entries,
claims and appeals are not edited here: the ledger is append-only and has its own pages."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.community import rulebook
from gongzhi.community.models import GradeBand, PointRule
from gongzhi.core.actors import Actor
from gongzhi.orgs import access


def keeps_rules(user: Actor) -> bool:
    return bool(
        isinstance(user, User)
        and user.is_active
        and user.is_staff
        and access.has_power(user, access.MANAGE_COMMUNITY)
    )


class StreetScoped(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(access.nodes_q(request.user, access.MANAGE_COMMUNITY, "street"))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return keeps_rules(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return keeps_rules(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return keeps_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return keeps_rules(request.user)
        return access.can(request.user, access.MANAGE_COMMUNITY, obj.street)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # entries name their rule: a rule is switched off, never deleted


class PointRuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = [
            "street", "code", "item", "direction", "points", "yearly_cap", "evidence_required",
            "awarders", "member_types", "fact", "fact_details", "broken_rule", "active",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            errors = rulebook.rule_errors(PointRule(pk=self.instance.pk, **data))
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(PointRule)
class PointRuleAdmin(StreetScoped):
    form = PointRuleForm
    list_display = [
        "code",
        "item",
        "direction",
        "points",
        "yearly_cap",
        "evidence_required",
        "fact",
        "active",
    ]
    list_filter = ["direction", "active"]
    search_fields = ["code", "item"]
    raw_id_fields = ["street"]

    def save_model(self, request: HttpRequest, obj: PointRule, form: Any, change: bool) -> None:
        try:
            rulebook.rule_save(actor=request.user, rule=obj)
        except ValidationError as exc:  # already shown by the form's clean; keep the admin up
            raise forms.ValidationError(exc.messages) from exc


@admin.register(GradeBand)
class GradeBandAdmin(StreetScoped):
    list_display = ["street", "grade", "min_points"]
    raw_id_fields = ["street"]

    def save_model(self, request: HttpRequest, obj: GradeBand, form: Any, change: bool) -> None:
        rulebook.band_save(actor=request.user, band=obj)
