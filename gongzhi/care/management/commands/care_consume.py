"""Run one MQTT consumer of care events (docs/care.md). Start several: the shared subscription
splits the stream between them."""

import os
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.care.mqtt import Consumer


class Command(BaseCommand):
    help = "订阅 MQTT 关爱设备事件并入库（可启动多个进程分担）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--client-id", default=None, help="固定的客户端标识：重启后取回未确认的消息")
        parser.add_argument("--batch", type=int, default=2000, help="一个事务最多入库的事件数")
        parser.add_argument(
            "--parent", type=int, default=0, help="父进程号：父进程退出时随之退出（gongzhi serve 使用）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        if options["parent"]:
            threading.Thread(target=_watch_parent, args=(options["parent"], stop), daemon=True).start()
        consumer = Consumer(client_id=options["client_id"], batch=options["batch"])
        try:
            consumer.start()
        except OSError as exc:
            raise CommandError(f"MQTT 代理 {consumer.host}:{consumer.port} 无法连接：{exc}") from exc
        self.stdout.write(f"care consumer on {consumer.host}:{consumer.port} {consumer.topic}")
        try:
            stats = consumer.run(stop)
        finally:
            consumer.stop()
        self.stdout.write(str(stats))


def _watch_parent(parent: int, stop: threading.Event) -> None:
    """Stop when the process that started us (gongzhi serve) is gone."""
    while not stop.wait(1):
        if os.getppid() != parent:
            stop.set()
