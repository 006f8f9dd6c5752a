"""What each demo street keeps for itself beside the deployment's defaults (docs/tenancy.md):
its own handling limits for a few 小类 (`cases.StreetCategoryLimit`) and its own working-calendar
exceptions (`core.WorkDay.street`). Street 1 keeps the deployment's (the demo as it always
was); street k draws its own from its seed, and its year of cases is planned on them
(demo.history), so every deadline is the one cases.sla gives for the case's street.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from gongzhi.cases.models import CategoryPolicy, StreetCategoryLimit
from gongzhi.core.models import WorkDay
from gongzhi.demo.district import DemoStreet
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category

# Common 小类 a street may hold to a tighter or looser limit than the district's default,
# with the limits a street office would choose: (amount, unit).
LIMIT_CANDIDATES = ("HJ01", "HJ02", "LD01", "LD02", "JY04", "JY05", "FW03", "SS01")
LIMIT_CHOICES = ((4, "hours"), (8, "hours"), (2, "days"), (3, "days"))
OWN_LIMITS = 3
# A Saturday worked and a weekday off, as a street office arranges them: (note, is_workday).
OWN_DAYS = (("街道集中办公日（周六上班）", True), ("街道换届选举，机关调休", False))


@dataclass
class StreetRules:
    limits: dict[str, tuple[int, str]] = field(default_factory=dict)  # 小类 code → own limit
    days: list[tuple[date, bool, str]] = field(default_factory=list)  # (day, is_workday, note)


def plan(street: DemoStreet, rng: random.Random, now: datetime) -> StreetRules:
    """The street's own limits and days (none for street 1), within the year up to `now`."""
    if street.number == 1:
        return StreetRules()
    policies = {
        p.category.code: (p.limit_amount, p.limit_unit, p.wall_clock)
        for p in CategoryPolicy.objects.filter(category__code__in=LIMIT_CANDIDATES).select_related("category")
    }
    limits: dict[str, tuple[int, str]] = {}
    for code in rng.sample(sorted(policies), min(OWN_LIMITS, len(policies))):
        amount, unit, wall_clock = policies[code]
        if wall_clock:
            continue  # a limit on the wall clock stays the district's
        choices = [c for c in LIMIT_CHOICES if c != (amount, unit)]
        limits[code] = rng.choice(choices)
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    days: list[tuple[date, bool, str]] = []
    for note, is_workday in OWN_DAYS:
        day = today - timedelta(days=rng.randint(30, 330))
        while (day.weekday() >= 5) != is_workday or any(d == day for d, _w, _n in days):
            day -= timedelta(days=1)  # a Saturday or Sunday to work, a weekday to rest
        days.append((day, is_workday, note))
    return StreetRules(limits=limits, days=days)


def write_days(street: DemoStreet, rules: StreetRules) -> None:
    """The street's own days (by its code: core sits below the tree), before its history is
    planned on its calendar. A row the street already has for a day is left as it is."""
    for day, is_workday, note in rules.days:
        WorkDay.objects.get_or_create(
            date=day,
            street=street.code,
            defaults={"is_workday": is_workday, "note": note, "source": WorkDay.Source.ADMIN},
        )


def write_limits(street: Node, rules: StreetRules) -> None:
    """The street's own limits, once its node exists."""
    ids = dict(Category.objects.filter(code__in=rules.limits).values_list("code", "pk"))
    StreetCategoryLimit.objects.bulk_create(
        [
            StreetCategoryLimit(street=street, category_id=ids[code], limit_amount=amount, limit_unit=unit)
            for code, (amount, unit) in sorted(rules.limits.items())
        ]
    )
