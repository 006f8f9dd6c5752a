"""The meeting kinds, the level of the tree each sits at, who sits at it by standing, the
kinds of business, and the referral ladder (docs/domain.md §2). Data, not code paths."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.geo.levels import Level
from gongzhi.orgs.roles import MeetingRole, UnitKind


class MeetingKind(models.TextChoices):
    JUWUHUI = "juwuhui", _("居务会")
    JOINT = "joint", _("联合居务会")
    BLOCK = "block", _("块区工作会议")
    THEMATIC = "thematic", _("专题协调会")
    PARTY_GROUP = "party_group", _("街道行政党组会议")
    HEARING = "hearing", _("听证会")
    COORDINATION = "coordination", _("协调会")
    EVALUATION = "evaluation", _("评议会")
    CASE_TALK = "case_talk", _("案例说")


class Business(models.TextChoices):
    """The kinds of business a topic is about (docs/domain.md §2: four about problems + routine)."""

    KEY_MATTER = "key_matter", _("研究重点事项")
    BOTTLENECK = "bottleneck", _("破解治理瓶颈")
    DISPUTE = "dispute", _("化解矛盾纠纷")
    EVALUATION = "evaluation", _("开展民主评议")
    ROUTINE = "routine", _("日常事务")


class Attendance(models.TextChoices):
    INVITED = "invited", _("已邀请")
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    DELEGATE = "delegate", _("委托出席")


# The eight fixed seats of a 居务会 (the "8" of 1+8+X).
FIXED_SEATS: tuple[str, ...] = (
    MeetingRole.RESIDENTS_COMMITTEE,
    MeetingRole.OWNERS_COMMITTEE,
    MeetingRole.PROPERTY,
    MeetingRole.POLICE,
    MeetingRole.URBAN_MANAGEMENT,
    MeetingRole.MARKET_SUPERVISION,
    MeetingRole.HOUSING,
    MeetingRole.STREET_LIAISON,
)
AREA_SEATS: tuple[str, ...] = (MeetingRole.PARTY_ORG, *FIXED_SEATS)

# The departments at a block-area working meeting (docs/domain.md §2).
BLOCK_UNIT_KINDS: tuple[str, ...] = (
    UnitKind.POLICE,
    UnitKind.URBAN_MANAGEMENT,
    UnitKind.MARKET_SUPERVISION,
    UnitKind.HOUSING,
    UnitKind.HEALTH,
    UnitKind.LEGAL,
    UnitKind.PROPERTY,
)


@dataclass(frozen=True)
class KindRule:
    level: int  # the level of the node that hosts it
    rung: int  # its rung on the referral ladder: 3 area, 2 block, 1 street
    seats: tuple[str, ...]  # standing seats invited from the roster of the host node(s)
    block_units: bool = False  # invite the block-area departments too
    decides: bool = True  # its decisions become task slips


KIND_RULES: dict[str, KindRule] = {
    MeetingKind.JUWUHUI: KindRule(Level.AREA, 3, AREA_SEATS),
    MeetingKind.JOINT: KindRule(Level.AREA, 3, AREA_SEATS),
    MeetingKind.HEARING: KindRule(Level.AREA, 3, AREA_SEATS),
    MeetingKind.COORDINATION: KindRule(Level.AREA, 3, AREA_SEATS),
    MeetingKind.EVALUATION: KindRule(Level.AREA, 3, AREA_SEATS, decides=False),
    MeetingKind.BLOCK: KindRule(Level.BLOCK, 2, (), block_units=True),
    MeetingKind.THEMATIC: KindRule(Level.STREET, 1, (), block_units=True),
    MeetingKind.PARTY_GROUP: KindRule(Level.STREET, 1, ()),
    MeetingKind.CASE_TALK: KindRule(Level.STREET, 1, (), decides=False),
}

# Where a topic goes when the rung below cannot solve it: one rung at a time.
NEXT_RUNG_KINDS: dict[int, tuple[str, ...]] = {
    3: (MeetingKind.BLOCK,),
    2: (MeetingKind.THEMATIC, MeetingKind.PARTY_GROUP),
    1: (),
}

# Default quorum: the Party organisation present and at least five of the eight fixed seats.
# A street changes it per kind through QuorumRule rows.
DEFAULT_MIN_FIXED = 5
