"""Celery tasks of meetings. The follow-up is idempotent (reminders at most once a day)."""

from typing import Any

from celery import shared_task

from gongzhi.meetings import slips, studies


@shared_task(name="gongzhi.meetings.tasks.follow_up", ignore_result=True)
def follow_up() -> dict[str, Any]:
    """Slips done when their cases are; reminders to sign and on overdue slips (beat: 15 min)."""
    result = slips.slips_follow_up()
    return {"done": result.done, "reminded": result.reminded, "meetings_reminded": studies.meetings_remind()}
