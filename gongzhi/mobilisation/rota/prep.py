"""What the solver, the explanations and the greedy baseline all start from: the problem
checked for malformed input, each shift's candidates, shift lengths per day and per week, and
the hours each person already stands elsewhere on those days and weeks.

Lengths are in whole minutes rounded up and caps in whole minutes rounded down, so a rota
within them is within the exact caps (the checker measures in seconds). The cap a rota may
still use on a day or a week is the person's cap less their booked minutes then
(`Prepared.day_left`, `week_left`): every place that counts a day's or a week's minutes asks
these, nobody subtracts the booked minutes again.
"""

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from gongzhi.mobilisation.rota.model import Person, Point, Problem, Shift

Week = tuple[int, int]  # ISO (year, week)
Pair = tuple[int, int]  # (shift id, person id)

DEFAULT_KM = 2.0  # distance assumed when a home or a post has no coordinates


@dataclass
class Prepared:
    people: dict[int, Person]
    shifts: dict[int, Shift]
    order: list[Shift]  # by start, then id
    minutes: dict[int, int]  # shift id -> length
    day_minutes: dict[int, dict[date, int]]  # shift id -> minutes on each calendar day
    week_minutes: dict[int, dict[Week, int]]
    fixed: set[Pair]
    forbidden: set[Pair]
    candidates: dict[int, list[int]] = field(default_factory=dict)  # shift id -> person ids
    refusals: dict[Pair, str] = field(default_factory=dict)  # why a fixed pair is not eligible
    day_caps: dict[int, int] = field(default_factory=dict)  # person id -> cap in minutes
    week_caps: dict[int, int] = field(default_factory=dict)
    booked_days: dict[int, dict[date, int]] = field(default_factory=dict)  # person id -> minutes elsewhere
    booked_weeks: dict[int, dict[Week, int]] = field(default_factory=dict)

    def day_left(self, person_id: int, day: date) -> int:
        """Minutes of the day cap the rota may still use (the cap less the day's booked minutes)."""
        booked = self.booked_days.get(person_id)
        cap = self.day_caps[person_id]
        return cap if booked is None else max(0, cap - booked.get(day, 0))

    def week_left(self, person_id: int, week: Week) -> int:
        booked = self.booked_weeks.get(person_id)
        cap = self.week_caps[person_id]
        return cap if booked is None else max(0, cap - booked.get(week, 0))

    def caps(self, person_id: int) -> "tuple[Cap, Cap]":
        """The day and the week caps, each as (shift id -> minutes per key, minutes left per key)."""
        return (
            (self.day_minutes, lambda day: self.day_left(person_id, day)),
            (self.week_minutes, lambda week: self.week_left(person_id, week)),
        )


# (shift id -> minutes on each day or week, the minutes left on that day or week)
Cap = tuple[dict[int, dict[Any, int]], Callable[[Any], int]]


def cap_minutes(hours: float) -> int:
    return max(0, math.floor(hours * 60 + 1e-6))


def _ceil_minutes(start: datetime, end: datetime) -> int:
    return math.ceil((end - start).total_seconds() / 60 - 1e-9)


def split_by_day(start: datetime, end: datetime) -> dict[date, int]:
    """Minutes of [start, end) on each calendar day (a night shift counts on both days)."""
    out: dict[date, int] = {}
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=cursor.tzinfo)
        piece_end = min(end, midnight)
        out[cursor.date()] = _ceil_minutes(cursor, piece_end)
        cursor = piece_end
    return out


def by_week(days: dict[date, int]) -> dict[Week, int]:
    out: dict[Week, int] = defaultdict(int)
    for day, minutes in days.items():
        iso = day.isocalendar()
        out[(iso.year, iso.week)] += minutes
    return dict(out)


def booked_minutes(person: Person) -> dict[date, int]:
    """The minutes a person already stands elsewhere on each calendar day, their windows split
    and rounded as a shift's are (the one place they are counted: see Prepared.day_left)."""
    out: dict[date, int] = defaultdict(int)
    for start, end in person.booked:
        for day, minutes in split_by_day(start, end).items():
            out[day] += minutes
    return dict(out)


def km(a: Point | None, b: Point | None) -> float:
    """Great-circle distance (haversine), DEFAULT_KM when either end is unknown."""
    if a is None or b is None:
        return DEFAULT_KM
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def covers(windows: tuple[tuple[datetime, datetime], ...], start: datetime, end: datetime) -> bool:
    """Whether the union of the windows covers [start, end) (touching windows join)."""
    reach = start
    for w_start, w_end in sorted(windows):
        if w_start > reach:
            break
        reach = max(reach, w_end)
        if reach >= end:
            return True
    return reach >= end


def _validate(problem: Problem) -> None:
    """Malformed input is the caller's bug, not an infeasible rota: say so loudly."""
    person_ids = [p.id for p in problem.people]
    shift_ids = [s.id for s in problem.shifts]
    if len(set(person_ids)) != len(person_ids):
        raise ValueError("rota: duplicate person ids")
    if len(set(shift_ids)) != len(shift_ids):
        raise ValueError("rota: duplicate shift ids")
    tz = {s.start.tzinfo for s in problem.shifts} | {s.end.tzinfo for s in problem.shifts}
    if len(tz) > 1:
        raise ValueError("rota: shifts in more than one time zone")
    for s in problem.shifts:
        if s.end <= s.start:
            raise ValueError(f"rota: shift {s.id} ends before it starts")
        if s.need < 0:
            raise ValueError(f"rota: shift {s.id} needs a negative number of people")
    for p in problem.people:
        if min(p.max_hours_day, p.max_hours_week, p.min_rest_hours) < 0:
            raise ValueError(f"rota: person {p.id} has a negative cap or rest")
        if any(end <= start for start, end in p.booked):
            raise ValueError(f"rota: person {p.id} has booked hours ending before they start")
        if tz and {t for window in p.booked for t in (window[0].tzinfo, window[1].tzinfo)} - tz:
            raise ValueError(f"rota: person {p.id} has booked hours in another time zone")
    known_people, known_shifts = set(person_ids), set(shift_ids)
    for pair in (*problem.fixed, *problem.forbidden, *problem.hint):
        if pair.shift_id not in known_shifts or pair.person_id not in known_people:
            raise ValueError(f"rota: unknown shift or person in {pair}")


def refusal(person: Person, shift: Shift, prep: "Prepared") -> str | None:
    """Why this person may never take this shift (None when they may), ignoring the others."""
    if (shift.id, person.id) in prep.forbidden:
        return "forbidden"
    if not shift.skills <= person.skills:
        return "skills"
    if not covers(person.available, shift.start, shift.end):
        return "available"
    if any(m > prep.day_left(person.id, d) for d, m in prep.day_minutes[shift.id].items()):
        return "day"
    if any(m > prep.week_left(person.id, w) for w, m in prep.week_minutes[shift.id].items()):
        return "week"
    return None


def prepare(problem: Problem) -> Prepared:
    _validate(problem)
    order = sorted(problem.shifts, key=lambda s: (s.start, s.id))
    day_minutes = {s.id: split_by_day(s.start, s.end) for s in order}
    prep = Prepared(
        people={p.id: p for p in problem.people},
        shifts={s.id: s for s in order},
        order=order,
        minutes={s.id: _ceil_minutes(s.start, s.end) for s in order},
        day_minutes=day_minutes,
        week_minutes={sid: by_week(days) for sid, days in day_minutes.items()},
        fixed={(f.shift_id, f.person_id) for f in problem.fixed},
        forbidden={(f.shift_id, f.person_id) for f in problem.forbidden},
    )
    for person in problem.people:
        prep.day_caps[person.id] = cap_minutes(person.max_hours_day)
        prep.week_caps[person.id] = cap_minutes(person.max_hours_week)
        if person.booked:
            prep.booked_days[person.id] = booked_minutes(person)
            prep.booked_weeks[person.id] = by_week(prep.booked_days[person.id])
    fixed_count: dict[int, int] = defaultdict(int)
    for shift_id, _person_id in prep.fixed:
        fixed_count[shift_id] += 1
    for shift in order:
        if fixed_count[shift.id] >= shift.need:
            # full from what is kept (a re-solve's untouched shifts): nobody else is a candidate
            pool = [p for p in problem.people if (shift.id, p.id) in prep.fixed]
        else:
            pool = list(problem.people)
        chosen = []
        for person in pool:
            why = refusal(person, shift, prep)
            if why is None:
                chosen.append(person.id)
            elif (shift.id, person.id) in prep.fixed:
                prep.refusals[(shift.id, person.id)] = why
        prep.candidates[shift.id] = chosen
    return prep
