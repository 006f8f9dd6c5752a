"""Back office for the working-day calendar and the failed background tasks: deployment-wide
data, so plain Django model permissions (core.add_workday, core.view_failedtask ...) rather
than the node scoping in orgs/admin.py."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, deadletter, workdays
from gongzhi.core.models import FailedTask, WorkDay

WEEKDAYS = "一二三四五六日"


@admin.register(WorkDay)
class WorkDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "note", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    search_fields = ["note"]
    readonly_fields = ["source"]
    fields = ["date", "is_workday", "note", "source"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: WorkDay) -> str:
        return f"星期{WEEKDAYS[obj.date.weekday()]}"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # The admins who keep the calendar see at once when a year's holidays are missing.
        warning = workdays.calendar_warning(timezone.localdate(clock.now()))
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: WorkDay, form: Any, change: bool) -> None:
        # Anything an admin touches becomes theirs, so calendar_sync never overwrites it.
        obj.source = WorkDay.Source.ADMIN
        super().save_model(request, obj, form, change)


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    """The dead letters (core.deadletter): read-only; the one action sends them again."""

    list_display = ["task", "status", "attempts", "first_at", "last_at", "short_error"]
    list_filter = ["status", "task"]
    search_fields = ["task"]
    readonly_fields = [f.name for f in FailedTask._meta.fields]
    actions = ["retry_selected"]

    @admin.display(description=_("最近错误"))
    def short_error(self, obj: FailedTask) -> str:
        return obj.error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("core.change_failedtask"))

    @admin.action(description=_("重新排队所选任务"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[FailedTask]) -> None:
        result = deadletter.retry(queryset)
        self.message_user(request, str(result), messages.SUCCESS if not result.skipped else messages.WARNING)
