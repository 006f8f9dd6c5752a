"""The city view's reads: districts and streets ranked from the day totals the districts
replicate into the city database (gongzhi.city.models). Counts summed over [start, end) days;
rates from the same counters the district KPIs use (docs/kpis.md): closed on time over closed,
satisfied over rated."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from gongzhi.city.models import DistrictDayTotal, DistrictNode

SUMMED = ("received", "closed", "closed_on_time", "rated", "satisfied", "open_now")


@dataclass
class Row:
    district: str
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))

    @property
    def on_time_rate(self) -> float | None:
        closed = self.counts["closed"]
        return self.counts["closed_on_time"] / closed if closed else None

    @property
    def satisfaction(self) -> float | None:
        rated = self.counts["rated"]
        return self.counts["satisfied"] / rated if rated else None


@dataclass
class Ranking:
    districts: list[Row]
    streets: list[Row]


def _key(row: Row) -> tuple[float, int, str, str]:
    """Best first: the on-time rate, then the cases received (a place with no closure last)."""
    rate = row.on_time_rate
    return (-(rate if rate is not None else -1.0), -row.counts["received"], row.district, row.code)


def ranking(start: date, end: date) -> Ranking:
    """Every district and every street with day totals in the local days [start, end)."""
    names = {
        (n.district, n.node_id): (n.level, n.code, n.name)
        for n in DistrictNode.objects.only("district", "node_id", "level", "code", "name")
    }
    grouped = (
        DistrictDayTotal.objects.filter(day__gte=start, day__lt=end)
        .values("district", "area_id")
        .annotate(**{name: Sum(name) for name in SUMMED})
        .order_by()
    )
    districts: dict[str, Row] = {}
    streets: dict[tuple[str, str], Row] = {}
    for g in grouped:
        district = g["district"]
        _level, dname, dtitle = names.get((district, 0), (0, district, district))
        d = districts.setdefault(district, Row(district, dname, dtitle))
        _level, code, title = names.get((district, g["area_id"]), (0, "", ""))
        s = streets.setdefault((district, code), Row(district, code, title or code))
        for name in SUMMED:
            d.counts[name] += g[name] or 0
            s.counts[name] += g[name] or 0
    return Ranking(sorted(districts.values(), key=_key), sorted(streets.values(), key=_key))
