"""Service-order (订单服务) figures of a place for a period (docs/kpis.md "Orders", docs/services.md):
per module, the orders posted, taken, served, converted into cases and cancelled; the response
time (posted → taken, minutes) and the completion time (posted → served, hours) at p50 and p90;
satisfaction (满意 or 基本满意 among the rated).

Counted straight from the orders table (a street's orders are some thousands a year; an order's
figures change after the fact — taken, served, rated — with no case event for the rollup to
follow), like the care figures (ADR 0021). Counts only, no name. Shown to whoever sees the
place's orders as a whole: VIEW_ORDERS over every path of the subject (the area's committee,
the street), never for a unit's or a post's figures.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from gongzhi.core.actors import Actor
from gongzhi.orders.choices import OrderState, Satisfaction
from gongzhi.orders.models import Order
from gongzhi.orgs import access
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, path_q

SERVED = (OrderState.SERVED, OrderState.CLOSED)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def applies(subject: Subject) -> bool:
    return bool(subject.paths) and subject.unit is None and subject.post_ids is None


def may_see(user: Actor, subject: Subject) -> bool:
    if not applies(subject):
        return False
    if user is None or access.scope(user).superuser:
        return True
    return all(access.can_under(user, access.VIEW_ORDERS, p) for p in subject.paths)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest rank (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@dataclass
class ModuleFigures:
    code: str
    name: str
    posted: int = 0
    taken: int = 0
    served: int = 0
    converted: int = 0
    cancelled: int = 0
    open: int = 0
    rated: int = 0
    content: int = 0
    response_minutes: list[float] = field(default_factory=list)
    completion_hours: list[float] = field(default_factory=list)

    @property
    def response_p50(self) -> float | None:
        return percentile(self.response_minutes, 0.5)

    @property
    def response_p90(self) -> float | None:
        return percentile(self.response_minutes, 0.9)

    @property
    def completion_p50(self) -> float | None:
        return percentile(self.completion_hours, 0.5)

    @property
    def completion_p90(self) -> float | None:
        return percentile(self.completion_hours, 0.9)

    @property
    def satisfaction(self) -> float | None:
        return round(100.0 * self.content / self.rated, 1) if self.rated else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "posted": self.posted,
            "taken": self.taken,
            "served": self.served,
            "converted": self.converted,
            "cancelled": self.cancelled,
            "open": self.open,
            "rated": self.rated,
            "satisfaction": self.satisfaction,
            "response_minutes_p50": self.response_p50,
            "response_minutes_p90": self.response_p90,
            "completion_hours_p50": self.completion_p50,
            "completion_hours_p90": self.completion_p90,
        }


@dataclass
class OrderFigures:
    modules: list[ModuleFigures]
    total: ModuleFigures


def figures(subject: Subject, period: Period) -> OrderFigures:
    """The orders posted in the period under the subject's places, by module and in total."""
    rows = (
        Order.objects.filter(path_q(subject.paths), created_at__gte=period.since, created_at__lt=period.until)
        .order_by()
        .values_list(
            "module__code", "module__name", "state", "created_at", "taken_at", "served_at", "satisfaction"
        )
    )
    by_module: dict[str, ModuleFigures] = {}
    total = ModuleFigures(code="", name="")
    for code, name, state, created, taken, served, satisfaction in rows:
        module = by_module.setdefault(code, ModuleFigures(code=code, name=name))
        for f in (module, total):
            f.posted += 1
            f.open += state in (OrderState.OPEN, OrderState.TAKEN)
            f.converted += state == OrderState.CONVERTED
            f.cancelled += state == OrderState.CANCELLED
            if taken is not None:
                f.taken += 1
                f.response_minutes.append((taken - created).total_seconds() / 60)
            if served is not None and state in SERVED:
                f.served += 1
                f.completion_hours.append((served - created).total_seconds() / 3600)
            if satisfaction:
                f.rated += 1
                f.content += satisfaction in CONTENT
    return OrderFigures(modules=sorted(by_module.values(), key=lambda m: m.code), total=total)


def report_figures(subject: Subject, period: Period) -> dict[str, Any]:
    """The 日报/周报's 订单服务 section as plain values (frozen as JSON with the report)."""
    found = figures(subject, period)
    return {"total": found.total.as_dict(), "modules": [m.as_dict() for m in found.modules]}
