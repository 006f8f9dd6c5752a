"""The rules in force: each street's rows (the defaults below until an admin edits them) and
each subject's overrides, read once per rule pass or ingest batch."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.expressions import RawSQL

from gongzhi.care.choices import ALARM_RULES, RuleKind
from gongzhi.care.models import Rule, RuleOverride
from gongzhi.geo import streets as geo_streets


@dataclass(frozen=True)
class Params:
    enabled: bool = True
    hours: float | None = None
    litres: float | None = None
    quiet_from: time | None = None
    quiet_until: time | None = None

    def quiet(self, now: datetime) -> bool:
        """Whether `now` (local time) lies in the rule's quiet hours (a window may cross midnight)."""
        if self.quiet_from is None or self.quiet_until is None or self.quiet_from == self.quiet_until:
            return False
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE)).time()
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= local < self.quiet_until
        return local >= self.quiet_from or local < self.quiet_until


NIGHT_FROM, NIGHT_UNTIL = time(22, 0), time(7, 0)
# The field's practice (docs/domain.md §3, docs/care.md): nobody past the door for 48 hours;
# under 10 litres of water in 12 hours; over 2 m³ a day, or water in every half hour (a leak);
# no electricity for 24 hours; alarms at once; a visit overdue by a day past its frequency.
DEFAULTS: dict[str, Params] = {
    RuleKind.NO_DOOR: Params(hours=48, quiet_from=NIGHT_FROM, quiet_until=NIGHT_UNTIL),
    RuleKind.WATER_LOW: Params(hours=12, litres=10, quiet_from=NIGHT_FROM, quiet_until=NIGHT_UNTIL),
    RuleKind.WATER_LEAK: Params(litres=2000),
    RuleKind.NO_POWER: Params(hours=24, quiet_from=NIGHT_FROM, quiet_until=NIGHT_UNTIL),
    RuleKind.SOS: Params(),
    RuleKind.SMOKE: Params(),
    RuleKind.GAS: Params(),
    RuleKind.VISIT_OVERDUE: Params(hours=24, quiet_from=NIGHT_FROM, quiet_until=NIGHT_UNTIL),
}
# Which parameters a kind takes: the rule services refuse the others.
TAKES: dict[str, tuple[str, ...]] = {
    RuleKind.NO_DOOR: ("hours",),
    RuleKind.WATER_LOW: ("hours", "litres"),
    RuleKind.WATER_LEAK: ("litres",),
    RuleKind.NO_POWER: ("hours",),
    RuleKind.VISIT_OVERDUE: ("hours",),
    **dict.fromkeys(ALARM_RULES, ()),
}
SILENCE_RULES = (RuleKind.NO_DOOR, RuleKind.WATER_LOW, RuleKind.NO_POWER, RuleKind.VISIT_OVERDUE)


def street_path(node_path: str) -> str:
    """The street's path at the head of a node path ("/FL/FL-K1/…" → "/FL/", under a district
    "/SFQ/FL/FL-K1/…" → "/SFQ/FL/"; geo.streets)."""
    return geo_streets.street_path(node_path)


class RuleBook:
    def __init__(
        self, streets: dict[tuple[str, str], Params], overrides: dict[tuple[int, str], RuleOverride]
    ):
        self.streets = streets
        self.overrides = overrides

    @classmethod
    def load(cls, subject_ids: Iterable[int] | RawSQL | None = None) -> "RuleBook":
        """The streets' rules and the overrides of `subject_ids` (ids, or a subquery of them)."""
        streets = {
            (r.street.path, r.kind): Params(r.enabled, r.hours, r.litres, r.quiet_from, r.quiet_until)
            for r in Rule.objects.select_related("street").only(
                "kind", "enabled", "hours", "litres", "quiet_from", "quiet_until", "street__path"
            )
        }
        overrides = RuleOverride.objects.all()
        if subject_ids is not None:
            ids = subject_ids if isinstance(subject_ids, RawSQL) else list(subject_ids)
            overrides = overrides.filter(subject_id__in=ids)
        return cls(streets, {(o.subject_id, o.kind): o for o in overrides})

    def street(self, path: str, kind: str) -> Params:
        return self.streets.get((street_path(path), kind), DEFAULTS[kind])

    def params(self, subject_id: int, node_path: str, kind: str) -> Params:
        base = self.street(node_path, kind)
        own = self.overrides.get((subject_id, kind))
        if own is None:
            return base
        return replace(
            base,
            enabled=own.enabled,
            hours=own.hours if own.hours is not None else base.hours,
            litres=own.litres if own.litres is not None else base.litres,
        )

    def loosest_hours(self, path: str, kind: str) -> float | None:
        """The shortest silence any subject of the street is held to for `kind` (its rule or an
        override): the SQL pre-filter of the rule pass, exact checks follow per subject. None
        when no subject is held to it."""
        hours = [p.hours for p in self._all(path, kind) if p.enabled and p.hours is not None]
        return min(hours) if hours else None

    def any_enabled(self, path: str, kind: str) -> bool:
        return any(p.enabled for p in self._all(path, kind))

    def _all(self, path: str, kind: str) -> list[Params]:
        found = [self.street(path, kind)]
        found += [
            self.params(subject_id, path, kind) for (subject_id, k) in self.overrides if k == kind
        ]  # a few rows: overrides are exceptions
        return found
