"""One rule pass of care, for cron where Celery beat does not run."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.care.rules import sweep


class Command(BaseCommand):
    help = "关爱规则巡检：按规则检查所有关爱对象的最近信号，触发预警"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep()))
