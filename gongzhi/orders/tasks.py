"""Celery task of the order mode: idempotent (a step is a conditional UPDATE on the level)."""

from gongzhi.core import background
from gongzhi.orders import sweep as order_sweep


@background.task("gongzhi.orders.tasks.sweep")
def sweep() -> dict[str, int]:
    """Orders nobody took in time: to the lead, the committee, the street (beat: every minute)."""
    result = order_sweep.sweep()
    return {"checked": result.checked, "escalated": result.escalated}
