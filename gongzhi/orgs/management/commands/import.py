"""gongzhi import KIND FILE [--dry-run]: validate the whole file, then write all of it or nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from gongzhi.orgs.imports.run import run_import, size_error
from gongzhi.orgs.management.commands._kinds import add_kind_argument, console_for, print_report


class Command(BaseCommand):
    help = "从 Excel 模板导入辖区、单位、人员或三定岗位"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind_argument(parser)
        parser.add_argument("file", type=Path, help="要导入的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args: Any, kind: str, file: Path, dry_run: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        too_big = size_error(file.stat().st_size)  # refuse before reading it into memory
        if too_big:
            raise CommandError(too_big)
        console = console_for(self)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("写入中", total=None)
            report = run_import(
                kind=kind,
                data=file.read_bytes(),
                actor=None,
                scope_user=None,
                dry_run=dry_run,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        print_report(console, report)
        if not report.ok:
            raise CommandError(f"{report.error_count} 个问题，未导入")
