"""gongzhi import_template KIND FILE: the empty template, with its notes sheet."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.imports.workbook import write_workbook
from gongzhi.orgs.management.commands._kinds import add_kind_argument


class Command(BaseCommand):
    help = "生成空白导入模板"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind_argument(parser)
        parser.add_argument("file", type=Path, help="写入的 .xlsx 文件")

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        with file.open("wb") as out:
            write_workbook(TEMPLATES[kind], [], out)
        self.stdout.write(f"已生成{TEMPLATES[kind].title}导入模板：{file}")
