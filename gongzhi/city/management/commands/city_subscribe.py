"""On the city's server: subscribe the city database (alias "city", CITY_DATABASE_URL) to one
district's publication (gongzhi.city.replication)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from gongzhi.city import replication
from gongzhi.city.router import CITY


class Command(BaseCommand):
    help = "市级数据库订阅某区的每日统计（PostgreSQL 逻辑复制）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", required=True, help="区代码（与该区的 DISTRICT_CODE 相同）")
        parser.add_argument("--conninfo", required=True, help="区数据库的连接串，如 host=… dbname=… user=…")
        parser.add_argument("--drop", action="store_true", help="取消该区的订阅（已到的数据保留）")

    def handle(self, *args: Any, **options: Any) -> None:
        if CITY not in settings.DATABASES:
            raise CommandError("请先设置 CITY_DATABASE_URL")
        district = options["district"]
        try:
            replication.subscription_name(district)  # refused before connecting
            with connections[CITY].cursor() as cursor:
                if options["drop"]:
                    done = replication.unsubscribe(cursor, district)
                else:
                    done = replication.subscribe(cursor, district, options["conninfo"])
        except replication.ReplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"区 {district}：{'完成' if done else '无需变更'}")
