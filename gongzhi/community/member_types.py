"""How each of the five member types is treated by the ledger (docs/domain.md §4,
docs/community.md "Member types"). The rules' own `member_types` say which items apply to whom;
this table holds what no rule may change."""

from dataclasses import dataclass

from gongzhi.orgs.roles import MemberType


@dataclass(frozen=True)
class Treatment:
    deductible: bool  # may points be deducted at all
    graded: bool  # does the yearly assessment give a grade
    ranked: bool  # does the member appear in rankings and on the 点赞 board
    registers: bool  # may register (双报到) with the area where they live
    follows_moves: bool  # a move ends the registration here and opens one at the new area


TREATMENTS: dict[str, Treatment] = {
    # 积分式: points earned by service where they live; assessed and ranked.
    MemberType.IN_SERVICE: Treatment(True, True, True, registers=True, follows_moves=False),
    # 关爱式: the branch looks after them; they earn points for what they join and the
    # residents' convention binds them as anyone, but they are not graded against the
    # in-service members' service.
    MemberType.RETIRED: Treatment(True, False, True, registers=False, follows_moves=False),
    # 动态式: registration follows the member's moves; the ledger follows the member.
    MemberType.MOBILE: Treatment(True, True, True, registers=True, follows_moves=True),
    # 互动式: members in new economic and social organisations, assessed on what they do with
    # the community.
    MemberType.NEW_ORG: Treatment(True, True, True, registers=True, follows_moves=False),
    # 帮扶式: members in difficulty receive help visits; never a deduction, never ranked or graded.
    MemberType.IN_DIFFICULTY: Treatment(False, False, False, registers=False, follows_moves=False),
}


def treatment(member_type: str) -> Treatment:
    return TREATMENTS[member_type]
