"""`gongzhi schedule`: the embedded beat (gongzhi.core.beat) until stopped."""

import os
import time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.core import background, beat, clock


def run_task(name: str) -> Any:
    """Run a Celery task by name in this process (its module was imported by `load_tasks`)."""
    from config.celery import app

    return background.run_here(app.tasks[name])


def load_tasks() -> None:
    """Import every app's tasks.py once, so the beat finds each task by its name."""
    from config.celery import app

    app.loader.import_default_modules()


class Command(BaseCommand):
    help = "在本进程中按计划运行后台任务（发送通知、超期催办、任务单跟进、统计、日报周报），无需 Redis/Celery"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮（全部任务各一次）后退出")
        parser.add_argument(
            "--parent", type=int, default=0, help="父进程号：父进程退出时随之退出（gongzhi serve 使用）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lock = beat.beat_lock()  # one beat only: a `celery beat` or another `gongzhi schedule`
        beat.acquire_or_wait(lock, retry=settings.BEAT_LOCK_RETRY_SECONDS)
        try:
            self._run(lock, options)
        finally:
            lock.release()

    def _run(self, lock: "beat.AdvisoryLock | beat.FileLock", options: dict[str, Any]) -> None:
        load_tasks()
        tz = ZoneInfo(settings.TIME_ZONE)
        runner = beat.Beat(beat.entries_from(settings.CELERY_BEAT_SCHEDULE, tz=tz), run_task)
        self.stdout.write(
            f"beat: {len(runner.entries)} 项计划任务：" + "、".join(e.name for e in runner.entries)
        )
        parent = options["parent"]
        while True:
            if not lock.held():
                self.stderr.write("beat: 计划任务锁已丢失（数据库连接中断），退出")
                return
            for name in runner.tick(clock.now()):
                self.stdout.write(f"beat: {name}")
            if options["once"]:
                return
            for _ in range(5):  # a turn every 5 s is fine-grained enough for minute schedules
                if parent and os.getppid() != parent:
                    return  # the server that started us is gone
                time.sleep(1)
