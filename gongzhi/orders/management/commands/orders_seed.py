"""The street's starting service modules (orders.seeding), kept when already there."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orders.seeding import seed_modules


class Command(BaseCommand):
    help = "为街道建立默认的服务模块（安全、便民、生活帮扶、矛盾调解、心理疏导、法律咨询）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("street", nargs="?", default="", help="街道编码（只有一个街道时可不填）")

    def handle(self, *args: Any, **options: Any) -> None:
        streets = Node.objects.filter(level=Level.STREET)
        if options["street"]:
            streets = streets.filter(code=options["street"])
        if streets.count() != 1:
            raise CommandError("请给出一个街道编码")
        modules = seed_modules(streets.get())
        self.stdout.write(f"{len(modules)} 个服务模块")
