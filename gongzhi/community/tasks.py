"""Celery task of community: the late-milestone reminders, idempotent (once a day per milestone)."""

from celery import shared_task

from gongzhi.community import projects


@shared_task(name="gongzhi.community.tasks.follow_up", ignore_result=True)
def follow_up() -> dict[str, int]:
    """Late milestones remind their unit and committee (beat: hourly; each at most once a day)."""
    return {"reminded": projects.follow_up()}
