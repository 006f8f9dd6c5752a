"""One pass of the order sweep, for cron where Celery beat does not run."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.orders.sweep import sweep


class Command(BaseCommand):
    help = "服务订单巡检：超过响应时限无人接单的订单，依次提醒模块负责人派单、上报居委会、上报街道"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep()))
