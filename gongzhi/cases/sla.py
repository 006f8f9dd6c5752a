"""Case deadlines on the working-hour calendar (core.workcal): dispatch within 1 working hour,
handling by the category's limit, verification within 1 working hour. A category whose policy
says `wall_clock` (为老上门探视: a welfare check cannot wait for Monday) counts its handling
limit on the wall clock instead.

Each street counts on its own calendar (the deployment's days and its own, `core.WorkDay.street`)
and may keep its own handling limit for a 小类 (`StreetCategoryLimit`): the case's node path
says which street (geo.streets; docs/tenancy.md)."""

from datetime import datetime, timedelta

from gongzhi.core import refdata, workcal, workcal_db
from gongzhi.geo import streets
from gongzhi.orgs.models import Category

DISPATCH_HOURS = 1
VERIFY_HOURS = 1
DEFAULT_LIMIT = (1, "days")


def calendar(path: str = "") -> workcal.WorkCalendar:
    """The working calendar of the street holding the node at `path` ("": the deployment's)."""
    return workcal_db.current_calendar(streets.street_code(path) if path else "")


def _due(start: datetime, amount: int, unit: str, path: str = "") -> datetime:
    limit = workcal.WorkLimit.days(amount) if unit == "days" else workcal.WorkLimit.hours(amount)
    return workcal.deadline(start, limit, calendar(path))


def dispatch_due(start: datetime, path: str = "") -> datetime:
    return _due(start, DISPATCH_HOURS, "hours", path)


def verify_due(start: datetime, path: str = "") -> datetime:
    return _due(start, VERIFY_HOURS, "hours", path)


def wall_clock(category: Category | None) -> bool:
    policy = getattr(category, "policy", None) if category is not None else None
    return bool(policy is not None and policy.wall_clock)


def street_limit(path: str, category: Category) -> tuple[int, str] | None:
    """The street's own handling limit for the category, if it keeps one (reference snapshot)."""
    code = streets.street_code(path) if path else ""
    if not code:
        return None

    def load(key: tuple[str, int]) -> tuple[int, str] | None:
        from gongzhi.cases.models import StreetCategoryLimit

        row = StreetCategoryLimit.objects.filter(street__code=key[0], category_id=key[1])
        found = row.values_list("limit_amount", "limit_unit").first()
        return (int(found[0]), str(found[1])) if found else None

    return refdata.snapshot().get("street_limit", (code, category.pk), load)  # type: ignore[no-any-return]


def handle_due(start: datetime, category: Category | None, path: str = "") -> datetime:
    policy = getattr(category, "policy", None) if category is not None else None
    amount, unit = (policy.limit_amount, policy.limit_unit) if policy is not None else DEFAULT_LIMIT
    own = street_limit(path, category) if category is not None else None
    if own is not None:
        amount, unit = own
    if policy is not None and policy.wall_clock:
        return start + (timedelta(days=amount) if unit == "days" else timedelta(hours=amount))
    return _due(start, amount, unit, path)
