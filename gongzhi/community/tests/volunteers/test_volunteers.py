"""Volunteers: registration by kind (a resident of the street, a 双报到 member of the area, a
unit's staff), bad input refused with nothing written; the time bank append-only, idempotent per
source, reversed by an opposite entry; confirmed hours credit a Party member's points by the
street's VOLUNTEER_HOURS rule (and the reversal takes them back); tasks accepted up to their
need and confirmed by their lead."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongzhi.community import volunteers
from gongzhi.community.choices import Skill, VolunteerKind
from gongzhi.community.models import HoursEntry, PointEntry, Volunteer
from gongzhi.community.tests.ledger.conftest import T0, build_world, rule
from gongzhi.core import clock
from gongzhi.core.contributions import VOLUNTEER_HOURS
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orgs.models import Person
from gongzhi.testing.factories import PersonFactory

WEEKDAY_EVENINGS = [volunteers.Slot(d, 18, 22) for d in range(5)]


@pytest.fixture
def w(db):
    with clock.freeze(T0):
        return build_world()


def me(w, key):
    return Person.objects.get(user=w.users[key])


def register(w, key="in_service", **kw):
    values = {
        "kind": VolunteerKind.RESIDENT,
        "area": w.tree.r1,
        "skills": [Skill.FIRST_AID],
        "availability": WEEKDAY_EVENINGS,
    }
    values.update(kw)
    with clock.freeze(T0):
        return volunteers.volunteer_register(actor=w.users[key], person=me(w, key), **values)


def test_registration_by_kind_and_bad_input_writes_nothing(w):
    v = register(w)
    assert v.node_path == w.tree.r1.path and v.availability.count() == 5
    with pytest.raises(ConflictError):
        register(w)
    bad = [
        {"skills": ["juggling"]},
        {"availability": [volunteers.Slot(7, 8, 9)]},
        {"availability": [volunteers.Slot(1, 20, 18)]},
        {"area": w.tree.e1},
        {"kind": VolunteerKind.MEMBER},  # not registered (双报到) at the area
        {"kind": VolunteerKind.UNIT_STAFF, "unit": w.unit},  # holds no post there
        {"max_hours_day": 30},
    ]
    for case in bad:
        with pytest.raises(ValidationError):
            register(w, key="retired", **case)
    assert not Volunteer.objects.filter(person=me(w, "retired")).exists()
    stranger = PersonFactory(name="路人")
    with pytest.raises(PermissionDeniedError):
        volunteers.volunteer_register(
            actor=w.users["retired"], person=stranger, kind=VolunteerKind.RESIDENT, area=w.tree.r1
        )
    rep = volunteers.volunteer_register(
        actor=w.users["committee"],
        person=me(w, "unit_rep"),
        kind=VolunteerKind.UNIT_STAFF,
        area=w.tree.r1,
        unit=w.unit,
    )
    assert rep.unit == w.unit


def test_the_time_bank_is_append_only_and_credits_points(w):
    rule(w.tree.street, "A20", item="志愿服务时长", fact=VOLUNTEER_HOURS, points=1)
    v = register(w)
    lead = w.users["committee"]
    entry = volunteers.hours_record(
        confirmed_by=lead,
        volunteer=v,
        hours="2.5",
        occurred_on=T0.date(),
        source="task",
        source_key="task:1:signup:1",
        label="敬老院活动",
    )
    again = volunteers.hours_record(
        confirmed_by=lead,
        volunteer=v,
        hours="2.5",
        occurred_on=T0.date(),
        source="task",
        source_key="task:1:signup:1",
        label="敬老院活动",
    )
    assert again.pk == entry.pk and volunteers.balance(v) == Decimal("2.5")
    member = w.members["in_service"]
    assert PointEntry.objects.filter(member=member, rule__code="A20").count() == 1
    with pytest.raises(ValidationError):
        volunteers.hours_record(
            confirmed_by=lead,
            volunteer=v,
            hours="25",
            occurred_on=T0.date(),
            source="task",
            source_key="x",
            label="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursEntry.objects.filter(pk=entry.pk).update(hours=Decimal("9"))
    with pytest.raises(PermissionDeniedError):
        volunteers.hours_reverse(actor=w.users["committee_r3"], entry=entry, reason="录错")
    with clock.freeze(T0):
        volunteers.hours_reverse(actor=w.users["committee"], entry=entry, reason="录错")
    assert volunteers.balance(v) == 0
    assert (
        sum(PointEntry.objects.filter(member=member, rule__code="A20").values_list("points", flat=True)) == 0
    )


def test_tasks_are_accepted_up_to_their_need_and_confirmed_by_their_lead(w):
    a, b = register(w), register(w, key="retired", skills=[])
    with clock.freeze(T0):
        task = volunteers.task_create(
            actor=w.users["committee"],
            area=w.tree.r1,
            title="重阳节敬老",
            need=1,
            starts_at=T0 + timedelta(days=1),
            ends_at=T0 + timedelta(days=1, hours=3),
        )
        first_aid = volunteers.task_create(
            actor=w.users["committee"],
            area=w.tree.r1,
            title="急救培训助教",
            need=5,
            skills=[Skill.FIRST_AID],
            starts_at=T0 + timedelta(days=2),
            ends_at=T0 + timedelta(days=2, hours=2),
        )
        assert list(volunteers.open_tasks(a)) == [task, first_aid]
        signup = volunteers.task_accept(actor=w.users["in_service"], task=task)
        with pytest.raises(ConflictError):
            volunteers.task_accept(actor=w.users["retired"], task=task)  # full
        with pytest.raises(ValidationError):
            volunteers.task_accept(actor=w.users["retired"], task=first_aid)  # no first aid
        with pytest.raises(PermissionDeniedError):
            volunteers.task_confirm(actor=w.users["committee_r3"], task=task, served={signup.pk: 3})
        volunteers.task_confirm(actor=w.users["committee"], task=task, served={signup.pk: 3})
    assert volunteers.balance(a) == 3 and volunteers.balance(b) == 0


def test_a_volunteer_sees_and_accepts_a_task_on_the_phone_page(w):
    """The phone page lists the area's open tasks with 报名; accepting one signs up; a full task
    is refused on the page with its message and nothing written; another area's task is a 404."""
    from django.test import Client

    from gongzhi.community.models import TaskSignup

    register(w)
    register(w, key="retired", skills=[])
    with clock.freeze(T0):
        task = volunteers.task_create(
            actor=w.users["committee"],
            area=w.tree.r1,
            title="重阳节敬老",
            need=1,
            starts_at=T0 + timedelta(days=1),
            ends_at=T0 + timedelta(days=1, hours=3),
        )
        elsewhere = volunteers.task_create(
            actor=w.users["committee_r3"],
            area=w.tree.r3,
            title="西岸清洁",
            need=3,
            starts_at=T0 + timedelta(days=1),
            ends_at=T0 + timedelta(days=1, hours=2),
        )
        phone, other = Client(), Client()
        phone.force_login(w.users["in_service"])
        other.force_login(w.users["retired"])
        page = phone.get("/community/volunteer/").content.decode()
        assert "重阳节敬老" in page and f"/community/volunteer/tasks/{task.pk}/accept/" in page
        assert "西岸清洁" not in page
        assert phone.post(f"/community/volunteer/tasks/{task.pk}/accept/").status_code == 302
        assert TaskSignup.objects.filter(task=task).count() == 1
        full = other.post(f"/community/volunteer/tasks/{task.pk}/accept/")
        assert full.status_code == 400 and TaskSignup.objects.filter(task=task).count() == 1
        assert other.post(f"/community/volunteer/tasks/{elsewhere.pk}/accept/").status_code == 404
