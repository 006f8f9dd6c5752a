"""Re-encrypt every sealed personal field under the newest key, and optionally recompute the
lookup hashes after PII_HASH_KEY changed. See docs/personal-data.md for the rotation steps."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from rich.progress import Progress

from gongzhi.core import pii
from gongzhi.orgs.models import Person

BATCH = 2000


class Command(BaseCommand):
    help = "用最新密钥重新加密个人信息（手机号、身份证号）；--rehash 同时重算查询哈希"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rehash", action="store_true", help="PII_HASH_KEY 更换后重算查询哈希")

    def handle(self, *args: Any, rehash: bool = False, **options: Any) -> None:
        total = Person.objects.count()
        done = 0
        with Progress(transient=True) as progress:
            task = progress.add_task("重新加密", total=total)
            last_pk = 0
            while True:
                batch = list(
                    Person.objects.filter(pk__gt=last_pk)
                    .order_by("pk")[:BATCH]
                    .only("pk", "phone_enc", "id_enc")
                )
                if not batch:
                    break
                for person in batch:
                    person.phone_enc = pii.rotate(person.phone_enc)
                    person.id_enc = pii.rotate(person.id_enc)
                    if rehash:
                        person.phone_hash = pii.lookup_hash(pii.decrypt(person.phone_enc))
                        person.id_hash = pii.lookup_hash(pii.decrypt(person.id_enc))
                fields = ["phone_enc", "id_enc"] + (["phone_hash", "id_hash"] if rehash else [])
                with transaction.atomic():
                    Person.objects.bulk_update(batch, fields)
                last_pk = batch[-1].pk
                done += len(batch)
                progress.update(task, advance=len(batch))
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {done} 人的个人信息"))
