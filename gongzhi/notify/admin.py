"""Back office for notifications: the outbox (failed and dead messages first, with a retry
action and every delivery attempt), the channels, and the inbox items (read-only)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import OutboxMessage
from gongzhi.notify import dispatch
from gongzhi.notify.models import Channel, Delivery, InboxItem

PROBLEM = "problem"


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(ReadOnly, admin.TabularInline):
    model = Delivery
    fields = readonly_fields = ("at", "channel_key", "channel", "attempt", "ok", "error")
    extra = 0
    can_delete = False


class StatusFilter(admin.SimpleListFilter):
    """Statuses, plus "failed or dead": what needs an admin's attention."""

    title = _("状态")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(PROBLEM, _("失败或放弃")), *OutboxMessage.Status.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
        value = self.value()
        if value == PROBLEM:
            return queryset.filter(status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD])
        if value in OutboxMessage.Status.values:
            return queryset.filter(status=value)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "subject",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "error",
    ]
    list_filter = [StatusFilter, "kind"]
    search_fields = ["subject", "kind"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [DeliveryInline]
    actions = ["retry_now"]

    @admin.display(description=_("最近错误"))
    def error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("立即重新发送所选通知"), permissions=["view"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = dispatch.retry(queryset)
        self.message_user(request, _("已安排重新发送 %(n)d 条通知") % {"n": count}, messages.SUCCESS)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "format", "scope", "message_kinds", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["scope"]
    fields = ["name", "kind", "format", "url", "keyword", "secret", "scope", "message_kinds", "active"]


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "user__username"]
    readonly_fields = ["user", "title", "body", "link", "message", "created_at", "read_at"]
