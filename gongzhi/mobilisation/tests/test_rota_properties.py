"""Property tests: on random small problems (availability, skills, needs, caps, rest, hours
booked on other incidents), every rota the solver returns passes the independent checker, an
infeasible answer always says why, a re-solve keeps what it was told to keep, and the greedy's
partial rotas are valid too."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gongzhi.mobilisation.rota import prune
from gongzhi.mobilisation.rota.bound import lower_bound
from gongzhi.mobilisation.rota.checker import check
from gongzhi.mobilisation.rota.greedy import greedy
from gongzhi.mobilisation.rota.model import FEASIBLE, INFEASIBLE, OPTIMAL, Fixed, Problem
from gongzhi.mobilisation.rota.prep import prepare
from gongzhi.mobilisation.rota.solver import WEIGHTS, solve
from gongzhi.mobilisation.tests.rota_world import LABELS, at, person, shift
from gongzhi.testing.properties import examples

SKILLS = ("急救", "夜巡")
FEW = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def booked_windows(draw: st.DrawFn) -> tuple[datetime, datetime]:
    """Hours a person stands on another incident: around the shifts' days, some over midnight."""
    begin = at(draw(st.integers(-1, 3)), draw(st.sampled_from([0, 8, 16, 20, 22])))
    return begin, begin + timedelta(hours=draw(st.sampled_from([2, 4, 6, 8])))


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Up to 8 shifts over three days at two posts, 2-8 people with 1-3 free windows and up to
    two windows booked elsewhere: about half the problems are feasible."""
    shifts = []
    for sid in range(1, draw(st.integers(1, 8)) + 1):
        start = at(draw(st.integers(0, 2)), draw(st.sampled_from([0, 6, 8, 14, 18, 22])))
        shifts.append(
            shift(
                sid,
                start,
                draw(st.sampled_from([2, 4, 8])),
                post=draw(st.sampled_from(list(LABELS))),
                need=draw(st.integers(0, 2)),
                skills=draw(st.sampled_from([(), (), (), ("急救",), ("夜巡",)])),
                place=draw(st.sampled_from([None, (31.23, 121.47), (31.24, 121.48)])),
            )
        )
    people = []
    for pid in range(1, draw(st.integers(2, 8)) + 1):
        windows = []
        for _ in range(draw(st.integers(1, 3))):
            begin = at(draw(st.integers(0, 2)), draw(st.integers(0, 23)))
            windows.append((begin, begin + timedelta(hours=draw(st.integers(4, 48)))))
        people.append(
            person(
                pid,
                skills=tuple(draw(st.sets(st.sampled_from(SKILLS)))),
                free=tuple(windows),
                day=draw(st.sampled_from([4, 8, 12])),
                week=draw(st.sampled_from([8, 16, 40])),
                rest=draw(st.sampled_from([0, 4, 8, 12])),
                home=draw(st.sampled_from([None, (31.23, 121.47), (31.25, 121.50)])),
                booked=tuple(draw(st.lists(booked_windows(), max_size=2))),
            )
        )
    return Problem(people=tuple(people), shifts=tuple(shifts))


@FEW
@given(problems())
def test_every_solved_rota_passes_the_checker_and_every_refusal_says_why(problem):
    solution = solve(problem, labels=LABELS, time_limit_s=5, workers=1)
    event(solution.status)
    if solution.status in (OPTIMAL, FEASIBLE):
        assert check(problem, solution) == []
        assert solution.unmet == ()
        # the relaxation's bound holds for every rota: the solver's included, optimal or not
        assert solution.objective is not None
        assert lower_bound(prepare(problem), WEIGHTS) <= solution.objective
        assert solution.bound is not None and solution.bound <= solution.objective
    else:
        assert solution.status == INFEASIBLE
        assert solution.unmet, "an infeasible rota must name what cannot be met"
        assert solution.assignments == (), "never a silent partial rota"


@FEW
@given(problems(), st.data())
def test_a_resolve_keeps_the_fixed_and_leaves_out_the_forbidden(problem, data):
    first = solve(problem, labels=LABELS, time_limit_s=5, workers=1)
    if first.status == INFEASIBLE or not first.assignments:
        return
    missed = data.draw(st.sampled_from(first.assignments))
    kept = tuple(a for a in first.assignments if a.shift_id != missed.shift_id)
    again = Problem(
        people=problem.people,
        shifts=problem.shifts,
        fixed=kept,
        forbidden=(missed,),
        hint=first.assignments,
    )
    second = solve(again, labels=LABELS, time_limit_s=5, workers=1)
    if second.status == INFEASIBLE:
        assert second.unmet  # nobody else could take the no-show's place: it says so
        return
    assert check(again, second) == []
    assert set(kept) <= set(second.assignments)
    assert Fixed(shift_id=missed.shift_id, person_id=missed.person_id) not in second.assignments


@FEW
@given(problems())
def test_the_greedy_is_valid_as_far_as_it_goes(problem):
    baseline = greedy(problem, labels=LABELS)
    assert check(problem, baseline) == []
    assert (baseline.status == INFEASIBLE) == bool(baseline.unmet)
    if baseline.status == FEASIBLE:
        # the greedy filling everything proves the problem feasible: the solver must agree
        assert solve(problem, labels=LABELS, time_limit_s=5, workers=1).status in (OPTIMAL, FEASIBLE)


@FEW
@given(problems())
def test_a_pruned_search_is_as_valid_and_its_bound_holds(problem):
    # every problem pruned as hard as pruning goes (only the pairs it must keep): the rota
    # still passes the checker, the reported bound is below it, and what is infeasible pruned
    # is only reported after the search over every candidate
    with pruned_to_the_bone():
        solution = solve(problem, labels=LABELS, time_limit_s=5, workers=1)
    whole = solve(problem, labels=LABELS, time_limit_s=5, workers=1)
    assert (solution.status == INFEASIBLE) == (whole.status == INFEASIBLE)
    if solution.status == INFEASIBLE:
        return
    assert check(problem, solution) == []
    assert solution.objective is not None and solution.bound is not None
    assert solution.bound <= solution.objective
    if whole.status == OPTIMAL:
        assert whole.objective is not None
        assert solution.bound <= whole.objective <= solution.objective


@contextmanager
def pruned_to_the_bone() -> Iterator[None]:
    saved = (prune.PRUNE_ABOVE, prune.NEAREST_PER_SEAT, prune.NEAREST_POSTS, prune.SCARCE_PER_SEAT)
    prune.PRUNE_ABOVE, prune.NEAREST_PER_SEAT, prune.NEAREST_POSTS, prune.SCARCE_PER_SEAT = (-1, 0, 0, 0)
    try:
        yield
    finally:
        prune.PRUNE_ABOVE, prune.NEAREST_PER_SEAT, prune.NEAREST_POSTS, prune.SCARCE_PER_SEAT = saved
