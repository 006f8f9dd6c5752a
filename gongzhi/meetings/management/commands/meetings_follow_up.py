"""One pass of the task-slip follow-up: cron runs it every 15 minutes in embedded mode."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.meetings.slips import slips_follow_up
from gongzhi.meetings.studies import meetings_remind


class Command(BaseCommand):
    help = "跟踪任务流转单：关联工单全部办结即办结；催促未会签单位；逾期提醒"

    def handle(self, *args: Any, **options: Any) -> None:
        result = slips_follow_up()
        meetings = meetings_remind()
        self.stdout.write(f"办结 {result.done} 张，提醒 {result.reminded} 次；会前提醒 {meetings} 场")
