"""One pass of the 直报 chain, for cron where Celery beat does not run."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.mobilisation import direct_chain


class Command(BaseCommand):
    help = "直报巡检：无人确认的直报逐级报告领导，续报逾期的催报"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(direct_chain.advance()))
