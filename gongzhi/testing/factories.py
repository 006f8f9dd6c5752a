"""factory-boy factories and a small standard tree for tests of every package."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import factory
from django.contrib.auth import get_user_model

from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import PostRole, UnitKind

PASSWORD = "gongzhi-test-pw-2026"


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(obj: Any, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    """Persons go through the service so their personal data is sealed as in production."""

    class Meta:
        model = Person

    code = factory.Sequence(lambda n: f"P{n:06d}")
    name = factory.Sequence(lambda n: f"测试{n}")
    phone = factory.Sequence(lambda n: f"1700000{n:04d}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Person:
        code = kwargs.pop("code")
        return org_services.person_upsert(actor=None, code=code, **kwargs)


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.RESIDENTS_COMMITTEE


def node(code: str, name: str, level: int, parent: Node | None) -> Node:
    return geo_services.node_create(actor=None, code=code, name=name, level=level, parent=parent)


@dataclass
class Tree:
    """Street S with two block areas; block K1 holds areas R1 and R2; R1 holds estate E1
    with grids G1 and G2; G1 holds building B1 with household H1; K2 holds area R3."""

    street: Node
    k1: Node
    k2: Node
    r1: Node
    r2: Node
    r3: Node
    e1: Node
    g1: Node
    g2: Node
    b1: Node
    h1: Node


def make_tree() -> Tree:
    s = node("S", "枫林街道", Level.STREET, None)
    k1 = node("S-K1", "第一块区", Level.BLOCK, s)
    k2 = node("S-K2", "第二块区", Level.BLOCK, s)
    r1 = node("S-R1", "东安居民区", Level.AREA, k1)
    r2 = node("S-R2", "西岸居民区", Level.AREA, k1)
    r3 = node("S-R3", "南丹居民区", Level.AREA, k2)
    e1 = node("S-R1-E1", "东安一村", Level.ESTATE, r1)
    g1 = node("S-R1-G1", "东安一村第1网格", Level.GRID, e1)
    g2 = node("S-R1-G2", "东安一村第2网格", Level.GRID, e1)
    b1 = node("S-R1-B1", "东安一村1号楼", Level.BUILDING, g1)
    h1 = node("S-R1-H101", "1号楼101室", Level.HOUSEHOLD, b1)
    return Tree(s, k1, k2, r1, r2, r3, e1, g1, g2, b1, h1)


@dataclass
class District:
    """District D (区) holding street T: T holds area T-R1 with estate T-R1-E1 and building
    T-R1-B1. Beside the standard tree (street S stays a root, outside D), it gives tests two
    streets side by side and a district above one of them (docs/tenancy.md)."""

    district: Node
    street: Node
    area: Node
    estate: Node
    building: Node


def make_district(code: str = "D", street: str = "T") -> District:
    d = node(code, "示范区", Level.DISTRICT, None)
    t = node(street, "桃源街道", Level.STREET, d)
    r = node(f"{street}-R1", "桃源居民区", Level.AREA, t)
    e = node(f"{street}-R1-E1", "桃源一村", Level.ESTATE, r)
    b = node(f"{street}-R1-B1", "桃源一村1号楼", Level.BUILDING, e)
    return District(d, t, r, e, b)


def make_staff(
    username: str, role: str, at: Node, *, unit_kind: str = UnitKind.STREET_OFFICE, **post: Any
) -> Any:
    """A user with a person and one active post of `role` at node `at`."""
    user = UserFactory(username=username)
    person = PersonFactory.create(name=username)
    Person.objects.filter(pk=person.pk).update(user=user)
    unit = UnitFactory.create(node=at, kind=unit_kind)
    Post.objects.create(
        code=f"POST-{username}",
        unit=unit,
        node=at,
        title=str(PostRole(role).label),
        person=person,
        role=role,
        active_from=date(2020, 1, 1),
        **post,
    )
    return user
