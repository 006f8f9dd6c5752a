"""A 直报 world on the standard tree: a grid worker at G1 and the committee of R1 (who may
report), a department and a property company of the street (who may not), a block cadre of K1;
the street's duty officer and three leaders in order, on duty on T0's duty day; and a second
street T with its own grid worker (who sees nothing of street S).

T0 is a Monday 10:00 in Shanghai (after the 08:30 handover: its duty day is that Monday)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct, direct_roster
from gongzhi.mobilisation.models import DirectReport
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import Tree, make_staff, make_tree, node

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday morning
DAY = date(2026, 3, 2)

STAFF = {
    "grid": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
    "committee": (PostRole.COMMITTEE_STAFF, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "block": (PostRole.BLOCK_CADRE, "k1", UnitKind.STREET_OFFICE),
    "dept": (PostRole.DEPARTMENT, "street", UnitKind.DEPARTMENT),
    "property": (PostRole.PROPERTY_STAFF, "e1", UnitKind.PROPERTY),
    "officer": (PostRole.STREET_CADRE, "street", UnitKind.STREET_OFFICE),
    "leader1": (PostRole.STREET_CADRE, "street", UnitKind.STREET_OFFICE),
    "leader2": (PostRole.STREET_CADRE, "street", UnitKind.STREET_OFFICE),
    "leader3": (PostRole.STREET_CADRE, "street", UnitKind.STREET_OFFICE),
    "admin": (PostRole.STREET_ADMIN, "street", UnitKind.STREET_OFFICE),
}


def png(name: str = "现场.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@dataclass
class DirectWorld:
    tree: Tree
    other_street: Node
    other_place: Node
    users: dict[str, Any] = field(default_factory=dict)

    def person(self, key: str) -> Person:
        return Person.objects.get(user=self.users[key])

    def report(self, who: str = "grid", *, at: datetime = T0, **kwargs: Any) -> DirectReport:
        fields = {"kind": "fire", "text": "东安一村1号楼三楼冒烟，已拨119", "node": self.tree.b1, **kwargs}
        with clock.freeze(at):
            return direct.report_create(actor=self.users[who], **fields)


def build_world() -> DirectWorld:
    tree = make_tree()
    t = node("T", "桃源街道", Level.STREET, None)
    tr = node("T-R1", "桃源居民区", Level.AREA, t)
    w = DirectWorld(tree=tree, other_street=t, other_place=tr)
    for key, (role, at, kind) in STAFF.items():
        w.users[key] = make_staff(key, role, getattr(tree, at), unit_kind=kind)
    w.users["grid_t"] = make_staff("grid_t", PostRole.GRID_WORKER, tr, unit_kind=UnitKind.RESIDENTS_COMMITTEE)
    street = tree.street
    direct_roster.duty_set(actor=None, street=street, day=DAY, officer=w.person("officer"))
    for order, key in enumerate(("leader1", "leader2", "leader3"), start=1):
        direct_roster.leader_set(
            actor=None, street=street, person=w.person(key), title=f"领导{order}", order=order
        )
    return w


@pytest.fixture
def world(db: None) -> DirectWorld:
    return build_world()


@pytest.fixture
def sms_on(settings: Any) -> None:
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
