"""`gongzhi walk_care --base http://127.0.0.1:8000`: the care walk in chromium at phone size
against a running `make demo` (docs/walks.md). Run it in the demo's own directory: it reads the
same database to pick a subject of the `grid` login with an SOS button and no open alert, and to
check the case; the SOS comes through the gateways' endpoint with the demo gateway's token and
every other step goes through the pages.

The 30 minutes are waited, not skipped: the server's care sweep (its embedded beat, every
minute) opens the visit case CARE_ACK_MINUTES after the press. For a short walk start the demo
and this command with the same shorter setting: `CARE_ACK_MINUTES=2 make demo`, then
`CARE_ACK_MINUTES=2 .venv/bin/gongzhi walk_care` (or `--ack-wait` seconds)."""

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.care.models import Alert
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.demo.care import DEMO_GATEWAY_TOKEN
from gongzhi.demo.logins import DEMO_PASSWORD
from gongzhi.demo.walk import CARE_BOARD, CARE_WALKER, care_place
from gongzhi.web.walks import care
from gongzhi.web.walks.phone import phone_page

NOTE = "上门看过，老人在家，身体无恙，误按了呼叫按钮"


class Command(BaseCommand):
    help = (
        "在浏览器中走一遍关爱预警（一键呼叫 → 无人响应 → 上门探访工单 → 手机登记探访结果 → 预警关闭），"
        "对象是正在运行的演示站点"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="演示站点地址")
        parser.add_argument(
            "--token", default=os.environ.get("CARE_GATEWAY_TOKEN", DEMO_GATEWAY_TOKEN), help="设备网关令牌"
        )
        parser.add_argument(
            "--shots", default=str(Path(settings.BASE_DIR) / "test-artifacts"), help="截图目录"
        )
        parser.add_argument(
            "--wait", type=float, default=120, help="等待预警消息送达的秒数（后台每分钟发送一次）"
        )
        parser.add_argument(
            "--ack-wait",
            type=float,
            default=None,
            help="等待预警转为上门探访工单的秒数（默认 CARE_ACK_MINUTES 分钟再加 2 分钟；须与站点的设置一致）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = care_place()
        if place is None:
            raise CommandError(
                f"演示数据里没有可走的关爱对象（{CARE_WALKER} 负责、有一键呼叫、没有未关闭的预警）：先运行 `make demo`"
            )
        ack_wait = options["ack_wait"]
        if ack_wait is None:
            ack_wait = (settings.CARE_ACK_MINUTES + 2) * 60
        self.stdout.write(
            f"关爱走查 @ {place.home}：关爱对象 {place.subject_id}，一键呼叫 {place.serial}；"
            f"账号 {CARE_WALKER}（网格员）、{CARE_BOARD}（看板）；"
            f"{settings.CARE_ACK_MINUTES} 分钟无人响应转上门探访工单，最多等 {ack_wait:.0f} 秒"
        )

        with phone_page(care.PHONE) as page:
            walk = care.Walk(
                base=options["base"].rstrip("/"),
                password=DEMO_PASSWORD,
                subject_id=place.subject_id,
                shots=Path(options["shots"]),
                wait_seconds=options["wait"],
                ack_wait_seconds=ack_wait,
                say=self.stdout.write,
            )
            care.press_sos(walk, serial=place.serial, token=options["token"])
            alert_id = care.told(walk, page, CARE_WALKER)
            care.on_the_board(walk, page, CARE_BOARD, alert_id)
            walk.step(f"waiting for the server's care sweep past {settings.CARE_ACK_MINUTES} minutes")
            case_url = care.becomes_a_visit_case(walk, page, CARE_WALKER, alert_id)
            self._check_case(alert_id)
            care.record_safe(walk, page, case_url, alert_id, NOTE)
        self.stdout.write(self.style.SUCCESS(f"关爱走查完成，用时 {time.monotonic() - walk.started:.0f} 秒"))

    def _check_case(self, alert_id: int) -> None:
        alert = Alert.objects.get(pk=alert_id)
        if alert.visit_case_id is None:
            raise CommandError(f"预警 {alert_id} 没有上门探访工单")
        case = Case.objects.select_related("category", "post").get(pk=alert.visit_case_id)
        if case.state != State.DISPATCHED or case.category is None:
            raise CommandError(f"上门探访工单 {case.number} 没有派遣（状态 {case.state}）")
        if case.category.code != settings.CARE_VISIT_CATEGORY:
            raise CommandError(f"上门探访工单 {case.number} 的分类是 {case.category.code}")
        dispatched = case.events.filter(action="dispatch").order_by("-seq").first()
        assert case.handle_due is not None and dispatched is not None
        hours = (case.handle_due - dispatched.at).total_seconds() / 3600
        self.stdout.write(
            f"上门探访工单 {case.number}：派给 {case.post}，处置时限 {hours:g} 小时（自然时间）"
        )
