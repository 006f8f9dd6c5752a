"""Copy the official holidays and make-up workdays of a year from chinesecalendar into WorkDay.

Rows an admin entered or changed (source=admin) are left alone; package rows are refreshed (and
dropped when the package no longer lists them), so a newer package version corrects them. Run once a year after the State Council announces the
next year's arrangements and the package is upgraded (docs/working-calendar.md).
"""

from typing import Any

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.models import WorkDay
from gongzhi.core.workcal_db import package_days, package_years


class Command(BaseCommand):
    help = "从 chinesecalendar 同步某年的法定节假日和调休上班日（不覆盖后台录入的日子）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="年份，可重复；默认今年")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["year"] or [timezone.localtime(clock.now()).year]
        unknown = sorted(set(years) - package_years())
        if unknown:
            raise CommandError(
                f"chinesecalendar {chinese_calendar.__version__} 还没有 {', '.join(map(str, unknown))} 年的"
                "节假日安排：请升级该包后重试，或在后台“工作日历”中手工录入。"
            )
        for year in years:
            created, updated, deleted, kept = _sync_year(year)
            self.stdout.write(
                f"{year} 年：新增 {created}，更新 {updated}，删除 {deleted}，保留后台录入 {kept}"
            )


@transaction.atomic
def _sync_year(year: int) -> tuple[int, int, int, int]:
    official = package_days(year)
    existing = {row.date: row for row in WorkDay.objects.filter(date__year=year, street="")}
    created, updated, kept = [], [], 0
    # A package row the package no longer lists was a correction upstream: drop it.
    stale = [
        row.pk
        for day, row in existing.items()
        if row.source == WorkDay.Source.PACKAGE and day not in official
    ]
    for day, (work, note) in sorted(official.items()):
        row = existing.get(day)
        if row is None:
            created.append(WorkDay(date=day, is_workday=work, note=note, source=WorkDay.Source.PACKAGE))
        elif row.source == WorkDay.Source.ADMIN:
            kept += 1
        elif (row.is_workday, row.note) != (work, note):
            row.is_workday, row.note = work, note
            updated.append(row)
    WorkDay.objects.bulk_create(created)
    WorkDay.objects.bulk_update(updated, ["is_workday", "note"])
    WorkDay.objects.filter(pk__in=stale).delete()
    return len(created), len(updated), len(stale), kept
