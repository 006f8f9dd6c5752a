"""The Party side of the demo street: organisations on the tree, members, 双报到 of members.

街道党工委 > 块区党的工作小组 > 居民区党组织 (社区党委 in larger areas, 党总支 otherwise)
> 小区党支部 > 楼栋党小组 (in buildings where at least two members live). Members are
residents; how they are managed (docs/domain.md §4) follows their age and situation.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from gongzhi.demo import calibration as cal
from gongzhi.demo.district import current
from gongzhi.demo.people import age_on
from gongzhi.demo.records import Street
from gongzhi.demo.roster import SERVICE_OFFERS
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg
from gongzhi.orgs.roles import MemberType, PartyOrgKind

COMMITTEE_FROM_HOUSEHOLDS = 1600  # areas at least this big (at scale 1) have a 社区党委
WORKING_AGE_TYPES = (
    (MemberType.IN_SERVICE, 0.65),
    (MemberType.NEW_ORG, 0.15),
    (MemberType.MOBILE, 0.12),
    (MemberType.IN_DIFFICULTY, 0.08),
)
RETIRED_TYPES = ((MemberType.RETIRED, 0.88), (MemberType.IN_DIFFICULTY, 0.12))


@dataclass
class Party:
    levels: list[list[PartyOrg]] = field(default_factory=list)  # parents before children
    members: list[PartyMember] = field(default_factory=list)
    member_area: list[int] = field(default_factory=list)
    registrations: list[DualRegistration] = field(default_factory=list)


def build_party(street: Street) -> Party:
    rng = street.rng("party")
    tree = street.tree
    chosen = _choose_members(rng, street)

    top = PartyOrg(
        code=current().code_of("DGW"),
        name=f"中共{current().name}工作委员会",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        node=tree.street,
    )
    blocks = {
        b.code: PartyOrg(
            code=f"{b.code}-DZ",
            name=f"{b.name}党的工作小组",
            kind=PartyOrgKind.BLOCK_GROUP,
            node=b,
            parent=top,
        )
        for b in tree.blocks
    }
    areas: list[PartyOrg] = []
    branches: dict[str, PartyOrg] = {}
    for parts in tree.areas:
        homes = sum(len(e.households) for e in parts.estates)
        large = homes >= COMMITTEE_FROM_HOUSEHOLDS * street.scale
        area_org = PartyOrg(
            code=f"{parts.node.code}-DW",
            name=f"{parts.node.name}{'社区党委' if large else '党总支'}",
            kind=PartyOrgKind.COMMITTEE if large else PartyOrgKind.GENERAL_BRANCH,
            node=parts.node,
            parent=blocks[parts.block.code],
        )
        areas.append(area_org)
        for estate in parts.estates:
            branches[estate.node.code] = PartyOrg(
                code=f"{estate.node.code}-DZB",
                name=f"{estate.name}党支部",
                kind=PartyOrgKind.BRANCH,
                node=estate.node,
                parent=area_org,
            )

    # A 楼栋党小组 wherever two or more members live in the same building.
    by_building: dict[str, int] = {}
    for i, _type in chosen:
        building = street.building_of(i)
        by_building[building.code] = by_building.get(building.code, 0) + 1
    groups: dict[str, PartyOrg] = {}
    for i, _type in chosen:
        building = street.building_of(i)
        if by_building[building.code] >= 2 and building.code not in groups:
            estate_node = building.parent.parent  # type: ignore[union-attr]  # building > grid > estate
            groups[building.code] = PartyOrg(
                code=f"{building.code}-DXZ",
                name=f"{building.name}党小组",
                kind=PartyOrgKind.GROUP,
                node=building,
                parent=branches[estate_node.code],  # type: ignore[union-attr]
            )

    party = Party(
        levels=[[top], list(blocks.values()), areas, list(branches.values()), list(groups.values())]
    )
    for i, member_type in chosen:
        building = street.building_of(i)
        org = groups.get(building.code) or branches[building.parent.parent.code]  # type: ignore[union-attr]
        plan = street.residents.plans[i]
        joined_age = rng.randint(18, min(40, max(18, age_on(plan.birth_date))))
        joined = min(cal.AS_OF, plan.birth_date + timedelta(days=round(joined_age * 365.25)))
        member = PartyMember(
            person=street.residents.persons[i], org=org, member_type=member_type, joined_on=joined
        )
        party.members.append(member)
        party.member_area.append(street.residents.area[i])
        if member_type == MemberType.IN_SERVICE and rng.random() < cal.IN_SERVICE_REGISTERED_SHARE:
            party.registrations.append(
                DualRegistration(
                    member=member,
                    node=tree.areas[street.residents.area[i]].node,
                    registered_on=date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365)),
                    service_offer=rng.choice(SERVICE_OFFERS),
                )
            )
    return party


def _choose_members(rng: random.Random, street: Street) -> list[tuple[int, str]]:
    """(resident index, member type) for the residents who are Party members."""
    chosen: list[tuple[int, str]] = []
    for i, plan in enumerate(street.residents.plans):
        age = age_on(plan.birth_date)
        if age < 18:
            continue
        retired = age >= 60
        if rng.random() < (cal.PARTY_SHARE_RETIRED if retired else cal.PARTY_SHARE_WORKING_AGE):
            types = RETIRED_TYPES if retired else WORKING_AGE_TYPES
            chosen.append((i, rng.choices([t for t, _w in types], weights=[w for _t, w in types])[0]))
    return chosen
