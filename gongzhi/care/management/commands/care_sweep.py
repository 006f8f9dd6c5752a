"""One rule pass of care and one step of the alert chain, for cron where Celery beat does not run."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.care import chain
from gongzhi.care.rules import sweep


class Command(BaseCommand):
    help = "关爱规则巡检：按规则检查所有关爱对象的最近信号，触发预警，并推进预警处置链"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep()))
        self.stdout.write(str(chain.advance()))
