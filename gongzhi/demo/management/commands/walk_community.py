"""`gongzhi walk_community --base http://127.0.0.1:8000`: walk C (issue 15) in chromium at phone
size against a running `make demo` (docs/walks.md). Run it in the demo's own directory: it reads
the same database to pick the area, the unit and a resident, and checks the rows after the
pages; every step goes through the pages. The project is built by the walk itself (the demo's
own projects are not needed), so each run makes a new one."""

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.community.models import Pledge, PledgeState, Project, ProjectState
from gongzhi.core import clock
from gongzhi.demo.logins import DEMO_PASSWORD
from gongzhi.demo.walk import PARTNER, SECRETARY, VERIFIER, community_place, end_earlier_registration
from gongzhi.orgs.models import DualRegistration
from gongzhi.web.walks import community
from gongzhi.web.walks.phone import phone_page


class Command(BaseCommand):
    help = "在浏览器中走一遍共建流程（单位双报到 → 党组织确认 → 认领项目 → 双方签署承诺书 → 节点完成 → 居民评议 → 公示栏），对象是正在运行的演示站点"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="演示站点地址")
        parser.add_argument(
            "--shots", default=str(Path(settings.BASE_DIR) / "test-artifacts"), help="截图目录"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = community_place()
        if place is None:
            raise CommandError("演示数据里缺少共建走查所需的居民区党组织、共建单位或账号：先运行 `make demo`")
        self.stdout.write(
            f"共建走查 @ {place.area.name}（{place.area.code}）：单位 {place.unit.name}（账号 {PARTNER}），"
            f"确认与签署 {SECRETARY}，项目 {VERIFIER}"
        )
        ended = end_earlier_registration(place)
        if ended is not None:
            self.stdout.write(f"先结束上次走查留下的报到（{ended.pk}），历史保留")
        today = timezone.localdate(clock.now())
        n = random.Random().randint(100, 999)
        cast = community.Cast(
            unit_rep=PARTNER,
            unit=place.unit.name,
            secretary=SECRETARY,
            committee=VERIFIER,
            area=place.area.code,
            area_name=place.area.name,
        )
        plan = community.Plan(
            title=f"{place.area.name}楼道适老化扶手第{n}期",  # no full-width marks: the board normalises them
            summary=f"独居老人{place.resident.name}等居民反映上下楼困难，为老旧楼道加装扶手",
            starts_on=today,
            ends_on=today + timedelta(days=60),
            milestone="扶手安装完成",
            due=today + timedelta(days=30),
        )

        with phone_page(community.PHONE) as page:
            walk = community.Walk(
                base=options["base"].rstrip("/"),
                password=DEMO_PASSWORD,
                shots=Path(options["shots"]),
                say=self.stdout.write,
            )
            community.register(walk, page, cast, plan)
            community.confirm(walk, page, cast)
            self._check_registration(place)
            url = community.build_project(walk, page, cast, plan)
            community.claim_and_sign(walk, page, cast, plan)
            community.countersign(walk, page, cast, url)
            self._check_pledge(plan.title)
            community.milestone_done(walk, page, cast, plan, url)
            community.finish(walk, page, cast, url)
            community.evaluate(walk, page, plan, url)
            community.public_board(walk, page, cast, plan, place.private)
        self.stdout.write(self.style.SUCCESS(f"共建走查完成，用时 {time.monotonic() - walk.started:.0f} 秒"))

    def _check_registration(self, place: Any) -> None:
        confirmed = DualRegistration.objects.filter(
            unit=place.unit, node=place.area, state=DualRegistration.State.CONFIRMED
        ).exists()
        if not confirmed:
            raise CommandError(f"{place.unit.name} 在 {place.area.name} 的双报到没有确认")

    def _check_pledge(self, title: str) -> None:
        project = Project.objects.filter(title=title).order_by("-pk").first()
        pledge = Pledge.objects.filter(project=project).first() if project else None
        if project is None or project.state != ProjectState.ACTIVE or pledge is None:
            raise CommandError(f"项目“{title}”没有进入实施")
        if (
            pledge.state != PledgeState.IN_FORCE
            or pledge.signatures.filter(version=pledge.version).count() != 2
        ):
            raise CommandError(f"项目“{title}”的承诺书没有双方签署生效")
