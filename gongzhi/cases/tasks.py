"""Celery tasks of cases. The sweep is idempotent, so overlapping or redelivered runs are safe."""

from typing import Any

from gongzhi.cases import timers
from gongzhi.core import background


@background.task("gongzhi.cases.tasks.sla_sweep")
def sla_sweep() -> dict[str, Any]:
    """Reminders, supervision and parked-case reviews (beat: every 5 minutes)."""
    result = timers.sweep()
    return {"reminders": result.reminders, "overdue": result.overdue, "supervised": result.supervised}
