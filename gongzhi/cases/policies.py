"""Seed handling rules per 小类: deadline, lead department, local-first, evidence.

From docs/design.md §5 and 12345 practice: exposed rubbish 4 working hours, blocked corridor 1
working day, illegal structure 20 working days (stopping one under construction is a matter of
hours and is handled as an urgent note on the case). Admins change these in the back office.
"""

from typing import Any

# code: (amount, unit, lead unit kind, must try locally, local only, photo before, photo after)
SEED: dict[str, tuple[int, str, str, bool, bool, bool, bool]] = {
    "HJ01": (4, "hours", "property", True, False, True, True),
    "HJ02": (1, "days", "residents_committee", True, True, False, True),
    "HJ03": (3, "days", "property", True, False, True, True),
    "HJ04": (1, "days", "property", True, False, False, True),
    "HJ05": (2, "days", "police", True, False, False, False),
    "LD01": (1, "days", "property", True, False, True, True),
    "LD02": (4, "hours", "property", True, False, True, True),
    "LD03": (4, "hours", "property", True, False, True, True),
    "LD04": (2, "days", "property", True, False, True, True),
    "WJ01": (20, "days", "urban_management", True, False, True, True),
    "WJ02": (10, "days", "housing", True, False, True, True),
    "WJ03": (10, "days", "urban_management", True, False, True, True),
    "FW01": (10, "days", "housing", True, False, False, True),
    "FW02": (10, "days", "housing", True, False, False, False),
    "FW03": (5, "days", "property", True, False, True, True),
    "FW04": (10, "days", "housing", True, False, True, True),
    "JY01": (4, "hours", "urban_management", True, False, True, True),
    "JY02": (1, "days", "urban_management", True, False, True, True),
    "JY03": (5, "days", "market_supervision", True, False, False, False),
    "JY04": (4, "hours", "property", True, False, True, True),
    "JY05": (2, "days", "property", True, False, False, False),
    "SS01": (2, "days", "department", False, False, False, True),
    "SS02": (5, "days", "department", False, False, True, True),
    "SS03": (4, "hours", "department", False, False, True, True),
    "SS04": (1, "days", "department", False, False, True, True),
    "AQ01": (1, "days", "police", True, False, False, False),
    "AQ02": (5, "days", "residents_committee", True, True, False, False),
    "AQ03": (1, "days", "police", True, False, False, False),
    "WY01": (3, "days", "property", True, False, False, False),
    "WY02": (4, "hours", "property", True, False, False, False),
    "WY03": (2, "days", "property", True, False, False, False),
    "MS01": (3, "days", "residents_committee", True, True, False, False),
    "MS02": (3, "days", "residents_committee", True, False, False, False),
    "MS03": (1, "days", "residents_committee", True, True, False, False),
}


def seed_policies(category_model: Any, policy_model: Any) -> None:
    """Create the missing seed policies (the migration passes its historical models)."""
    for category in category_model.objects.filter(code__in=SEED):
        amount, unit, lead, try_locally, local_only, before, after = SEED[category.code]
        policy_model.objects.get_or_create(
            category=category,
            defaults={
                "limit_amount": amount,
                "limit_unit": unit,
                "lead_unit_kind": lead,
                "must_try_locally": try_locally,
                "local_only": local_only,
                "photo_before": before,
                "photo_after": after,
            },
        )
