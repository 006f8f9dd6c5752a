"""A tiny stand-in for the solver package (gongzhi.mobilisation.rota, written apart: T15), for
these tests only, installed by the `rota_engine` fixture while the real package is absent.
The same interface: model dataclasses, a greedy `solve`, an independent `check`."""

import sys
import types
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    id: int
    skills: frozenset[str]
    available: tuple[tuple[datetime, datetime], ...]
    max_hours_day: float
    max_hours_week: float
    min_rest_hours: float
    home: tuple[float, float] | None


@dataclass(frozen=True)
class Shift:
    id: int
    post_id: int
    start: datetime
    end: datetime
    need: int
    skills: frozenset[str]
    place: tuple[float, float] | None


@dataclass(frozen=True)
class Fixed:
    shift_id: int
    person_id: int


@dataclass(frozen=True)
class Problem:
    people: tuple[Person, ...]
    shifts: tuple[Shift, ...]
    fixed: tuple[Fixed, ...] = ()
    forbidden: tuple[Fixed, ...] = ()


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Fixed, ...]
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    unmet: tuple[str, ...]


def _hours(s: Shift) -> float:
    return (s.end - s.start).total_seconds() / 3600


def _fits(p: Person, s: Shift, mine: list[Shift]) -> str | None:
    if not s.skills <= p.skills:
        return "skills"
    if not any(a <= s.start and s.end <= b for a, b in p.available):
        return "availability"
    for o in mine:
        if o.id == s.id:
            continue
        if s.start < o.end and o.start < s.end:
            return "overlap"
        rest = (s.start - o.end if o.end <= s.start else o.start - s.end).total_seconds() / 3600
        if rest < p.min_rest_hours:
            return "rest"
    day = sum(_hours(o) for o in mine if o.start.date() == s.start.date() and o.id != s.id) + _hours(s)
    week = sum(
        _hours(o) for o in mine if o.start.isocalendar()[:2] == s.start.isocalendar()[:2] and o.id != s.id
    )
    if day > p.max_hours_day:
        return "day"
    if week + _hours(s) > p.max_hours_week:
        return "week"
    return None


def check(problem: Problem, solution: Solution) -> list[str]:
    people = {p.id: p for p in problem.people}
    shifts = {s.id: s for s in problem.shifts}
    out: list[str] = []
    per: dict[int, list[Shift]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    for a in solution.assignments:
        per[a.person_id].append(shifts[a.shift_id])
        count[a.shift_id] += 1
    for f in problem.fixed:
        if f not in solution.assignments:
            out.append(f"fixed {f} dropped")
    for a in solution.assignments:
        if a in problem.forbidden:
            out.append(f"forbidden {a}")
        why = _fits(people[a.person_id], shifts[a.shift_id], per[a.person_id])
        if why:
            out.append(f"{a.person_id}@{a.shift_id}: {why}")
    out += [f"shift {k} over need" for k, n in count.items() if n > shifts[k].need]
    return out


def solve(problem: Problem, *, time_limit_s: float = 10.0, labels: dict[int, str] | None = None) -> Solution:
    people = sorted(problem.people, key=lambda p: p.id)
    chosen = list(problem.fixed)
    per: dict[int, list[Shift]] = defaultdict(list)
    shifts = {s.id: s for s in problem.shifts}
    for f in chosen:
        per[f.person_id].append(shifts[f.shift_id])
    unmet = []
    for s in sorted(problem.shifts, key=lambda s: (s.start, s.id)):
        have = sum(1 for f in chosen if f.shift_id == s.id)
        for p in sorted(people, key=lambda p: (sum(_hours(o) for o in per[p.id]), p.id)):
            if have >= s.need:
                break
            f = Fixed(s.id, p.id)
            if f in chosen or f in problem.forbidden or _fits(p, s, per[p.id] + [s]):
                continue
            chosen.append(f)
            per[p.id].append(s)
            have += 1
        if have < s.need:
            unmet.append(f"{(labels or {}).get(s.id, s.id)} 无可排人员")
    return Solution(
        tuple(chosen), "infeasible" if unmet else "feasible", float(len(chosen)), None, None, tuple(unmet)
    )


def install() -> None:
    package = types.ModuleType("gongzhi.mobilisation.rota")
    package.__path__ = []  # a package
    me = sys.modules[__name__]
    for name in ("model", "solver", "checker"):
        sys.modules[f"gongzhi.mobilisation.rota.{name}"] = me
        setattr(package, name, me)
    sys.modules["gongzhi.mobilisation.rota"] = package


def uninstall() -> None:
    for name in ("", ".model", ".solver", ".checker"):
        sys.modules.pop(f"gongzhi.mobilisation.rota{name}", None)
