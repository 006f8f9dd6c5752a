"""Delete raw care events past CARE_EVENT_RETENTION_DAYS, for cron where Celery beat does not run."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.care.tasks import prune_events


class Command(BaseCommand):
    help = "删除超过保存期限的关爱设备原始事件"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deleted {prune_events()} care events")
