"""Seed handling rules per 小类: deadline, lead department, local-first, evidence.

From docs/design.md §5 and 12345 practice: exposed rubbish 4 working hours, blocked corridor 1
working day, illegal structure 20 working days (stopping one under construction is a matter of
hours and is handled as an urgent note on the case); a gas smell or a burst main is a matter of
hours, a lift retrofit of weeks. The lead unit kind is the department that answers first when
the 三定 roster offers several posts (routing). Admins change these in the back office; the
seed only adds the policies that are missing.
"""

from typing import Any

# code: (amount, unit, lead unit kind, must try locally, local only, photo before, photo after)
SEED: dict[str, tuple[int, str, str, bool, bool, bool, bool]] = {
    "HJ01": (4, "hours", "property", True, False, True, True),
    "HJ02": (1, "days", "residents_committee", True, True, False, True),
    "HJ03": (3, "days", "property", True, False, True, True),
    "HJ04": (1, "days", "property", True, False, False, True),
    "HJ05": (2, "days", "police", True, False, False, False),
    "HJ06": (1, "days", "department", False, False, True, True),
    "HJ07": (5, "days", "urban_management", True, False, False, True),
    "HJ08": (4, "hours", "urban_management", True, False, True, True),
    "HJ09": (1, "days", "property", True, False, True, True),
    "HJ10": (3, "days", "department", False, False, True, True),
    "HJ11": (3, "days", "property", True, False, False, True),
    "HJ12": (3, "days", "department", False, False, True, True),
    "HJ13": (5, "days", "residents_committee", True, False, False, True),
    "LD01": (1, "days", "property", True, False, True, True),
    "LD02": (4, "hours", "property", True, False, True, True),
    "LD03": (4, "hours", "property", True, False, True, True),
    "LD04": (2, "days", "property", True, False, True, True),
    "LD05": (4, "hours", "property", True, False, True, True),
    "LD06": (10, "days", "property", True, False, False, True),
    "WJ01": (20, "days", "urban_management", True, False, True, True),
    "WJ02": (10, "days", "housing", True, False, True, True),
    "WJ03": (10, "days", "urban_management", True, False, True, True),
    "FW01": (10, "days", "housing", True, False, False, True),
    "FW02": (10, "days", "housing", True, False, False, False),
    "FW03": (5, "days", "property", True, False, True, True),
    "FW04": (10, "days", "housing", True, False, True, True),
    "FW05": (2, "days", "housing", True, False, True, True),
    "FW06": (20, "days", "housing", True, False, False, False),
    "JY01": (4, "hours", "urban_management", True, False, True, True),
    "JY02": (1, "days", "urban_management", True, False, True, True),
    "JY03": (5, "days", "market_supervision", True, False, False, False),
    "JY04": (4, "hours", "property", True, False, True, True),
    "JY05": (2, "days", "property", True, False, False, False),
    "JY06": (1, "days", "urban_management", True, False, True, True),
    "JY07": (1, "days", "urban_management", True, False, True, True),
    "JY08": (5, "days", "department", False, False, False, False),
    "JY09": (1, "days", "street_office", False, False, False, False),
    "JY10": (10, "days", "police", True, False, True, True),
    "JY11": (3, "days", "market_supervision", False, False, False, False),
    "SS01": (2, "days", "department", False, False, False, True),
    "SS02": (5, "days", "department", False, False, True, True),
    "SS03": (4, "hours", "department", False, False, True, True),
    "SS04": (1, "days", "department", False, False, True, True),
    "SS05": (4, "hours", "department", False, False, True, True),
    "SS06": (1, "days", "department", False, False, True, True),
    "SS07": (2, "hours", "department", False, False, False, False),
    "SS08": (3, "days", "department", False, False, True, True),
    "SS09": (1, "days", "department", False, False, True, True),
    "SS10": (5, "days", "residents_committee", True, False, True, True),
    "SS11": (2, "days", "department", False, False, True, True),
    "AQ01": (1, "days", "police", True, False, False, False),
    "AQ02": (5, "days", "residents_committee", True, True, False, False),
    "AQ03": (1, "days", "police", True, False, False, False),
    "AQ04": (1, "days", "police", True, False, False, False),
    "AQ05": (1, "days", "police", False, False, False, False),
    "WY01": (3, "days", "property", True, False, False, False),
    "WY02": (4, "hours", "property", True, False, False, False),
    "WY03": (2, "days", "property", True, False, False, False),
    "WY04": (2, "days", "property", True, False, True, True),
    "WY05": (10, "days", "housing", True, False, False, False),
    "WY06": (15, "days", "housing", True, False, False, False),
    "WY07": (4, "hours", "property", True, False, False, False),
    "MS01": (3, "days", "residents_committee", True, True, False, False),
    "MS02": (3, "days", "residents_committee", True, False, False, False),
    # 为老上门探视: nobody has seen an older person living alone — a knock the same day, on the
    # wall clock (WALL_CLOCK), and the street may be called in (docs/care.md)
    "MS03": (2, "hours", "residents_committee", False, False, False, False),
    "MS04": (5, "days", "residents_committee", True, False, False, False),
    "MS05": (3, "days", "health", False, False, False, False),
    "MS06": (5, "days", "street_office", False, False, False, False),
    "MS07": (3, "days", "residents_committee", True, True, False, False),
    "MS08": (5, "days", "legal", False, False, False, False),
    "SG01": (1, "days", "urban_management", False, False, False, False),
    "SG02": (1, "days", "urban_management", False, False, True, True),
    "SG03": (1, "days", "property", True, False, False, False),
    "SG04": (3, "days", "urban_management", False, False, True, True),
}


# The 小类 whose limit runs on the wall clock, not on working hours.
WALL_CLOCK = frozenset({"MS03"})
# MS03's seed before the care alert chain (cases 0008 moves a policy still at it).
MS03_BEFORE = (1, "days", "residents_committee", True, True, False, False)


def seed_policies(category_model: Any, policy_model: Any) -> None:
    """Create the missing seed policies (the migration passes its historical models)."""
    wall = any(f.name == "wall_clock" for f in policy_model._meta.get_fields())  # from cases 0008
    have = set(policy_model.objects.values_list("category_id", flat=True))
    missing = []
    for category in category_model.objects.filter(code__in=SEED):
        if category.pk in have:
            continue
        amount, unit, lead, try_locally, local_only, before, after = SEED[category.code]
        extra = {"wall_clock": category.code in WALL_CLOCK} if wall else {}
        missing.append(
            policy_model(
                category=category,
                limit_amount=amount,
                limit_unit=unit,
                lead_unit_kind=lead,
                must_try_locally=try_locally,
                local_only=local_only,
                photo_before=before,
                photo_after=after,
                **extra,
            )
        )
    policy_model.objects.bulk_create(missing)  # one insert (tests re-seed after every flush)


def seed_wall_clock(policy_model: Any) -> None:
    """Move MS03's policy to a same-day wall-clock visit, unless the admins changed it (a fresh
    database has the new seed from cases 0002, an older one the old)."""
    new = SEED["MS03"]
    for amount, unit, lead, try_locally, local_only, _before, _after in (MS03_BEFORE, new):
        policy_model.objects.filter(
            category__code="MS03",
            limit_amount=amount,
            limit_unit=unit,
            lead_unit_kind=lead,
            must_try_locally=try_locally,
            local_only=local_only,
        ).update(
            limit_amount=new[0],
            limit_unit=new[1],
            must_try_locally=new[3],
            local_only=new[4],
            wall_clock=True,
        )
