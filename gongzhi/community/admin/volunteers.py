"""Volunteers in the back office: shown to whoever keeps the community of their area; written
through community.volunteers (the phone page, the API), the time bank never edited."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.community.models import Volunteer
from gongzhi.orgs import access


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "area", "registered_at", "ended_at")
    list_filter = ("kind",)
    search_fields = ("person__name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Volunteer]:
        return super().get_queryset(request).filter(access.community_q(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and access.has_power(request.user, access.MANAGE_COMMUNITY))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
