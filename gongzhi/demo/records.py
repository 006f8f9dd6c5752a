"""What the generator has built so far, shared by its phases (all in memory until inserted)."""

import random
from dataclasses import dataclass, field

from gongzhi.demo import names
from gongzhi.demo.district import current
from gongzhi.demo.numbers import NumberBook
from gongzhi.demo.people import PersonPlan, age_on, person
from gongzhi.demo.rows import new
from gongzhi.demo.tree import StreetTree
from gongzhi.geo.models import Node
from gongzhi.orgs.models import PartyMember, Person


@dataclass
class Residents:
    """Residents in insertion order, with their plan, home (index into tree.households) and
    the index of their area."""

    persons: list[Person] = field(default_factory=list)
    plans: list[PersonPlan] = field(default_factory=list)
    home: list[int] = field(default_factory=list)
    area: list[int] = field(default_factory=list)
    _by_area: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def in_area(self, area_index: int, *, min_age: int, max_age: int) -> list[int]:
        if not self._by_area:
            for i, a in enumerate(self.area):
                self._by_area.setdefault(a, []).append(i)
        return [
            i
            for i in self._by_area.get(area_index, [])
            if min_age <= age_on(self.plans[i].birth_date) <= max_age
        ]


@dataclass
class Street:
    seed: int
    scale: float
    book: NumberBook
    tree: StreetTree
    residents: Residents = field(default_factory=Residents)
    members: list[PartyMember] = field(default_factory=list)
    member_area: list[int] = field(default_factory=list)
    staff: list[Person] = field(default_factory=list)
    staff_plans: list[PersonPlan] = field(default_factory=list)

    def building_of(self, resident: int) -> Node:
        return self.tree.household_building[self.residents.home[resident]]

    def rng(self, phase: str) -> random.Random:
        return self.phase_rng(self.seed, phase)

    @staticmethod
    def phase_rng(seed: int, phase: str) -> random.Random:
        """An independent generator per phase: a phase's output depends on the seed and on
        nothing drawn by another phase. (A str seed is hashed with SHA-512, not hash(), so
        it does not change with PYTHONHASHSEED.)"""
        return random.Random(f"{seed}:{phase}")

    def new_staff(self, rng: random.Random, *, min_age: int = 26, max_age: int = 58) -> Person:
        gender = rng.choice("MF")
        plan = person(
            rng, self.book, surname=names.pick_surname(rng), gender=gender, age=rng.randint(min_age, max_age)
        )
        staff = new(
            Person,
            code=current().code_of(f"S{len(self.staff) + 1:05d}"),
            name=plan.name,
            gender=plan.gender,
            birth_date=plan.birth_date,
        )
        self.staff.append(staff)
        self.staff_plans.append(plan)
        return staff
