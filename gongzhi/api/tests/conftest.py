"""API tests over real HTTP: pytest-django's live_server and httpx, one token per role."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, UserFactory, make_staff, make_tree, node

ZHANG_PHONE = "13800138000"
ZHANG_ID = "310104193501011234"
LI_PHONE = "13900139000"

# role key -> (PostRole, node attribute of the Tree)
STAFF = {
    "street": (PostRole.STREET_CADRE, "street"),
    "admin": (PostRole.STREET_ADMIN, "street"),
    "block": (PostRole.BLOCK_CADRE, "k1"),
    "committee": (PostRole.COMMITTEE_STAFF, "r1"),
    "grid": (PostRole.GRID_WORKER, "g1"),
    "dept": (PostRole.DEPARTMENT, "street"),
    "auditor": (PostRole.AUDITOR, "street"),
}


@dataclass
class World:
    tree: Tree
    h3: Node  # a household under S-R3, outside K1
    users: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    zhang: Person | None = None  # lives in S-R1-H101
    li: Person | None = None  # lives in S-R3-H301


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def build_world() -> World:
    """The tree, one staff user per role of STAFF, two residents' persons, tokens for all."""
    tree = make_tree()
    e3 = node("S-R3-E1", "南丹小区", Level.ESTATE, tree.r3)
    b3 = node("S-R3-B1", "南丹小区1号楼", Level.BUILDING, e3)
    h3 = node("S-R3-H301", "1号楼301室", Level.HOUSEHOLD, b3)
    w = World(tree=tree, h3=h3)
    for key, (role, at) in STAFF.items():
        kind = UnitKind.DEPARTMENT if role == PostRole.DEPARTMENT else UnitKind.STREET_OFFICE
        w.users[key] = make_staff(key, role, getattr(tree, at), unit_kind=kind)
    w.zhang = PersonFactory(name="张阿婆", phone=ZHANG_PHONE, id_number=ZHANG_ID, home=tree.h1)
    w.li = PersonFactory(name="李老伯", phone=LI_PHONE, home=h3)
    resident = UserFactory(username="resident")
    Person.objects.filter(pk=w.zhang.pk).update(user=resident)
    w.users["resident"] = resident
    w.users["nobody"] = UserFactory(username="nobody")  # an account with no person, no post
    for key, user in w.users.items():
        w.keys[key] = api_services.token_create(user=user, name=f"{key}-test")[1]
    return w


Call = Callable[..., httpx.Response]


@pytest.fixture
def client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as c:
        yield c


@pytest.fixture
def api(client: httpx.Client, world: World) -> Call:
    """api(method, path, as_=role key or None, **httpx kwargs); never a 5xx."""
    return caller(client, world)


def caller(client: httpx.Client, world: World) -> Call:
    def call(method: str, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {world.keys[as_]}"
        response = client.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 500, response.text[:2000]
        return response

    return call
