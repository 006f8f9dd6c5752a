"""Celery tasks of cases. The sweep is idempotent, so overlapping or redelivered runs are safe."""

from typing import Any

from celery import shared_task

from gongzhi.cases import timers


@shared_task(name="gongzhi.cases.tasks.sla_sweep", ignore_result=True)
def sla_sweep() -> dict[str, Any]:
    """Reminders, supervision and parked-case reviews (beat: every 5 minutes)."""
    result = timers.sweep()
    return {"reminders": result.reminders, "overdue": result.overdue, "supervised": result.supervised}
