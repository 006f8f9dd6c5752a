"""An independent check of a rota against every hard constraint, in plain Python.

It shares nothing with the solver but the data classes and the message helpers: its own
availability test, its own day and week arithmetic (exact seconds, no rounding, the hours a
person stands elsewhere added here again), so a bug in the solver's preparation is not
repeated here. The services also use it to judge a swap.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from gongzhi.mobilisation.rota.model import INFEASIBLE, Person, Problem, Shift, Solution
from gongzhi.mobilisation.rota.text import _, person_name, shift_name

SLACK_SECONDS = 1e-6


def _is_free(person: Person, shift: Shift) -> bool:
    """Walk the shift from its start, jumping to the end of any window that holds the point."""
    point = shift.start
    moved = True
    while point < shift.end and moved:
        moved = False
        for w_start, w_end in person.available:
            if w_start <= point < w_end:
                point, moved = w_end, True
    return point >= shift.end


def _seconds_per_day(start: datetime, end: datetime) -> dict[date, float]:
    out: dict[date, float] = {}
    day = start.date()
    while True:
        day_start = datetime.combine(day, time(0), tzinfo=start.tzinfo)
        day_end = day_start + timedelta(days=1)
        overlap = (min(end, day_end) - max(start, day_start)).total_seconds()
        if overlap <= 0:
            break
        out[day] = overlap
        day += timedelta(days=1)
    return out


def _week(day: date) -> tuple[int, int]:
    year, week, _weekday = day.isocalendar()
    return year, week


def check(problem: Problem, solution: Solution) -> list[str]:
    """Hard-constraint violations of the solution's assignments ([] when it is valid).

    A solution that says it is infeasible and why may leave shifts short (the greedy
    baseline does); any other must fill every shift exactly."""
    people = {p.id: p for p in problem.people}
    shifts = {s.id: s for s in problem.shifts}
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    on_shift: dict[int, int] = defaultdict(int)
    worked: dict[int, list[Shift]] = defaultdict(list)
    for a in solution.assignments:
        if a.shift_id not in shifts or a.person_id not in people:
            out.append(_("排班中有未知的班次或人员（%(pair)s）") % {"pair": f"{a.shift_id}/{a.person_id}"})
            continue
        if (a.shift_id, a.person_id) in seen:
            out.append(_("%(person)s 在同一班次中重复出现") % {"person": person_name(a.person_id)})
            continue
        seen.add((a.shift_id, a.person_id))
        on_shift[a.shift_id] += 1
        worked[a.person_id].append(shifts[a.shift_id])
        out.extend(_pair_violations(people[a.person_id], shifts[a.shift_id]))
    forbidden = {(f.shift_id, f.person_id) for f in problem.forbidden}
    out.extend(
        _("%(person)s 被排除在 %(shift)s 之外，却被排上")
        % {"person": person_name(p), "shift": shift_name(shifts[s], None)}
        for s, p in sorted(seen & forbidden)
    )
    may_fall_short = solution.status == INFEASIBLE and bool(solution.unmet)
    for shift in problem.shifts:
        count = on_shift[shift.id]
        if count > shift.need or (count < shift.need and not may_fall_short):
            out.append(
                _("%(shift)s 排了 %(count)d 人，应为 %(need)d 人")
                % {"shift": shift_name(shift, None), "count": count, "need": shift.need}
            )
    if not may_fall_short:
        out.extend(
            _("固定安排未保留：%(person)s 的 %(shift)s")
            % {"person": person_name(f.person_id), "shift": shift_name(shifts[f.shift_id], None)}
            for f in problem.fixed
            if (f.shift_id, f.person_id) not in seen
        )
    for person_id, taken in sorted(worked.items()):
        out.extend(_person_violations(people[person_id], taken))
    return out


def _pair_violations(person: Person, shift: Shift) -> list[str]:
    out = []
    who, what = person_name(person.id), shift_name(shift, None)
    missing = shift.skills - person.skills
    if missing:
        out.append(
            _("%(person)s 不具备 %(shift)s 所需技能：%(skills)s")
            % {"person": who, "shift": what, "skills": "、".join(sorted(missing))}
        )
    if not _is_free(person, shift):
        out.append(_("%(person)s 在 %(shift)s 时段没空") % {"person": who, "shift": what})
    return out


def _person_violations(person: Person, taken: list[Shift]) -> list[str]:
    out = []
    who = person_name(person.id)
    ordered = sorted(taken, key=lambda s: (s.start, s.end))
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            gap = (later.start - earlier.end).total_seconds()
            if gap < 0:
                out.append(
                    _("%(person)s 的 %(a)s 与 %(b)s 时间重叠")
                    % {"person": who, "a": shift_name(earlier, None), "b": shift_name(later, None)}
                )
            elif gap < person.min_rest_hours * 3600 - SLACK_SECONDS:
                out.append(
                    _("%(person)s 的 %(a)s 与 %(b)s 之间休息不足 %(hours)s 小时")
                    % {
                        "person": who,
                        "a": shift_name(earlier, None),
                        "b": shift_name(later, None),
                        "hours": f"{person.min_rest_hours:g}",
                    }
                )
    # the hours they stand elsewhere (other incidents) count against the same caps
    booked_day: dict[date, float] = defaultdict(float)
    for start, end in person.booked:
        for day, seconds in _seconds_per_day(start, end).items():
            booked_day[day] += seconds
    booked_week: dict[tuple[int, int], float] = defaultdict(float)
    for day, seconds in booked_day.items():
        booked_week[_week(day)] += seconds
    per_day: dict[date, float] = defaultdict(float)
    for shift in taken:
        for day, seconds in _seconds_per_day(shift.start, shift.end).items():
            per_day[day] += seconds
    per_week: dict[tuple[int, int], float] = defaultdict(float)
    for day, seconds in sorted(per_day.items()):
        per_week[_week(day)] += seconds
        total = seconds + booked_day[day]
        if total > person.max_hours_day * 3600 + SLACK_SECONDS:
            out.append(
                _over(
                    _("%(person)s 在 %(day)s 工作 %(hours).1f 小时，超过每日上限 %(cap)s 小时"),
                    _(
                        "%(person)s 在 %(day)s 工作 %(hours).1f 小时（其中其他应急动员已排 %(booked).1f 小时），超过每日上限 %(cap)s 小时"
                    ),
                    {"person": who, "day": f"{day:%m-%d}", "cap": f"{person.max_hours_day:g}"},
                    total,
                    booked_day[day],
                )
            )
    for (year, week), seconds in sorted(per_week.items()):
        total = seconds + booked_week[(year, week)]
        if total > person.max_hours_week * 3600 + SLACK_SECONDS:
            out.append(
                _over(
                    _(
                        "%(person)s 在 %(year)d 年第 %(week)d 周工作 %(hours).1f 小时，超过每周上限 %(cap)s 小时"
                    ),
                    _(
                        "%(person)s 在 %(year)d 年第 %(week)d 周工作 %(hours).1f 小时"
                        "（其中其他应急动员已排 %(booked).1f 小时），超过每周上限 %(cap)s 小时"
                    ),
                    {"person": who, "year": year, "week": week, "cap": f"{person.max_hours_week:g}"},
                    total,
                    booked_week[(year, week)],
                )
            )
    return out


def _over(alone: str, across: str, names: dict[str, object], seconds: float, booked: float) -> str:
    """A cap broken by the rota alone, or with the hours booked on other incidents named."""
    if booked <= 0:
        return alone % {**names, "hours": seconds / 3600}
    return across % {**names, "hours": seconds / 3600, "booked": booked / 3600}
