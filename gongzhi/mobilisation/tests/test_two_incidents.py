"""Two active incidents over the same zone draw on the same people: the second rota never puts
someone on a shift that overlaps, or falls within their rest of, a shift they stand on in the
first (rostering.busy_pairs, forbidden pairs the checker then holds it to)."""

import itertools
from collections import defaultdict
from datetime import timedelta

import pytest

from gongzhi.core import clock
from gongzhi.mobilisation import incidents, rostering
from gongzhi.mobilisation.choices import STANDING, IncidentKind
from gongzhi.mobilisation.models import Assignment
from gongzhi.mobilisation.tests.conftest import T0, build_world


@pytest.fixture
def world(db: None):
    return build_world(volunteers_count=20)  # two rotas of a day over E1 need 16 turns


def solved(w, title, at):
    with clock.freeze(at):
        incident = incidents.incident_declare(
            actor=w.users["street"], kind=IncidentKind.EPIDEMIC, title=title, nodes=[w.tree.e1]
        )
        incidents.shifts_plan(actor=w.users["street"], incident=incident, days=1, shift_hours=8)
        rostering.rota_solve(actor=w.users["street"], incident=incident, time_limit_s=5)
    return incident


def test_the_second_rota_keeps_off_people_busy_on_the_first(world):
    first = solved(world, "周边疫情", T0)
    second = solved(world, "停电值守", T0 + timedelta(minutes=10))
    rest = timedelta(hours=8)  # every volunteer's and staff member's rest in this world
    turns: dict[int, list] = defaultdict(list)
    for a in Assignment.objects.filter(
        shift__post__incident__in=[first, second], state__in=STANDING
    ).select_related("shift__post"):
        turns[a.person_id].append((a.shift.starts_at, a.shift.ends_at, a.shift.post.incident_id))
    both = [p for p, t in turns.items() if len({i for _s, _e, i in t}) == 2]
    for person_id, shifts in turns.items():
        shifts.sort()
        for (_s1, e1, i1), (s2, _e2, i2) in itertools.pairwise(shifts):
            if i1 != i2:
                assert s2 >= e1 + rest, f"person {person_id} stands on both incidents too close together"
    # the check is not vacuous: the same people stand on both, at hours apart
    assert both or len(turns) >= 16
    problem = rostering.build(second, list(second.posts.first().shifts.all())).problem
    busy = {(f.shift_id, f.person_id) for f in problem.forbidden}
    assert busy, "the people on the first rota are forbidden on the second's concurrent shifts"
