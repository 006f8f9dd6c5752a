"""Days away said after a rota was published (community.volunteers.volunteer_update → the
rostering service through community.away_hooks): the volunteer's shifts not yet begun on the
days newly away are released, the incident's events say why, the lead is told and sees the
gaps on the page and the board, and re-solving a gap refills only that shift. Days already
away, a shift under way and a change of windows alone release nothing."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.community import volunteers
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import board, incidents, rostering, selectors
from gongzhi.mobilisation.choices import STANDING, AssignmentState, IncidentKind
from gongzhi.mobilisation.models import Assignment
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
