"""A mobilisation world on the standard tree: a street cadre, a block cadre of K1, the committee
of R1 and of R3, a grid worker; estate E1 with two entrances (东门 open all day, 西门 06–22); a
property company at E1 with two staff; six volunteers living in R1 free all week (one a first
aider, one free only on weekday evenings); 张阿婆, a care subject at home in E1."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.care import services as care_services
from gongzhi.care.choices import Duty, SubjectKind
from gongzhi.care.models import CareSubject
from gongzhi.community import volunteers
from gongzhi.community.choices import Skill, VolunteerKind
from gongzhi.community.models import Volunteer
from gongzhi.core import clock
from gongzhi.mobilisation.models import Entrance
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, UnitFactory, UserFactory, make_staff, make_tree

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday morning

STAFF = {
    "street": (PostRole.STREET_CADRE, "street", UnitKind.STREET_OFFICE),
    "block": (PostRole.BLOCK_CADRE, "k1", UnitKind.STREET_OFFICE),
    "committee": (PostRole.COMMITTEE_STAFF, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "committee_r3": (PostRole.COMMITTEE_STAFF, "r3", UnitKind.RESIDENTS_COMMITTEE),
    "grid": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
}
ALL_WEEK = [volunteers.Slot(d, 0, 24) for d in range(7)]
EVENINGS = [volunteers.Slot(d, 18, 22) for d in range(5)]


@dataclass
class MobWorld:
    tree: Tree
    users: dict[str, Any] = field(default_factory=dict)
    vols: dict[str, Volunteer] = field(default_factory=dict)
    property_unit: Unit | None = None
    subject: CareSubject | None = None

    def person(self, key: str) -> Person:
        return Person.objects.get(user=self.users[key])


def _user_person(username: str, home: Any) -> tuple[Any, Person]:
    user = UserFactory(username=username)
    person = PersonFactory(name=username, home=home)
    Person.objects.filter(pk=person.pk).update(user=user)
    person.refresh_from_db()
    return user, person


def build_world(*, volunteers_count: int = 8) -> MobWorld:
    tree = make_tree()
    w = MobWorld(tree=tree)
    for key, (role, at, kind) in STAFF.items():
        w.users[key] = make_staff(key, role, getattr(tree, at), unit_kind=kind)
    Entrance.objects.create(node=tree.e1, name="东门", opens=time(0), closes=time(0), lat=31.19, lon=121.44)
    Entrance.objects.create(
        node=tree.e1, name="西门", opens=time(6), closes=time(22), lat=31.191, lon=121.438
    )
    w.property_unit = UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name="东安物业")
    for i in (1, 2):
        user, person = _user_person(f"wy{i}", tree.h1)
        w.users[f"wy{i}"] = user
        Post.objects.create(
            code=f"POST-wy{i}",
            unit=w.property_unit,
            node=tree.e1,
            title="保安",
            person=person,
            role=PostRole.PROPERTY_STAFF,
            active_from=date(2020, 1, 1),
        )
    with clock.freeze(T0):
        for i in range(1, volunteers_count + 1):
            key = f"v{i}"
            user, person = _user_person(key, tree.h1)
            w.users[key] = user
            w.vols[key] = volunteers.volunteer_register(
                actor=user,
                person=person,
                kind=VolunteerKind.RESIDENT,
                area=tree.r1,
                skills=[Skill.FIRST_AID] if i == 1 else [],
                availability=EVENINGS if i == volunteers_count else ALL_WEEK,
                max_hours_day=8,
                max_hours_week=40,
            )
        zhang = PersonFactory(name="张阿婆", home=tree.h1, birth_date=date(1940, 5, 1), lives_alone=True)
        w.subject = care_services.subject_enrol(
            actor=w.users["committee"],
            person=zhang,
            kind=SubjectKind.ALONE_80,
            posts=[(Post.objects.get(code="POST-grid"), Duty.GRID)],
            visit_every_days=7,
        )
    return w


@pytest.fixture
def world(db: None) -> MobWorld:
    return build_world()
