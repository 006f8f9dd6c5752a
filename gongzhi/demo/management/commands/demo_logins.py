"""`gongzhi demo_logins`: print the demo users, their password, post and what they can see:
the district's and street 1's in full, then a line for each other street of the district
(its role logins are street 1's prefixed s{k}_, on the same posts of its own codes)."""

from typing import IO, Any, cast

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from gongzhi.care.models import Gateway
from gongzhi.demo.care import DEMO_GATEWAY_NAME, DEMO_GATEWAY_TOKEN
from gongzhi.demo.district import FIRST
from gongzhi.demo.logins import login_rows, other_streets_logins


class Command(BaseCommand):
    help = "列出演示账号：角色、用户名、密码、岗位与可见范围"

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False, width=max(Console().width, 160))
        rows = login_rows()
        if not rows:
            console.print("还没有演示账号：先运行 `gongzhi demo`。")
            return
        table = Table(title="演示账号（仅用于开发和演示环境）")
        for column in ("角色", "用户名", "密码", "岗位 @ 辖区", "可见范围"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(row.role, row.username, row.password, row.post, row.sees)
        console.print(table)
        others = other_streets_logins()
        if others:
            console.print(f"其他街道（密码同上；角色与岗位同{FIRST.name}的同名账号，岗位编码换成本街道的）：")
            for entry in others:
                street = entry.street
                console.print(
                    f"  {street.name}（{street.code}，Open311 jurisdiction_id={street.jurisdiction_id}）："
                    + " ".join(entry.usernames)
                )
        if Gateway.objects.filter(name=DEMO_GATEWAY_NAME, revoked_at__isnull=True).exists():
            console.print(
                f"关爱设备演示网关令牌（POST /api/v1/care/events，`gongzhi care_simulate` 默认使用）：{DEMO_GATEWAY_TOKEN}"
            )
