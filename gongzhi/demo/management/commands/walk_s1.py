"""`gongzhi walk_s1 --base http://127.0.0.1:8000`: walk S1 in chromium at phone size against a
running `make demo` (docs/walks.md). Run it in the demo's own directory: it reads the same
database to pick the place and to check the route; every step goes through the pages."""

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.cases import routing
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.demo.logins import DEMO_PASSWORD
from gongzhi.demo.walk import s1_place
from gongzhi.web.walks import s1
from gongzhi.web.walks.phone import phone_page


class Command(BaseCommand):
    help = "在浏览器中走一遍 S1（居民匿名反映 → 自动派遣 → 消息 → 处置 → 核查 → 查询评价 → 公示栏），对象是正在运行的演示站点"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="演示站点地址")
        parser.add_argument(
            "--shots", default=str(Path(settings.BASE_DIR) / "test-artifacts"), help="截图目录"
        )
        parser.add_argument(
            "--wait", type=float, default=120, help="等待消息送达的秒数（后台每分钟发送一次）"
        )
        parser.add_argument(
            "--board-wait", type=float, default=330, help="等待公示栏刷新的秒数（缓存 5 分钟）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = s1_place()
        if place is None:
            raise CommandError("演示数据里没有可走的地点：先运行 `make demo`")
        self.stdout.write(
            f"S1 @ {place.estate.name}（{place.estate.code}）：楼道堆物 → {place.post.code} "
            f"{place.post.title}，账号 {place.holder}；核查：{place.verifier}"
        )

        rng = random.Random()
        building, boxes = rng.randint(1, 30), rng.randint(5, 30)
        marker = f"{building}号楼楼道里堆了{boxes}个纸箱和旧家具"
        text = f"{marker}，走路都要侧身，好几天了没人管"
        note = f"{boxes}个纸箱和旧家具已清走，楼道已通畅"
        with tempfile.TemporaryDirectory() as tmp, phone_page(s1.PHONE) as page:
            walk = s1.Walk(
                base=options["base"].rstrip("/"),
                password=DEMO_PASSWORD,
                photos=Path(tmp),
                shots=Path(options["shots"]),
                wait_seconds=options["wait"],
                say=self.stdout.write,
            )
            found = s1.report(walk, page, text=text, estate=place.estate.code)
            self._check_route(found.number, place.post.pk)
            walk.step("routed and dispatched by itself to the routing rule's post")
            case_url = s1.told(walk, page, place.holder, found.number)
            s1.handle(walk, page, case_url, note)
            s1.log_out(walk, page)
            s1.log_in(walk, page, place.verifier)
            s1.verify(walk, page, case_url)
            s1.log_out(walk, page)
            s1.follow_and_rate(walk, page, found, note)
            s1.public_board(walk, page, marker, wait_seconds=options["board_wait"])
        self.stdout.write(self.style.SUCCESS(f"S1 走完，用时 {time.monotonic() - walk.started:.0f} 秒"))

    def _check_route(self, number: str, post_id: int) -> None:
        case = next(c for c in Case.objects.order_by("-pk")[:50] if c.number == number)
        if case.state != State.DISPATCHED or case.post_id != post_id:
            raise CommandError(f"工单 {number} 没有自动派遣（状态 {case.state}，岗位 {case.post_id}）")
        assert case.category is not None
        assert routing.route(category=case.category, node=case.node).post == case.post
