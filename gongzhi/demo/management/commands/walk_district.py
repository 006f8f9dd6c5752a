"""`gongzhi walk_district --base http://127.0.0.1:8000`: walk D (issue 17) in chromium at phone
size against a running demo (docs/walks.md): the district cadre's command centre ranks the
streets, a street's row opens its board, the district's report lists every street and its Word
file downloads, a case of street 2 opens for the cadre and is a 404 for street 1's admin. With
`gongzhi demo --streets 2` or more every step runs; with one street the steps that need a second
say so and pass."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.demo.logins import DEMO_PASSWORD
from gongzhi.demo.walk import district_place
from gongzhi.web.walks import district
from gongzhi.web.walks.phone import phone_page


class Command(BaseCommand):
    help = "在浏览器中走一遍区级视图（区干部看指挥中心的街道排名 → 街道指挥中心 → 区日报周报与 Word → 另一街道的工单；街道管理员看不到另一街道），对象是正在运行的演示站点"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="演示站点地址")
        parser.add_argument(
            "--shots", default=str(Path(settings.BASE_DIR) / "test-artifacts"), help="截图目录"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        place = district_place()
        if place is None:
            raise CommandError("演示数据里没有区：先运行 `make demo`")
        cast = district.Cast(
            cadre="district_cadre",
            street_admin="street_admin",
            district=place.district.name,
            streets=[(s.code, s.name) for s in place.streets],
            other_case=place.other_case,
        )
        self.stdout.write(f"区级走查 @ {cast.district}：{len(cast.streets)} 条街道，区干部 {cast.cadre}")
        walk = district.Walk(
            base=options["base"].rstrip("/"),
            password=DEMO_PASSWORD,
            shots=Path(options["shots"]),
            say=self.stdout.write,
        )
        with phone_page(district.PHONE) as page:
            district.board(walk, page, cast)
            district.reports(walk, page, cast)
            district.other_street(walk, page, cast)
        self.stdout.write(self.style.SUCCESS("区级走查完成"))
