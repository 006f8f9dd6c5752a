"""A community world on the standard tree: the committee and the Party secretary of 东安 (R1),
the committee of 南丹 (R3), the street admin, a grid worker, and two co-building units whose
staff hold a partner's post (光明医院 at the street, 蓝天物流 in R1); a second street with one area."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.community import pledges, projects
from gongzhi.community.models import Project, ServiceField
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Post, Unit
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import Tree, make_staff, make_tree, node

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday morning

STAFF = {
    "committee": (PostRole.COMMITTEE_STAFF, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "secretary": (PostRole.PARTY_SECRETARY, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "committee_r3": (PostRole.COMMITTEE_STAFF, "r3", UnitKind.RESIDENTS_COMMITTEE),
    "street_admin": (PostRole.STREET_ADMIN, "street", UnitKind.STREET_OFFICE),
    "grid": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
    "hospital": (PostRole.PARTNER, "street", UnitKind.CO_BUILDING),
    "logistics": (PostRole.PARTNER, "r1", UnitKind.ENTERPRISE),
}


@dataclass
class CommunityWorld:
    tree: Tree
    other_street: Node
    other_area: Node
    users: dict[str, Any] = field(default_factory=dict)

    def unit(self, key: str) -> Unit:
        return Post.objects.get(code=f"POST-{key}").unit


def build_world() -> CommunityWorld:
    tree = make_tree()
    other = node("T", "天山街道", Level.STREET, None)
    other_area = node("T-R1", "天山居民区", Level.AREA, other)
    w = CommunityWorld(tree=tree, other_street=other, other_area=other_area)
    for key, (role, at, kind) in STAFF.items():
        w.users[key] = make_staff(key, role, getattr(tree, at), unit_kind=kind)
    Unit.objects.filter(pk=w.unit("hospital").pk).update(name="光明医院")
    Unit.objects.filter(pk=w.unit("logistics").pk).update(name="蓝天物流")
    return w


@pytest.fixture
def world(db: None) -> Any:
    with clock.freeze(T0):
        yield build_world()


def open_project(w: CommunityWorld, *, title: str = "楼道适老化扶手安装", steps: int = 2) -> Project:
    """A published project in 东安 (R1) with `steps` milestones in March and April."""
    draft = projects.ProjectDraft(
        title=title,
        summary="为东安一村老旧楼道加装扶手",
        field=ServiceField.ELDERLY,
        node=w.tree.r1,
        starts_on=date(2026, 3, 5),
        ends_on=date(2026, 6, 30),
        budget="12000",
        milestones=[projects.Step(f"第{i + 1}阶段", date(2026, 3 + i, 20)) for i in range(steps)],
    )
    project = projects.project_create(actor=w.users["committee"], draft=draft)
    return projects.project_publish(actor=w.users["committee"], project=project)


def claimed_and_signed(w: CommunityWorld, project: Project) -> Project:
    pledge = pledges.project_claim(
        actor=w.users["logistics"], project=project, unit=w.unit("logistics"), commitments="提供车辆和志愿者"
    )
    pledges.pledge_sign(actor=w.users["logistics"], pledge=pledge, version=1)
    pledges.pledge_sign(actor=w.users["secretary"], pledge=pledge, version=1)
    return Project.objects.get(pk=project.pk)
