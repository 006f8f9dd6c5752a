"""A small street whose case events are placed on chosen days (the clock is frozen for each step),
so every KPI has a numerator and a denominator known by hand."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.cases.models import Case
from gongzhi.cases.services import Act, Intake, case_act, case_create, case_rate
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, UnitFactory, UserFactory, make_staff

DAY1 = date(2026, 3, 2)  # a Monday, a working day
DAY2 = date(2026, 3, 3)
DAY3 = date(2026, 3, 4)


def at(day: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(h, m)), timezone.get_default_timezone())


def photo() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


@dataclass
class World:
    tree: Tree
    dispatcher: Any  # committee staff of R1
    handler: Any  # property manager at E1 (LD01)
    handler2: Any  # another property post at E1, for reassignments
    block: Any
    street: Any
    outsider: Any  # committee staff of R3
    post: Post
    post2: Post
    category: Category
    cases: dict[str, Case] = field(default_factory=dict)

    def report(self, name: str, when: datetime, node: Any = None) -> Case:
        with clock.freeze(when):
            intake = Intake(
                node=node or self.tree.b1,
                text=f"楼道堆物 {name}",
                source=Source.PATROL,
                category=self.category,
            )
            self.cases[name] = case_create(actor=None, intake=intake)
        return self.cases[name]

    def act(self, name: str, who: Any, action: str, when: datetime, **kw: Any) -> Case:
        case = self.cases[name]
        case.refresh_from_db()
        if action in {"submit", "verify"}:
            kw.setdefault("files", [photo()])
        if action in {"submit", "return", "reject", "escalate", "pull", "record_attempt", "reassign", "void"}:
            kw.setdefault("note", "说明")
        with clock.freeze(when):
            self.cases[name] = case_act(
                actor=who, case=case, act=Act(action=action, version=case.version, **kw)
            )
        return self.cases[name]

    def rate(self, name: str, grade: str, when: datetime) -> Case:
        case = self.cases[name]
        case.refresh_from_db()
        with clock.freeze(when):
            self.cases[name] = case_rate(case=case, satisfaction=grade, note="回访")
        return self.cases[name]


def _post(tree: Tree, code: str, name: str, category: Category) -> tuple[Any, Post]:
    user = UserFactory(username=code.lower())
    person = PersonFactory(name=name)
    Person.objects.filter(pk=person.pk).update(user=user)
    unit = UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name=f"{name}物业")
    post = Post.objects.create(
        code=code,
        unit=unit,
        node=tree.e1,
        title="物业经理",
        person=person,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([category])
    return user, post


@pytest.fixture
def world(tree: Tree, settings: Any, tmp_path: Any) -> Iterator[World]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    category = Category.objects.get(code="LD01")  # 楼道堆物: 1 working day, property leads
    handler, post = _post(tree, "POST-E1-PROP", "物业小王", category)
    handler2, post2 = _post(tree, "POST-E1-PROP2", "物业小李", category)
    # Not routed to (no duty of its own), yet in office: a reassignment may only go to a post in
    # office (cases.choices), so it is kept out of routing by its duties, not by its dates.
    post2.categories.clear()
    yield World(
        tree=tree,
        dispatcher=make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1),
        handler=handler,
        handler2=handler2,
        block=make_staff("k1cadre", PostRole.BLOCK_CADRE, tree.k1),
        street=make_staff("streetcadre", PostRole.STREET_CADRE, tree.street),
        outsider=make_staff("r3staff", PostRole.COMMITTEE_STAFF, tree.r3),
        post=post,
        post2=post2,
        category=category,
    )
