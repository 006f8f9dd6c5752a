"""Small rota problems built by hand for the solver's tests (pure data, no database)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gongzhi.mobilisation.rota.model import Person, Shift

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, tzinfo=TZ)
EAST, WEST = 1, 2
LABELS = {EAST: "东门", WEST: "西门"}
GATE = (31.2300, 121.4700)


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def person(
    pid: int,
    *,
    skills: tuple[str, ...] = (),
    free: tuple[tuple[datetime, datetime], ...] | None = None,
    day: float = 12,
    week: float = 60,
    rest: float = 0,
    home: tuple[float, float] | None = GATE,
    booked: tuple[tuple[datetime, datetime], ...] = (),
) -> Person:
    return Person(
        id=pid,
        skills=frozenset(skills),
        available=free if free is not None else ((at(-1, 0), at(30, 0)),),
        max_hours_day=day,
        max_hours_week=week,
        min_rest_hours=rest,
        home=home,
        booked=booked,
    )


def shift(
    sid: int,
    start: datetime,
    hours: float,
    *,
    post: int = EAST,
    need: int = 1,
    skills: tuple[str, ...] = (),
    place: tuple[float, float] | None = GATE,
) -> Shift:
    return Shift(
        id=sid,
        post_id=post,
        start=start,
        end=start + timedelta(hours=hours),
        need=need,
        skills=frozenset(skills),
        place=place,
    )
