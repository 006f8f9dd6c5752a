"""Lift a login pause before it ends by itself (docs/security.md): a username's failures, or a
client address's, are forgotten. For the street administrator who has checked it is the
person themself."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core import limits, logins


class Command(BaseCommand):
    help = "解除登录暂停：清除某个账号（或某个网络地址）的输错密码计数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="账号")
        parser.add_argument("--ip", help="网络地址")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["username"] and not options["ip"]:
            raise CommandError("请给出 --username 或 --ip")
        if options["username"]:
            limits.clear(logins.USER_BUDGET, logins.username_subject(options["username"]))
            self.stdout.write(f"已解除账号 {options['username']} 的登录暂停")
        if options["ip"]:
            limits.clear(logins.IP_BUDGET, options["ip"].strip())
            self.stdout.write(f"已解除网络地址 {options['ip']} 的登录暂停")
