"""Volunteer hours and one incident built by hand on the mobilisation world (mobilisation/tests/
conftest.py: volunteers v1..v8 of 东安 (R1), property staff wy1/wy2 of 东安物业, 张阿婆 in care),
for the week of Monday 2026-03-02, read on Wednesday 03-04 at noon. Every figure is known:

Hours (time bank, by service date): v1 order 2.0 (03-02) and shift 8.0 (03-03); v2 task 3.0
(03-03) and task 1.5 (03-02) reversed; v3 shift 4.0 on 02-27 (before the week); n1 of 南丹 (R3)
task 5.0 (03-04). Street: 18.0 h — order 2, shift 8, task 8 — 3 active (10, 3, 5: median 5.0) of
9 registered; 东安 13.0 h, 2 active (median 6.5) of 8; 南丹 5.0 h, 1 of 1.

The incident over 东安一村 (E1), declared 03-02 09:00, posts 东门 and 西门 (entrances, 2 a shift)
and 物资点 (no entrance, 1 a shift):
- S1 东门 03-02 09–17: v1 checked out 09:00–17:00 (8.0 h), wy1 checked out 09:30–17:00 (7.5 h);
- S2 西门 03-02 09–17: v2 no-show, v3 assigned and never came;
- S3 东门 03-04 09–17 (running): v4 and v5 checked in;
- S4 西门 03-04 10–18 (running): v6 assigned, v2 no-show (a gap now);
- S5 东门 03-05 09–17 (not begun): v7 assigned;
- S6 物资点 03-02 09–17: v8 checked out (8.0 h).
Entrance shifts begun: 4, manned 2; people needed 8, assigned 6 (75%), checked in 4 (50%).
Hours: 志愿者 16.0, 东安物业 7.5. Households 1 of 2 (张阿婆 reached 03-03), supplies 10 of 15,
doors 0 of 1. An older incident closed on 02-25 is not in the week."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from gongzhi.community import volunteers
from gongzhi.community.choices import HoursSource, VolunteerKind
from gongzhi.community.models import HoursEntry, Volunteer
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.mobilisation.choices import AssignmentState, IncidentKind, IncidentState, ItemKind, PersonSource
from gongzhi.mobilisation.models import (
    Assignment,
    CoverageItem,
    DutyPost,
    Entrance,
    Incident,
    Rota,
    Shift,
)
from gongzhi.mobilisation.tests.conftest import SH, MobWorld, build_world
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.reports.periods import Period
from gongzhi.testing.factories import PersonFactory, UserFactory, make_staff, node

WEEK = Period(date(2026, 3, 2), date(2026, 3, 9))
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=SH)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@dataclass
class Built:
    w: MobWorld
    incident: Incident
    old: Incident
    entries: dict[str, HoursEntry]


def _hours(w: MobWorld, who: Volunteer, source: str, hours: str, day: date, key: str) -> HoursEntry:
    return volunteers.hours_record(
        confirmed_by=w.users["committee"],
        volunteer=who,
        hours=Decimal(hours),
        occurred_on=day,
        source=source,
        source_key=key,
        label=f"服务 {key}",
    )


def _time_bank(w: MobWorld) -> dict[str, HoursEntry]:
    t = w.tree
    user = UserFactory(username="n1")
    estate = node("S-R3-E1", "南丹小区", Level.ESTATE, t.r3)
    building = node("S-R3-B1", "南丹1号楼", Level.BUILDING, estate)
    person = PersonFactory(name="南丹志愿者", home=node("S-R3-H1", "1号楼101室", Level.HOUSEHOLD, building))
    Person.objects.filter(pk=person.pk).update(user=user)
    w.users["n1"] = user
    with clock.freeze(at(2, 8)):
        w.vols["n1"] = volunteers.volunteer_register(
            actor=w.users["committee_r3"],
            person=Person.objects.get(pk=person.pk),
            kind=VolunteerKind.RESIDENT,
            area=t.r3,
            skills=[],
            availability=[volunteers.Slot(0, 8, 12)],
        )
    v = w.vols
    with clock.freeze(NOW):
        out = {
            "order": _hours(w, v["v1"], HoursSource.ORDER, "2.0", date(2026, 3, 2), "o1"),
            "shift": _hours(w, v["v1"], HoursSource.SHIFT, "8.0", date(2026, 3, 3), "s1"),
            "task": _hours(w, v["v2"], HoursSource.TASK, "3.0", date(2026, 3, 3), "t1"),
            "wrong": _hours(w, v["v2"], HoursSource.TASK, "1.5", date(2026, 3, 2), "t2"),
            "before": _hours(w, v["v3"], HoursSource.SHIFT, "4.0", date(2026, 2, 27), "s0"),
            "south": _hours(w, v["n1"], HoursSource.TASK, "5.0", date(2026, 3, 4), "t3"),
        }
        volunteers.hours_reverse(actor=w.users["committee"], entry=out["wrong"], reason="记错了")
    return out


def _incident(w: MobWorld) -> Incident:
    t = w.tree
    lead = w.users["street"]
    incident = Incident.objects.create(
        kind=IncidentKind.EPIDEMIC, title="东安一村周边疫情", street=t.street, lead=lead, declared_at=at(2, 9)
    )
    incident.zone.set([t.e1])
    rota = Rota.objects.create(
        incident=incident, version=1, kind="full", status="optimal", shifts=6, people=10,
        solved_at=at(2, 9), solved_by=lead,
    )  # fmt: skip
    east, west = Entrance.objects.get(name="东门"), Entrance.objects.get(name="西门")

    def post(name: str, entrance: Entrance | None, need: int) -> DutyPost:
        return DutyPost.objects.create(
            incident=incident,
            entrance=entrance,
            node=t.e1,
            name=name,
            opens=time(0),
            closes=time(0),
            need=need,
        )

    p_east, p_west, p_supply = post("东门", east, 2), post("西门", west, 2), post("物资点", None, 1)

    def shift(p: DutyPost, day: int, start: int, end: int) -> Shift:
        return Shift.objects.create(post=p, starts_at=at(day, start), ends_at=at(day, end), need=p.need)

    def assign(
        s: Shift, key: str, state: str, came: datetime | None = None, left: datetime | None = None
    ) -> None:
        person = w.person(key)
        vol = w.vols.get(key)
        Assignment.objects.create(
            shift=s, person=person, rota=rota,
            source=PersonSource.VOLUNTEER if vol else PersonSource.PROPERTY,
            unit=None if vol else w.property_unit, volunteer=vol, state=state,
            checked_in_at=came, checked_out_at=left,
        )  # fmt: skip

    s1 = shift(p_east, 2, 9, 17)
    assign(s1, "v1", AssignmentState.CHECKED_OUT, at(2, 9), at(2, 17))
    assign(s1, "wy1", AssignmentState.CHECKED_OUT, at(2, 9, 30), at(2, 17))
    s2 = shift(p_west, 2, 9, 17)
    assign(s2, "v2", AssignmentState.NO_SHOW)
    assign(s2, "v3", AssignmentState.ASSIGNED)
    s3 = shift(p_east, 4, 9, 17)
    assign(s3, "v4", AssignmentState.CHECKED_IN, at(4, 9))
    assign(s3, "v5", AssignmentState.CHECKED_IN, at(4, 9))
    s4 = shift(p_west, 4, 10, 18)
    assign(s4, "v6", AssignmentState.ASSIGNED)
    assign(s4, "v2", AssignmentState.NO_SHOW)
    assign(shift(p_east, 5, 9, 17), "v7", AssignmentState.ASSIGNED)
    assign(shift(p_supply, 2, 9, 17), "v8", AssignmentState.CHECKED_OUT, at(2, 9), at(2, 17))

    def item(kind: str, node: Any, done: datetime | None, quantity: int = 1, **kw: Any) -> None:
        CoverageItem.objects.create(
            incident=incident, kind=kind, node=node, node_path=node.path, label=kind, quantity=quantity,
            done_at=done, **kw,
        )  # fmt: skip

    item(ItemKind.HOUSEHOLD, t.h1, at(3, 10), care_subject=w.subject)
    item(ItemKind.HOUSEHOLD, t.b1, None)
    item(ItemKind.SUPPLY, t.e1, at(2, 15), quantity=10)
    item(ItemKind.SUPPLY, t.e1, None, quantity=5)
    item(ItemKind.DOOR_CHECK, t.b1, None)
    return incident


def _old(w: MobWorld) -> Incident:
    old = Incident.objects.create(
        kind=IncidentKind.FLOOD,
        title="旧的汛情",
        street=w.tree.street,
        lead=w.users["street"],
        declared_at=at(2, 0) - timedelta(days=10),
        state=IncidentState.CLOSED,
        closed_at=at(2, 0) - timedelta(days=5),
    )
    old.zone.set([w.tree.r1])
    return old


def build() -> Built:
    w = build_world()
    t = w.tree
    w.users["dept"] = make_staff("dept", PostRole.DEPARTMENT, t.street, unit_kind=UnitKind.DEPARTMENT)
    w.users["property"] = make_staff("property", PostRole.PROPERTY_STAFF, t.r1, unit_kind=UnitKind.PROPERTY)
    entries = _time_bank(w)
    return Built(w=w, incident=_incident(w), old=_old(w), entries=entries)
