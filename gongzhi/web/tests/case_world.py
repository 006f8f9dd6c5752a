"""Shared set-up for the case page tests: a routed post, one client per role, images."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.cases import services
from gongzhi.cases.states import Source
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, UserFactory, make_staff

ROLES = {
    "dispatcher": (PostRole.COMMITTEE_STAFF, "r1"),
    "block": (PostRole.BLOCK_CADRE, "k1"),
    "street": (PostRole.STREET_CADRE, "street"),
    "grid": (PostRole.GRID_WORKER, "g1"),
    "outsider": (PostRole.COMMITTEE_STAFF, "r3"),
}


@dataclass
class CaseWorld:
    web: Any  # the web conftest's World (tree and residents)
    category: Category  # 楼道堆物 LD01, photo after required
    post: Post  # property manager at E1 answering for LD01
    users: dict[str, Any]

    @property
    def tree(self) -> Any:
        return self.web.tree

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def image(name: str = "photo.png", fmt: str = "PNG", colour: str = "red") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, fmt)
    types = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return SimpleUploadedFile(name, out.getvalue(), content_type=types[fmt])


def not_image(name: str = "virus.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not a picture", content_type="image/png")


@pytest.fixture
def cw(world: Any, settings: Any, tmp_path: Any) -> CaseWorld:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    category = Category.objects.get(code="LD01")
    handler_user = UserFactory(username="handler")
    handler = PersonFactory(name="物业小王", phone="13900000001")
    Person.objects.filter(pk=handler.pk).update(user=handler_user)
    unit = UnitFactory(node=world.tree.e1, kind=UnitKind.PROPERTY, name="东安物业")
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=unit,
        node=world.tree.e1,
        title="物业经理",
        person=handler,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([category])
    users = {key: make_staff(f"c-{key}", role, getattr(world.tree, at)) for key, (role, at) in ROLES.items()}
    users["handler"] = handler_user
    resident = UserFactory(username="resident")
    Person.objects.filter(pk=world.young.pk).update(user=resident)
    users["resident"] = resident
    return CaseWorld(web=world, category=category, post=post, users=users)


def report(cw: CaseWorld, text: str = "3号楼楼道堆满纸板，王先生说好几天了", **kw: Any) -> Any:
    """A resident's report on building B1 (routed to the property post), through the service."""
    intake = services.Intake(
        node=kw.pop("node", cw.tree.b1),
        text=text,
        source=kw.pop("source", Source.RESIDENT),
        category=kw.pop("category", cw.category),
        contact_name=kw.pop("contact_name", "王先生"),
        contact_phone=kw.pop("contact_phone", "13812345678"),
        **kw,
    )
    return services.case_create(actor=None, intake=intake)


def act(case: Any, user: Any, action: str, **kw: Any) -> Any:
    case.refresh_from_db()
    return services.case_act(
        actor=user, case=case, act=services.Act(action=action, version=case.version, **kw)
    )


def to_closed(cw: CaseWorld, case: Any) -> Any:
    """register → dispatch → accept → submit → verify, by the right people."""
    act(case, cw.users["dispatcher"], "register")
    act(case, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(case, cw.users["handler"], "accept")
    act(case, cw.users["handler"], "submit", note="已清理", files=[image("after.png", colour="green")])
    return act(case, cw.users["dispatcher"], "verify", files=[image("check.png", colour="blue")])
