"""One pass of the SLA sweep: cron runs it every 5 minutes in embedded mode (no Celery)."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.cases.timers import sweep


class Command(BaseCommand):
    help = "检查工单时限：75%及到期催办、超期一个工作日督办、挂账到期复查提醒"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep()))
