"""Celery tasks of mobilisation, idempotent: a redelivered or overlapping run acts once."""

from typing import Any

from gongzhi.core import background
from gongzhi.mobilisation import direct_chain


@background.task("gongzhi.mobilisation.tasks.direct_sweep")
def direct_sweep() -> dict[str, Any]:
    """The 直报 chain (beat: every minute): escalate unacknowledged reports, remind late 续报."""
    result = direct_chain.advance()
    return {"escalated": result.escalated, "reminded": result.reminded}
