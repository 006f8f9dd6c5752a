"""Celery tasks of notify. Both are idempotent, so a redelivered task (acks_late) is harmless."""

from typing import Any

from gongzhi.core import background
from gongzhi.core.outbox import DISPATCH_TASK
from gongzhi.notify import dispatch


@background.task(DISPATCH_TASK)
def dispatch_outbox() -> dict[str, Any]:
    """Send what is due (beat: every minute; also kicked after each commit that enqueues)."""
    result = dispatch.dispatch_pending()
    return {"sent": result.sent, "failed": result.failed, "dead": result.dead}
