"""`gongzhi serve [addr:port]`: the development server with the background work beside it.

`make demo` uses it, so a street without Redis or Celery still sends its notifications, sweeps
its deadlines (and the care rules), follows up its slips and writes its 日报/周报 with nothing
else started. With a broker configured (CELERY_BROKER_URL) Celery beat does that work, and the
beat is not started.

Care (docs/care.md): when the MQTT broker (CARE_MQTT_HOST:CARE_MQTT_PORT) answers, a consumer
(`gongzhi care_consume`) runs beside the server; when it does not, the server says so and goes
on (events then come over HTTP only). With CARE_SIMULATE set (`make demo` sets it), the demo
street's devices send their day's signals (`gongzhi care_simulate`), over MQTT when the
consumer runs, else to this server's gateway endpoint; CARE_SIMULATE=1 is a gentle rate
(2 events a second), a number is that rate.
"""

import atexit
import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand

from gongzhi.core import warm

GENTLE_RATE = 2.0  # events a second: CARE_SIMULATE=1
SIMULATED_SOS_EVERY = 1800  # seconds: an SOS press now and then, not an alert storm


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Command(RunserverCommand):
    help = "启动开发服务器，并在旁边运行后台任务（gongzhi schedule、关爱设备消息消费与模拟）"

    def handle(self, *args: Any, **options: Any) -> None:
        # With the autoreloader the command runs twice: in the watching parent and in the
        # serving child (RUN_MAIN=true). The helpers start once, in the parent, so a code
        # reload does not start them again.
        if os.environ.get("RUN_MAIN") != "true":
            if settings.CELERY_TASK_ALWAYS_EAGER:
                self._beside("schedule")
            self._care(options.get("addrport") or "")
        super().handle(*args, **options)

    def inner_run(self, *args: Any, **options: Any) -> None:
        # the serving process (the autoreloader's child) warms before it listens (core.warm)
        took = warm.warm()
        self.stdout.write(
            f"warm: {sum(took.values()):.1f} s ({', '.join(f'{k} {v:.2f}' for k, v in took.items())})"
        )
        super().inner_run(*args, **options)

    def _beside(self, *command: str) -> None:
        child = subprocess.Popen(
            [sys.executable, "-c", "from config.cli import main; main()", *command, f"--parent={os.getpid()}"]
        )
        atexit.register(child.terminate)

    def _care(self, addrport: str) -> None:
        broker = reachable(settings.CARE_MQTT_HOST, settings.CARE_MQTT_PORT)
        if broker:
            self._beside("care_consume", "--client-id=gongzhi-serve-care")
        else:
            self.stdout.write(
                f"care: 没有连上 MQTT 代理 {settings.CARE_MQTT_HOST}:{settings.CARE_MQTT_PORT}，"
                "设备事件只经 HTTP 网关接口接收。"
            )
        rate = settings.CARE_SIMULATE.strip()
        if rate in ("", "0"):
            return
        host, _sep, port = addrport.rpartition(":") if ":" in addrport else ("", "", addrport)
        host = "127.0.0.1" if host in ("", "0.0.0.0", "0", "localhost") else host
        url = f"http://{host}:{port or self.default_port}/api/v1/care/events"
        self._beside(
            "care_simulate",
            f"--rate={GENTLE_RATE if rate == '1' else float(rate):g}",
            f"--via={'mqtt' if broker else 'http'}",
            f"--url={url}",
            f"--sos-every={SIMULATED_SOS_EVERY}",
            "--flush=5",  # a batch every 5 s: a quiet server log
        )
