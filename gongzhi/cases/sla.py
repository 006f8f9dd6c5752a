"""Case deadlines on the working-hour calendar (core.workcal): dispatch within 1 working hour,
handling by the category's limit, verification within 1 working hour. A category whose policy
says `wall_clock` (为老上门探视: a welfare check cannot wait for Monday) counts its handling
limit on the wall clock instead."""

from datetime import datetime, timedelta

from gongzhi.orgs.models import Category

DISPATCH_HOURS = 1
VERIFY_HOURS = 1
DEFAULT_LIMIT = (1, "days")


def _due(start: datetime, amount: int, unit: str) -> datetime:
    from gongzhi.core import workcal, workcal_db

    limit = workcal.WorkLimit.days(amount) if unit == "days" else workcal.WorkLimit.hours(amount)
    return workcal.deadline(start, limit, workcal_db.current_calendar())


def dispatch_due(start: datetime) -> datetime:
    return _due(start, DISPATCH_HOURS, "hours")


def verify_due(start: datetime) -> datetime:
    return _due(start, VERIFY_HOURS, "hours")


def wall_clock(category: Category | None) -> bool:
    policy = getattr(category, "policy", None) if category is not None else None
    return bool(policy is not None and policy.wall_clock)


def handle_due(start: datetime, category: Category | None) -> datetime:
    policy = getattr(category, "policy", None) if category is not None else None
    amount, unit = (policy.limit_amount, policy.limit_unit) if policy is not None else DEFAULT_LIMIT
    if policy is not None and policy.wall_clock:
        return start + (timedelta(days=amount) if unit == "days" else timedelta(hours=amount))
    return _due(start, amount, unit)
