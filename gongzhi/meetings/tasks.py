"""Celery tasks of meetings. The follow-up is idempotent (reminders at most once a day)."""

from typing import Any

from gongzhi.core import background
from gongzhi.meetings import slips, studies


@background.task("gongzhi.meetings.tasks.follow_up")
def follow_up() -> dict[str, Any]:
    """Slips done when their cases are; reminders to sign and on overdue slips (beat: 15 min)."""
    result = slips.slips_follow_up()
    return {"done": result.done, "reminded": result.reminded, "meetings_reminded": studies.meetings_remind()}
