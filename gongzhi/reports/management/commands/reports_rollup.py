"""Bring the KPI tables up to date with the case events: cron runs it every 10 minutes in
embedded mode (no Celery). Idempotent: running it twice changes nothing."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.orgs import figures
from gongzhi.reports import rollup


class Command(BaseCommand):
    help = "汇总统计指标：按工单记录更新统计事实和每日汇总（--rebuild 全部重算，--days 重算某几天）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="全部重算（迁移辖区节点或升级后）")
        parser.add_argument(
            "--days",
            nargs=2,
            metavar=("START", "END"),
            help="重算这些天（YYYY-MM-DD，END 不含）上报或处理过的工单",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            progress = rollup.rebuild()
        elif options["days"]:
            try:
                start, end = (date.fromisoformat(d) for d in options["days"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
            if end <= start:
                raise CommandError("结束日期须晚于开始日期")
            progress = rollup.rebuild_days(start, end)
        else:
            progress = rollup.refresh()
            figures.refresh_kept()  # the home page's card figures, as the scheduled task does
        self.stdout.write(str(progress))
