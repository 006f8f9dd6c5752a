"""Why a rota cannot be made, found before any search where it can be: every message here
names a constraint that no rota can meet (each test is a sound necessary condition).

1. What must be kept cannot be: a fixed person no longer fits their shift, a shift holds
   more fixed people than it needs, or one person's fixed shifts collide.
2. A shift has fewer candidates than it needs (东门 12-07 22:00–06:00 无可排人员).
3. At some moment the shifts running together need more people than can take any of them.
4. A post's shifts starting on one day need more turns than its candidates can work, each
   person counted for the most of those shifts they could hold given rest and overlaps.
When all pass and the solver still proves the problem infeasible, solver.py relaxes the
cover constraint and names the shifts left short.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from gongzhi.mobilisation.rota.model import Shift
from gongzhi.mobilisation.rota.prep import Prepared
from gongzhi.mobilisation.rota.text import _, person_name, post_name, shift_name

Labels = dict[int, str] | None


def _refusal_text(why: str) -> str:
    return {
        "forbidden": _("已被排除"),
        "skills": _("不具备所需技能"),
        "available": _("该时段没空"),
        "day": _("超过每日工时上限"),
        "week": _("超过每周工时上限"),
    }[why]


def _rest_seconds(prep: Prepared, person_id: int) -> float:
    return prep.people[person_id].min_rest_hours * 3600


def kept_conflicts(prep: Prepared, labels: Labels) -> list[str]:
    out = []
    for (shift_id, person_id), why in sorted(prep.refusals.items()):
        out.append(
            _("固定安排：%(person)s 不能再排 %(shift)s（%(why)s）")
            % {
                "person": person_name(person_id),
                "shift": shift_name(prep.shifts[shift_id], labels),
                "why": _refusal_text(why),
            }
        )
    per_shift: dict[int, int] = defaultdict(int)
    per_person: dict[int, list[Shift]] = defaultdict(list)
    for shift_id, person_id in prep.fixed:
        per_shift[shift_id] += 1
        per_person[person_id].append(prep.shifts[shift_id])
    for shift in prep.order:
        if per_shift[shift.id] > shift.need:
            out.append(
                _("%(shift)s 固定了 %(count)d 人，多于所需 %(need)d 人")
                % {"shift": shift_name(shift, labels), "count": per_shift[shift.id], "need": shift.need}
            )
    for person_id, shifts in sorted(per_person.items()):
        out.extend(_kept_person_conflicts(prep, person_id, sorted(shifts, key=lambda s: s.start), labels))
    return out


def _kept_person_conflicts(prep: Prepared, person_id: int, shifts: list[Shift], labels: Labels) -> list[str]:
    out = []
    rest = _rest_seconds(prep, person_id)
    latest = shifts[0]  # the earlier shift that ends last: overlaps need not be neighbours
    for b in shifts[1:]:
        a = latest
        if b.end > latest.end:
            latest = b
        if (b.start - a.end).total_seconds() < rest:
            out.append(
                _("固定安排：%(person)s 的 %(a)s 与 %(b)s 冲突或间隔不足 %(rest)s 小时")
                % {
                    "person": person_name(person_id),
                    "a": shift_name(a, labels),
                    "b": shift_name(b, labels),
                    "rest": f"{prep.people[person_id].min_rest_hours:g}",
                }
            )
    days: dict[date, int] = defaultdict(int)
    weeks: dict[tuple[int, int], int] = defaultdict(int)
    for shift in shifts:  # the caps left: less what they stand on other incidents
        for day, minutes in prep.day_minutes[shift.id].items():
            days[day] += minutes
        for week, minutes in prep.week_minutes[shift.id].items():
            weeks[week] += minutes
    if any(m > prep.day_left(person_id, d) for d, m in days.items()) or any(
        m > prep.week_left(person_id, w) for w, m in weeks.items()
    ):
        out.append(_("固定安排：%(person)s 的班次超过工时上限") % {"person": person_name(person_id)})
    return out


def short_shifts(prep: Prepared, labels: Labels) -> list[str]:
    out = []
    for shift in prep.order:
        count = len(prep.candidates[shift.id])
        if count >= shift.need:
            continue
        if count == 0:
            out.append(_("%(shift)s 无可排人员") % {"shift": shift_name(shift, labels)})
        else:
            out.append(
                _("%(shift)s 需 %(need)d 人，可排仅 %(count)d 人")
                % {"shift": shift_name(shift, labels), "need": shift.need, "count": count}
            )
    return out


def crowded_moments(prep: Prepared, labels: Labels) -> list[str]:
    """At each shift start, the shifts running then need distinct people."""
    out = []
    seen: set[frozenset[int]] = set()
    for moment in sorted({s.start for s in prep.order}):
        running = [s for s in prep.order if s.start <= moment < s.end and s.need > 0]
        key = frozenset(s.id for s in running)
        if len(running) < 2 or key in seen:
            continue
        seen.add(key)
        need = sum(s.need for s in running)
        pool = set().union(*(prep.candidates[s.id] for s in running))
        if need > len(pool):
            out.append(
                _("%(when)s 同时在岗的 %(posts)s 共需 %(need)d 人，可排仅 %(count)d 人")
                % {
                    "when": moment.strftime("%m-%d %H:%M"),
                    "posts": "、".join(sorted({post_name(s.post_id, labels) for s in running})),
                    "need": need,
                    "count": len(pool),
                }
            )
    return out


def most_held(shifts: list[Shift], rest_seconds: float) -> int:
    """The most of these shifts one person can hold: intervals stretched by the rest must not
    overlap, so earliest-ending-first is exact (interval scheduling)."""
    held = 0
    free_from: datetime | None = None
    for shift in sorted(shifts, key=lambda s: s.end):
        if free_from is None or shift.start >= free_from:
            held += 1
            free_from = shift.end + timedelta(seconds=rest_seconds)
    return held


def thin_post_days(prep: Prepared, labels: Labels) -> list[str]:
    out = []
    groups: dict[tuple[int, date], list[Shift]] = defaultdict(list)
    for shift in prep.order:
        if shift.need > 0:
            groups[(shift.post_id, shift.start.date())].append(shift)
    for (post_id, day), shifts in groups.items():
        if len(shifts) < 2:
            continue
        need = sum(s.need for s in shifts)
        open_to: dict[int, list[Shift]] = defaultdict(list)
        for shift in shifts:
            for person_id in prep.candidates[shift.id]:
                open_to[person_id].append(shift)
        turns = sum(most_held(held, _rest_seconds(prep, pid)) for pid, held in open_to.items())
        if need > turns:
            out.append(
                _("%(post)s %(day)s 各班共需 %(need)d 人次，可排人员在轮休间隔下最多 %(turns)d 人次")
                % {
                    "post": post_name(post_id, labels),
                    "day": datetime.combine(day, datetime.min.time()).strftime("%m-%d"),
                    "need": need,
                    "turns": turns,
                }
            )
    return out


def before_search(prep: Prepared, labels: Labels) -> list[str]:
    """The first failing stage's messages ([] when none finds the problem infeasible)."""
    for stage in (kept_conflicts, short_shifts, crowded_moments, thin_post_days):
        found = stage(prep, labels)
        if found:
            return found
    return []
