"""Generate the 日报 (yesterday) or the 周报 (last week) of every street, block area and
residential area: cron runs `--daily` at 00:30 and `--weekly` on Mondays at 01:00 in embedded
mode. Idempotent: a report somebody has commented on is never replaced, nothing is sent twice."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.reports import services
from gongzhi.reports.models import ReportKind


class Command(BaseCommand):
    help = "生成日报（--daily，默认昨天）或周报（--weekly，默认上周），并通知各辖区"

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--daily", action="store_true", help="日报")
        which.add_argument("--weekly", action="store_true", help="周报")
        parser.add_argument("--date", help="日报的日期，或周报所在周的任一天（YYYY-MM-DD）")

    def handle(self, *args: Any, **options: Any) -> None:
        start = None
        if options["date"]:
            try:
                start = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        kind = ReportKind.DAILY if options["daily"] else ReportKind.WEEKLY
        self.stdout.write(str(services.reports_generate(kind=kind, start=start)))
