"""Run one MQTT consumer of care events (docs/care.md). Start several: the shared subscription
splits the stream between them."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.care.mqtt import Consumer


class Command(BaseCommand):
    help = "订阅 MQTT 关爱设备事件并入库（可启动多个进程分担）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--client-id", default=None, help="固定的客户端标识：重启后取回未确认的消息")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        consumer = Consumer(client_id=options["client_id"], batch=options["batch"])
        consumer.start()
        self.stdout.write(f"care consumer on {consumer.host}:{consumer.port} {consumer.topic}")
        try:
            stats = consumer.run(stop)
        finally:
            consumer.stop()
        self.stdout.write(str(stats))
