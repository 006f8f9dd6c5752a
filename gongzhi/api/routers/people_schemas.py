"""Output shapes for people: masked values only. The clear value comes from /reveal alone."""

from typing import Any

from ninja import Schema

from gongzhi.orgs.models import Person


class PersonBriefOut(Schema):
    id: int
    name: str
    phone_masked: str


class PersonOut(Schema):
    id: int
    code: str
    name: str
    gender: str
    home: str | None
    home_name: str | None
    phone_masked: str
    id_masked: str


def person_brief(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "phone_masked": person.phone_masked}


def person_out(person: Person) -> dict[str, Any]:
    home = person.home
    return {
        "id": person.pk,
        "code": person.code,
        "name": person.name,
        "gender": person.gender,
        "home": home.code if home else None,
        "home_name": home.name if home else None,
        "phone_masked": person.phone_masked,
        "id_masked": person.id_masked,
    }
