"""The duty rota by CP-SAT (ADR 0028): hard constraints as constraints, the rest as a weighted
objective, and a reason in Chinese whenever no rota exists.

Variables: x[s, p] = person p works shift s, one per candidate pair (prep.py: skills,
availability over the whole shift, not forbidden, the shift alone within the person's caps).
Constraints: each shift exactly `need`; per person, at most one of the shifts whose
intervals stretched by the person's rest overlap (no overlap, minimum rest: one clique per
moment of an interval graph); minutes per calendar day and per ISO week within the caps
less the hours the person stands elsewhere then (prep.Prepared.day_left, week_left); fixed
pairs set to 1. Objective (Weights): distance home-to-post per assignment, a convex
penalty on each person's total hours (spread), and one charge per person per post-day
(continuity).

Speed (the 14-day benchmark within 10 s on a busy 2-core machine): a min-cost flow
relaxation (bound.py) gives a bound over the whole problem and the pairs a good rota uses; the
greedy follows those pairs first, which yields a full rota within a fraction of a percent of
the bound; a large problem's search runs on pruned candidates (prune.py) from that rota and
stops once within GAP_LIMIT of the bound.
"""

import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from gongzhi.mobilisation.rota import bound, explain, greedy, prune
from gongzhi.mobilisation.rota.model import FEASIBLE, INFEASIBLE, OPTIMAL, Fixed, Problem, Solution
from gongzhi.mobilisation.rota.prep import Pair, Prepared, prepare
from gongzhi.mobilisation.rota.text import _, shift_name


@dataclass(frozen=True)
class Weights:
    """Objective points. 60 points is worth one kilometre of one person's trip."""

    per_100m: int = 6  # each assignment, per 100 m from the person's home to the post
    per_minute_tier: int = 1  # each minute of a person's total above k typical shifts costs k
    per_post_day: int = 240  # each person on a post's shifts of one day, counted once
    max_tiers: int = 40


WEIGHTS = Weights()
SHORT_POINTS = 1  # the relaxed model minimises only the people missing
# the search stops once a rota is within this of the whole problem's bound: 0.5 % of the
# benchmark's objective is ~21 km of trips over 504 assignments (~40 m each), or under three
# hours moved between two people; pass gap_limit=0 to search the whole time limit
GAP_LIMIT = 0.005
WRAP_UP_S = 0.1  # kept back from the search for reading the answer out
# CP-SAT's portfolio: with 2 workers it runs one full-problem search (default_lp) beside its
# neighbourhood searches; 8 add core, reduced costs, max_lp_sym and quick restarts, which
# raise the bound of a whole model (seen in its logs); on 2 cores they share the time
WORKERS = max(8, os.cpu_count() or 1)


@dataclass
class _Built:
    model: cp_model.CpModel
    x: dict[Pair, cp_model.IntVar]
    short: dict[int, cp_model.IntVar]
    # the objective's helper variables, to complete a hint: CP-SAT tries a complete hint
    # as it is, an incomplete one only after presolve and repair
    loads: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)  # var, person
    excess: list[tuple[cp_model.IntVar, int, int]] = field(default_factory=list)  # var, person, threshold
    on: list[tuple[cp_model.IntVar, int, list[int]]] = field(default_factory=list)  # var, person, shifts


def _person_shifts(prep: Prepared) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for shift in prep.order:
        for person_id in prep.candidates[shift.id]:
            out[person_id].append(shift.id)
    return out


def _cliques(prep: Prepared, person_id: int, shift_ids: list[int]) -> Iterable[list[int]]:
    """Maximal sets of this person's shifts that pairwise overlap or leave less than the rest
    between them: with each shift stretched by the rest, the shifts running at a moment."""
    rest = prep.people[person_id].min_rest_hours * 3600
    stretched = [
        (prep.shifts[s].start, prep.shifts[s].end.timestamp() + rest, s) for s in shift_ids
    ]  # already in start order
    previous: set[int] = set()
    active: list[tuple[float, int]] = []
    pending: list[int] | None = None
    for start, stretched_end, shift_id in stretched:
        moment = start.timestamp()
        active = [(end, s) for end, s in active if end > moment]
        active.append((stretched_end, shift_id))
        current = {s for _end, s in active}
        if pending is not None and not set(pending) <= current:
            yield pending
        pending = list(current) if len(current) > 1 and not current <= previous else None
        previous = current
    if pending is not None:
        yield pending


Terms = tuple[list[cp_model.IntVar], list[int]]  # variables and their coefficients


def _sum(variables: list[cp_model.IntVar], coefficients: list[int] | None = None) -> cp_model.LinearExpr:
    """Linear sums built in one call: Python's sum() over 30,000 terms costs whole seconds."""
    if coefficients is None:
        return cp_model.LinearExpr.sum(variables)
    return cp_model.LinearExpr.weighted_sum(variables, coefficients)


def _build(prep: Prepared, *, relaxed: bool, weights: Weights) -> _Built:
    model = cp_model.CpModel()
    x = {(s, p): model.new_bool_var(f"x{s}_{p}") for s in prep.candidates for p in prep.candidates[s]}
    short: dict[int, cp_model.IntVar] = {}
    for shift in prep.order:
        cover = _sum([x[shift.id, p] for p in prep.candidates[shift.id]])
        if relaxed:
            short[shift.id] = model.new_int_var(0, shift.need, f"short{shift.id}")
            model.add(cover + short[shift.id] == shift.need)
        else:
            model.add(cover == shift.need)
    for pair in prep.fixed:
        model.add(x[pair] == 1)
    per_person = _person_shifts(prep)
    for person_id, shift_ids in per_person.items():
        for clique in _cliques(prep, person_id, shift_ids):
            model.add_at_most_one(x[s, person_id] for s in clique)
        _caps(model, prep, x, person_id, shift_ids)
    built = _Built(model, x, short)
    if relaxed:
        model.minimize(SHORT_POINTS * _sum(list(short.values())))
    else:
        variables, coefficients = _objective(built, prep, per_person, weights)
        model.minimize(_sum(variables, coefficients))
    return built


def _caps(
    model: cp_model.CpModel,
    prep: Prepared,
    x: dict[Pair, cp_model.IntVar],
    person_id: int,
    shift_ids: list[int],
) -> None:
    for spread, left in prep.caps(person_id):  # the caps less what they stand elsewhere
        terms: dict[Any, Terms] = defaultdict(lambda: ([], []))
        for s in shift_ids:
            for key, length in spread[s].items():
                terms[key][0].append(x[s, person_id])
                terms[key][1].append(length)
        for key, (variables, lengths) in terms.items():
            limit = left(key)
            if sum(lengths) > limit:  # a cap nobody could exceed costs nothing
                model.add(_sum(variables, lengths) <= limit)


def _objective(built: _Built, prep: Prepared, per_person: dict[int, list[int]], weights: Weights) -> Terms:
    variables: list[cp_model.IntVar] = []
    coefficients: list[int] = []
    for (s, p), var in built.x.items():
        points = bound.distance_points(prep, s, p, weights.per_100m)
        if points:
            variables.append(var)
            coefficients.append(points)
    if weights.per_minute_tier:
        _spread(built, prep, per_person, weights, variables, coefficients)
    if weights.per_post_day:
        _continuity(built, prep, per_person, weights, variables, coefficients)
    return variables, coefficients


def _spread(
    built: _Built,
    prep: Prepared,
    per_person: dict[int, list[int]],
    weights: Weights,
    variables: list[cp_model.IntVar],
    coefficients: list[int],
) -> None:
    """A convex charge on each person's total: each minute above k typical shifts costs k.
    The total is fixed by the needs, so this evens the hours out (a piecewise sum of squares).
    The total is one variable per person (each tier's constraint has two terms, not one per
    shift: a person with 40 candidate shifts once cost 40 tiers × 40 terms), and the tiers
    stop at the most the person can work within the caps, not at the sum of the candidates."""
    model, x = built.model, built.x
    tier = bound.tier_minutes(prep)
    for person_id, shift_ids in per_person.items():
        most = bound.most_minutes(prep, person_id, shift_ids)
        tiers = min(weights.max_tiers, (most - 1) // tier)
        if tiers < 1:
            continue
        load = model.new_int_var(0, most, f"load{person_id}")
        model.add(load == _sum([x[s, person_id] for s in shift_ids], [prep.minutes[s] for s in shift_ids]))
        built.loads.append((load, person_id))
        for k in range(1, tiers + 1):
            excess = model.new_int_var(0, most - k * tier, f"over{person_id}_{k}")
            model.add(excess >= load - k * tier)
            built.excess.append((excess, person_id, k * tier))
            variables.append(excess)
            coefficients.append(weights.per_minute_tier)


def _continuity(
    built: _Built,
    prep: Prepared,
    per_person: dict[int, list[int]],
    weights: Weights,
    variables: list[cp_model.IntVar],
    coefficients: list[int],
) -> None:
    """One charge per (person, post, start day) worked: a second shift at the same post the
    same day is free, so the solver prefers few faces per entrance per day. Where the rest
    rule lets a person hold only one of a post-day's shifts, the charge is on the shift."""
    model, x = built.model, built.x
    for person_id, shift_ids in per_person.items():
        groups: dict[tuple[int, date], list[int]] = defaultdict(list)
        for s in shift_ids:
            shift = prep.shifts[s]
            groups[(shift.post_id, shift.start.date())].append(s)
        rest = prep.people[person_id].min_rest_hours * 3600
        for (post_id, day), members in groups.items():
            if explain.most_held([prep.shifts[s] for s in members], rest) <= 1:
                variables.extend(x[s, person_id] for s in members)
                coefficients.extend([weights.per_post_day] * len(members))
                continue
            on = model.new_bool_var(f"on{person_id}_{post_id}_{day:%m%d}")
            for s in members:
                model.add_implication(x[s, person_id], on)
            built.on.append((on, person_id, members))
            variables.append(on)
            coefficients.append(weights.per_post_day)


def _score(prep: Prepared, pairs: Iterable[Fixed], weights: Weights) -> float:
    """The objective of a rota, computed as the model would."""
    tier = bound.tier_minutes(prep)
    total = 0
    load: dict[int, int] = defaultdict(int)
    post_days: dict[tuple[int, int, date], list[int]] = defaultdict(list)
    for f in pairs:
        shift = prep.shifts[f.shift_id]
        total += bound.distance_points(prep, f.shift_id, f.person_id, weights.per_100m)
        load[f.person_id] += prep.minutes[f.shift_id]
        post_days[(f.person_id, shift.post_id, shift.start.date())].append(f.shift_id)
    for minutes in load.values():
        total += weights.per_minute_tier * sum(
            max(0, minutes - k * tier) for k in range(1, weights.max_tiers + 1)
        )
    total += weights.per_post_day * len(post_days)
    return float(total)


def _solver(time_limit_s: float, workers: int | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = workers or WORKERS
    solver.parameters.random_seed = 0
    # one presolve pass: the later passes found little on these models and cost whole seconds
    # on a busy machine, before the search (and its first bound) could begin
    solver.parameters.max_presolve_iterations = 1
    return solver


class _CloseEnough(cp_model.CpSolverSolutionCallback):
    """Stops the search at a rota within gap_limit of a bound the search itself cannot see
    (the relaxation's, over the whole problem, when the search runs on pruned candidates)."""

    def __init__(self, floor: float, gap_limit: float) -> None:
        super().__init__()
        self.floor = floor
        self.gap_limit = gap_limit

    def on_solution_callback(self) -> None:
        objective = self.objective_value
        if objective - self.floor <= self.gap_limit * max(1.0, abs(objective)):
            self.stop_search()


def _assignments(solver: cp_model.CpSolver, x: dict[Pair, cp_model.IntVar]) -> tuple[Fixed, ...]:
    return tuple(Fixed(shift_id=s, person_id=p) for (s, p), var in sorted(x.items()) if solver.value(var))


def _infeasible(unmet: list[str], started: float) -> Solution:
    return Solution(
        assignments=(),
        status=INFEASIBLE,
        objective=None,
        bound=None,
        gap=None,
        unmet=tuple(unmet),
        seconds=time.perf_counter() - started,
    )


def _hint(built: _Built, prep: Prepared, pairs: Iterable[Fixed]) -> None:
    """Hint every variable, the helpers as the chosen pairs imply them."""
    chosen = {(f.shift_id, f.person_id) for f in pairs} & built.x.keys()
    for pair, var in built.x.items():
        built.model.add_hint(var, pair in chosen)
    on_shift: dict[int, int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)
    for s, p in chosen:
        on_shift[s] += 1
        load[p] += prep.minutes[s]
    for shift_id, var in built.short.items():
        built.model.add_hint(var, max(0, prep.shifts[shift_id].need - on_shift[shift_id]))
    for var, person_id in built.loads:
        built.model.add_hint(var, load[person_id])
    for var, person_id, threshold in built.excess:
        built.model.add_hint(var, max(0, load[person_id] - threshold))
    for var, person_id, members in built.on:
        built.model.add_hint(var, any((s, person_id) in chosen for s in members))


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    labels: dict[int, str] | None = None,
    workers: int | None = None,
    weights: Weights = WEIGHTS,
    gap_limit: float = GAP_LIMIT,
) -> Solution:
    """The best rota found within the time limit, or why there is none (never a partial rota).

    Three steps: the sound checks of explain.py; a cover (shifts may fall short, the people
    missing are minimised: a full rota, or the proof and the shifts that stay short); then the
    weighted objective over full rotas, started from that cover, for the time left (at least
    a quarter of the limit). On a large problem both searches run on pruned candidates
    (prune.py) holding the rota they start from; a pruned cover that falls short is searched
    again over every candidate, so a shortfall is only ever reported for the whole problem.
    The bound is then the relaxation's (bound.py), which holds for the whole problem.
    A re-solve after a no-show passes the kept shifts as `fixed`, the no-show as `forbidden`
    and the previous rota as `hint`: shifts full of fixed people have no other candidates, so
    only the affected shifts are searched."""
    started = time.perf_counter()
    prep = prepare(problem)
    unmet = explain.before_search(prep, labels)
    if unmet:
        return _infeasible(unmet, started)
    relaxation = bound.relax(prep, weights)
    cover = _cover(
        prep, problem, labels, relaxation, time_limit_s=time_limit_s, workers=workers, started=started
    )
    if isinstance(cover, Solution):
        return cover
    pruned = prune.worth_pruning(prep)
    keep = {(f.shift_id, f.person_id) for f in (*cover, *problem.hint)} | relaxation.support
    searched = prune.prune(prep, keep) if pruned else prep
    built = _build(searched, relaxed=False, weights=weights)
    _hint(built, searched, cover)
    left = max(time_limit_s - WRAP_UP_S - (time.perf_counter() - started), time_limit_s / 4)
    solver = _solver(left, workers)
    # a pruned search cannot prove its rota best for the whole problem, only come within a gap
    # of the relaxation's bound: stop it there. A whole search proves optimality itself.
    status = solver.solve(built.model, _CloseEnough(relaxation.bound, gap_limit) if pruned else None)
    if status == cp_model.MODEL_INVALID:  # a bug here, not the caller's data
        raise RuntimeError(built.model.validate())
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    # the time can run out before the search begins (presolve of a large model on a busy
    # machine): the cover is a valid rota, its objective scored here
    assignments = _assignments(solver, built.x) if found else cover
    # the objective is whole points: CP-SAT's float carries rounding noise (960.0000000000001)
    objective = float(round(solver.objective_value)) if found else _score(prep, cover, weights)
    floor = relaxation.bound
    proven = found and not pruned  # the search's bound holds for the whole problem
    best = max(floor, float(math.ceil(solver.best_objective_bound - 1e-6))) if proven else floor
    optimal = (proven and status == cp_model.OPTIMAL) or objective <= best
    return Solution(
        assignments=assignments,
        status=OPTIMAL if optimal else FEASIBLE,
        objective=objective,
        bound=objective if optimal else best,
        gap=0.0 if optimal else (objective - best) / max(1.0, abs(objective)),
        unmet=(),
        seconds=time.perf_counter() - started,
    )


def _cover(
    prep: Prepared,
    problem: Problem,
    labels: dict[int, str] | None,
    relaxation: bound.Relaxation,
    *,
    time_limit_s: float,
    workers: int | None,
    started: float,
) -> tuple[Fixed, ...] | Solution:
    """A full rota ignoring the objective, or the infeasible Solution saying why: shifts may
    fall short and the people missing are minimised, so the answer either fills every shift
    or names the shifts left short by the fewest-missing rota."""
    start_from, short = greedy.fill(prep, labels, relaxation.support)  # a fraction of a second
    if problem.hint:
        start_from = list(problem.hint)
    elif not short:
        return tuple(start_from)
    tries = [prep]
    if prune.worth_pruning(prep):  # the pruned candidates first, every candidate if short
        tries.insert(0, prune.prune(prep, {(f.shift_id, f.person_id) for f in start_from}))
    for searched in tries:
        built = _build(searched, relaxed=True, weights=WEIGHTS)
        _hint(built, searched, start_from)
        left = max(time_limit_s - (time.perf_counter() - started), time_limit_s / 4)
        solver = _solver(left, workers)
        status = solver.solve(built.model)
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(built.model.validate())
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found and solver.objective_value == 0:
            return _assignments(solver, built.x)
        if found and searched is not prep:  # the fewest missing so far: start the wider search there
            start_from = list(_assignments(solver, built.x))
    unmet: list[str] = []
    if status == cp_model.OPTIMAL:
        unmet.append(
            _("在全部硬约束下至少缺 %(missing)d 人次；缺口最少的一种排法如下")
            % {"missing": round(solver.objective_value)}
        )
    else:
        unmet.append(_("在时限内未找到满足全部硬约束的排班"))
    if found:
        for shift in prep.order:
            missing = solver.value(built.short[shift.id])
            if missing:
                unmet.append(
                    _("%(shift)s 缺 %(missing)d 人：可排人员受工时上限、轮休间隔或同时段其他班次所限")
                    % {"shift": shift_name(shift, labels), "missing": missing}
                )
    return _infeasible(unmet, started)
