"""Fewer candidates for the weighted search on a large problem (ADR 0028).

The benchmark's 14-day rota has ~32,000 (shift, person) pairs; CP-SAT's presolve of that model
alone could take the whole 10 s on a busy 2-core machine. Most pairs are a volunteer at a
far entrance of a block where a nearer one is open to them too, which the objective (distance)
never picks. A pair is kept when any of these holds:
- the person is among the shift's nearest candidates (NEAREST_PER_SEAT per seat);
- the shift is among the person's nearest posts at that moment (NEAREST_POSTS): everyone keeps
  a seat in every block they signed up for, so the load can still be spread over all of them;
- the shift is scarce (few candidates: kept whole, as first-aid and night shifts are);
- the pair is kept by the caller (fixed pairs, the hint, the full rota the search starts from),
  so the pruned model always holds that rota and is never infeasible for want of a candidate.
The pruned model's own bound is a bound of the pruned problem only: the solver reports the
relaxation's bound over the whole problem (bound.py) instead.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from gongzhi.mobilisation.rota.bound import distance_points
from gongzhi.mobilisation.rota.prep import Pair, Prepared

PRUNE_ABOVE = 6_000  # candidate pairs; below this the whole model solves in a second or two
NEAREST_PER_SEAT = 3
NEAREST_POSTS = 1
SCARCE_PER_SEAT = 6  # a shift with at most this many candidates per seat keeps them all


def worth_pruning(prep: Prepared) -> bool:
    return sum(len(c) for c in prep.candidates.values()) > PRUNE_ABOVE


def prune(prep: Prepared, keep: set[Pair]) -> Prepared:
    """A copy of prep with fewer candidates per shift (the order of each list kept)."""
    kept: set[Pair] = set(keep) | prep.fixed
    moments: dict[tuple[int, datetime, datetime], list[int]] = defaultdict(list)
    for shift in prep.order:
        candidates = prep.candidates[shift.id]
        if len(candidates) <= SCARCE_PER_SEAT * max(1, shift.need):
            kept.update((shift.id, p) for p in candidates)
            continue
        nearest = sorted(candidates, key=lambda p: (distance_points(prep, shift.id, p, 1), p))
        kept.update((shift.id, p) for p in nearest[: NEAREST_PER_SEAT * shift.need])
        for p in candidates:
            moments[(p, shift.start, shift.end)].append(shift.id)
    for (person_id, _start, _end), shift_ids in moments.items():
        shift_ids.sort(key=lambda s: (distance_points(prep, s, person_id, 1), s))
        kept.update((s, person_id) for s in shift_ids[:NEAREST_POSTS])
    narrowed = {s: [p for p in prep.candidates[s] if (s, p) in kept] for s in prep.candidates}
    return replace(prep, candidates=narrowed)
