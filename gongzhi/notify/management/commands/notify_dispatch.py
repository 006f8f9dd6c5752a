"""One pass of the outbox dispatcher: cron runs it every minute in embedded mode (no Celery)."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.notify.dispatch import dispatch_pending


class Command(BaseCommand):
    help = "发送到期的待发通知（站内消息、邮件、群机器人），失败的按退避时间重试"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(dispatch_pending()))
