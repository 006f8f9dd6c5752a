"""A volunteer's days away (availability exceptions): the rota leaves them off every shift that
touches one of those days, and keeps a shift already fixed; the phone page and
PUT /api/v1/volunteers/me change the weekly windows and the days away; bad input (an end before
its start, overlapping windows or stretches, hours out of range) is a 422 with the field's
Chinese message and writes nothing."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gongzhi.api import services as api_services
from gongzhi.community import volunteers
from gongzhi.community.models import Absence, Availability
from gongzhi.core import clock
from gongzhi.mobilisation import incidents, rostering
from gongzhi.mobilisation.choices import STANDING, IncidentKind
from gongzhi.mobilisation.models import Assignment, Shift
from gongzhi.mobilisation.tests.conftest import ALL_WEEK, T0, build_world

DAY = T0.date()  # Monday 2026-03-02


def update(w, key, **kw):
    v = w.vols[key]
    values = {
        "skills": v.skills,
        "availability": ALL_WEEK,
        "max_hours_day": 8,
        "max_hours_week": 40,
        "min_rest_hours": 8,
    }
    values.update(kw)
    with clock.freeze(T0):
        return volunteers.volunteer_update(actor=w.users[key], volunteer=v, **values)


@pytest.fixture
def crowd(db: None) -> Any:
    return build_world(volunteers_count=12)


def test_the_rota_leaves_off_whoever_is_away_on_a_shifts_day(crowd):
    world = crowd
    away = {"v2", "v3", "v4"}
    for key in away:
        update(world, key, absences=[volunteers.Away(DAY, DAY + timedelta(days=1), "回老家")])
    update(world, "v5", absences=[volunteers.Away(DAY + timedelta(days=3), DAY + timedelta(days=5), "住院")])
    with clock.freeze(T0):
        incident = incidents.incident_declare(
            actor=world.users["street"], kind=IncidentKind.EPIDEMIC, title="周边疫情", nodes=[world.tree.e1]
        )
        incidents.shifts_plan(actor=world.users["street"], incident=incident, days=1, shift_hours=8)
        rostering.rota_solve(actor=world.users["street"], incident=incident, time_limit_s=5)
    on_rota = set(
        Assignment.objects.filter(shift__post__incident=incident, state__in=STANDING).values_list(
            "person_id", flat=True
        )
    )
    away_people = {world.vols[k].person_id for k in away}
    assert on_rota and not on_rota & away_people
    assert world.vols["v5"].person_id in rostering.pool(incident)  # away later, not today
    shifts = list(Shift.objects.filter(post__incident=incident))
    cands = rostering.pool(incident)
    pairs = rostering.away_pairs(cands.values(), shifts)
    assert {p for _s, p in pairs} == away_people and len(pairs) == 3 * len(shifts)
    kept = (shifts[0].pk, world.vols["v2"].person_id)
    assert kept not in rostering.away_pairs(cands.values(), shifts, keep=[kept])
    later = (
        Assignment.objects.filter(shift__post__incident=incident, shift__starts_at__gt=T0)
        .select_related("person__user", "shift__post__incident")
        .first()
    )
    with clock.freeze(T0), pytest.raises(ValidationError) as refused:  # handing a shift to someone away
        rostering.swap_request(
            actor=later.person.user, assignment=later, to_person=world.person("v2"), reason="家里有事"
        )
    assert "被排除在" in str(refused.value)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"absences": [volunteers.Away(DAY, DAY - timedelta(days=1), "出差")]},
            "absences",
            "结束日期早于开始日期",
        ),
        (
            {
                "absences": [
                    volunteers.Away(DAY, DAY + timedelta(days=3), "出差"),
                    volunteers.Away(DAY + timedelta(days=3), DAY + timedelta(days=4), "探亲"),
                ]
            },
            "absences",
            "重叠",
        ),
        ({"absences": [volunteers.Away(DAY, DAY, " ")]}, "absences", "请填写原因"),
        (
            {"availability": [volunteers.Slot(0, 8, 12), volunteers.Slot(0, 11, 14)]},
            "availability",
            "周一的时段8–12与11–14重叠",
        ),
        ({"availability": [volunteers.Slot(2, 20, 25)]}, "availability", "第1个时段无效"),
    ],
)
def test_bad_windows_and_stretches_are_refused_and_nothing_written(world, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        update(world, "v1", skills=[], max_hours_day=4, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    v = world.vols["v1"]
    v.refresh_from_db()
    assert v.skills == ["first_aid"] and v.max_hours_day == 8  # nothing written
    assert Availability.objects.filter(volunteer=v).count() == 7 and not Absence.objects.exists()


def test_the_phone_page_edits_windows_and_days_away(world):
    client = Client()
    client.force_login(world.users["v1"])
    assert "修改服务时间" in client.get("/community/volunteer/").content.decode()
    page = client.get("/community/volunteer/edit/").content.decode()
    assert page.count('name="slot_weekday"') == 7 + 2  # the seven windows and two blank rows
    form = {
        "slot_weekday": ["0", "0", "5"],
        "slot_start": ["8", "18", "9"],
        "slot_end": ["12", "22", "17"],
        "away_from": ["2026-03-10"],
        "away_to": ["2026-03-05"],
        "away_reason": ["出差"],
        "skills": ["first_aid"],
        "max_hours_day": "6",
        "max_hours_week": "20",
        "min_rest_hours": "8",
    }
    refused = client.post("/community/volunteer/edit/", form)
    text = refused.content.decode()
    assert refused.status_code == 422 and "暂停服务日期：第1段的结束日期早于开始日期" in text
    assert 'value="2026-03-10"' in text  # what was typed is shown again
    assert Availability.objects.filter(volunteer=world.vols["v1"]).count() == 7
    overlapping = client.post(
        "/community/volunteer/edit/",
        {**form, "slot_end": ["12", "22", "17"], "slot_start": ["8", "11", "9"], "away_to": ["2026-03-12"]},
    )
    assert overlapping.status_code == 422 and "重叠" in overlapping.content.decode()
    assert not Absence.objects.exists()
    saved = client.post("/community/volunteer/edit/", {**form, "away_to": ["2026-03-12"]})
    assert saved.status_code == 302 and saved["Location"] == "/community/volunteer/"
    v = world.vols["v1"]
    v.refresh_from_db()
    windows = set(Availability.objects.filter(volunteer=v).values_list("weekday", "start_hour", "end_hour"))
    assert windows == {(0, 8, 12), (0, 18, 22), (5, 9, 17)} and v.max_hours_day == 6
    assert list(Absence.objects.values_list("starts_on", "ends_on", "reason")) == [
        (date(2026, 3, 10), date(2026, 3, 12), "出差")
    ]


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[Any]:
    world = build_world(volunteers_count=2)
    token = api_services.token_create(user=world.users["v1"], name="v1")[1]
    with httpx.Client(
        base_url=f"{live_server.url}/api/v1/volunteers",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:
        yield world, client


def test_put_me_changes_windows_and_days_away_and_refuses_bad_input(api):
    world, client = api
    body = {
        "skills": ["first_aid"],
        "availability": [{"weekday": 0, "start_hour": 8, "end_hour": 12}],
        "absences": [{"starts_on": "2027-01-10", "ends_on": "2027-01-05", "reason": "出差"}],
    }
    r = client.put("/me", json=body)
    assert r.status_code == 422
    assert [(d["loc"][-1], d["msg"]) for d in r.json()["detail"]] == [
        ("absences", "第1段的结束日期早于开始日期")
    ]
    r = client.put("/me", json={**body, "availability": [{"weekday": 0, "start_hour": 8, "end_hour": 30}]})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == "不能大于24"
    assert (
        not Absence.objects.exists() and Availability.objects.filter(volunteer=world.vols["v1"]).count() == 7
    )
    body["absences"][0]["ends_on"] = "2027-01-12"
    r = client.put("/me", json=body)
    assert r.status_code == 200, r.text
    me = client.get("/me").json()
    assert me["availability"] == [{"weekday": 0, "start_hour": 8, "end_hour": 12}]
    assert me["absences"] == [{"starts_on": "2027-01-10", "ends_on": "2027-01-12", "reason": "出差"}]
