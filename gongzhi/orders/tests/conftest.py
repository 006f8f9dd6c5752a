"""The orders' test world: the standard tree, a 生活帮扶 module serving two areas of block K1 with a
team (a lead's post, a social organisation's staff, a post at S-R2, a registered member), a
legal module with its own lawyer, the offices around (committees of S-R1 and S-R3, the street,
a block cadre, a grid worker, a department), and a resident with an account."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gongzhi.core import clock
from gongzhi.orders.models import ServiceModule, TeamMember
from gongzhi.orders.seeding import seed_modules
from gongzhi.orders.services import OrderDraft, order_create
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Person, Post
from gongzhi.orgs.roles import MemberType, PartyOrgKind, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, UserFactory, make_staff, make_tree

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
PHONE = "13800138000"


@dataclass
class OrdersWorld:
    tree: Tree
    help: ServiceModule  # 生活帮扶, serving S-R1 and S-R2
    legal: ServiceModule  # 法律咨询, the whole street
    users: dict[str, Any] = field(default_factory=dict)
    resident: Person | None = None
    crowd: list[Any] = field(default_factory=list)  # more staff of the helpers' unit (the race)

    def person(self, key: str) -> Person:
        return Person.objects.get(user=self.users[key])

    def order(self, **kwargs: Any) -> Any:
        values: dict[str, Any] = {
            "module": self.help,
            "node": self.tree.b1,
            "text": "家里老人需要助浴，每周一次",
            "contact_phone": PHONE,
            "contact_name": "张阿婆",
        }
        values.update(kwargs)
        actor = values.pop("actor", None)
        return order_create(actor=actor, draft=OrderDraft(**values))


def build_world(crowd: int = 0) -> OrdersWorld:
    tree = make_tree()
    modules = {m.kind: m for m in seed_modules(tree.street)}
    help_, legal = modules["daily_help"], modules["legal"]
    help_.places.set([tree.r1, tree.r2])
    ServiceModule.objects.filter(pk=help_.pk).update(response_minutes=30)
    help_.refresh_from_db()
    w = OrdersWorld(tree=tree, help=help_, legal=legal)
    staff = {
        "lead": (PostRole.PARTNER, tree.r1, UnitKind.SOCIAL_ORG),
        "helper": (PostRole.PARTNER, tree.r1, UnitKind.SOCIAL_ORG),
        "helper2": (PostRole.PARTNER, tree.r2, UnitKind.SOCIAL_ORG),
        "lawyer": (PostRole.PARTNER, tree.street, UnitKind.LAW_FIRM),
        "committee": (PostRole.COMMITTEE_STAFF, tree.r1, UnitKind.RESIDENTS_COMMITTEE),
        "committee3": (PostRole.COMMITTEE_STAFF, tree.r3, UnitKind.RESIDENTS_COMMITTEE),
        "street": (PostRole.STREET_CADRE, tree.street, UnitKind.STREET_OFFICE),
        "block": (PostRole.BLOCK_CADRE, tree.k1, UnitKind.STREET_OFFICE),
        "grid": (PostRole.GRID_WORKER, tree.g1, UnitKind.RESIDENTS_COMMITTEE),
        "dept": (PostRole.DEPARTMENT, tree.street, UnitKind.DEPARTMENT),
    }
    for key, (role, at, kind) in staff.items():
        w.users[key] = make_staff(key, role, at, unit_kind=kind)
    post = Post.objects.get
    TeamMember.objects.create(module=help_, post=post(code="POST-lead"), is_lead=True)
    helpers = post(code="POST-helper").unit
    TeamMember.objects.create(module=help_, unit=helpers)
    TeamMember.objects.create(module=help_, post=post(code="POST-helper2"))
    TeamMember.objects.create(module=legal, post=post(code="POST-lawyer"), is_lead=True)
    # a registered Party member on the team in person
    member_user = UserFactory(username="member")
    member = PersonFactory(name="报到党员", home=tree.h1)
    Person.objects.filter(pk=member.pk).update(user=member_user)
    branch = PartyOrg.objects.create(
        code="S-R1-PB", name="东安党支部", kind=PartyOrgKind.BRANCH, node=tree.r1
    )
    party = PartyMember.objects.create(person=member, org=branch, member_type=MemberType.IN_SERVICE)
    DualRegistration.objects.create(member=party, node=tree.r1, registered_on=date(2026, 1, 5))
    TeamMember.objects.create(module=help_, person=member)
    w.users["member"] = member_user
    for i in range(crowd):
        user = UserFactory(username=f"crowd{i}")
        person = PersonFactory(name=f"志愿者{i}")
        Person.objects.filter(pk=person.pk).update(user=user)
        Post.objects.create(
            code=f"POST-crowd{i}",
            unit=helpers,
            node=tree.r1,
            title="助老服务员",
            person=person,
            role=PostRole.PARTNER,
            active_from=date(2020, 1, 1),
        )
        w.crowd.append(user)
    resident_user = UserFactory(username="resident")
    w.resident = PersonFactory(name="张阿婆", home=tree.h1)
    Person.objects.filter(pk=w.resident.pk).update(user=resident_user)
    w.users["resident"] = resident_user
    w.users["nobody"] = UserFactory(username="nobody")
    return w


@pytest.fixture
def frozen() -> Any:
    with clock.freeze(NOW):
        yield NOW


@pytest.fixture
def world(db: None, frozen: datetime) -> OrdersWorld:
    return build_world()


__all__ = ["NOW", "PHONE", "OrdersWorld", "build_world"]
