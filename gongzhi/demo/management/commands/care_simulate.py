"""`gongzhi care_simulate --rate N [--via mqtt|http] [--silent K] [--duration S] [--speed X]`:
the demo street's care devices send their day's signals through the server's doors
(gongzhi.demo.simulate, docs/care.md)."""

import os
import random
import signal
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.demo import simulate
from gongzhi.demo.care import DEMO_GATEWAY_TOKEN

DEFAULT_URL = "http://127.0.0.1:8000/api/v1/care/events"


def broker_reachable() -> bool:
    try:
        with socket.create_connection((settings.CARE_MQTT_HOST, settings.CARE_MQTT_PORT), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "模拟演示街道的关爱设备：按日常作息经 MQTT 或 HTTP 上报事件，部分对象“沉默”以触发预警"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rate", type=float, default=5.0, help="每秒事件总数")
        parser.add_argument(
            "--via", choices=("mqtt", "http", "auto"), default="auto", help="auto：有 MQTT 代理时用 MQTT"
        )
        parser.add_argument("--silent", type=int, default=3, help="不再发出任何信号的关爱对象个数")
        parser.add_argument("--duration", type=float, default=0.0, help="运行秒数（0：直到 Ctrl-C）")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="日常作息的快进倍数（事件时间仍为真实时间）"
        )
        parser.add_argument(
            "--sos-every", type=float, default=600.0, help="每隔多少秒有人按一次一键呼叫（0：不按）"
        )
        parser.add_argument("--flush", type=float, default=1.0, help="每隔多少秒发送一批")
        parser.add_argument("--url", default=DEFAULT_URL, help="网关批量接口的地址（--via http）")
        parser.add_argument("--token", default=os.environ.get("CARE_GATEWAY_TOKEN", DEMO_GATEWAY_TOKEN))
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--parent", type=int, default=0, help="父进程号：父进程退出时随之退出（gongzhi serve 使用）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rate"] <= 0 or options["speed"] <= 0 or options["silent"] < 0:
            raise CommandError("--rate 和 --speed 须大于 0，--silent 不能为负")
        rng = random.Random(options["seed"])
        street = simulate.load(silent=options["silent"], rng=rng)
        if not street.devices:
            raise CommandError("没有已绑定且经同意的关爱设备：先运行 `gongzhi demo`。")
        via = options["via"]
        if via == "auto":
            via = "mqtt" if broker_reachable() else "http"
        counts = simulate.Counts()
        sender: simulate.Sender
        if via == "mqtt":
            try:
                sender = simulate.MqttSender(counts)
            except OSError as exc:
                raise CommandError(
                    f"MQTT 代理 {settings.CARE_MQTT_HOST}:{settings.CARE_MQTT_PORT} 无法连接：{exc}"
                ) from exc
            where = f"mqtt://{settings.CARE_MQTT_HOST}:{settings.CARE_MQTT_PORT}/{settings.CARE_MQTT_TOPIC_ROOT}/…"
        else:
            sender = simulate.HttpSender(options["url"], options["token"], counts)
            where = options["url"]
        simulation = simulate.Simulation(street, speed=options["speed"], rng=rng)
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        parent = options["parent"]
        self.stdout.write(
            f"care_simulate: {len(street.devices)} devices, {options['rate']:g} events/s via {where}; "
            f"silent subjects {sorted(street.silent)}, away {len(street.away)}"
        )
        simulate.run(
            simulation,
            sender,
            counts,
            rate=options["rate"],
            stop=stop,
            duration=options["duration"],
            sos_every=options["sos_every"],
            flush=max(0.1, options["flush"]),
            alive=(lambda: os.getppid() == parent) if parent else (lambda: True),
        )
        self.stdout.write(f"care_simulate: {counts.line()}")
