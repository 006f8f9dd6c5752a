"""`gongzhi warm`: run the warm-up steps (core.warm) in this process and print what each took:
a check that they all load, and the measurement of a cold process's start (docs/scaling.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core import warm


class Command(BaseCommand):
    help = "预热：加载参考数据快照、分类模型、模板等，并打印各步耗时"

    def handle(self, *args: Any, **options: Any) -> None:
        took = warm.warm()
        for name, seconds in took.items():
            self.stdout.write(f"{name}\t{seconds:.3f} s")
        self.stdout.write(f"total\t{sum(took.values()):.3f} s")
