"""The modules a street starts with (docs/domain.md §4: safety, convenience services, daily help,
dispute mediation, psychological counselling, legal advice ...), serving the whole street;
the street admin then names the teams and edits hours and response times in the admin.
`gongzhi orders_seed` and the demo call `seed_modules`; a module already there is kept."""

from dataclasses import dataclass
from datetime import time

from django.db import transaction

from gongzhi.geo.models import Node
from gongzhi.orders.choices import ModuleKind
from gongzhi.orders.models import ServiceModule


@dataclass(frozen=True)
class Seed:
    suffix: str
    name: str
    name_en: str
    kind: str
    description: str
    response_minutes: int
    opens_at: time = time(8, 0)
    closes_at: time = time(20, 0)
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)


SEEDS = (
    Seed(
        "AQ",
        "安全",
        "Safety",
        ModuleKind.SAFETY,
        "消防隐患排查、门窗安全、燃气报警检查",
        30,
        time(0, 0),
        time(23, 59),
    ),
    Seed("BM", "便民", "Convenience", ModuleKind.CONVENIENCE, "小修小补、理发、磨刀、家电维修", 120),
    Seed("BF", "生活帮扶", "Daily help", ModuleKind.DAILY_HELP, "助餐、助洁、助浴、代购、陪同就医", 60),
    Seed("TJ", "矛盾调解", "Mediation", ModuleKind.MEDIATION, "邻里纠纷、漏水扰民、物业矛盾调解", 240),
    Seed(
        "XL",
        "心理疏导",
        "Counselling",
        ModuleKind.COUNSELLING,
        "心理咨询、情绪疏导、独居老人谈心",
        240,
        weekdays=(1, 2, 3, 4, 5),
    ),
    Seed(
        "FL",
        "法律咨询",
        "Legal advice",
        ModuleKind.LEGAL,
        "特约律师解答继承、租赁、劳动等法律问题",
        480,
        time(9, 0),
        time(17, 0),
        (1, 2, 3, 4, 5),
    ),
)


@transaction.atomic
def seed_modules(street: Node) -> list[ServiceModule]:
    out = []
    for i, seed in enumerate(SEEDS):
        module, created = ServiceModule.objects.get_or_create(
            code=f"{street.code}-SVC-{seed.suffix}",
            defaults={
                "street": street,
                "name": seed.name,
                "name_en": seed.name_en,
                "kind": seed.kind,
                "description": seed.description,
                "response_minutes": seed.response_minutes,
                "opens_at": seed.opens_at,
                "closes_at": seed.closes_at,
                "weekdays": list(seed.weekdays),
                "position": i,
            },
        )
        if created:
            module.places.add(street)
        out.append(module)
    return out
