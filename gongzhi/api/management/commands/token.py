"""`gongzhi token create USERNAME --name NAME | revoke ID | list USERNAME`: API tokens for the
operator. The key is printed once, at creation; only its hash is kept."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.api import selectors, services


class Command(BaseCommand):
    help = "管理接口令牌：create 创建 / revoke 吊销 / list 列出"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建令牌（密钥只显示一次）")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="令牌名称")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("token_id", type=int)
        listing = sub.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _user(self, username: str) -> User:
        user = selectors.user_by_username(username)
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        return user

    def do_create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        try:
            token, key = services.token_create(user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stderr.write(f"已创建令牌 #{token.pk}「{token.name}」。密钥只显示这一次，请妥善保存：")
        self.stdout.write(key)

    def do_revoke(self, options: dict[str, Any]) -> None:
        token = selectors.token_get_any(pk=options["token_id"])
        if token is None:
            raise CommandError(f"令牌 #{options['token_id']} 不存在")
        services.token_revoke(token=token)
        self.stdout.write(f"已吊销令牌 #{token.pk}「{token.name}」（{token.user.get_username()}）")

    def do_list(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        for t in selectors.token_list(user=user):
            state = f"已吊销 {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "有效"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "从未使用"
            self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.name}\t{state}\t最近使用：{used}")
