"""Rota: the duty rota of a mobilisation by CP-SAT, beside a greedy baseline (issue 16).

The hospital-nearby scenario at full size: 6 entrances × 3 shifts (06–14, 14–22, 22–06) × 14
days, two people on every shift (504 person-shifts), from 500 volunteers and 40
property-company guards. Volunteers sign up by shift block, weekends and afternoons heavier,
nights rare (8 h a day, 24 h a week, 12 h rest); guards are free every block but give at most
24 h ("roomy") or 16 h ("tight") a week to the joint duty. Skills: the hospital-side gate
needs first aid (急救) on every shift, every night shift needs a night-patrol holder (夜巡:
every guard, a few volunteers). Homes are scattered over ~2 km around the entrances.
Everything is pure Python: no database. Per scenario (`rota.<scenario>.*`):
- solve: seconds to an optimal, gap-limited (0.5 % of the whole problem's bound) or
  time-limited rota (limit 10 s), with status, objective, best bound, gap, the machine's
  load, the checker's verdict and fairness (hours per person on duty: max, min, std dev;
  mean distance); baseline: the greedy's seconds.
- unfilled: person-shifts left short by the 10 s answer (all of them when it is infeasible:
  nothing is published) beside the greedy's, with the greedy's fairness.
- solve_60s: the same with a 60 s limit and no gap limit (the search runs the whole minute),
  for what the 10 s answer leaves on the table.
- resolve: a volunteer fails to turn up for a shift on the third day: every other shift's
  people are kept (`fixed`), the no-show is `forbidden`, the previous rota is the hint;
  seconds to re-solve, beside the full solve's.
"""

import random
import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.measure import Results, load_average

NAME = "rota"
SEED = 2026
TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = datetime(2026, 12, 7, tzinfo=TZ)  # a Monday
DAYS = 14
BLOCKS = ((6, 8), (14, 8), (22, 8))  # start hour, hours
NEED = (2, 2, 2)  # people per block
ENTRANCES = ("东门", "西门", "南门", "北门", "菜场口", "医院侧门")
HOSPITAL_GATE = 5
VOLUNTEERS = 500
GUARDS = 40
CENTRE = (31.2300, 121.4700)
TIME_LIMIT_S = 10.0
LONG_LIMIT_S = 60.0  # the same problem given a minute: how far the 10 s answer is from the best
# chance that a volunteer signs up for a block: (weekday, weekend) per block
SIGN_UP = {0: (0.22, 0.45), 1: (0.28, 0.50), 2: (0.03, 0.06)}


def _near(rng: random.Random, spread_km: float) -> tuple[float, float]:
    dlat = rng.uniform(-spread_km, spread_km) / 111.0
    dlon = rng.uniform(-spread_km, spread_km) / 95.0
    return (CENTRE[0] + dlat, CENTRE[1] + dlon)


def build_problem(seed: int = SEED, guard_week_hours: float = 24) -> tuple[Any, dict[int, str]]:
    from gongzhi.mobilisation.rota.model import Person, Problem, Shift

    rng = random.Random(seed)
    labels = {i + 1: name for i, name in enumerate(ENTRANCES)}
    places = {post: _near(rng, 0.8) for post in labels}
    shifts: list[Shift] = []
    for day in range(DAYS):
        for block, (hour, hours) in enumerate(BLOCKS):
            start = FIRST_DAY + timedelta(days=day, hours=hour)
            for post in labels:
                skills = set()
                if post == HOSPITAL_GATE + 1:
                    skills.add("急救")
                if block == 2:
                    skills.add("夜巡")
                shifts.append(
                    Shift(
                        id=len(shifts) + 1,
                        post_id=post,
                        start=start,
                        end=start + timedelta(hours=hours),
                        need=NEED[block],
                        skills=frozenset(skills),
                        place=places[post],
                    )
                )
    people: list[Person] = []
    for i in range(VOLUNTEERS):
        windows = []
        for day in range(DAYS):
            weekend = (FIRST_DAY + timedelta(days=day)).weekday() >= 5
            for block, (hour, hours) in enumerate(BLOCKS):
                if rng.random() < SIGN_UP[block][weekend]:
                    start = FIRST_DAY + timedelta(days=day, hours=hour)
                    windows.append((start, start + timedelta(hours=hours)))
        skills = {s for s, p in (("急救", 0.12), ("夜巡", 0.08)) if rng.random() < p}
        people.append(
            Person(
                id=i + 1,
                skills=frozenset(skills),
                available=tuple(windows),
                max_hours_day=8,
                max_hours_week=24,
                min_rest_hours=12,
                home=_near(rng, 2.0) if rng.random() < 0.95 else None,
            )
        )
    horizon = (FIRST_DAY, FIRST_DAY + timedelta(days=DAYS + 1))
    for j in range(GUARDS):
        skills = {"夜巡"} | ({"急救"} if rng.random() < 0.4 else set())
        people.append(
            Person(
                id=VOLUNTEERS + j + 1,
                skills=frozenset(skills),
                available=(horizon,),
                max_hours_day=8,
                max_hours_week=guard_week_hours,
                min_rest_hours=12,
                home=_near(rng, 1.5),
            )
        )
    return Problem(people=tuple(people), shifts=tuple(shifts)), labels


def fairness(problem: Any, solution: Any) -> dict[str, float]:
    from gongzhi.mobilisation.rota.prep import km

    shifts = {s.id: s for s in problem.shifts}
    people = {p.id: p for p in problem.people}
    hours: dict[int, float] = defaultdict(float)
    trips = []
    for a in solution.assignments:
        shift = shifts[a.shift_id]
        hours[a.person_id] += (shift.end - shift.start).total_seconds() / 3600
        trips.append(km(people[a.person_id].home, shift.place))
    worked = list(hours.values()) or [0.0]
    return {
        "people_on_duty": len(hours),
        "hours_max": max(worked),
        "hours_min": min(worked),
        "hours_std": round(statistics.pstdev(worked), 2),
        "km_mean": round(statistics.fmean(trips), 3) if trips else 0.0,
    }


def _unfilled(problem: Any, solution: Any) -> int:
    if not solution.assignments:  # an infeasible answer: nothing is published
        return sum(s.need for s in problem.shifts)
    on: dict[int, int] = defaultdict(int)
    for a in solution.assignments:
        on[a.shift_id] += 1
    return sum(max(0, s.need - on[s.id]) for s in problem.shifts)


SCENARIOS = (("roomy", 24.0), ("tight", 16.0))  # the guards' weekly hours for the joint duty


def run(results: Results, options: dict[str, Any]) -> None:
    for name, guard_hours in SCENARIOS:
        _scenario(results, name, guard_hours)


def _scenario(results: Results, name: str, guard_hours: float) -> None:
    from gongzhi.mobilisation.rota.checker import check
    from gongzhi.mobilisation.rota.greedy import greedy
    from gongzhi.mobilisation.rota.model import Fixed, Problem
    from gongzhi.mobilisation.rota.solver import solve

    problem, labels = build_problem(guard_week_hours=guard_hours)
    print(f"  {name}: {len(problem.shifts)} shifts, {len(problem.people)} people", flush=True)
    base = greedy(problem, labels=labels)
    load_before = load_average()
    solution = solve(problem, time_limit_s=TIME_LIMIT_S, labels=labels)
    results.add(
        f"rota.{name}.solve",
        value=solution.seconds,
        unit="s",
        baseline=base.seconds,
        status=solution.status,
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        unmet=list(solution.unmet[:5]),
        violations=len(check(problem, solution)),
        time_limit_s=TIME_LIMIT_S,
        guard_week_hours=guard_hours,
        shifts=len(problem.shifts),
        people=len(problem.people),
        person_shifts=sum(s.need for s in problem.shifts),
        fairness=fairness(problem, solution),
        loadavg_before=load_before,
        loadavg_after=load_average(),
    )
    results.add(
        f"rota.{name}.unfilled",
        value=_unfilled(problem, solution),
        unit="person-shifts",
        baseline=_unfilled(problem, base),
        greedy_unmet=list(base.unmet[:5]),
        greedy_violations=len(check(problem, base)),
        greedy_fairness=fairness(problem, base),
    )
    longer = solve(problem, time_limit_s=LONG_LIMIT_S, labels=labels, gap_limit=0)  # the whole minute
    results.add(
        f"rota.{name}.solve_60s",
        value=longer.seconds,
        unit="s",
        baseline=solution.seconds,
        status=longer.status,
        objective=longer.objective,
        bound=longer.bound,
        gap=longer.gap,
        unmet=list(longer.unmet[:5]),
        violations=len(check(problem, longer)),
        fairness=fairness(problem, longer),
    )
    full = longer if longer.assignments else solution
    if not full.assignments:
        return
    # one no-show: a volunteer on a shift of the third day
    starts = {s.id: s.start for s in problem.shifts}
    missed = next(a for a in full.assignments if a.person_id <= VOLUNTEERS and starts[a.shift_id].day == 9)
    kept = tuple(a for a in full.assignments if a.shift_id != missed.shift_id)
    again = Problem(
        people=problem.people,
        shifts=problem.shifts,
        fixed=kept,
        forbidden=(Fixed(shift_id=missed.shift_id, person_id=missed.person_id),),
        hint=full.assignments,
    )
    resolved = solve(again, time_limit_s=TIME_LIMIT_S, labels=labels)
    changed = set(resolved.assignments) ^ set(full.assignments)
    results.add(
        f"rota.{name}.resolve",
        value=resolved.seconds,
        unit="s",
        baseline=full.seconds,
        status=resolved.status,
        violations=len(check(again, resolved)),
        kept_all=set(kept) <= set(resolved.assignments),
        assignments_changed=len(changed),
        no_show_shift=missed.shift_id,
    )
