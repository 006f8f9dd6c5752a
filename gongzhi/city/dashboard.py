"""The city dashboard's figures (/city/, docs/scaling.md "City view"): the ranking of
districts and streets (gongzhi.city.selectors) over a period, as plain values that the page
prints and its data.json hands to the charts. Counts and rates only: nothing personal is in
the city database to begin with.

`configured()` says whether this server has a city database (CITY_DATABASE_URL): without it
the page says so instead of failing."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from gongzhi.city import selectors
from gongzhi.city.router import CITY
from gongzhi.reports import periods

DEFAULT_DAYS = 30  # the page opens on the last 30 days
CACHE_SECONDS = 300  # the figures a viewer sees may be this much older than the city database


def configured() -> bool:
    return CITY in settings.DATABASES


def default_period() -> periods.Period:
    return periods.last_days(DEFAULT_DAYS)


def percent(value: float | None) -> float | None:
    """A rate as the pages print it (one decimal), None where nothing was closed or rated."""
    return None if value is None else round(value * 100, 1)


@dataclass
class CityBoard:
    period: periods.Period
    districts: list[dict[str, Any]]
    streets: list[dict[str, Any]]  # each also names its district (two may both hold a 新华街道)


def _row(rank: int, row: selectors.Row) -> dict[str, Any]:
    c = row.counts
    return {
        "rank": rank,
        "district": row.district,
        "code": row.code,
        "name": row.name,
        "received": c["received"],
        "closed": c["closed"],
        "closed_on_time": c["closed_on_time"],
        "on_time_rate": percent(row.on_time_rate),
        "rated": c["rated"],
        "satisfied": c["satisfied"],
        "satisfaction": percent(row.satisfaction),
        "still_open": c["open_now"],  # received in the period and not closed yet
    }


def board(period: periods.Period) -> CityBoard:
    """The ranking over `period`, the same for every viewer: kept CACHE_SECONDS per period (the
    districts' rollups change it every 10 minutes at most; a 30-day ranking over a city's year
    of day totals took about a second to read, docs/scaling.md). The city database's
    DatabaseError passes through, uncached: the page says the city database cannot be read."""
    key = f"city:board:{period.start.isoformat()}:{period.end.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _board(period)
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def _board(period: periods.Period) -> CityBoard:
    ranked = selectors.ranking(period.start, period.end)
    districts = [_row(rank, r) for rank, r in enumerate(ranked.districts, start=1)]
    names = {d["district"]: d["name"] for d in districts}
    streets = [
        {**_row(rank, r), "district_name": names.get(r.district, r.district)}
        for rank, r in enumerate(ranked.streets, start=1)
    ]
    return CityBoard(period, districts, streets)


def as_json(b: CityBoard) -> dict[str, Any]:
    """What data.json answers and the page's charts draw (`end` excluded, as the API's)."""
    return {
        "period": {"start": b.period.start.isoformat(), "end": b.period.end.isoformat()},
        "districts": b.districts,
        "streets": b.streets,
    }
