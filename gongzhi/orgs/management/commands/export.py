"""gongzhi export KIND FILE: everything of that kind, in its import template (numbers masked)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.orgs.imports.export import export
from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.management.commands._kinds import add_kind_argument


class Command(BaseCommand):
    help = "按导入模板导出辖区、单位、人员或三定岗位（手机号、身份证号打码）"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind_argument(parser)
        parser.add_argument("file", type=Path, help="写入的 .xlsx 文件")

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        with file.open("wb") as out:
            export(kind, None, out)
        self.stdout.write(f"已导出{TEMPLATES[kind].title}到 {file}")
