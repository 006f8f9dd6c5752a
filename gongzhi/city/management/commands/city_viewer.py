"""Grant or take back the city view (/city/, orgs.access.can_view_city): the permission
city.view_city on a user. The admin does the same on a user or a group; this is for the
server's operator, who creates the city's accounts from the command line."""

from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.orgs.access import CITY_VIEW


class Command(BaseCommand):
    help = "授予或收回账号的全市视图权限（city.view_city）；不带账号时列出持有者"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="账号")
        parser.add_argument("--revoke", action="store_true", help="收回权限")

    def handle(self, *args: Any, **options: Any) -> None:
        app_label, codename = CITY_VIEW.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise CommandError("权限 city.view_city 不存在：请先运行 gongzhi migrate")
        if not options["username"]:
            holders = User.objects.filter(user_permissions=permission).order_by("username")
            for holder in holders:
                self.stdout.write(holder.username)
            self.stdout.write(f"共 {holders.count()} 个账号直接持有（通过用户组授予的见管理后台）")
            return
        found = User.objects.filter(username=options["username"]).first()
        if found is None:
            raise CommandError(f"没有账号 {options['username']}")
        user = found
        if options["revoke"]:
            user.user_permissions.remove(permission)
            self.stdout.write(f"已收回 {user.username} 的全市视图权限")
        else:
            user.user_permissions.add(permission)
            self.stdout.write(f"已授予 {user.username} 全市视图权限")
