"""The benchmark's baseline: what a cadre with a spreadsheet does. Shifts in time order (the
fewest candidates first among those starting together); each seat goes to the candidate who
has worked least so far, then the nearest, skipping anyone it would put in breach of overlap,
rest or the hour caps (less what they stand elsewhere). No look-ahead: scarce skills get spent
early, and a shift nobody is left for stays short — reported as unmet, with the partial rota
(status infeasible)."""

import time
from collections import defaultdict
from datetime import date

from gongzhi.mobilisation.rota.model import FEASIBLE, INFEASIBLE, Fixed, Problem, Shift, Solution
from gongzhi.mobilisation.rota.prep import Pair, Prepared, Week, km, prepare
from gongzhi.mobilisation.rota.text import _, shift_name


class _Ledger:
    """What each person has taken so far."""

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        self.taken: dict[int, list[Shift]] = defaultdict(list)
        self.load: dict[int, int] = defaultdict(int)
        self.days: dict[tuple[int, date], int] = defaultdict(int)
        self.weeks: dict[tuple[int, Week], int] = defaultdict(int)

    def fits(self, person_id: int, shift: Shift) -> bool:
        person = self.prep.people[person_id]
        rest = person.min_rest_hours * 3600
        for other in self.taken[person_id]:
            first, second = (other, shift) if other.start <= shift.start else (shift, other)
            if (second.start - first.end).total_seconds() < rest or second.start < first.end:
                return False
        prep = self.prep
        if any(
            self.days[person_id, d] + m > prep.day_left(person_id, d)
            for d, m in prep.day_minutes[shift.id].items()
        ):
            return False
        return all(
            self.weeks[person_id, w] + m <= prep.week_left(person_id, w)
            for w, m in prep.week_minutes[shift.id].items()
        )

    def take(self, person_id: int, shift: Shift) -> None:
        self.taken[person_id].append(shift)
        self.load[person_id] += self.prep.minutes[shift.id]
        for d, m in self.prep.day_minutes[shift.id].items():
            self.days[person_id, d] += m
        for w, m in self.prep.week_minutes[shift.id].items():
            self.weeks[person_id, w] += m


def greedy(problem: Problem, *, labels: dict[int, str] | None = None) -> Solution:
    started = time.perf_counter()
    assigned, unmet = fill(prepare(problem), labels)
    return Solution(
        assignments=tuple(sorted(assigned, key=lambda f: (f.shift_id, f.person_id))),
        status=INFEASIBLE if unmet else FEASIBLE,
        objective=None,
        bound=None,
        gap=None,
        unmet=tuple(unmet),
        seconds=time.perf_counter() - started,
    )


def fill(
    prep: Prepared, labels: dict[int, str] | None, prefer: frozenset[Pair] = frozenset()
) -> tuple[list[Fixed], list[str]]:
    """The greedy pass over a prepared problem. The solver's first rota is this pass with
    `prefer` the pairs its relaxation uses (bound.py): those go first, so the rota follows
    the relaxation's choice wherever the constraints it drops allow."""
    ledger = _Ledger(prep)
    assigned: list[Fixed] = []
    for shift_id, person_id in sorted(prep.fixed):  # kept first, as the solver keeps them
        ledger.take(person_id, prep.shifts[shift_id])
        assigned.append(Fixed(shift_id=shift_id, person_id=person_id))
    kept: dict[int, int] = defaultdict(int)
    for shift_id, _person_id in prep.fixed:
        kept[shift_id] += 1
    unmet: list[str] = []
    order = sorted(prep.order, key=lambda s: (s.start, len(prep.candidates[s.id]), s.id))
    for shift in order:
        seats = shift.need - kept[shift.id]
        ranked = sorted(
            (p for p in prep.candidates[shift.id] if (shift.id, p) not in prep.fixed),
            key=lambda p: (
                (shift.id, p) not in prefer,
                ledger.load[p],
                km(prep.people[p].home, shift.place),
                p,
            ),
        )
        for person_id in ranked:
            if seats <= 0:
                break
            if ledger.fits(person_id, shift):
                ledger.take(person_id, shift)
                assigned.append(Fixed(shift_id=shift.id, person_id=person_id))
                seats -= 1
        if seats > 0:
            unmet.append(
                _("%(shift)s 缺 %(missing)d 人（贪心排班未能排满）")
                % {"shift": shift_name(shift, labels), "missing": seats}
            )
    return assigned, unmet
