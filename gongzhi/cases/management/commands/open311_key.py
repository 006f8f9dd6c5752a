"""`gongzhi open311_key create NAME | revoke ID | list`: keys for Open311 clients. The key is
printed once, at creation; only its keyed hash is kept."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.cases.open311 import keys


class Command(BaseCommand):
    help = "管理 Open311 接口密钥：create 创建 / revoke 吊销 / list 列出"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建密钥（只显示一次）")
        create.add_argument("name", help="使用方名称，如“12345热线对接”")
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("key_id", type=int)
        sub.add_parser("list", help="列出密钥")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_create(self, options: dict[str, Any]) -> None:
        try:
            row, key = keys.key_create(name=options["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stderr.write(f"已创建 Open311 密钥 #{row.pk}「{row.name}」。密钥只显示这一次，请妥善保存：")
        self.stdout.write(key)

    def do_revoke(self, options: dict[str, Any]) -> None:
        row = keys.key_get(options["key_id"])
        if row is None:
            raise CommandError(f"密钥 #{options['key_id']} 不存在")
        keys.key_revoke(key=row)
        self.stdout.write(f"已吊销 Open311 密钥 #{row.pk}「{row.name}」")

    def do_list(self, options: dict[str, Any]) -> None:
        for row in keys.key_list():
            state = f"已吊销 {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "有效"
            self.stdout.write(
                f"{row.pk}\t{row.prefix}…\t{row.name}\t{state}\t创建于 {row.created_at:%Y-%m-%d}"
            )
