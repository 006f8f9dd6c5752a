"""Create the event tables' monthly partitions ahead (PostgreSQL; docs/scaling.md)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from gongzhi.core import partitions


class Command(BaseCommand):
    help = "为分区事件表预先建立后续月份的分区（仅 PostgreSQL）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=settings.PARTITIONS_AHEAD_MONTHS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.enabled():
            self.stdout.write("SQLite: 事件表不分区，无需操作")
            return
        created = partitions.ensure(max(0, options["months"]))
        for name in created:
            self.stdout.write(f"已建分区 {name}")
        self.stdout.write(f"共新建 {len(created)} 个分区")
