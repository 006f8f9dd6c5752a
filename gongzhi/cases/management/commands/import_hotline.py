"""`gongzhi import_hotline FILE [--dry-run]`: import 12345 transfers from .xlsx or .csv."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.cases.hotline import import_hotline


class Command(BaseCommand):
    help = "导入12345热线转办工单（Excel 或 CSV），按工单编号去重"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, file: str, dry_run: bool = False, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        report = import_hotline(actor=None, data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        for error in report.errors:
            where = f"第{error.row}行" if error.row else "文件"
            self.stderr.write(f"{where} {error.column}：{error.reason}")
        if report.omitted:
            self.stderr.write(report.omitted_note)
        if not report.ok:
            raise CommandError(f"有 {report.error_count} 处错误，未导入任何工单")
        verb = "检查通过" if dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{verb}：新建 {report.created}，已导入过 {report.unchanged}"))
