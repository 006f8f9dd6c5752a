"""Hours a person already stands elsewhere (`Person.booked`: other incidents' shifts) count
against their day and week caps in every part of the solver — candidates, the CP-SAT model, the
greedy, the relaxation, the explanations — and the checker names them (pure: no database)."""

import pytest
from django.utils import translation

from gongzhi.mobilisation.rota.bound import lower_bound
from gongzhi.mobilisation.rota.checker import check
from gongzhi.mobilisation.rota.greedy import greedy
from gongzhi.mobilisation.rota.model import FEASIBLE, INFEASIBLE, OPTIMAL, Fixed, Problem, Solution
from gongzhi.mobilisation.rota.prep import prepare
from gongzhi.mobilisation.rota.solver import WEIGHTS, solve
from gongzhi.mobilisation.tests.rota_world import LABELS, at, person, shift

SIX_HOURS_MONDAY = ((at(0, 8), at(0, 14)),)  # standing on another incident's 08:00–14:00


def answer(problem: Problem) -> Solution:
    solution = solve(problem, labels=LABELS, time_limit_s=5, workers=1)
    if solution.status != INFEASIBLE:
        assert check(problem, solution) == []
        assert solution.objective is not None
        assert lower_bound(prepare(problem), WEIGHTS) <= solution.objective
    return solution


def pairs(solution: Solution) -> set[tuple[int, int]]:
    return {(a.shift_id, a.person_id) for a in solution.assignments}


def test_six_hours_elsewhere_leave_two_of_an_eight_hour_day():
    busy = person(1, day=8, booked=SIX_HOURS_MONDAY)
    two = Problem(people=(busy,), shifts=(shift(1, at(0, 16), 2),))
    assert pairs(answer(two)) == {(1, 1)}
    # two hours more, not four: a second two-hour shift the same day has nobody left
    four = Problem(people=(busy,), shifts=(shift(1, at(0, 16), 2), shift(2, at(0, 19), 2)))
    refused = answer(four)
    assert refused.status == INFEASIBLE and refused.unmet
    assert greedy(four, labels=LABELS).status == INFEASIBLE
    # alone, without the hours elsewhere, the same person takes both
    assert pairs(answer(Problem(people=(person(1, day=8),), shifts=four.shifts))) == {(1, 1), (2, 1)}
    # a four-hour shift is over the cap left by itself: nobody may take it
    long = answer(Problem(people=(busy,), shifts=(shift(1, at(0, 16), 4),)))
    assert long.status == INFEASIBLE and "无可排人员" in long.unmet[0]


def test_the_other_day_is_free_and_a_night_window_counts_on_both_days():
    # booked Sunday 22:00–Monday 06:00: 2 h on Sunday, 6 h on Monday
    night = person(1, day=8, booked=((at(-1, 22), at(0, 6)),))
    monday = Problem(people=(night,), shifts=(shift(1, at(0, 14), 4),))
    assert answer(monday).status == INFEASIBLE
    tuesday = Problem(people=(night,), shifts=(shift(1, at(1, 14), 8),))
    assert pairs(answer(tuesday)) == {(1, 1)}
    sunday = Problem(people=(night,), shifts=(shift(1, at(-1, 8), 6),))
    assert pairs(answer(sunday)) == {(1, 1)}  # 2 h + 6 h: at the cap, not over it


def test_the_week_cap_counts_the_hours_elsewhere_in_that_iso_week_only():
    # 12 h booked on Monday and Tuesday of a 16-hour week: 4 h left that week, a whole next week
    booked = ((at(0, 8), at(0, 14)), (at(1, 8), at(1, 14)))
    busy = person(1, day=12, week=16, booked=booked)
    same_week = Problem(people=(busy,), shifts=(shift(1, at(2, 8), 4), shift(2, at(3, 8), 4)))
    assert answer(same_week).status == INFEASIBLE
    assert pairs(answer(Problem(people=(busy,), shifts=same_week.shifts[:1]))) == {(1, 1)}
    next_week = Problem(people=(busy,), shifts=(shift(1, at(7, 8), 8), shift(2, at(8, 8), 8)))
    assert pairs(answer(next_week)) == {(1, 1), (2, 1)}


def test_the_solver_gives_the_hours_left_to_whoever_has_them():
    # two people, two shifts on Monday: the busy one can take one of them only
    busy = person(1, day=8, booked=SIX_HOURS_MONDAY)
    free = person(2, day=4)
    problem = Problem(people=(busy, free), shifts=(shift(1, at(0, 16), 2), shift(2, at(0, 19), 4)))
    solution = answer(problem)
    assert solution.status in (OPTIMAL, FEASIBLE)
    assert pairs(solution) == {(1, 1), (2, 2)}
    baseline = greedy(problem, labels=LABELS)
    assert baseline.status == FEASIBLE and check(problem, baseline) == []


def test_a_kept_shift_over_the_cap_left_is_named_before_any_search():
    busy = person(1, day=8, booked=SIX_HOURS_MONDAY)
    problem = Problem(people=(busy,), shifts=(shift(1, at(0, 16), 4),), fixed=(Fixed(1, 1),))
    solution = answer(problem)
    assert solution.status == INFEASIBLE
    assert solution.unmet == (
        "固定安排：人员 #1 不能再排 东门 12-07 16:00–20:00（超过每日工时上限）",
        "固定安排：人员 #1 的班次超过工时上限",
    )


def test_the_checker_names_the_hours_elsewhere():
    busy = person(1, day=8, week=9, booked=SIX_HOURS_MONDAY)
    problem = Problem(people=(busy,), shifts=(shift(1, at(0, 16), 4),))
    hand_made = Solution(
        assignments=(Fixed(1, 1),), status=FEASIBLE, objective=None, bound=None, gap=None, unmet=()
    )
    assert check(problem, hand_made) == [
        "人员 #1 在 12-07 工作 10.0 小时（其中其他应急动员已排 6.0 小时），超过每日上限 8 小时",
        "人员 #1 在 2026 年第 50 周工作 10.0 小时（其中其他应急动员已排 6.0 小时），超过每周上限 9 小时",
    ]
    with translation.override("en"):
        assert check(problem, hand_made)[0] == (
            "Person #1 works 10.0 h on 12-07 (6.0 h of them on other mobilisations),"
            " over the daily cap of 8 h"
        )
    # the same hours without the booked ones are within the caps: nothing to report
    alone = Problem(people=(person(1, day=8, week=9),), shifts=problem.shifts)
    assert check(alone, hand_made) == []


def test_booked_hours_that_end_before_they_start_are_the_callers_bug():
    backwards = person(1, booked=((at(0, 14), at(0, 8)),))
    with pytest.raises(ValueError, match="booked"):
        prepare(Problem(people=(backwards,), shifts=(shift(1, at(0, 16), 2),)))
