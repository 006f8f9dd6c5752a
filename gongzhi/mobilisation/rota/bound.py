"""A lower bound of the rota's objective over the whole problem, from a relaxation solved
without search (ADR 0028). On large problems the solver searches a pruned model (prune.py),
whose own proven bound holds only for the pruned problem; this one holds for every rota of the
whole problem, so the gap the solver reports is a true one.

The objective is distance + spread + continuity; the first two are bounded together, the third
on its own (the sum of two lower bounds is a lower bound of the sum):
- distance and spread: a min-cost flow of minutes. Each shift sends need × length minutes to its
  candidates (at most its length to one person, at a cost of the distance points per minute,
  rounded down); a person's minutes pass through one node per group of their shifts of which
  they can hold at most one (shifts in start order whose rest-stretched spans all overlap), which
  lets through at most the longest; then through a node per ISO week (at most the week's cap
  less the hours booked elsewhere; shifts crossing into the next week bypass it); then through
  the spread's tiers (the first tier free, the k-th at k points a minute), up to the most the
  day and week caps left let them work. Dropped: the day caps one by one, the week cap for
  shifts crossing weeks, fixed pairs, rest between groups. The flow's cost is at most the
  objective's distance and spread of any rota, since any rota is such a flow.
- continuity: a post-day's seats need at least ceil(seats / h) person-post-days, h the most of
  its shifts one candidate could hold.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from gongzhi.mobilisation.rota.explain import most_held
from gongzhi.mobilisation.rota.prep import Pair, Prepared, Week, km


def distance_points(prep: Prepared, shift_id: int, person_id: int, per_100m: int) -> int:
    return per_100m * round(km(prep.people[person_id].home, prep.shifts[shift_id].place) * 10)


def most_minutes(prep: Prepared, person_id: int, shift_ids: list[int]) -> int:
    """An upper bound of a person's minutes on these shifts: their sum, and the caps left (less
    the hours booked elsewhere) summed over the days and the weeks they touch (a shift's pieces
    add up to at least its length, each piece being rounded up)."""
    most = sum(prep.minutes[s] for s in shift_ids)
    for spread, left in prep.caps(person_id):
        per_key: dict[Any, int] = defaultdict(int)
        for s in shift_ids:
            for key, length in spread[s].items():
                per_key[key] += length
        most = min(most, sum(min(left(key), total) for key, total in per_key.items()))
    return most


def tier_minutes(prep: Prepared) -> int:
    return max(60, int(statistics.median(prep.minutes.values()))) if prep.minutes else 60


@dataclass(frozen=True)
class Relaxation:
    bound: float
    support: frozenset[Pair]  # the (shift, person) pairs the flow uses: where a good rota lies


def relax(prep: Prepared, weights: Any) -> Relaxation:
    """Weights as solver.Weights (not imported: solver imports this module). A bound of 0 when
    the flow has no solution (then no rota exists either, and nobody asks for a bound)."""
    cost, support = _distance_and_spread(prep, weights)
    return Relaxation(float(cost + _continuity(prep, weights)), frozenset(support))


def lower_bound(prep: Prepared, weights: Any) -> float:
    return relax(prep, weights).bound


SCALE = 1000  # the flow's costs are per minute; distance points per minute scaled, rounded down


def _distance_and_spread(prep: Prepared, weights: Any) -> tuple[int, set[Pair]]:
    flow = min_cost_flow.SimpleMinCostFlow()
    tails: list[int] = []
    heads: list[int] = []
    capacities: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, capacity: int, cost: int) -> None:
        tails.append(tail)
        heads.append(head)
        capacities.append(capacity)
        costs.append(cost)

    pair_arc: dict[Pair, int] = {}
    shift_node = {s.id: i for i, s in enumerate(prep.order)}
    sink = len(shift_node)
    nodes = sink + 1
    per_person: dict[int, list[int]] = defaultdict(list)
    for shift in prep.order:
        for p in prep.candidates[shift.id]:
            per_person[p].append(shift.id)
    tier = tier_minutes(prep)
    for person_id, shift_ids in per_person.items():
        person_node, nodes = nodes, nodes + 1
        week_node: dict[Week, int] = {}
        for group in _one_at_a_time(prep, person_id, shift_ids):
            group_node, nodes = nodes, nodes + 1
            week = _week(prep, group[0])
            if week is not None and week not in week_node:
                week_node[week], nodes = nodes, nodes + 1
                arc(week_node[week], person_node, prep.week_left(person_id, week), 0)
            head = person_node if week is None else week_node[week]
            arc(group_node, head, max(prep.minutes[s] for s in group), 0)
            for s in group:
                points = distance_points(prep, s, person_id, weights.per_100m)
                pair_arc[(s, person_id)] = len(tails)
                arc(shift_node[s], group_node, prep.minutes[s], points * SCALE // prep.minutes[s])
        most = most_minutes(prep, person_id, shift_ids)
        for k in range(weights.max_tiers + 1):
            room = min(most, (k + 1) * tier) - k * tier if k < weights.max_tiers else most - k * tier
            if room > 0:
                arc(person_node, sink, room, k * weights.per_minute_tier * SCALE)
    supplies = [0] * nodes
    for shift in prep.order:
        supplies[shift_node[shift.id]] = shift.need * prep.minutes[shift.id]
    supplies[sink] = -sum(supplies)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(capacities, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    flow.set_nodes_supplies(np.arange(nodes, dtype=np.int32), np.array(supplies, dtype=np.int64))
    if flow.solve() != flow.OPTIMAL:
        return 0, set()
    support = {pair for pair, index in pair_arc.items() if flow.flow(index) > 0}
    return math.ceil(flow.optimal_cost() / SCALE), support  # the objective is whole points


def _week(prep: Prepared, shift_id: int) -> Week | None:
    """The ISO week a shift lies in, None when it crosses into the next one."""
    weeks = list(prep.week_minutes[shift_id])
    return weeks[0] if len(weeks) == 1 else None


def _one_at_a_time(prep: Prepared, person_id: int, shift_ids: list[int]) -> list[list[int]]:
    """The person's shifts (in start order) cut into runs of which they can hold one at most:
    each run's spans, stretched by the rest, all overlap at the start of its last shift. A run
    lies in one ISO week (or is all of shifts crossing into the next), so it feeds one week."""
    rest = prep.people[person_id].min_rest_hours * 3600
    groups: list[list[int]] = []
    reach = -math.inf  # the earliest stretched end in the current run
    for s in shift_ids:
        shift = prep.shifts[s]
        if groups and shift.start.timestamp() < reach and _week(prep, s) == _week(prep, groups[-1][0]):
            groups[-1].append(s)
            reach = min(reach, shift.end.timestamp() + rest)
        else:
            groups.append([s])
            reach = shift.end.timestamp() + rest
    return groups


def _continuity(prep: Prepared, weights: Any) -> int:
    if not weights.per_post_day:
        return 0
    groups: dict[tuple[int, date], list[int]] = defaultdict(list)
    for shift in prep.order:
        if shift.need > 0:
            groups[(shift.post_id, shift.start.date())].append(shift.id)
    total = 0
    for members in groups.values():
        seats = sum(prep.shifts[s].need for s in members)
        open_to: dict[int, list[int]] = defaultdict(list)
        for s in members:
            for p in prep.candidates[s]:
                open_to[p].append(s)
        most = max(
            (
                most_held([prep.shifts[s] for s in held], prep.people[p].min_rest_hours * 3600)
                for p, held in open_to.items()
            ),
            default=1,
        )
        total += math.ceil(seats / max(1, most))
    return weights.per_post_day * total
