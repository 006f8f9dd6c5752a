"""Households and the people in them, planned in memory from the calibration templates."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from gongzhi.demo import names
from gongzhi.demo.calibration import AS_OF, TEMPLATES, Slot, Template, households_at
from gongzhi.demo.numbers import NumberBook


@dataclass
class PersonPlan:
    """A person before insertion: clear-text numbers live only here, until sealed."""

    name: str
    gender: str
    birth_date: date
    phone: str
    id_number: str
    relation: str = ""
    lives_alone: bool = False


@dataclass
class HouseholdPlan:
    template: str
    members: list[PersonPlan] = field(default_factory=list)


def age_on(birth_date: date, day: date = AS_OF) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_for(rng: random.Random, age: int) -> date:
    """A birth date giving exactly `age` on AS_OF (1 January, so no 29 February trouble)."""
    return AS_OF.replace(year=AS_OF.year - age) - timedelta(days=rng.randrange(365))


def person(rng: random.Random, book: NumberBook, *, surname: str, gender: str, age: int) -> PersonPlan:
    born = birth_date_for(rng, age)
    given = names.pick_given_name(rng, birth_year=born.year, gender=gender)
    return PersonPlan(
        name=surname + given,
        gender=gender,
        birth_date=born,
        phone=book.phone(),
        id_number=book.id_number(born, gender),
    )


def plan_households(rng: random.Random, book: NumberBook, scale: float) -> list[HouseholdPlan]:
    """Every household of the street, shuffled so that each estate gets a mix of homes."""
    households = [
        _household(rng, book, template)
        for template in TEMPLATES
        for _ in range(households_at(template, scale))
    ]
    rng.shuffle(households)
    return households


def _household(rng: random.Random, book: NumberBook, template: Template) -> HouseholdPlan:
    head_slot, *others = template.slots
    head_gender = "F" if rng.random() < template.female_head_share else "M"
    head_age = _age(rng, head_slot)
    family_name = names.pick_surname(rng)
    head = person(rng, book, surname=family_name, gender=head_gender, age=head_age)
    head.relation = "head"
    plan = HouseholdPlan(template=template.key, members=[head])
    for slot in others:
        if slot.relation == "spouse":
            # Spouses keep their own surname (as Chinese women do) and are of an age.
            age = min(slot.max_age, max(slot.min_age, head_age + rng.randint(-4, 4)))
            gender = "M" if head_gender == "F" else "F"
            member = person(rng, book, surname=names.pick_surname(rng), gender=gender, age=age)
        elif slot.relation == "flatmate":
            gender = rng.choice("MF")
            member = person(rng, book, surname=names.pick_surname(rng), gender=gender, age=_age(rng, slot))
        else:  # children and grandchildren carry the family name
            gender = rng.choice("MF")
            member = person(rng, book, surname=family_name, gender=gender, age=_age(rng, slot))
        member.relation = slot.relation
        plan.members.append(member)
    head.lives_alone = len(plan.members) == 1
    return plan


def _age(rng: random.Random, slot: Slot) -> int:
    if slot.min_age >= 60:
        # Fewer people at each older age: skew towards the young end of the band.
        return min(slot.max_age, int(rng.triangular(slot.min_age, slot.max_age + 1, slot.min_age)))
    return rng.randint(slot.min_age, slot.max_age)
