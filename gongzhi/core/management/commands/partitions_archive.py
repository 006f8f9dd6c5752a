"""Detach, dump and drop the event tables' months past their retention (docs/scaling.md)."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core import partitions


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise CommandError(f"--before 应为 YYYY-MM：{value}") from exc


class Command(BaseCommand):
    help = "将超过保存期限的月分区归档为压缩 CSV 并删除（仅 PostgreSQL）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, help="YYYY-MM：只归档此月之前的分区")
        parser.add_argument("--dir", default="", help="归档目录（默认 ARCHIVE_DIR）")

    def handle(self, *args: Any, **options: Any) -> None:
        before = _month(options["before"])
        if not partitions.enabled():
            self.stdout.write("SQLite: 事件表不分区，无需操作")
            return
        written, skipped = partitions.archive(
            before, directory=Path(options["dir"]) if options["dir"] else None
        )
        for path in written:
            self.stdout.write(f"已归档 {path}")
        for reason in skipped:
            self.stdout.write(f"未归档 {reason}")
        self.stdout.write(f"共归档 {len(written)} 个分区")
