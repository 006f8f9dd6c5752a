"""`gongzhi walk_mobilisation --base http://127.0.0.1:8000`: walk M (issue 16) in chromium at
phone size against a running `make demo` (docs/walks.md). Run it in the demo's own directory: it
reads the same database to pick the place, the zone and today's duty officer, and checks the
rows after the pages; every step goes through the pages. Each run declares an incident of its
own over the five hospital-nearby areas (the demo's two stay as they are).

Two parts depend on the demo's data: the 直报 part needs a duty roster for today (the demo
sets none yet: without it the part is skipped, saying so), and checking in and out needs the
`volunteer` login to be on one of the new rota's shifts running now (the solver chooses among
the zone's ~130 volunteers and staff: without one the steps are skipped, saying so)."""

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from gongzhi.core import clock
from gongzhi.demo.logins import DEMO_PASSWORD
from gongzhi.demo.walk import CADRE, GRID, VOLUNTEER, mobilisation_place
from gongzhi.mobilisation.choices import AssignmentState, IncidentState
from gongzhi.mobilisation.models import Assignment, DirectReport, DirectState, Incident
from gongzhi.web.walks import mobilisation
from gongzhi.web.walks.phone import phone_page


class Command(BaseCommand):
    help = "在浏览器中走一遍直报与应急动员流程（直报 → 确认 → 续报 → 转为动员；启动动员 → 排班 → 签到 → 缺岗补位 → 看板 → 结束与处置总结），对象是正在运行的演示站点"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="演示站点地址")
        parser.add_argument(
            "--shots", default=str(Path(settings.BASE_DIR) / "test-artifacts"), help="截图目录"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = mobilisation_place(clock.now())
        if place is None:
            raise CommandError(
                "演示数据里缺少动员走查所需的网格员、块区干部、医院周边居民区或出入口：先运行 `make demo`"
            )
        n = int(time.time()) % 1000
        cast = mobilisation.Cast(
            grid=GRID,
            officer=place.officer or "",
            cadre=CADRE,
            volunteer=VOLUNTEER,
            place=place.place.code,
            place_name=place.place.name,
            zone=[a.name for a in place.zone],
            entrances=place.entrances,
        )
        photo = Path(tempfile.mkdtemp()) / "现场.png"
        Image.new("RGB", (320, 240), (200, 60, 40)).save(photo, "PNG")
        plan = mobilisation.Plan(photo=photo, title=f"医院周边疫情联防走查第{n}次", days=1, shift_hours=8)
        self.stdout.write(
            f"动员走查：直报地点 {place.place.name}（{GRID}），值班员 {place.officer or '—'}，"
            f"动员 {CADRE} 于 {'、'.join(cast.zone)}（{len(place.entrances)} 个出入口），志愿者 {VOLUNTEER}"
        )

        with phone_page(mobilisation.PHONE, timeout_ms=60_000) as page:
            walk = mobilisation.Walk(
                base=options["base"].rstrip("/"),
                password=DEMO_PASSWORD,
                shots=Path(options["shots"]),
                say=self.stdout.write,
            )
            if place.officer is None:
                self.stdout.write(
                    self.style.WARNING(
                        "演示站点今天没有值班安排（直报值班员）：跳过直报部分。可在后台“值班安排”中设置后重走。"
                    )
                )
            else:
                url, _incident = mobilisation.walk_direct(walk, page, cast, plan)
                self._check_direct(url)
            url = mobilisation.declare(walk, page, cast, plan)
            mobilisation.rota(walk, page, cast, plan, url)
            incident = Incident.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[-1]))
            on_duty = self._volunteer_shift(incident)
            shift = ""
            if on_duty:
                shift = mobilisation.check_in(walk, page, cast, plan)
            else:
                self.stdout.write(
                    self.style.WARNING(f"{VOLUNTEER} 在新排班中没有此刻可签到的班次：跳过签到与签退")
                )
            mobilisation.no_show(walk, page, cast, url, elsewhere=shift)
            mobilisation.live_board(walk, page, url, manned=on_duty)
            if on_duty:
                mobilisation.check_out(walk, page, cast, plan)
            mobilisation.close(walk, page, cast, plan, url)
        incident.refresh_from_db()
        if incident.state != IncidentState.CLOSED:
            raise CommandError(f"动员“{plan.title}”没有结束")
        self.stdout.write(self.style.SUCCESS(f"动员走查完成，用时 {time.monotonic() - walk.started:.0f} 秒"))

    def _check_direct(self, url: str) -> None:
        report = DirectReport.objects.filter(pk=int(url.rstrip("/").rsplit("/", 1)[-1])).first()
        if report is None or report.state != DirectState.CONVERTED or report.incident_id is None:
            raise CommandError("直报没有转为应急动员")

    def _volunteer_shift(self, incident: Incident) -> bool:
        """Whether the `volunteer` login holds a shift of the new rota that may be checked in
        now (from an hour before its start until its end)."""
        now = clock.now()
        return Assignment.objects.filter(
            shift__post__incident=incident,
            person__user__username=VOLUNTEER,
            state=AssignmentState.ASSIGNED,
            shift__starts_at__lte=now + timedelta(hours=1),
            shift__ends_at__gt=now,
        ).exists()
