from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.community import projects


class Command(BaseCommand):
    help = "共建项目节点逾期催办（每个节点每天至多一次）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded {projects.follow_up()}")
