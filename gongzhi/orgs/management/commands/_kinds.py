"""What the import/export commands share: the kind argument and the report printed in Chinese."""

from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.templates import TEMPLATES

KIND_HELP = "类型：" + "，".join(f"{t.kind}（{t.title}）" for t in TEMPLATES.values())


def add_kind_argument(parser: CommandParser) -> None:
    parser.add_argument("kind", choices=list(TEMPLATES), help=KIND_HELP)


def print_report(console: Console, report: ImportReport) -> None:
    title = TEMPLATES[report.kind].title
    if report.errors:
        table = Table(title=f"{title}导入未执行：发现 {report.error_count} 个问题，未写入任何数据")
        for header in ("工作表", "行", "列", "问题"):
            table.add_column(header)
        for error in report.errors:
            table.add_row(error.sheet, str(error.row or ""), error.column, error.reason)
        console.print(table)
        if report.omitted:
            console.print(report.omitted_note)
        return
    verb = "试导入（未写入）" if report.dry_run else "导入完成"
    console.print(
        f"{title}{verb}：新增 {report.created} 条，更新 {report.updated} 条，未变 {report.unchanged} 条",
        style="green",
    )


def console_for(command: Any) -> Console:
    """A rich console on the command's stdout, so call_command(stdout=...) captures it."""
    return Console(file=command.stdout, soft_wrap=True)
