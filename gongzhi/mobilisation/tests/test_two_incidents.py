"""Two active incidents over the same zone draw on the same people: the second rota never puts
someone on a shift that overlaps, or falls within their rest of, a shift they stand on in the
first (rostering.busy_pairs, forbidden pairs the checker then holds it to), and their hours a
day and a week stay within their caps over both (the first's shifts are their booked hours);
a closed incident, or a shift let go, frees them."""

import itertools
from collections import defaultdict
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from gongzhi.community.choices import Skill
from gongzhi.community.models import Volunteer
from gongzhi.core import clock
from gongzhi.mobilisation import incidents, rostering
from gongzhi.mobilisation.choices import (
    STANDING,
    AssignmentState,
    IncidentKind,
    PersonSource,
    RotaKind,
    SwapState,
)
from gongzhi.mobilisation.models import Assignment, Rota, Shift, SwapRequest
from gongzhi.mobilisation.tests.conftest import T0, build_world
from gongzhi.testing.factories import PASSWORD


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
    # and nobody works more than their 8 h a local day over both (a shift over midnight
    # counting on both days)
    for person_id, shifts in turns.items():
        per_day: dict = defaultdict(timedelta)
        for start, end, _incident in shifts:
            start, end = timezone.localtime(start), timezone.localtime(end)
            while start < end:
                midnight = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
                per_day[start.date()] += min(end, midnight) - start
                start = midnight
        assert max(per_day.values()) <= timedelta(hours=8), f"person {person_id} over 8 h a day"
    problem = rostering.build(second, list(second.posts.first().shifts.all())).problem
    busy = {(f.shift_id, f.person_id) for f in problem.forbidden}
    assert busy, "the people on the first rota are forbidden on the second's concurrent shifts"


# --- the day and week caps hold across incidents (booked hours) ----------------------------------


def declared(w, title):
    with clock.freeze(T0):
        return incidents.incident_declare(
            actor=w.users["street"], kind=IncidentKind.EPIDEMIC, title=title, nodes=[w.tree.e1]
        )


def first_aid_post(w, incident):
    """A post only v1 (the world's one first aider) may stand: nobody else competes for it."""
    with clock.freeze(T0):
        return incidents.post_add(
            actor=w.users["street"],
            incident=incident,
            name="急救点",
            node=w.tree.e1,
            opens=time(0),
            closes=time(0),
            need=1,
            skills=[Skill.FIRST_AID],
        )


def shift_at(post, start_hours, hours):
    start = T0.replace(hour=0) + timedelta(hours=start_hours)  # hours from Monday 00:00
    return Shift.objects.create(post=post, starts_at=start, ends_at=start + timedelta(hours=hours), need=1)


def hand_made(w, incident, person, shift, state=AssignmentState.ASSIGNED):
    """An assignment written as a past rota left it (no solve): the hours that person stands."""
    version = incident.rotas.count() + 1
    rota = Rota.objects.create(
        incident=incident,
        version=version,
        kind=RotaKind.FULL,
        status="feasible",
        shifts=1,
        people=1,
        solved_at=T0,
        solved_by=w.users["street"],
    )
    return Assignment.objects.create(
        shift=shift, person=person, rota=rota, source=PersonSource.VOLUNTEER, state=state
    )


@pytest.fixture
def v1(world):
    """The first aider, with no rest between shifts (so only the caps keep them off)."""
    Volunteer.objects.filter(pk=world.vols["v1"].pk).update(min_rest_hours=0)
    return world.person("v1")


def solve_b(w, incident):
    with clock.freeze(T0):
        return rostering.rota_solve(actor=w.users["street"], incident=incident, time_limit_s=5)


def on(incident):
    return sorted(
        (a.shift_id, a.person_id)
        for a in Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING)
    )


def test_six_hours_on_one_incident_leave_two_of_an_eight_hour_day_on_another(world, v1):
    first, second = declared(world, "周边疫情"), declared(world, "停电值守")
    hand_made(world, first, v1, shift_at(first.posts.get(name="东安一村东门"), 9, 6))  # 09–15: 6 h
    post = first_aid_post(world, second)
    early, late = shift_at(post, 16, 2), shift_at(post, 19, 2)  # 2 h each: 10 h with the first's 6
    with pytest.raises(ValidationError) as exc:
        solve_b(world, second)
    assert "缺 1 人" in str(exc.value) and on(second) == []
    built = rostering.build(second, [early, late])
    (booked,) = (p.booked for p in built.problem.people if p.id == v1.pk)
    assert [(a.hour, b.hour) for a, b in booked] == [(9, 15)]  # local hours, handed to the solver
    late.delete()
    solve_b(world, second)  # two hours more fit the day
    assert on(second) == [(early.pk, v1.pk)]


def test_the_week_cap_counts_the_other_incidents_hours_that_week(world, v1):
    Volunteer.objects.filter(pk=world.vols["v1"].pk).update(max_hours_week=10)
    first, second = declared(world, "周边疫情"), declared(world, "停电值守")
    thursday = 3 * 24 + 9
    hand_made(world, first, v1, shift_at(first.posts.get(name="东安一村东门"), thursday, 6))
    post = first_aid_post(world, second)
    five = shift_at(post, 16, 5)  # Monday: within the day, over the week (6 + 5 > 10)
    with pytest.raises(ValidationError):
        solve_b(world, second)
    five.delete()
    four = shift_at(post, 16, 4)
    solve_b(world, second)
    assert on(second) == [(four.pk, v1.pk)]


@pytest.mark.parametrize("freed_by", ["closing", "releasing"])
def test_a_closed_incident_or_a_shift_let_go_frees_the_hours(world, v1, freed_by):
    first, second = declared(world, "周边疫情"), declared(world, "停电值守")
    held = hand_made(world, first, v1, shift_at(first.posts.get(name="东安一村东门"), 9, 6))
    post = first_aid_post(world, second)
    early, late = shift_at(post, 16, 2), shift_at(post, 19, 2)
    if freed_by == "closing":
        with clock.freeze(T0):
            incidents.incident_close(actor=world.users["street"], incident=first)
    else:
        Assignment.objects.filter(pk=held.pk).update(state=AssignmentState.RELEASED)
    solve_b(world, second)
    assert on(second) == [(early.pk, v1.pk), (late.pk, v1.pk)]


def test_the_checker_names_the_other_incidents_hours_and_the_rota_page_shows_it(world, v1):
    first, second = declared(world, "周边疫情"), declared(world, "停电值守")
    post = first_aid_post(world, second)
    shift = shift_at(post, 16, 4)
    given = hand_made(world, second, world.person("v2"), shift)
    with clock.freeze(T0):  # v2 hands the shift to v1, who is free then
        swap = rostering.swap_request(
            actor=world.users["v2"], assignment=given, to_person=v1, reason="家中有事"
        )
    # before the lead decides, the other incident puts v1 on 6 h that day
    hand_made(world, first, v1, shift_at(first.posts.get(name="东安一村东门"), 9, 6))
    across = f"人员 #{v1.pk} 在 03-02 工作 10.0 小时（其中其他应急动员已排 6.0 小时），超过每日上限 8 小时"
    # the checker flags the hand-made rota with the swap applied
    eng = rostering.engine()
    built = rostering.build(second, [shift], cands=rostering.pool(second), standing=[(shift.pk, v1.pk)])
    handed = eng.model.Solution(
        assignments=(eng.model.Fixed(shift.pk, v1.pk),),
        status="feasible",
        objective=None,
        bound=None,
        gap=None,
        unmet=(),
    )
    assert across in eng.checker.check(built.problem, handed)
    # and the lead's page refuses the approval, naming it as it names other checker findings
    lead = Client()
    assert lead.login(username=world.users["street"].username, password=PASSWORD)
    with clock.freeze(T0):
        r = lead.post(f"/mobilisation/{second.pk}/act/", {"action": "approve", "swap": str(swap.pk)})
    assert r.status_code == 400
    assert "换班后违反排班约束：" + across in r.content.decode()
    given.refresh_from_db()
    assert given.state == AssignmentState.ASSIGNED and SwapRequest.objects.get().state == SwapState.PENDING
