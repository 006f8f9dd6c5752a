"""The home page's case figures for a dispatcher: the KPI counters of the last days over the
places whose cases they see, from the same facts and totals as the KPI page (one definition;
this replaces the former cases.selectors_stats)."""

from dataclasses import dataclass

from gongzhi.core.actors import Actor
from gongzhi.reports import kpis, rollup
from gongzhi.reports.periods import last_days
from gongzhi.reports.subjects import scope_subject


@dataclass(frozen=True)
class HomeStats:
    received: int = 0  # 受理: cases reported in the period
    closed: int = 0  # 结案: closures in the period that still stand
    closed_locally: int = 0  # 本级结案: of those, never escalated
    escalated: int = 0  # 上报升级: escalate and pull events
    rework: int = 0  # 返工次数: reject and reopen events
    returned: int = 0  # 退单次数: return events

    @property
    def local_rate_percent(self) -> float | None:
        """本级解决率 in percent, or None when nothing closed."""
        return round(100.0 * self.closed_locally / self.closed, 1) if self.closed else None


def home_stats(user: Actor, *, days: int = 30) -> HomeStats | None:
    """The figures of the last `days` days (today included) over the user's case scope; None
    for a user who sees no place's cases."""
    subject = scope_subject(user)
    if subject is None:
        return None
    rollup.catch_up()
    c = kpis.counters(subject, last_days(days))
    return HomeStats(
        received=c["received"],
        closed=c["closed"],
        closed_locally=c["closed_local"],
        escalated=c["escalations"],
        rework=c["reworks"],
        returned=c["returns"],
    )
