"""Celery tasks of mobilisation, idempotent: a redelivered or overlapping run acts once."""

from typing import Any

from celery import shared_task

from gongzhi.mobilisation import direct_chain


@shared_task(name="gongzhi.mobilisation.tasks.direct_sweep", ignore_result=True)
def direct_sweep() -> dict[str, Any]:
    """The 直报 chain (beat: every minute): escalate unacknowledged reports, remind late 续报."""
    result = direct_chain.advance()
    return {"escalated": result.escalated, "reminded": result.reminded}
