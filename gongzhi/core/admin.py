"""Back office for the working-day calendar: street-wide data, so plain Django model permissions
(core.add_workday, core.change_workday ...) rather than the node scoping in orgs/admin.py."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, workdays
from gongzhi.core.models import WorkDay

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
