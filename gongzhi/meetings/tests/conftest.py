"""A residential area with its full 1+8 seats, each seat a user in its own unit, and the
property post that answers for corridor clutter (so cases route to a seat at the table)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from gongzhi.cases.tests.conftest import CaseWorld, world  # noqa: F401 (the fixture)
from gongzhi.core import clock
from gongzhi.orgs.models import Post, Unit
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import make_staff

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai

SEATS = [
    # username, role, seat, unit kind
    ("secretary", PostRole.PARTY_SECRETARY, MeetingRole.PARTY_ORG, UnitKind.RESIDENTS_COMMITTEE),
    ("jwh", PostRole.COMMITTEE_STAFF, MeetingRole.RESIDENTS_COMMITTEE, UnitKind.RESIDENTS_COMMITTEE),
    ("ywh", PostRole.PARTNER, MeetingRole.OWNERS_COMMITTEE, UnitKind.OWNERS_COMMITTEE),
    ("mj", PostRole.DEPARTMENT, MeetingRole.POLICE, UnitKind.POLICE),
    ("cg", PostRole.DEPARTMENT, MeetingRole.URBAN_MANAGEMENT, UnitKind.URBAN_MANAGEMENT),
    ("sc", PostRole.DEPARTMENT, MeetingRole.MARKET_SUPERVISION, UnitKind.MARKET_SUPERVISION),
    ("fg", PostRole.DEPARTMENT, MeetingRole.HOUSING, UnitKind.HOUSING),
    ("lly", PostRole.STREET_CADRE, MeetingRole.STREET_LIAISON, UnitKind.STREET_OFFICE),
]


@dataclass
class MeetingWorld:
    cases: CaseWorld
    users: dict[str, Any]  # by username; "wy" is the property seat (the cases world's handler)
    units: dict[str, Unit]
    block_secretary: Any  # block cadre of K1 (the block's Party working group)

    @property
    def tree(self) -> Any:
        return self.cases.tree


@pytest.fixture
def mworld(world: CaseWorld) -> MeetingWorld:  # noqa: F811 (the imported fixture)
    with clock.freeze(NOW):
        users: dict[str, Any] = {}
        units: dict[str, Unit] = {}
        for username, role, seat, kind in SEATS:
            users[username] = make_staff(username, role, world.tree.r1, unit_kind=kind, meeting_role=seat)
            units[username] = Post.objects.get(code=f"POST-{username}").unit
        Post.objects.filter(pk=world.post.pk).update(meeting_role=MeetingRole.PROPERTY)
        users["wy"] = world.handler
        units["wy"] = world.post.unit
    return MeetingWorld(cases=world, users=users, units=units, block_secretary=world.block)
