"""Back office for meetings, scoped like the orgs admin: the record (meetings, slips,
signatures, events) is read-only here, because every change has rules and goes through the
pages or the API; quorum rules and the three texts (三本, saved as new versions) are edited."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.core.errors import PermissionDeniedError
from gongzhi.meetings import selectors, texts
from gongzhi.meetings.models import (
    Disclosure,
    DisclosureEvent,
    Meeting,
    MeetingEvent,
    QuorumRule,
    Signature,
    Slip,
    StreetText,
)
from gongzhi.orgs import access


class ReadOnlyScoped(admin.ModelAdmin):
    path_field = "node_path"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(selectors.view_paths_q(request.user, self.path_field))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active
            and request.user.is_staff
            and access.has_power(request.user, access.VIEW_MEETINGS)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyScoped):
    list_display = ["title", "kind", "node", "starts_at", "state", "quorum_met"]
    list_filter = ["kind", "state", "quorum_met"]
    search_fields = ["title", "node__name"]


@admin.register(Slip)
class SlipAdmin(ReadOnlyScoped):
    list_display = ["number", "node", "due", "state", "version", "bound_at", "done_at"]
    list_filter = ["state"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyScoped):
    path_field = "slip__node_path"
    list_display = ["slip", "slip_version", "unit", "signer_name", "verdict", "at", "content_hash"]


@admin.register(MeetingEvent)
class MeetingEventAdmin(ReadOnlyScoped):
    path_field = "meeting__node_path"
    list_display = ["at", "action", "from_state", "to_state", "meeting", "slip", "topic", "actor"]
    list_filter = ["action"]


class StreetLevelAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active
            and request.user.is_staff
            and access.has_power(request.user, access.MANAGE_TREE)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super().get_queryset(request).filter(access.nodes_q(request.user, access.MANAGE_TREE, "street"))
        )


@admin.register(QuorumRule)
class QuorumRuleAdmin(StreetLevelAdmin):
    list_display = ["street", "kind", "party_org_required", "min_fixed_seats", "min_present"]
    list_editable = ["party_org_required", "min_fixed_seats", "min_present"]


@admin.register(StreetText)
class StreetTextAdmin(StreetLevelAdmin):
    """Saving writes a new version through texts.street_text_save; old versions stay."""

    list_display = ["street", "kind", "version", "reason", "created_at"]
    list_filter = ["kind"]
    fields = ["street", "kind", "body", "reason"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)  # edit = add a new version

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "street":  # only streets the user manages
            from gongzhi.geo.levels import Level
            from gongzhi.geo.models import Node

            kwargs["queryset"] = Node.objects.filter(
                access.nodes_q(request.user, access.MANAGE_TREE), level=Level.STREET
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = texts.street_text_save(
                actor=request.user, street=obj.street, kind=obj.kind, body=obj.body, reason=obj.reason
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyScoped):
    """双公示 are published and corrected on their page (services keep the event trail)."""

    list_display = [
        "title",
        "node",
        "payer",
        "plan_amount",
        "result_amount",
        "state",
        "plan_at",
        "amendments",
    ]
    list_filter = ["state", "payer"]
    search_fields = ["title", "node__name"]


@admin.register(DisclosureEvent)
class DisclosureEventAdmin(ReadOnlyScoped):
    path_field = "disclosure__node_path"
    list_display = ["at", "action", "disclosure", "actor", "reason"]
    list_filter = ["action"]
