"""The rota solver on hand-built problems: each hard constraint holds, infeasible problems say
which constraint cannot be met, a re-solve keeps what it must (pure: no database)."""

import pytest

from gongzhi.mobilisation.rota import prune
from gongzhi.mobilisation.rota.bound import lower_bound
from gongzhi.mobilisation.rota.checker import check
from gongzhi.mobilisation.rota.greedy import greedy
from gongzhi.mobilisation.rota.model import FEASIBLE, INFEASIBLE, OPTIMAL, Fixed, Problem, Solution
from gongzhi.mobilisation.rota.prep import prepare
from gongzhi.mobilisation.rota.solver import WEIGHTS, _score, solve
from gongzhi.mobilisation.tests.rota_world import EAST, LABELS, WEST, at, person, shift

FAR = (31.2300, 121.5300)  # about 5.7 km east of the gate


def assigned(solution: Solution) -> set[tuple[int, int]]:
    return {(a.shift_id, a.person_id) for a in solution.assignments}


def solved(problem: Problem) -> Solution:
    solution = solve(problem, labels=LABELS, time_limit_s=5)
    assert solution.status == OPTIMAL, solution.unmet
    assert check(problem, solution) == []
    return solution


def test_each_shift_gets_exactly_its_need_and_the_solution_reports_its_bound():
    problem = Problem(
        people=tuple(person(i) for i in range(1, 6)),
        shifts=(shift(1, at(0, 8), 4, need=3), shift(2, at(0, 8), 4, post=WEST, need=2)),
    )
    solution = solved(problem)
    per_shift = {1: 0, 2: 0}
    for a in solution.assignments:
        per_shift[a.shift_id] += 1
    assert per_shift == {1: 3, 2: 2}
    assert solution.gap == 0.0 and solution.objective == solution.bound
    assert solution.unmet == ()


def test_only_people_available_for_the_whole_shift():
    half = person(1, free=((at(0, 8), at(0, 10)),))  # the shift runs to 12:00
    joined = person(2, free=((at(0, 8), at(0, 10)), (at(0, 10), at(0, 12))))  # two windows, no gap
    problem = Problem(people=(half, joined), shifts=(shift(1, at(0, 8), 4),))
    assert assigned(solved(problem)) == {(1, 2)}


def test_only_people_with_every_skill_of_the_shift():
    problem = Problem(
        people=(person(1, skills=("急救",)), person(2, skills=("急救", "夜巡"))),
        shifts=(shift(1, at(0, 22), 8, skills=("急救", "夜巡")),),
    )
    assert assigned(solved(problem)) == {(1, 2)}


def test_nobody_works_two_overlapping_shifts():
    problem = Problem(
        people=(person(1, home=None), person(2, home=FAR)),
        shifts=(shift(1, at(0, 8), 4), shift(2, at(0, 11), 4, post=WEST)),
    )
    solution = solved(problem)
    assert {a.person_id for a in solution.assignments} == {1, 2}


def test_minimum_rest_between_two_shifts():
    # person 1 is near and would take both, but 3 h between them is less than their 8 h rest
    problem = Problem(
        people=(person(1, rest=8), person(2, rest=8, home=FAR)),
        shifts=(shift(1, at(0, 6), 4), shift(2, at(0, 13), 4)),
    )
    solution = solved(problem)
    assert {a.person_id for a in solution.assignments} == {1, 2}
    tight = Problem(people=(person(1, rest=8),), shifts=problem.shifts)
    infeasible = solve(tight, labels=LABELS, time_limit_s=5)
    assert infeasible.status == INFEASIBLE and infeasible.assignments == ()
    assert infeasible.unmet  # the thin-post-day check: 2 turns needed, 1 person with rest holds 1
    assert "东门 12-07" in infeasible.unmet[0]


def test_max_hours_per_day_counts_a_night_shift_on_both_days():
    # 22:00-06:00 is 2 h on Monday and 6 h on Tuesday; with the 08:00-12:00 Tuesday shift that
    # is 10 h on Tuesday, over a 9 h cap: one person cannot hold both
    people = (person(1, day=9), person(2, day=9, home=FAR))
    problem = Problem(people=people, shifts=(shift(1, at(0, 22), 8), shift(2, at(1, 8), 4)))
    solution = solved(problem)
    assert {a.person_id for a in solution.assignments} == {1, 2}
    roomy = Problem(people=(person(1, day=10),), shifts=problem.shifts)
    assert assigned(solved(roomy)) == {(1, 1), (2, 1)}


def test_max_hours_per_iso_week():
    # Sunday 12-13 and Monday 12-14 are in different ISO weeks: a 8 h week cap allows both
    sunday, monday, tuesday = shift(1, at(6, 8), 8), shift(2, at(7, 8), 8), shift(3, at(8, 8), 8)
    problem = Problem(
        people=(person(1, week=8), person(2, week=8, home=FAR)), shifts=(sunday, monday, tuesday)
    )
    solution = solved(problem)
    by_person: dict[int, set[int]] = {1: set(), 2: set()}
    for a in solution.assignments:
        by_person[a.person_id].add(a.shift_id)
    assert 1 in by_person[1] and len(by_person[1]) == 2 and by_person[1] != {2, 3}
    alone = solve(Problem(people=(person(1, week=8),), shifts=(monday, tuesday)), labels=LABELS)
    assert alone.status == INFEASIBLE


def test_fixed_kept_and_forbidden_excluded():
    problem = Problem(
        people=(person(1), person(2, home=FAR), person(3, home=FAR)),
        shifts=(shift(1, at(0, 8), 4, need=1), shift(2, at(1, 8), 4, need=1)),
        fixed=(Fixed(shift_id=1, person_id=2),),  # kept though person 1 is nearer
        forbidden=(Fixed(shift_id=2, person_id=1),),
    )
    solution = solved(problem)
    assert (1, 2) in assigned(solution)
    assert (2, 1) not in assigned(solution)


def test_nearness_decides_between_equals():
    problem = Problem(people=(person(1, home=FAR), person(2)), shifts=(shift(1, at(0, 8), 4),))
    assert assigned(solved(problem)) == {(1, 2)}


def test_fairness_spreads_the_hours():
    # four equal shifts on four days, two people at the same distance: two each, not 3 + 1
    problem = Problem(
        people=(person(1), person(2)),
        shifts=tuple(shift(i, at(i, 8), 8) for i in range(1, 5)),
    )
    counts = {1: 0, 2: 0}
    for a in solved(problem).assignments:
        counts[a.person_id] += 1
    assert counts == {1: 2, 2: 2}


def test_the_objective_is_what_the_rota_costs():
    problem = Problem(
        people=(person(1), person(2, home=FAR), person(3, home=None)),
        shifts=tuple(
            shift(i, at(i // 2, 8 + 6 * (i % 2)), 4, post=EAST if i % 3 else WEST) for i in range(6)
        ),
    )
    solution = solved(problem)
    assert solution.objective == _score(prepare(problem), solution.assignments, WEIGHTS)


def test_a_shift_nobody_can_take_is_named():
    problem = Problem(
        people=(person(1, free=((at(0, 8), at(0, 18)),)),),
        shifts=(shift(1, at(0, 8), 4), shift(2, at(0, 22), 8)),
    )
    solution = solve(problem, labels=LABELS)
    assert solution.status == INFEASIBLE
    assert solution.assignments == ()
    assert solution.unmet == ("东门 12-07 22:00–06:00 无可排人员",)


def test_a_shift_short_of_candidates_says_how_many():
    problem = Problem(
        people=(person(1, skills=("急救",)), person(2)),
        shifts=(shift(1, at(0, 8), 4, need=2, skills=("急救",)),),
    )
    assert solve(problem, labels=LABELS).unmet == ("东门 12-07 08:00–12:00 需 2 人，可排仅 1 人",)


def test_shifts_at_the_same_moment_need_distinct_people():
    problem = Problem(
        people=(person(1), person(2)),
        shifts=(shift(1, at(0, 8), 4, need=2), shift(2, at(0, 8), 4, post=WEST, need=1)),
    )
    (message,) = solve(problem, labels=LABELS).unmet
    assert message == "12-07 08:00 同时在岗的 东门、西门 共需 3 人，可排仅 2 人"


def test_what_no_check_catches_the_relaxed_model_names():
    # three people, each free Mon-Wed; a 9 h week cap; seven 4 h shifts on different days of one
    # week need 28 h > 27 h: every single check passes, the cover proves one person-shift short
    problem = Problem(
        people=tuple(person(i, week=9) for i in (1, 2, 3)),
        shifts=tuple(shift(i, at(i - 1, 8), 4) for i in range(1, 8)),
    )
    solution = solve(problem, labels=LABELS, time_limit_s=5)
    assert solution.status == INFEASIBLE and solution.assignments == ()
    assert solution.unmet[0] == "在全部硬约束下至少缺 1 人次；缺口最少的一种排法如下"
    assert len(solution.unmet) == 2 and "缺 1 人" in solution.unmet[1]


def test_fixed_that_no_longer_fits_is_reported():
    problem = Problem(
        people=(person(1, skills=()), person(2, skills=("急救",))),
        shifts=(shift(1, at(0, 8), 4, skills=("急救",)),),
        fixed=(Fixed(shift_id=1, person_id=1),),
    )
    solution = solve(problem, labels=LABELS)
    assert solution.status == INFEASIBLE
    assert solution.unmet[0] == "固定安排：人员 #1 不能再排 东门 12-07 08:00–12:00（不具备所需技能）"


def test_resolve_after_a_no_show_keeps_every_other_shift():
    people = tuple(person(i, rest=8, home=(31.23 + i * 0.001, 121.47)) for i in range(1, 9))
    shifts = tuple(
        shift(i, at(i // 3, 6 + 8 * (i % 3)), 8, need=2, post=EAST if i % 2 else WEST) for i in range(9)
    )
    first = solved(Problem(people=people, shifts=shifts))
    missed = first.assignments[0]
    kept = tuple(a for a in first.assignments if a.shift_id != missed.shift_id)
    again = Problem(
        people=people,
        shifts=shifts,
        fixed=kept,
        forbidden=(missed,),
        hint=first.assignments,
    )
    second = solve(again, labels=LABELS, time_limit_s=5)
    assert second.status in (OPTIMAL, FEASIBLE)
    assert check(again, second) == []
    assert set(kept) <= set(second.assignments)
    assert missed not in second.assignments
    changed = set(second.assignments) ^ set(first.assignments)
    assert {a.shift_id for a in changed} == {missed.shift_id}


def test_greedy_leaves_short_what_the_solver_fills_and_says_so():
    # the greedy gives the 08:00 shift to the nearest, the only first-aider, and has nobody
    # left for the first-aid shift at 09:00; the solver looks ahead
    problem = Problem(
        people=(person(1, skills=("急救",)), person(2, home=FAR)),
        shifts=(shift(1, at(0, 8), 4), shift(2, at(0, 9), 4, post=WEST, skills=("急救",))),
    )
    baseline = greedy(problem, labels=LABELS)
    assert check(problem, baseline) == []  # partial, but every assignment it made is valid
    assert baseline.status == INFEASIBLE
    assert baseline.unmet == ("西门 12-07 09:00–13:00 缺 1 人（贪心排班未能排满）",)
    assert assigned(solved(problem)) == {(1, 2), (2, 1)}


def test_checker_finds_what_a_bad_rota_breaks():
    problem = Problem(
        people=(person(1, rest=8, day=6),),
        shifts=(shift(1, at(0, 6), 4, skills=("急救",)), shift(2, at(0, 12), 4)),
        forbidden=(Fixed(shift_id=2, person_id=1),),
    )
    bad = Solution(
        assignments=(Fixed(shift_id=1, person_id=1), Fixed(shift_id=2, person_id=1)),
        status=FEASIBLE,
        objective=None,
        bound=None,
        gap=None,
        unmet=(),
    )
    found = check(problem, bad)
    assert any("不具备" in m for m in found)
    assert any("休息不足" in m for m in found)
    assert any("每日上限" in m for m in found)
    assert any("被排除" in m for m in found)


def test_malformed_input_is_the_callers_bug():
    with pytest.raises(ValueError, match="ends before"):
        solve(Problem(people=(person(1),), shifts=(shift(1, at(0, 8), -1),)))
    with pytest.raises(ValueError, match="unknown"):
        solve(
            Problem(
                people=(person(1),), shifts=(shift(1, at(0, 8), 4),), fixed=(Fixed(shift_id=9, person_id=1),)
            )
        )


def test_reasons_come_in_english_when_asked():
    from django.utils import translation

    problem = Problem(people=(person(1),), shifts=(shift(1, at(0, 22), 8, skills=("急救",)),))
    with translation.override("en"):
        assert solve(problem, labels=LABELS).unmet == ("东门 12-07 22:00–06:00: nobody can be rostered",)


def test_a_pruned_cover_that_falls_short_is_searched_again_over_every_candidate(monkeypatch):
    # pruned to the pairs of the hint (the only first-aider at 08:00), the first-aid shift at
    # 09:00 has nobody: the search over every candidate fills both; the bound is the relaxation's
    for name, value in (
        ("PRUNE_ABOVE", -1),
        ("NEAREST_PER_SEAT", 0),
        ("NEAREST_POSTS", 0),
        ("SCARCE_PER_SEAT", 0),
    ):
        monkeypatch.setattr(prune, name, value)
    problem = Problem(
        people=(person(1, skills=("急救",)), person(2, home=FAR)),
        shifts=(shift(1, at(0, 8), 4), shift(2, at(0, 9), 4, post=WEST, skills=("急救",))),
        hint=(Fixed(shift_id=1, person_id=1),),
    )
    pruned = prune.prune(prepare(problem), {(1, 1)})
    assert pruned.candidates[2] == []  # what the first search sees
    solution = solve(problem, labels=LABELS, time_limit_s=5)
    assert assigned(solution) == {(1, 2), (2, 1)}
    assert check(problem, solution) == [] and solution.objective is not None
    assert solution.bound == lower_bound(prepare(problem), WEIGHTS) <= solution.objective


def test_the_relaxation_bounds_the_optimum_from_below():
    # fairness, distance and continuity all count here; the relaxation drops only what the
    # flow cannot say (day caps one by one), so it sits at or under the proven optimum
    problem = Problem(
        people=(person(1), person(2, home=FAR), person(3, home=None)),
        shifts=tuple(
            shift(i, at(i // 2, 8 + 6 * (i % 2)), 4, post=EAST if i % 3 else WEST) for i in range(6)
        ),
    )
    solution = solved(problem)
    assert solution.objective is not None
    assert 0 < lower_bound(prepare(problem), WEIGHTS) <= solution.objective
