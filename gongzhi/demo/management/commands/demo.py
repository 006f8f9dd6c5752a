"""`gongzhi demo --seed N --scale S [--if-empty] [--reset]`: generate the demo street."""

import time
from argparse import ArgumentParser
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from gongzhi.demo.generator import DemoExistsError, generate
from gongzhi.demo.progress import RichReporter
from gongzhi.demo.reset import demo_exists, reset_demo
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node


class Command(BaseCommand):
    help = "生成演示街道（枫林街道，按 docs/domain.md §5 的数字校准）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子生成相同数据")
        parser.add_argument("--scale", type=float, default=1.0, help="规模：1 约 10.5 万居民；0.05 供测试")
        parser.add_argument("--if-empty", action="store_true", help="已有街道时什么也不做")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据")
        parser.add_argument("--workers", type=int, default=None, help="加密进程数（默认 CPU 核数）")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        if not settings.DEBUG:  # checked before --reset deletes anything
            raise CommandError("演示数据含公开的演示密码，只能在 DEBUG=1 的开发或演示环境生成")
        if options["if_empty"] and Node.objects.filter(level=Level.STREET).exists():
            console.print("已有街道数据，跳过演示数据生成（--if-empty）。")
            return
        if options["reset"] and demo_exists():
            deleted = reset_demo()
            console.print(f"已删除演示数据：{sum(deleted.values()):,} 行。")
        start = time.perf_counter()
        try:
            with RichReporter(console) as reporter:
                summary = generate(
                    seed=options["seed"],
                    scale=options["scale"],
                    reporter=reporter,
                    workers=options["workers"],
                )
        except DemoExistsError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - start
        counts = "，".join(f"{k} {v:,}" for k, v in summary.counts.items())
        phases = "，".join(f"{k} {v:.1f}s" for k, v in summary.seconds.items())
        console.print(f"演示街道已生成（种子 {summary.seed}，规模 {summary.scale:g}）：{counts}")
        cpu = "，".join(f"{k} {v:.1f}s" for k, v in summary.cpu.items())
        console.print(f"用时 {elapsed:.1f} 秒（{phases}；CPU：{cpu}）。登录账号见 `gongzhi demo_logins`。")
