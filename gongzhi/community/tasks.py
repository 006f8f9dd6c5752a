"""Celery task of community: the late-milestone reminders, idempotent (once a day per milestone)."""

from gongzhi.community import projects
from gongzhi.core import background


@background.task("gongzhi.community.tasks.follow_up")
def follow_up() -> dict[str, int]:
    """Late milestones remind their unit and committee (beat: hourly; each at most once a day)."""
    return {"reminded": projects.follow_up()}
