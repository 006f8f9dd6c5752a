"""Bring one archived month of an event table back (docs/scaling.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core import partitions


class Command(BaseCommand):
    help = "从归档文件恢复一个月分区并挂回原表（仅 PostgreSQL）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="partitions_archive 写出的 <表>_pYYYY_MM.csv.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.enabled():
            raise CommandError("SQLite: 事件表不分区，无法恢复分区")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            name = partitions.restore(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复分区 {name}")
