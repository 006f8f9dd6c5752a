"""A care world on the standard tree: a committee, a grid worker who serves 张阿婆, another
grid worker of the same grid who does not, a volunteer, a department, an auditor; 张阿婆
enrolled with consent for every signal and a door sensor, a water and a power meter and an
SOS button bound."""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.care import services
from gongzhi.care.choices import DEVICE_SIGNALS, ConsentBy, DeviceKind, Duty, SubjectKind
from gongzhi.care.models import CareSubject, Device
from gongzhi.core import clock
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, make_staff, make_tree

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday morning


def png_form() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "PNG")
    return SimpleUploadedFile("同意书.png", out.getvalue(), content_type="image/png")


@dataclass
class CareWorld:
    tree: Tree
    users: dict[str, Any] = field(default_factory=dict)
    subject: CareSubject | None = None
    devices: dict[str, Device] = field(default_factory=dict)

    def post(self, key: str) -> Post:
        return Post.objects.get(code=f"POST-{key}")


STAFF = {
    "committee": (PostRole.COMMITTEE_STAFF, "r1", UnitKind.RESIDENTS_COMMITTEE),
    "grid": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
    "grid_other": (PostRole.GRID_WORKER, "g1", UnitKind.RESIDENTS_COMMITTEE),
    "volunteer": (PostRole.PARTNER, "r1", UnitKind.VOLUNTEER),
    "committee_r3": (PostRole.COMMITTEE_STAFF, "r3", UnitKind.RESIDENTS_COMMITTEE),
    "street_admin": (PostRole.STREET_ADMIN, "street", UnitKind.STREET_OFFICE),
    "dept": (PostRole.DEPARTMENT, "street", UnitKind.DEPARTMENT),
    "auditor": (PostRole.AUDITOR, "street", UnitKind.STREET_OFFICE),
}


def build_world(*, consent: bool = True, at: datetime = T0) -> CareWorld:
    """The world, enrolled and bound at `at` (T0 unless a test runs on the real clock)."""
    tree = make_tree()
    w = CareWorld(tree=tree)
    for key, (role, where, kind) in STAFF.items():
        w.users[key] = make_staff(key, role, getattr(tree, where), unit_kind=kind)
    zhang = PersonFactory(name="张阿婆", home=tree.h1, birth_date=date(1940, 5, 1), lives_alone=True)
    with clock.freeze(at):
        w.subject = services.subject_enrol(
            actor=w.users["committee"],
            person=zhang,
            kind=SubjectKind.ALONE_80,
            posts=[(w.post("grid"), Duty.GRID), (w.post("volunteer"), Duty.VOLUNTEER)],
            visit_every_days=7,
            contacts=[services.ContactIn(relation="女儿", name="王小红", phone="13912345678")],
        )
        for kind in DeviceKind.values:
            w.devices[kind] = services.device_register(
                actor=w.users["committee"], serial=f"DEV-{kind}", kind=kind, household=tree.h1
            )
        if consent:
            services.consent_record(
                actor=w.users["committee"],
                subject=w.subject,
                given_by=ConsentBy.SUBJECT,
                signals=list(DEVICE_SIGNALS),
                given_on=at.date(),
                form=png_form(),
            )
            for kind in (DeviceKind.DOOR, DeviceKind.WATER_METER, DeviceKind.POWER_METER, DeviceKind.SOS):
                w.devices[kind] = services.device_bind(
                    actor=w.users["committee"], device=w.devices[kind], subject=w.subject
                )
    w.subject.refresh_from_db()
    return w


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(db: None) -> CareWorld:
    return build_world()
