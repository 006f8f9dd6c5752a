"""Issue 16 in the demo street (demo.orders, demo.volunteers, demo.mobilisation, demo.direct) on a
small street: modules and teams, a year of orders in every state with sealed phones, 500+
volunteers at scale (their scaled share here) with availability and a time bank, the finished
and the ongoing mobilisation with rotas the independent checker passes, the 直报 duty roster and
a year of 直报, the logins, and reset."""

import itertools
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from gongzhi.community import volunteers as volunteer_service
from gongzhi.community.choices import HoursSource, SignupState, TaskState, VolunteerKind
from gongzhi.community.models import (
    Absence,
    Availability,
    HoursEntry,
    PointEntry,
    TaskSignup,
    Volunteer,
    VolunteerTask,
)
from gongzhi.core import clock, pii
from gongzhi.demo import orders as demo_orders
from gongzhi.demo import volunteers as demo_volunteers
from gongzhi.demo.logins import login_rows
from gongzhi.demo.reset import reset_demo
from gongzhi.demo.tests.street.shared import NOW, SCALE, rolled_back
from gongzhi.geo.levels import Level
from gongzhi.mobilisation import direct_chain, direct_selectors, duty, report, rostering
from gongzhi.mobilisation.choices import AssignmentState, IncidentState, ItemKind, PersonSource, RotaKind
from gongzhi.mobilisation.direct_roster import duty_day_of, on_duty_for
from gongzhi.mobilisation.models import (
    Assignment,
    CoverageItem,
    DirectEvent,
    DirectReport,
    DirectState,
    DutyDay,
    DutyLeader,
    Entrance,
    Incident,
    Shift,
)
from gongzhi.mobilisation.rota.checker import check
from gongzhi.mobilisation.rota.model import Fixed, Solution
from gongzhi.orders import bank as order_bank
from gongzhi.orders import selectors as order_selectors
from gongzhi.orders import teams
from gongzhi.orders.choices import Escalation, OrderState
from gongzhi.orders.models import Order, OrderEvent, ServiceModule, TeamMember
from gongzhi.orders.workflow import NOTES, TRANSITIONS
from gongzhi.orgs import access

TODAY = date(2026, 11, 20)
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True


def user(name: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=name)


def scenario_incidents():  # type: ignore[no-untyped-def]
    """The hospital-nearby mobilisations (not those a 直报 was converted into)."""
    converted = DirectReport.objects.filter(incident_id__isnull=False).values("incident_id")
    return Incident.objects.filter(street__code="FL").exclude(pk__in=converted)


# --- orders ----------------------------------------------------------------------------------------


def test_six_modules_with_teams_and_leads(street) -> None:
    modules = list(ServiceModule.objects.filter(street__code="FL"))
    assert len(modules) == 6 == street.counts["order_modules"]
    for m in modules:
        assert teams.person_ids(m) and teams.lead_person_ids(m)
    kinds = {r.module.kind for r in TeamMember.objects.filter(unit__isnull=False)}
    assert {"convenience", "counselling", "legal"} <= kinds
    assert TeamMember.objects.filter(person__isnull=False).exists()


def test_orders_of_a_year_in_every_state_with_their_events() -> None:
    orders = Order.objects.filter(node_path__startswith="/SFQ/FL/")
    states = Counter(orders.values_list("state", flat=True))
    assert set(states) == set(OrderState.values), states
    assert states[OrderState.CLOSED] > states[OrderState.SERVED] > 0
    assert orders.filter(created_at__lt=NOW - timedelta(days=300)).exists()
    assert not OrderEvent.objects.filter(at__gt=NOW).exists()
    for order in orders.prefetch_related("events"):
        events = list(order.events.all())
        assert [e.seq for e in events] == list(range(1, order.version + 1))
        assert events[0].action == "create" and events[-1].to_state == order.state
        for before, after in itertools.pairwise(events):
            assert before.at <= after.at and after.from_state == before.to_state
            if after.action in NOTES:  # no change of state: a note the state allows
                assert before.to_state in NOTES[after.action].states
            else:
                assert (before.to_state, after.action) in TRANSITIONS
        if order.state in (OrderState.TAKEN, OrderState.SERVED, OrderState.CLOSED):
            assert order.server_id in teams.person_ids(order.module)
        if order.state == OrderState.CLOSED and order.case_id is None:
            assert order.hours and order.served_at
            closing = [e for e in events if e.action not in NOTES][-1]  # a lead's confirm_hours may follow
            if closing.action == "auto_close":  # never confirmed: the sweep closed it, unrated
                assert not order.satisfaction and closing.actor_id is None
                assert closing.at == order.served_at + timedelta(days=7) == order.closed_at
            else:
                assert order.satisfaction
        if order.escalation:
            levels = [e.data["level"] for e in events if e.action == "escalate"]
            assert levels == list(range(1, order.escalation + 1))


def test_most_are_taken_in_time_some_assigned_after_escalation() -> None:
    taken = Order.objects.filter(node_path__startswith="/SFQ/FL/", taken_at__isnull=False).select_related(
        "module"
    )
    in_time = sum(1 for o in taken if o.taken_at <= o.take_due)
    assert in_time / taken.count() > 0.75
    assigned = OrderEvent.objects.filter(action="assign")
    assert assigned.exists() and all(e.data.get("server") for e in assigned)
    assert Order.objects.filter(escalation__gte=Escalation.COMMITTEE).exists()


def test_phones_are_sealed_and_masked() -> None:
    for order in Order.objects.filter(node_path__startswith="/SFQ/FL/")[:50]:
        phone = pii.decrypt(order.contact_phone_enc)
        assert pii.PHONE_RE.match(phone)
        assert order.contact_phone_hash == pii.lookup_hash(phone)
        assert order.contact_phone_masked == pii.mask_phone(phone) != phone


def test_converted_orders_opened_cases() -> None:
    converted = Order.objects.filter(state=OrderState.CONVERTED)
    assert converted.exists()
    for order in converted.select_related("case"):
        assert order.case is not None and order.case.node_path == order.node_path
        assert order.number in order.case.text


def test_grid_and_committee_see_open_orders_in_their_pool() -> None:
    grid, committee = user("grid"), user("committee")
    with clock.freeze(NOW):
        pool = order_selectors.pool(grid)
        assert pool.exists() and pool.filter(state=OrderState.OPEN).count() == pool.count()
        assert order_selectors.pool(committee).exists()
        assert Order.objects.filter(
            access.orders_q(committee), node_path__startswith="/SFQ/FL/FL-K1/FL-R01/"
        ).exists()


# --- volunteers ------------------------------------------------------------------------------------


def test_volunteers_at_least_the_scaled_share_with_availability() -> None:
    vols = Volunteer.objects.filter(node_path__startswith="/SFQ/FL/")
    assert vols.count() >= 500 * SCALE
    assert set(vols.values_list("kind", flat=True)) == set(VolunteerKind.values)
    assert not vols.filter(availability__isnull=True).exists()
    for code in demo_volunteers.ZONE_AREAS:
        assert vols.filter(area__code=code).count() >= demo_volunteers.ZONE_VOLUNTEERS - 2
    for v in vols.select_related("person__home", "area", "unit")[:80]:
        volunteer_service.clean_skills(v.skills)
        slots = [volunteer_service.Slot(a.weekday, a.start_hour, a.end_hour) for a in v.availability.all()]
        volunteer_service.clean_slots(slots)
        registration, unit = volunteer_service._links(v.person, v.kind, v.area, v.unit)
        assert (registration and registration.pk, unit and unit.pk) == (v.registration_id, v.unit_id)
    assert Availability.objects.filter(volunteer__in=vols).count() > vols.count()


def test_a_few_volunteers_are_away_a_day_or_a_week_in_the_coming_weeks() -> None:
    vols = Volunteer.objects.filter(node_path__startswith="/SFQ/FL/")
    away = Absence.objects.filter(volunteer__in=vols)
    share = away.values("volunteer").distinct().count() / vols.count()
    assert away.exists() and 0.01 <= share <= 0.12  # about 5 %
    lengths = set()
    for a in away:
        assert (
            TODAY + timedelta(days=2)
            <= a.starts_on
            <= TODAY + timedelta(days=demo_volunteers.AWAY_WITHIN_DAYS)
        )
        lengths.add((a.ends_on - a.starts_on).days + 1)
        assert a.reason
    assert lengths <= {1, 7}


def test_the_time_bank_holds_a_year_of_confirmed_hours() -> None:
    entries = HoursEntry.objects.filter(node_path__startswith="/SFQ/FL/")
    sources = set(entries.values_list("source", flat=True))
    assert {HoursSource.TASK, HoursSource.SHIFT, HoursSource.REVERSAL} <= sources
    # only orders confirmed through the resident's link are confirmed by nobody named
    assert not entries.filter(confirmed_by__isnull=True).exclude(source=HoursSource.ORDER).exists()
    for s in TaskSignup.objects.filter(state=SignupState.SERVED).select_related("entry", "task")[:100]:
        assert s.entry is not None and s.entry.source_key == f"task:{s.task_id}:signup:{s.pk}"
        assert s.entry.confirmed_by_id == s.task.lead_id
    for r in entries.filter(source=HoursSource.REVERSAL):
        assert r.reverses is not None and r.hours == -r.reverses.hours and r.reason
    assert VolunteerTask.objects.filter(state=TaskState.OPEN, starts_at__gt=NOW).exists()
    v = Volunteer.objects.filter(hours__isnull=False).first()
    total = HoursEntry.objects.filter(volunteer=v).aggregate(s=Sum("hours"))["s"]
    assert volunteer_service.balance(v) == Decimal(total).quantize(Decimal("0.1")) > 0
    # The demo street's rules credit no volunteer_hours fact: no ledger entry comes from the bank.
    assert not PointEntry.objects.filter(source_key__startswith="hours:").exists()


def test_confirmed_orders_of_volunteer_servers_are_in_their_time_bank(street) -> None:
    served_by = dict(Volunteer.objects.filter(ended_at__isnull=True).values_list("person_id", "pk"))
    due = Order.objects.filter(
        node_path__startswith="/SFQ/FL/", state=OrderState.CLOSED, server_id__in=served_by
    ).exclude(satisfaction="")  # the resident confirmed (the sweep's closes are unrated)
    assert Order.objects.filter(
        state=OrderState.CLOSED, satisfaction="", events__action="auto_close"
    ).exists()
    entries = {e.source_key: e for e in HoursEntry.objects.filter(source=HoursSource.ORDER)}
    by_leads = street.counts["order_hours_by_leads"]
    assert len(entries) == due.count() + by_leads and due.count() == street.counts["order_hours_entries"] > 0
    # the leads confirmed the hours of the orders the sweep closed, but for the last days'
    closed = Order.objects.filter(node_path__startswith="/SFQ/FL/", state=OrderState.CLOSED)
    old = closed.filter(closed_at__lt=NOW - timedelta(days=demo_orders.LEAD_CONFIRMS_AFTER_DAYS))
    assert not order_bank.waiting_q(old).exists()
    confirmed = OrderEvent.objects.filter(action="confirm_hours", order__node_path__startswith="/SFQ/FL/")
    assert confirmed.count() == by_leads
    for event in confirmed.select_related("order__module")[:20]:
        assert event.actor_id in {u.pk for u in teams.users_of(teams.lead_person_ids(event.order.module))}
        assert entries[f"order:{event.order_id}"].confirmed_by_id == event.actor_id
    for order in due:
        entry = entries[f"order:{order.pk}"]
        assert entry.volunteer_id == served_by[order.server_id] and entry.hours == order.hours.quantize(
            Decimal("0.1")
        )


# --- mobilisation ----------------------------------------------------------------------------------


def _solution(incident: Incident, rota_shifts: list[Shift]) -> tuple[object, Solution]:
    """The incident's standing rota over these shifts as a Solution for the checker."""
    standing = Assignment.objects.filter(
        shift__in=rota_shifts, state__in=(*AssignmentState.values[:3],)
    ).values_list("shift_id", "person_id")
    pairs = [Fixed(shift_id=s, person_id=p) for s, p in standing]
    need = Counter(f.shift_id for f in pairs)
    built = rostering.build(incident, rota_shifts, need=dict(need))
    return built.problem, Solution(tuple(pairs), "feasible", None, None, None, ())


def test_six_entrances_and_two_mobilisations_over_five_committees() -> None:
    assert Entrance.objects.filter(node__path__startswith="/SFQ/FL/").count() == 6
    incidents = scenario_incidents()
    assert sorted(incidents.values_list("state", flat=True)) == [IncidentState.ACTIVE, IncidentState.CLOSED]
    for incident in incidents:
        assert sorted(incident.zone.values_list("code", flat=True)) == list(demo_volunteers.ZONE_AREAS)
        assert incident.posts.filter(entrance__isnull=False).count() == 6
        assert incident.units.filter(kind="property").exists()
        sources = set(
            Assignment.objects.filter(shift__post__incident=incident).values_list("source", flat=True)
        )
        assert {PersonSource.VOLUNTEER, PersonSource.PROPERTY} <= sources
        assert incident.rotas.filter(kind=RotaKind.FULL, status__in=("optimal", "feasible")).exists()


def test_every_rota_passes_the_independent_checker() -> None:
    for incident in scenario_incidents():
        shifts = list(Shift.objects.filter(post__incident=incident).select_related("post__node"))
        problem, solution = _solution(incident, shifts)
        assert check(problem, solution) == []
        for shift in shifts:  # a full rota: every shift holds its headcount
            standing = shift.assignments.exclude(state__in=("no_show", "swapped", "replaced")).count()
            assert standing == shift.need


def test_the_finished_one_was_served_closed_and_reports() -> None:
    incident = scenario_incidents().get(state=IncidentState.CLOSED)
    rows = Assignment.objects.filter(shift__post__incident=incident)
    assert not rows.filter(state__in=(AssignmentState.ASSIGNED, AssignmentState.CHECKED_IN)).exists()
    assert rows.filter(state=AssignmentState.NO_SHOW).count() == 1
    assert incident.rotas.filter(kind=RotaKind.RESOLVE).exists()
    assert not CoverageItem.objects.filter(incident=incident, done_at__isnull=True).exists()
    shifts = HoursEntry.objects.filter(source=HoursSource.SHIFT, source_key__startswith="mobilisation:")
    served = rows.filter(state=AssignmentState.CHECKED_OUT, volunteer__isnull=False).count()
    assert shifts.count() == served > 0
    document = report.report_docx(incident)
    assert document[:2] == b"PK" and len(document) > 5000


def test_the_ongoing_one_has_today_and_tomorrow_and_people_on_duty() -> None:
    incident = scenario_incidents().get(state=IncidentState.ACTIVE)
    shifts = Shift.objects.filter(post__incident=incident)
    local_days = {s.starts_at.astimezone(SHANGHAI).date() for s in shifts}
    assert TODAY in local_days and TODAY + timedelta(days=1) in local_days
    assert shifts.filter(starts_at__gt=NOW + timedelta(hours=12)).exists()
    rows = Assignment.objects.filter(shift__post__incident=incident)
    assert rows.filter(state=AssignmentState.CHECKED_IN).exists()
    assert rows.filter(state=AssignmentState.ASSIGNED, shift__starts_at__gt=NOW).exists()
    assert not rows.filter(state=AssignmentState.CHECKED_IN, shift__ends_at__lt=NOW).exists()
    items = CoverageItem.objects.filter(incident=incident)
    assert items.filter(done_at__isnull=False).exists() and items.filter(done_at__isnull=True).exists()
    assert items.filter(kind=ItemKind.HOUSEHOLD).exists() or items.filter(kind=ItemKind.DOOR_CHECK).exists()


def test_the_volunteer_login_has_shifts_in_the_ongoing_mobilisation(client) -> None:
    volunteer = user("volunteer")
    person = volunteer.person
    assert Volunteer.objects.get(person=person, ended_at__isnull=True).kind == VolunteerKind.RESIDENT
    mine = Assignment.objects.filter(person=person, shift__post__incident__state=IncidentState.ACTIVE)
    assert mine.exists()
    rows = {r.username: r for r in login_rows()}
    assert rows["volunteer"].role.startswith("志愿者")
    client.force_login(volunteer)
    with clock.freeze(NOW):
        assert client.get("/mobilisation/mine/").status_code == 200
        assert client.get("/community/volunteer/").status_code == 200


def test_the_volunteer_login_can_check_in_now_and_for_hours_after(client) -> None:
    """The walk checks in on the phone: a shift whose check-in is open when the demo is made,
    still open four hours later, left unchecked by the demo."""
    volunteer = user("volunteer")
    open_now = Assignment.objects.filter(
        person=volunteer.person,
        shift__post__incident__state=IncidentState.ACTIVE,
        state=AssignmentState.ASSIGNED,
        shift__starts_at__lte=NOW + duty.EARLY,
        shift__ends_at__gte=NOW + timedelta(hours=4),
    )
    assert open_now.count() == 1
    shift = open_now.get()
    client.force_login(volunteer)
    with clock.freeze(NOW):
        page = client.post(f"/mobilisation/assignments/{shift.pk}/check-in/")
    assert page.status_code == 302
    shift.refresh_from_db()
    assert shift.state == AssignmentState.CHECKED_IN


# --- 直报 --------------------------------------------------------------------------------------------


def test_the_duty_roster_covers_the_year_and_the_next_month(street) -> None:
    today = duty_day_of(NOW)
    days = DutyDay.objects.filter(street__code="FL")
    assert days.count() == 365 + 30 + 1 == street.counts["direct_duty_days"]
    assert days.order_by("day").first().day == today - timedelta(days=365)
    assert days.order_by("day").last().day == today + timedelta(days=30)
    assert days.get(day=today).officer.user == user("street_cadre")
    leaders = list(DutyLeader.objects.filter(street__code="FL").order_by("order"))
    assert [x.order for x in leaders] == list(range(1, len(leaders) + 1)) and len(leaders) >= 2
    people = {d.officer for d in days} | {d.leader for d in days} | {x.person for x in leaders}
    assert all(p.user is not None and p.user.is_active for p in people)  # each can acknowledge
    assert all(p.posts.filter(node__level__lte=Level.BLOCK).exists() for p in people)  # street office staff


def test_a_year_of_direct_reports_answered_through_the_services() -> None:
    reports = DirectReport.objects.filter(street__code="FL")
    assert 40 <= reports.count() <= 80
    assert reports.filter(reported_at__lt=NOW - timedelta(days=300)).exists()
    assert not DirectEvent.objects.filter(at__gt=NOW).exists()
    window = timedelta(minutes=direct_chain.ack_minutes())
    acked = reports.filter(acknowledged_at__isnull=False)
    on_time = [r for r in acked if r.acknowledged_at - r.reported_at <= window]
    assert 0.75 < len(on_time) / acked.count() < 1  # most within 15 minutes, a few late
    late = [r for r in acked if r.acknowledged_at - r.reported_at > window]
    assert all(r.events.filter(action="escalate").exists() for r in late)
    followed = reports.filter(followed_up_at__isnull=False)
    in_time = sum(1 for r in followed if r.followed_up_at <= r.follow_up_due_at)
    assert 0.7 < in_time / followed.count() < 1
    assert DirectEvent.objects.filter(report__in=reports, action="remind_follow_up").exists()
    assert 2 <= reports.filter(misuse=True).count() <= 3
    assert reports.filter(converted_to="case", case__isnull=False).exists()
    assert reports.filter(converted_to="mobilisation", incident_id__isnull=False).exists()
    converted = Incident.objects.filter(pk__in=reports.values("incident_id"))
    assert not converted.exclude(state=IncidentState.CLOSED).exists()
    for row in reports.prefetch_related("events"):
        events = list(row.events.all())
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].action == "report" and events[-1].to_state == row.state
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))


def test_two_open_now_and_street_cadre_may_acknowledge_one() -> None:
    open_ = DirectReport.objects.filter(
        street__code="FL", state__in=("reported", "acknowledged", "followed_up")
    )
    assert sorted(open_.values_list("state", flat=True)) == [DirectState.FOLLOWED_UP, DirectState.REPORTED]
    cadre = user("street_cadre")
    with clock.freeze(NOW):
        waiting = list(direct_selectors.to_acknowledge(cadre))
        assert [r.state for r in waiting] == [DirectState.REPORTED]
        assert on_duty_for(cadre, waiting[0])


def test_reset_leaves_no_order_volunteer_or_mobilisation_row() -> None:
    with rolled_back():
        reset_demo()
        for model in (Order, OrderEvent, ServiceModule, TeamMember, Volunteer, HoursEntry, VolunteerTask, TaskSignup,
                      Incident, Assignment, Shift, Entrance, CoverageItem, DirectReport, DirectEvent, DutyDay,
                      DutyLeader):  # fmt: skip
            assert not model.objects.exists(), model.__name__
        assert not get_user_model().objects.filter(username__startswith="demo-fl-").exists()
