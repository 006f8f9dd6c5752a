"""Days away said after a rota was published (community.volunteers.volunteer_update → the
rostering service through community.away_hooks): the volunteer's shifts not yet begun on the
days newly away are released, the incident's events say why, the lead is told and sees the
gaps on the page and the board, and re-solving a gap refills only that shift. Days already
away, a shift under way and a change of windows alone release nothing. Days away given up
(a stretch removed or shortened) give the released shifts back while they are still free and
still fit the volunteer; a shift refilled meanwhile, or planned anew by a full rota, stays."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.community import volunteers
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import board, incidents, rostering, selectors
from gongzhi.mobilisation.choices import STANDING, AssignmentState, IncidentKind
from gongzhi.mobilisation.models import Assignment, Shift
from gongzhi.mobilisation.tests.conftest import ALL_WEEK, T0, build_world

DAY = T0.date()  # Monday 2026-03-02; the rota covers it and Tuesday


@pytest.fixture
def world(db: None):
    return build_world(volunteers_count=12)  # enough for two days, with some spare


def published(w):
    with clock.freeze(T0):
        incident = incidents.incident_declare(
            actor=w.users["street"], kind=IncidentKind.EPIDEMIC, title="周边疫情", nodes=[w.tree.e1]
        )
        incidents.shifts_plan(actor=w.users["street"], incident=incident, days=2, shift_hours=8)
        rostering.rota_solve(actor=w.users["street"], incident=incident, time_limit_s=5)
    return incident


def away(w, key, spans, at=T0, availability=ALL_WEEK):
    v = w.vols[key]
    with clock.freeze(at):
        return volunteers.volunteer_update(
            actor=w.users[key],
            volunteer=v,
            skills=v.skills,
            availability=availability,
            max_hours_day=8,
            max_hours_week=40,
            min_rest_hours=8,
            absences=None if spans is None else [volunteers.Away(a, b, "回老家") for a, b in spans],
        )


def rows(incident, person_id, **kw):
    return Assignment.objects.filter(shift__post__incident=incident, person_id=person_id, **kw)


def busiest_on_tuesday(w, incident):
    """A volunteer with shifts on both days (or at least on Tuesday)."""
    tuesday = {
        a.person_id
        for a in Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING)
        if a.shift.starts_at.astimezone(T0.tzinfo).date() == DAY + timedelta(days=1)
    }
    keys = [k for k, v in w.vols.items() if v.person_id in tuesday]
    assert keys, "the rota puts some volunteer on Tuesday"
    return keys[0]


def test_a_day_away_after_the_rota_releases_the_shifts_and_shows_the_gap(world):
    incident = published(world)
    key = busiest_on_tuesday(world, incident)
    person_id = world.vols[key].person_id
    tuesday = DAY + timedelta(days=1)
    monday_before = set(
        rows(
            incident, person_id, state=AssignmentState.ASSIGNED, shift__starts_at__lt=T0 + timedelta(hours=15)
        )
    )
    on_tuesday = {
        a.pk
        for a in rows(incident, person_id, state=AssignmentState.ASSIGNED)
        if rostering.touches(a.shift, [(tuesday, tuesday)])
    }
    away(world, key, [(tuesday, tuesday)])
    released = set(rows(incident, person_id, state=AssignmentState.RELEASED).values_list("pk", flat=True))
    assert released == on_tuesday and released
    assert (
        set(
            rows(
                incident,
                person_id,
                state=AssignmentState.ASSIGNED,
                shift__starts_at__lt=T0 + timedelta(hours=15),
            )
        )
        == monday_before
    )
    event = incident.events.get(action="absence_released")
    assert event.data["assignments"] and set(event.data["assignments"]) == released
    assert event.data["away"] == [[tuesday.isoformat(), tuesday.isoformat()]] and "暂停服务" in event.note
    lead_message = OutboxMessage.objects.get(kind="mobilisation.gap", recipient=world.users["street"])
    assert "已释放" in lead_message.body and "重新排班补位" in lead_message.body
    assert OutboxMessage.objects.filter(
        kind="mobilisation.rota", recipient=world.users[key], subject__startswith="排班已调整"
    ).exists()
    with clock.freeze(T0):
        gaps = list(selectors.gaps(incident, clock.now()))
        assert {g.pk for g in gaps} == released and board.figures(incident).gaps == len(released)
    client = Client()
    client.force_login(world.users["street"])
    with clock.freeze(T0):
        page = client.get(f"/mobilisation/{incident.pk}/").content.decode()
        assert "待补位" in page and 'value="refill"' in page
        before = {
            (a.shift_id, a.person_id)
            for a in Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING)
        }
        answer = client.post(
            f"/mobilisation/{incident.pk}/act/", {"action": "refill", "assignment": gaps[0].pk}
        )
        assert answer.status_code == 302
        after = {
            (a.shift_id, a.person_id)
            for a in Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING)
        }
        assert before <= after  # only the gap's shift changed
        added = after - before
        assert (
            added and {s for s, _p in added} == {gaps[0].shift_id} and person_id not in {p for _s, p in added}
        )
        assert gaps[0].pk not in {g.pk for g in selectors.gaps(incident, clock.now())}
        with pytest.raises(ConflictError):
            rostering.gap_resolve(actor=world.users["street"], assignment=gaps[0])
    assert incident.events.filter(action="gap_resolved").count() == 1


def test_only_days_newly_away_release_and_a_shift_under_way_stays(world):
    incident = published(world)
    key = busiest_on_tuesday(world, incident)
    person_id = world.vols[key].person_id
    away(world, key, None, availability=ALL_WEEK)  # windows only: nothing released
    assert not rows(incident, person_id, state=AssignmentState.RELEASED).exists()
    away(world, key, [(DAY + timedelta(days=5), DAY + timedelta(days=6))])  # after the rota
    assert not rows(incident, person_id, state=AssignmentState.RELEASED).exists()
    # widened back over Monday and Tuesday while Monday's first shift is under way
    first = rows(incident, person_id, state=AssignmentState.ASSIGNED).order_by("shift__starts_at").first()
    during = first.shift.starts_at + timedelta(minutes=30)
    away(world, key, [(DAY, DAY + timedelta(days=6))], at=during)
    first.refresh_from_db()
    assert first.state == AssignmentState.ASSIGNED  # under way: the lead marks a no-show if need be
    later = rows(incident, person_id, shift__starts_at__gt=during)
    assert later.exists() and all(a.state == AssignmentState.RELEASED for a in later)
    event = incident.events.get(action="absence_released")
    assert event.data["away"] == [[DAY.isoformat(), (DAY + timedelta(days=4)).isoformat()]]  # the days added
    away(world, key, [(DAY, DAY + timedelta(days=6))], at=during)  # said again: nothing new
    assert incident.events.filter(action="absence_released").count() == 1


# --- days away given up: the released shifts still free come back --------------------------------


def released_on_tuesday(w, incident, key):
    tuesday = DAY + timedelta(days=1)
    away(w, key, [(tuesday, tuesday)])
    released = set(
        rows(incident, w.vols[key].person_id, state=AssignmentState.RELEASED).values_list("pk", flat=True)
    )
    assert released
    return released


def full(incident):
    """Every shift holds exactly its headcount of standing people."""
    return all(
        s.assignments.filter(state__in=STANDING).count() == s.need
        for s in Shift.objects.filter(post__incident=incident)
    )


def test_days_away_given_up_give_the_released_shifts_back(world):
    incident = published(world)
    key = busiest_on_tuesday(world, incident)
    person_id = world.vols[key].person_id
    released = released_on_tuesday(world, incident, key)
    OutboxMessage.objects.all().delete()
    away(world, key, [])  # the trip is off
    back = rows(incident, person_id, pk__in=released)
    assert {a.state for a in back} == {AssignmentState.ASSIGNED}  # the same rows, planned again
    with clock.freeze(T0):
        assert not selectors.gaps(incident, clock.now())
    assert full(incident)
    event = incident.events.get(action="absence_returned")
    assert set(event.data["assignments"]) == released and event.data["kept"] == []
    tuesday = (DAY + timedelta(days=1)).isoformat()
    assert event.data["back"] == [[tuesday, tuesday]] and "恢复服务" in event.note
    lead = OutboxMessage.objects.get(kind="mobilisation.gap", recipient=world.users["street"])
    assert lead.subject.startswith("值守班次恢复") and "恢复给本人" in lead.body
    mine = OutboxMessage.objects.get(kind="mobilisation.rota", recipient=world.users[key])
    assert "已恢复给您" in mine.body and "无需到岗" not in mine.body
    away(world, key, [])  # said again: nothing new
    assert incident.events.filter(action="absence_returned").count() == 1


def test_a_shift_refilled_meanwhile_stays_with_the_new_person(world):
    incident = published(world)
    key = busiest_on_tuesday(world, incident)
    person_id = world.vols[key].person_id
    released = released_on_tuesday(world, incident, key)
    with clock.freeze(T0):
        gap = selectors.gaps(incident, clock.now())[0]
        filled = rostering.gap_resolve(actor=world.users["street"], assignment=gap).filled
    assert filled and person_id not in {a.person_id for a in filled}
    OutboxMessage.objects.all().delete()
    away(world, key, [])
    gap.refresh_from_db()
    assert gap.state == AssignmentState.RELEASED  # the newcomer keeps it
    assert all(
        a.state == AssignmentState.ASSIGNED for a in Assignment.objects.filter(pk__in=[f.pk for f in filled])
    )
    others = rows(incident, person_id, pk__in=released - {gap.pk})
    assert all(a.state == AssignmentState.ASSIGNED for a in others)
    assert full(incident)
    event = incident.events.get(action="absence_returned")
    assert [k["assignment"] for k in event.data["kept"]] == [gap.pk]
    assert event.data["kept"][0]["why"] == "已由他人补位"
    mine = OutboxMessage.objects.get(kind="mobilisation.rota", recipient=world.users[key])
    assert "无需到岗" in mine.body


def test_nothing_comes_back_that_no_longer_fits_or_was_planned_anew(world):
    incident = published(world)
    key = busiest_on_tuesday(world, incident)
    person_id = world.vols[key].person_id
    released = released_on_tuesday(world, incident, key)
    # the days away are given up, but the windows shrink to weekday evenings in the same save
    evenings = [volunteers.Slot(d, 18, 22) for d in range(5)]
    away(world, key, [], availability=evenings)
    assert (
        set(rows(incident, person_id, state=AssignmentState.RELEASED).values_list("pk", flat=True))
        == released
    )
    event = incident.events.get(action="absence_returned")
    assert event.data["assignments"] == [] and len(event.data["kept"]) == len(released)
    assert all(k["why"] and k["why"] != "已由他人补位" for k in event.data["kept"])
    # away again, a new full rota, then back: that rota planned the shift without them
    tuesday = DAY + timedelta(days=1)
    away(world, key, [(tuesday, tuesday)])
    with clock.freeze(T0 + timedelta(minutes=5)):
        rostering.rota_solve(actor=world.users["street"], incident=incident, time_limit_s=5)
    away(world, key, [], at=T0 + timedelta(minutes=10))
    last = incident.events.filter(action="absence_returned").order_by("-pk").first()
    assert last.data["assignments"] == []
    assert {k["why"] for k in last.data["kept"]} == {"此后已重新排班"}
