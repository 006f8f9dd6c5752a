"""`gongzhi failed_tasks`: the dead letters of background work (core.deadletter) — list them,
send some or all of them again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import deadletter
from gongzhi.core.models import FailedTask


class Command(BaseCommand):
    help = "列出多次失败的后台任务（死信），或将其重新排队"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="也列出已恢复的记录")
        parser.add_argument("--retry", type=int, nargs="+", metavar="ID", help="重新排队这些编号的记录")
        parser.add_argument("--retry-all", action="store_true", help="重新排队全部未恢复的记录")

    def handle(self, *args: Any, **options: Any) -> None:
        unresolved = FailedTask.objects.filter(status__in=deadletter.UNRESOLVED)
        if options["retry"] or options["retry_all"]:
            chosen = unresolved if options["retry_all"] else unresolved.filter(pk__in=options["retry"])
            if options["retry"] and chosen.count() != len(set(options["retry"])):
                raise CommandError("没有这些编号的未恢复记录：" + ", ".join(map(str, options["retry"])))
            self.stdout.write(str(deadletter.retry(chosen)))
            return
        rows = FailedTask.objects.all() if options["all"] else unresolved
        count = 0
        for row in rows.order_by("-last_at", "-pk"):
            count += 1
            self.stdout.write(
                f"#{row.pk} {row.task} {row.get_status_display()} 失败 {row.attempts} 次 "
                f"{row.first_at:%Y-%m-%d %H:%M} – {row.last_at:%Y-%m-%d %H:%M} 参数 {row.args}\n"
                f"    {row.error.splitlines()[0] if row.error else ''}"
            )
        self.stdout.write(f"共 {count} 条")
