"""On a district's server: publish the KPI day totals and street names to the city
(gongzhi.city.replication). Run once after `migrate`; idempotent."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gongzhi.city import replication
from gongzhi.reports import rollup


class Command(BaseCommand):
    help = "发布本区每日统计到市级视图（PostgreSQL 逻辑复制，需 wal_level=logical）"

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("市级视图需要 PostgreSQL")
        if not replication.DISTRICT_RE.match(settings.DISTRICT_CODE):
            raise CommandError("请先设置 DISTRICT_CODE（小写字母开头的字母、数字或下划线）")
        with connection.cursor() as cursor:
            if replication.wal_level(cursor) != "logical":
                raise CommandError("本区数据库需设置 wal_level=logical 并重启后才能发布")
        stamped = rollup.stamp_district()
        rollup.sync_city_nodes()
        try:
            with connection.cursor() as cursor:
                created = replication.publish(cursor)
        except replication.ReplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{'已创建' if created else '已存在'}发布 {replication.PUBLICATION}（区 {settings.DISTRICT_CODE}，"
            f"补填区代码 {stamped} 行）"
        )
