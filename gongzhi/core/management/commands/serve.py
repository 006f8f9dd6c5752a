"""`gongzhi serve [addr:port]`: the development server with the embedded beat beside it.

`make demo` uses it, so a street without Redis or Celery still sends its notifications, sweeps
its deadlines, follows up its slips and writes its 日报/周报 with nothing else started. With a
broker configured (CELERY_BROKER_URL) Celery beat does that work, and the beat is not started.
"""

import atexit
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand


class Command(RunserverCommand):
    help = "启动开发服务器，并在旁边运行后台任务（gongzhi schedule）"

    def handle(self, *args: Any, **options: Any) -> None:
        # With the autoreloader the command runs twice: in the watching parent and in the
        # serving child (RUN_MAIN=true). The beat starts once, in the parent, so a code reload
        # does not start a second one.
        if os.environ.get("RUN_MAIN") != "true" and settings.CELERY_TASK_ALWAYS_EAGER:
            beat = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from config.cli import main; main()",
                    "schedule",
                    f"--parent={os.getpid()}",
                ],
            )
            atexit.register(beat.terminate)
        super().handle(*args, **options)
