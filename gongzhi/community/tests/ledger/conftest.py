"""A community world on the standard tree: the street's Party organisations (东安 area's 党总支
at S-R1, its 东安一村党支部 at S-R1-E1, 南丹 area's at S-R3), staff (the area's Party secretary,
committee staff of R1 and of R3, the street admin), members of every type living in R1, a
unit in the street and one outside it, and the street's points rules and grade bands."""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.community.choices import BrokenRule, Direction
from gongzhi.community.models import GradeBand, PointRule
from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE
from gongzhi.geo.levels import Level
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import PartyMember, PartyOrg, Person, Unit
from gongzhi.orgs.roles import MemberType, PartyOrgKind, PostRole, UnitKind
from gongzhi.testing.factories import (
    PersonFactory,
    Tree,
    UnitFactory,
    UserFactory,
    make_staff,
    make_tree,
    node,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 15, 10, 0, tzinfo=SH)
ALL_TYPES = list(MemberType.values)
STAFF = {
    "secretary": (PostRole.PARTY_SECRETARY, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "committee": (PostRole.COMMITTEE_STAFF, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "committee_r3": (PostRole.COMMITTEE_STAFF, "r3", UnitKind.RESIDENTS_COMMITTEE),
    "secretary_r3": (PostRole.PARTY_SECRETARY, "r3", UnitKind.RESIDENTS_COMMITTEE),
    "street_admin": (PostRole.STREET_ADMIN, "street", UnitKind.STREET_OFFICE),
    "grid": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
}


def photo(name: str = "佐证.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@dataclass
class CommunityWorld:
    tree: Tree
    area_org: PartyOrg
    branch: PartyOrg
    area_org_r3: PartyOrg
    users: dict[str, Any] = field(default_factory=dict)
    members: dict[str, PartyMember] = field(default_factory=dict)
    rules: dict[str, PointRule] = field(default_factory=dict)
    unit: Unit | None = None
    outside_unit: Unit | None = None


def rule(street: Any, code: str, **kw: Any) -> PointRule:
    values: dict[str, Any] = {
        "item": code,
        "direction": Direction.AWARD,
        "points": 2,
        "yearly_cap": None,
        "evidence_required": False,
        "awarders": [PostRole.COMMITTEE_STAFF, PostRole.PARTY_SECRETARY],
        "member_types": ALL_TYPES,
    }
    values.update(kw)
    return PointRule.objects.create(street=street, code=code, **values)


def build_world() -> CommunityWorld:
    tree = make_tree()
    top = org_services.party_org_upsert(
        actor=None, code="S-DGW", name="枫林街道党工委", kind=PartyOrgKind.WORKING_COMMITTEE, node=tree.street
    )
    area_org = org_services.party_org_upsert(
        actor=None,
        code="S-R1-DW",
        name="东安居民区党总支",
        kind=PartyOrgKind.GENERAL_BRANCH,
        node=tree.r1,
        parent=top,
    )
    branch = org_services.party_org_upsert(
        actor=None,
        code="S-R1-E1-DZB",
        name="东安一村党支部",
        kind=PartyOrgKind.BRANCH,
        node=tree.e1,
        parent=area_org,
    )
    area_org_r3 = org_services.party_org_upsert(
        actor=None,
        code="S-R3-DW",
        name="南丹居民区党总支",
        kind=PartyOrgKind.GENERAL_BRANCH,
        node=tree.r3,
        parent=top,
    )
    w = CommunityWorld(tree=tree, area_org=area_org, branch=branch, area_org_r3=area_org_r3)
    for key, (role, at, kind) in STAFF.items():
        w.users[key] = make_staff(key, role, getattr(tree, at), unit_kind=kind)
    for member_type in MemberType.values:
        user = UserFactory(username=f"m_{member_type}")
        person = PersonFactory(name=f"党员{member_type}", home=tree.h1)
        Person.objects.filter(pk=person.pk).update(user=user)
        w.users[member_type] = user
        w.members[member_type] = org_services.party_member_upsert(
            actor=None, person=person, org=branch, member_type=member_type, joined_on=date(2000, 7, 1)
        )
    w.unit = UnitFactory(node=tree.r1, kind=UnitKind.CO_BUILDING, name="东安医院")
    elsewhere = node("X", "另一街道", Level.STREET, None)
    w.outside_unit = UnitFactory(node=elsewhere, kind=UnitKind.CO_BUILDING, name="外街道单位")
    w.users["unit_rep"] = make_staff("unit_rep", PostRole.PARTNER, tree.r1, unit_kind=UnitKind.CO_BUILDING)
    from gongzhi.orgs.models import Post

    Post.objects.filter(code="POST-unit_rep").update(unit=w.unit)
    s = tree.street
    w.rules = {
        "attend": rule(
            s,
            "A01",
            item="参加居务会",
            fact=ATTEND_MEETING,
            points=2,
            yearly_cap=6,
            fact_details=["juwuhui", "joint", "hearing", "coordination", "evaluation"],
        ),
        "slip": rule(s, "A02", item="完成任务流转单", fact=SLIP_DONE, points=5),
        "volunteer": rule(s, "A10", item="志愿服务", points=3, yearly_cap=9),
        "help": rule(s, "A11", item="结对帮扶", points=5, evidence_required=True),
        "in_service_only": rule(
            s, "A12", item="在职党员进社区", points=4, member_types=[MemberType.IN_SERVICE]
        ),
        "waste": rule(
            s,
            "D01",
            item="垃圾分类不到位",
            direction=Direction.DEDUCT,
            points=2,
            broken_rule=BrokenRule.WASTE_SORTING,
            evidence_required=True,
        ),
        "pets": rule(
            s,
            "D02",
            item="违规饲养宠物",
            direction=Direction.DEDUCT,
            points=3,
            broken_rule=BrokenRule.PETS,
            awarders=[PostRole.PARTY_SECRETARY],
        ),
    }
    for grade, low in (("优秀", 20), ("合格", 5), ("基本合格", 0), ("不合格", -1000)):
        GradeBand.objects.create(street=s, grade=grade, min_points=low)
    return w


@pytest.fixture
def cworld(db: None) -> CommunityWorld:
    return build_world()
