"""The back office of the community's lists: read-only views scoped like the pages (every write
goes through the services, from the pages, the API or the Excel import). Signatures and pledge
versions are immutable; the residents' evaluations show counts, never who voted."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.community.models import (
    ContactPair,
    ContactVisit,
    Match,
    Milestone,
    Need,
    Pledge,
    PledgeSignature,
    PledgeVersion,
    Project,
    ProjectEvaluation,
    ProjectEvent,
    Resource,
)
from gongzhi.orgs import access


class ReadOnlyScoped(admin.ModelAdmin):
    """Seen by staff holding VIEW_COMMUNITY, cut to their subtree through `scope_field`."""

    scope_field = "node_path"

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and access.has_power(user, access.VIEW_COMMUNITY))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(access.community_q(request.user, field=self.scope_field))


@admin.register(Need)
class NeedAdmin(ReadOnlyScoped):
    list_display = ["title", "field", "source", "node", "urgency", "state", "created_at"]
    list_filter = ["state", "field", "source", "urgency"]
    search_fields = ["title"]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyScoped):
    list_display = ["title", "kind", "field", "unit", "node", "available_from", "available_until", "active"]
    list_filter = ["kind", "field", "active"]
    search_fields = ["title"]
    exclude = ["member"]  # a person: the pages show it to staff who may see them


@admin.register(Match)
class MatchAdmin(ReadOnlyScoped):
    scope_field = "need__node_path"
    list_display = ["need", "resource", "state", "rank", "at"]
    list_filter = ["state"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("seq", "title", "due", "done_at", "evidence")
    readonly_fields = ("seq", "title", "due", "done_at", "evidence")
    can_delete = False


@admin.register(Project)
class ProjectAdmin(ReadOnlyScoped):
    list_display = ["title", "field", "node", "budget", "state", "claimed_by", "starts_on", "ends_on"]
    list_filter = ["state", "field"]
    search_fields = ["title"]
    inlines = [MilestoneInline]


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyScoped):
    scope_field = "project__node_path"
    list_display = ["project", "action", "from_state", "to_state", "actor", "at"]
    list_filter = ["action"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyScoped):
    scope_field = "project__node_path"
    list_display = ["project", "unit", "version", "state", "in_force_at"]
    list_filter = ["state"]


@admin.register(PledgeVersion)
class PledgeVersionAdmin(ReadOnlyScoped):
    scope_field = "pledge__project__node_path"
    list_display = ["pledge", "number", "content_hash", "written_at", "note"]


@admin.register(PledgeSignature)
class PledgeSignatureAdmin(ReadOnlyScoped):
    scope_field = "pledge__project__node_path"
    list_display = ["pledge", "version", "side", "signer_name", "content_hash", "at"]


@admin.register(ProjectEvaluation)
class ProjectEvaluationAdmin(ReadOnlyScoped):
    scope_field = "project__node_path"
    list_display = ["project", "rating", "at"]
    list_filter = ["rating"]
    exclude = ["voter"]


@admin.register(ContactPair)
class ContactPairAdmin(ReadOnlyScoped):
    list_display = ["unit", "node", "since", "until", "note"]


@admin.register(ContactVisit)
class ContactVisitAdmin(ReadOnlyScoped):
    scope_field = "pair__node_path"
    list_display = ["pair", "on", "people", "summary"]
