"""`gongzhi demo --seed N --scale S [--streets N] [--if-empty] [--reset]`: generate the demo
district: street 1 (枫林街道) under the district 示范区, and with --streets N the next N-1
streets beside it (demo.district)."""

import time
from argparse import ArgumentParser
from io import StringIO
from typing import IO, Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from gongzhi.cases import classify
from gongzhi.core import clock
from gongzhi.demo.carehistory import catch_up
from gongzhi.demo.district import MAX_STREETS
from gongzhi.demo.generator import DemoExistsError, generate
from gongzhi.demo.progress import RichReporter
from gongzhi.demo.reset import demo_exists, reset_demo
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

CLASSIFIER_TEXTS = 100  # per 小类: ~9,000 texts, ~15 s of CPU on this machine's kind


class Command(BaseCommand):
    help = "生成演示街道（枫林街道，按 docs/domain.md §5 的数字校准）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子生成相同数据")
        parser.add_argument("--scale", type=float, default=1.0, help="规模：1 约 10.5 万居民；0.05 供测试")
        parser.add_argument(
            "--streets",
            type=int,
            default=1,
            help=f"区里并列的街道数（1–{MAX_STREETS}，默认 1：枫林街道；每条街道规模相同）",
        )
        parser.add_argument("--if-empty", action="store_true", help="已有街道时什么也不做")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据")
        parser.add_argument("--workers", type=int, default=None, help="加密进程数（默认 CPU 核数）")
        parser.add_argument(
            "--classifier-texts",
            type=int,
            default=CLASSIFIER_TEXTS,
            help="最后用演示语料训练分类建议模型，每个小类的条数（0：不训练）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        if not settings.DEBUG:  # checked before --reset deletes anything
            raise CommandError("演示数据含公开的演示密码，只能在 DEBUG=1 的开发或演示环境生成")
        if options["if_empty"] and Node.objects.filter(level=Level.STREET).exists():
            console.print("已有街道数据，跳过演示数据生成（--if-empty）。")
            moved = catch_up(clock.now())
            if moved:
                console.print(
                    f"演示街道的关爱设备信号与探访日程已顺延 {moved / 2:g} 小时（停机期间视为照常）。"
                )
            if classify.load_model() is None:
                self._train(console, options["classifier_texts"])
            return
        if not 1 <= options["streets"] <= MAX_STREETS:
            raise CommandError(f"--streets 应在 1 到 {MAX_STREETS} 之间")
        if options["reset"] and demo_exists():
            deleted = reset_demo()
            console.print(f"已删除演示数据：{sum(deleted.values()):,} 行。")
        start = time.perf_counter()
        try:
            with RichReporter(console) as reporter:
                summary = generate(
                    seed=options["seed"],
                    scale=options["scale"],
                    streets=options["streets"],
                    reporter=reporter,
                    workers=options["workers"],
                )
        except DemoExistsError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - start
        counts = "，".join(f"{k} {v:,}" for k, v in summary.counts.items())
        phases = "，".join(f"{k} {v:.1f}s" for k, v in summary.seconds.items())
        console.print(
            f"演示数据已生成（种子 {summary.seed}，规模 {summary.scale:g}，{summary.streets} 条街道）：{counts}"
        )
        if summary.streets > 1:
            per_street = "，".join(f"{code} {s:.0f}s" for code, s in summary.street_seconds.items())
            console.print(f"各街道用时：{per_street}。")
        cpu = "，".join(f"{k} {v:.1f}s" for k, v in summary.cpu.items())
        console.print(f"用时 {elapsed:.1f} 秒（{phases}；CPU：{cpu}）。登录账号见 `gongzhi demo_logins`。")
        self._train(console, options["classifier_texts"])

    def _train(self, console: Console, per_category: int) -> None:
        """The street's cases are demo texts too, so the model is trained on the generator
        directly (the same as `gongzhi train_classifier --source demo`): the demo then
        suggests categories with a trained model, not the keyword rules."""
        if per_category <= 0:
            return
        start = time.perf_counter()
        out = StringIO()
        call_command("train_classifier", "--source", "demo", "--per-category", str(per_category), stdout=out)
        console.print(out.getvalue().rstrip())
        console.print(f"分类建议模型已训练（{time.perf_counter() - start:.0f} 秒）。")
