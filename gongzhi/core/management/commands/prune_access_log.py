"""Delete personal-data access-log rows older than PII_ACCESS_LOG_RETENTION_DAYS (run daily from cron)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog


class Command(BaseCommand):
    help = "删除超过保存期限的个人信息查看记录"

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = clock.now() - timedelta(days=settings.PII_ACCESS_LOG_RETENTION_DAYS)
        deleted, _ = PiiAccessLog.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"已删除 {deleted} 条过期查看记录（早于 {cutoff:%Y-%m-%d}）")
