"""The rota problem and its answer as plain frozen data (no Django models, no database).

The mobilisation services build a `Problem` from duty posts, shifts and volunteers, call
`solver.solve` and store the `Solution`'s assignments. Days and ISO weeks (for the hour caps)
are those of the datetimes as given: pass local time (Asia/Shanghai), all in one zone.
"""

from dataclasses import dataclass
from datetime import datetime

Window = tuple[datetime, datetime]
Point = tuple[float, float]  # (latitude, longitude) in degrees


@dataclass(frozen=True)
class Person:
    id: int
    skills: frozenset[str]
    available: tuple[Window, ...]  # a shift is open to a person only if these cover all of it
    max_hours_day: float  # per calendar day; a shift over midnight counts on both days
    max_hours_week: float  # per ISO week (Monday 00:00 to Monday 00:00)
    min_rest_hours: float  # between the end of one shift and the start of the next
    home: Point | None
    # hours already standing elsewhere (other incidents' shifts): they count against the day and
    # week caps like the rota's own (a window over midnight on both days) and are not re-planned
    booked: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Shift:
    id: int
    post_id: int
    start: datetime
    end: datetime
    need: int  # exactly this many people, or the problem is infeasible
    skills: frozenset[str]  # every person on the shift has all of them
    place: Point | None


@dataclass(frozen=True)
class Fixed:
    """One person on one shift: an assignment to keep, to forbid, or one of a solution."""

    shift_id: int
    person_id: int


@dataclass(frozen=True)
class Problem:
    people: tuple[Person, ...]
    shifts: tuple[Shift, ...]
    fixed: tuple[Fixed, ...] = ()  # kept as they are (the shifts a no-show did not touch)
    forbidden: tuple[Fixed, ...] = ()  # never made (the no-show on the shift they missed)
    hint: tuple[Fixed, ...] = ()  # a previous rota to start from; not binding


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Fixed, ...]
    status: str  # "optimal" | "feasible" | "infeasible"
    objective: float | None
    bound: float | None  # the best proven lower bound of the objective
    gap: float | None  # (objective - bound) / objective; 0.0 when optimal
    unmet: tuple[str, ...]  # why it is infeasible, in Chinese, one line per constraint
    seconds: float = 0.0  # wall time of the solve, explanations included


OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
