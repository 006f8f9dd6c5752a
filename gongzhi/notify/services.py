"""Writes of the inbox."""

from typing import Any

from gongzhi.core import clock
from gongzhi.notify.models import InboxItem


def inbox_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's items read (all when `ids` is None); other users' ids are ignored."""
    qs = InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())
