"""Fixtures for the page tests: a populated tree and one logged-in client per role."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, Tree, UserFactory, make_staff, node

# Today is frozen nowhere in these tests, so ages are built relative to the real date.
TODAY = date.today()


def born(years_ago: int) -> date:
    return date(TODAY.year - years_ago - 1, 1, 1)


@dataclass
class World:
    tree: Tree
    h2: Any  # a household in grid G2 (same estate as H1, other grid)
    h3: Any  # a household in area R3 (other block)
    old_alone: Person  # H1, 85, lives alone
    old: Person  # H1, 82
    senior: Person  # H1, 65
    young: Person  # H1, 30, with an ID number
    g2_resident: Person
    r3_resident: Person


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()  # the login rate limit lives in the cache
    yield
    cache.clear()


@pytest.fixture
def world(tree: Tree) -> World:
    b2 = node("S-R1-B2", "东安一村2号楼", Level.BUILDING, tree.g2)
    h2 = node("S-R1-H201", "2号楼201室", Level.HOUSEHOLD, b2)
    e3 = node("S-R3-E1", "南丹小区", Level.ESTATE, tree.r3)
    b3 = node("S-R3-B1", "南丹小区1号楼", Level.BUILDING, e3)
    h3 = node("S-R3-H101", "南丹1号楼101室", Level.HOUSEHOLD, b3)
    return World(
        tree=tree,
        h2=h2,
        h3=h3,
        old_alone=PersonFactory(
            name="张阿婆", phone="13800138000", home=tree.h1, birth_date=born(85), lives_alone=True
        ),
        old=PersonFactory(name="李老伯", phone="13800138001", home=tree.h1, birth_date=born(82)),
        senior=PersonFactory(name="王阿姨", phone="13800138002", home=tree.h1, birth_date=born(65)),
        young=PersonFactory(
            name="赵小弟",
            phone="13800138003",
            id_number="310104199001011234",
            home=tree.h1,
            birth_date=born(30),
        ),
        g2_resident=PersonFactory(
            name="钱大爷", phone="13900139000", home=h2, birth_date=born(81), lives_alone=True
        ),
        r3_resident=PersonFactory(name="孙奶奶", phone="13700137000", home=h3, birth_date=born(90)),
    )


# role key -> (PostRole, node attribute on the tree)
ROLES = {
    "street": (PostRole.STREET_CADRE, "street"),
    "block": (PostRole.BLOCK_CADRE, "k1"),
    "committee": (PostRole.COMMITTEE_STAFF, "r1"),
    "grid": (PostRole.GRID_WORKER, "g1"),
    "department": (PostRole.DEPARTMENT, "street"),
    "auditor": (PostRole.AUDITOR, "street"),
}


def login_as(world: World, key: str) -> tuple[Client, Any]:
    """A client logged in as the role `key` (see ROLES), or as a resident of H1 for "resident"."""
    client = Client()
    if key == "resident":
        user = UserFactory(username="resident")
        Person.objects.filter(pk=world.young.pk).update(user=user)
    else:
        role, at = ROLES[key]
        user = make_staff(f"u-{key}", role, getattr(world.tree, at))
    client.force_login(user)
    return client, user


@pytest.fixture
def as_role(world: World) -> Any:
    return lambda key: login_as(world, key)


# The case pages' world (a routed post and one user per role) builds on `world` above.
from gongzhi.web.tests.case_world import cw  # noqa: E402, F401
