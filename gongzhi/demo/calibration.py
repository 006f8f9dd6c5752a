"""The demo street's figures, calibrated on Fenglin (枫林街道, docs/domain.md §5).

Residents are generated household by household from the templates below, so the age
structure (105k residents, 39.7k aged 60+, 8.4k aged 80+, 800+ aged 80+ living alone) comes
out of plausible homes rather than from ages scattered at random. The counts are households
at scale 1; `plan_totals` checks what they add up to.
"""

from dataclasses import dataclass
from datetime import date

# Ages are counted on this day, so a seed gives the same birth dates whatever the clock says.
AS_OF = date(2026, 1, 1)

AREAS_PER_BLOCK = (6, 6, 6, 6, 7)  # 31 residential areas
ESTATES = 94
ESTATES_WITHOUT_PROPERTY = 8
GRIDS_PER_ESTATE = (2, 3)  # inclusive range; grids do not scale, buildings and homes do
HOUSEHOLDS_PER_BUILDING = 24  # six-storey walk-ups, four flats a floor: most of Fenglin's stock

# Committee staff per residential area, an inclusive range (does not scale). The street's and
# the blocks' posts are listed by title in demo/roster.py.
COMMITTEE_STAFF_PER_AREA = (4, 7)

# Share of adults who are Party members, by age band, and how members are managed.
PARTY_SHARE_WORKING_AGE = 0.06
PARTY_SHARE_RETIRED = 0.10
IN_SERVICE_REGISTERED_SHARE = 0.8  # in-service members who have done 双报到 where they live

# Co-building (共建), from the Changzhi G community (docs/domain.md §5): the units that take
# part — government and public units, non-public and social organisations — whose non-public
# side's Party members are in 6 branches. The units do not scale (like the roster's).
CO_BUILDING_PUBLIC = 26
CO_BUILDING_NON_PUBLIC = 15
NON_PUBLIC_PARTY_BRANCHES = 6


@dataclass(frozen=True)
class Slot:
    """One member of a household template: their relation and age range (inclusive)."""

    relation: str  # head, spouse, child, grandchild, flatmate
    min_age: int
    max_age: int


@dataclass(frozen=True)
class Template:
    key: str
    households: int  # at scale 1
    slots: tuple[Slot, ...]
    female_head_share: float = 0.5


def _slots(*specs: tuple[str, int, int]) -> tuple[Slot, ...]:
    return tuple(Slot(*spec) for spec in specs)


TEMPLATES: tuple[Template, ...] = (
    # 80+ living alone: mostly widows, the people the care alerts watch over.
    Template("old_alone", 860, _slots(("head", 80, 99)), female_head_share=0.7),
    Template("old_couple", 1900, _slots(("head", 80, 96), ("spouse", 80, 95))),
    Template("old_with_younger_spouse", 1300, _slots(("head", 80, 94), ("spouse", 70, 79))),
    Template("old_with_carer", 1650, _slots(("head", 80, 99), ("child", 50, 59)), female_head_share=0.65),
    Template(
        "old_three_generations",
        800,
        _slots(("head", 80, 97), ("child", 50, 59), ("spouse", 48, 59), ("grandchild", 18, 30)),
    ),
    Template("senior_alone", 2800, _slots(("head", 60, 79)), female_head_share=0.6),
    Template("senior_couple", 10300, _slots(("head", 60, 79), ("spouse", 60, 79))),
    Template(
        "senior_three_generations",
        2000,
        _slots(("head", 60, 75), ("spouse", 60, 75), ("child", 30, 45), ("grandchild", 0, 17)),
    ),
    Template("senior_with_child", 2600, _slots(("head", 60, 79), ("child", 30, 55))),
    Template("family_one_child", 5500, _slots(("head", 28, 55), ("spouse", 28, 55), ("child", 0, 17))),
    Template(
        "family_two_children",
        1200,
        _slots(("head", 30, 50), ("spouse", 30, 50), ("child", 0, 17), ("child", 0, 17)),
    ),
    Template("single_parent", 700, _slots(("head", 28, 55), ("child", 0, 17)), female_head_share=0.75),
    Template("adult_alone", 5250, _slots(("head", 20, 59))),
    Template("couple", 10800, _slots(("head", 22, 59), ("spouse", 22, 59))),
    # Flats shared by tenants: the group renting (群租) the housing office chases.
    Template("shared_flat", 1700, _slots(("head", 20, 40), ("flatmate", 20, 40), ("flatmate", 20, 45))),
)


def households_at(template: Template, scale: float) -> int:
    """Households of a template at a scale: at least one, so every kind of home exists."""
    return max(1, round(template.households * scale))


def plan_totals(scale: float = 1.0) -> dict[str, int]:
    """Residents by age band implied by the templates. Each slot's age range lies inside one
    band (under 60, 60-79, 80+), so these are exact counts, not estimates."""
    totals = {"residents": 0, "households": 0, "aged_60_plus": 0, "aged_80_plus": 0, "aged_80_alone": 0}
    for template in TEMPLATES:
        n = households_at(template, scale)
        totals["households"] += n
        totals["residents"] += n * len(template.slots)
        for slot in template.slots:
            if slot.min_age >= 60:
                totals["aged_60_plus"] += n
            if slot.min_age >= 80:
                totals["aged_80_plus"] += n
        if len(template.slots) == 1 and template.slots[0].min_age >= 80:
            totals["aged_80_alone"] += n
    return totals
