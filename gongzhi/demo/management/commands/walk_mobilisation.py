"""`gongzhi walk_mobilisation --base http://127.0.0.1:8000`: walk M (issue 16) in chromium at
phone size against a running `make demo` (docs/walks.md). Run it in the demo's own directory: it
reads the same database to pick the place, the zone and today's duty officer, and checks the
rows after the pages; every step goes through the pages. Each run declares an incident of its
own over the five hospital-nearby areas (the demo's two stay as they are).

Two parts depend on the demo's data: the 直报 part needs a duty roster for today whose officer
is a demo login (the demo sets one: without it the part is skipped, saying so), and checking in
and out needs the `volunteer` login to hold a shift whose check-in is open now. The solver
chooses the new rota's people among the zone's ~130 volunteers and staff, so the walk checks in
on the new incident when it put the volunteer on a shift open now, and otherwise on the demo's
ongoing mobilisation, where the demo gives the `volunteer` login such a shift, left unchecked
(demo.mobilisation); the live board and the check-out follow the incident checked in on.
Without any such shift the walk fails: a walk that skips its check-in proves nothing."""

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
from gongzhi.mobilisation import duty
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
            on_duty = self._on_duty_in(incident)
            if on_duty is None:
                raise CommandError(
                    f"{VOLUNTEER} 在新排班和演示中进行的动员里都没有此刻可签到的班次：无法走签到与签退。"
                    "请重新生成演示数据（make demo）后再走"
                )
            own = on_duty.pk == incident.pk
            if not own:
                self.stdout.write(f"{VOLUNTEER} 不在新排班此刻的班次中：在进行中的动员“{on_duty.title}”签到")
            shift = mobilisation.check_in(walk, page, cast, plan, title=on_duty.title)
            mobilisation.no_show(walk, page, cast, url, elsewhere=shift if own else "")
            board = url if own else f"{walk.base}/mobilisation/{on_duty.pk}/"
            mobilisation.live_board(walk, page, board)
            mobilisation.check_out(walk, page, cast, plan, title=on_duty.title)
            mobilisation.close(walk, page, cast, plan, url)
            self._check_checked_out(on_duty)
        incident.refresh_from_db()
        if incident.state != IncidentState.CLOSED:
            raise CommandError(f"动员“{plan.title}”没有结束")
        self.stdout.write(self.style.SUCCESS(f"动员走查完成，用时 {time.monotonic() - walk.started:.0f} 秒"))

    def _check_direct(self, url: str) -> None:
        report = DirectReport.objects.filter(pk=int(url.rstrip("/").rsplit("/", 1)[-1])).first()
        if report is None or report.state != DirectState.CONVERTED or report.incident_id is None:
            raise CommandError("直报没有转为应急动员")

    def _on_duty_in(self, incident: Incident) -> Incident | None:
        """The active incident in which the `volunteer` login holds a shift they may check in to
        now (from an hour before its start until its end): the new one when the solver put them
        on one, else the demo's ongoing mobilisation, whose shift the demo left for the walk."""
        now = clock.now()
        open_now = Assignment.objects.filter(
            person__user__username=VOLUNTEER,
            state=AssignmentState.ASSIGNED,
            shift__post__incident__state=IncidentState.ACTIVE,
            shift__starts_at__lte=now + duty.EARLY,
            shift__ends_at__gt=now,
        ).select_related("shift__post__incident")
        mine = open_now.filter(shift__post__incident=incident).first()
        if mine is not None:
            return incident
        other = open_now.order_by("-shift__ends_at", "pk").first()
        return other.shift.post.incident if other is not None else None

    def _check_checked_out(self, incident: Incident) -> None:
        if not Assignment.objects.filter(
            shift__post__incident=incident,
            person__user__username=VOLUNTEER,
            state=AssignmentState.CHECKED_OUT,
            checked_in_at__gte=clock.now() - timedelta(hours=1),
        ).exists():
            raise CommandError(f"{VOLUNTEER} 的签到与签退没有记录在“{incident.title}”中")
