"""Reads of the inbox: a user sees only their own items."""

from typing import Any

from django.db.models import QuerySet

from gongzhi.notify.models import InboxItem


def inbox(*, user: Any, unread_only: bool = False) -> QuerySet[InboxItem]:
    qs = InboxItem.objects.filter(user_id=user.pk)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def inbox_unread_count(*, user: Any) -> int:
    return inbox(user=user, unread_only=True).count()
