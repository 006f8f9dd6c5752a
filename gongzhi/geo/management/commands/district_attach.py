"""`gongzhi district_attach --code SFQ --name 示范区 [--street FL]`: put a new district above the
deployment's street, rewriting the paths of everything under it (geo.attach, one transaction)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.geo.attach import attach_street
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node


class Command(BaseCommand):
    help = "在已有数据的街道之上建立区节点，并改写街道及其下所有数据的路径（一个事务）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="区的编码，如 SFQ")
        parser.add_argument("--name", required=True, help="区的名称，如 示范区")
        parser.add_argument("--address", default="", help="区的地址（可不填）")
        parser.add_argument("--street", default="", help="街道编码（部署里只有一条独立街道时可不填）")

    def handle(self, *args: Any, **options: Any) -> None:
        roots = Node.objects.filter(level=Level.STREET, parent__isnull=True).order_by("code")
        if options["street"]:
            street = roots.filter(code=options["street"]).first()
            if street is None:
                raise CommandError(f"没有独立的街道 {options['street']}（已在区下，或编码不对）")
        else:
            found = list(roots[:2])
            if len(found) != 1:
                raise CommandError("部署里的独立街道不止一条（或没有）：请用 --street 指明")
            street = found[0]
        try:
            done = attach_street(
                actor=None,
                street=street,
                code=options["code"],
                name=options["name"],
                address=options["address"],
            )
        except ValidationError as exc:
            messages = "；".join(m for ms in exc.message_dict.values() for m in ms)
            raise CommandError(messages) from exc
        rows = "，".join(f"{table} {n:,}" for table, n in done.rows.items() if n)
        self.stdout.write(
            f"{done.street.name}（{done.old_path} → {done.street.path}）已放到{done.district.name}之下：{rows or '无数据'}。"
        )
