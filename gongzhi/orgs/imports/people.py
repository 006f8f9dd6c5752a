"""Plan a 人员 import. Numbers are checked by the same service code that seals them; a masked
number (with *) from an export means "keep the stored one"."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import clock, pii
from gongzhi.core.actors import Actor
from gongzhi.geo.models import Node
from gongzhi.orgs import access, services
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Planned,
    RowCheck,
    check_scope,
    check_unique_code,
    fetch_by_code,
    missing,
)
from gongzhi.orgs.imports.templates import PEOPLE
from gongzhi.orgs.imports.workbook import SheetRow
from gongzhi.orgs.models import Person


@dataclass
class PersonRow:
    code: str
    values: dict[str, Any]  # person_fields keyword arguments
    keep: tuple[str, ...]  # numbers given masked: leave as stored


def plan_people(rows: list[SheetRow], report: ImportReport, user: Actor | None) -> list[Planned]:
    codes = {cells.text(r.values.get("code")) for r in rows}
    homes = {cells.text(r.values.get("home")) for r in rows}
    existing = fetch_by_code(Person.objects.select_related("home"), codes)
    nodes = fetch_by_code(Node.objects.all(), homes)
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        check = RowCheck(PEOPLE, report, row)
        code = check.get("code", cells.code)
        check_unique_code(check, code, seen)
        person_row = _parse(check, code, existing.get(code or ""), nodes)
        if person_row is None or not check.ok:
            continue
        stored = existing.get(person_row.code)
        _check_scope(check, user, person_row.values["home"], stored)
        if check.ok:
            planned.append(_plan_row(row, person_row, stored))
    return planned


def _parse(
    check: RowCheck, code: str | None, stored: Person | None, nodes: dict[str, Node]
) -> PersonRow | None:
    gender = check.choice("gender") or ""
    home_code = check.get("home", cells.code)
    if home_code and home_code not in nodes:
        check.error("home", missing(_("居住户编码"), home_code))
    birth_date = check.get("birth_date", cells.day)
    if birth_date and birth_date > clock.today():
        check.error("birth_date", _("出生日期不能晚于今天"))
    phone = check.get("phone") or ""
    id_number = check.get("id_number", cells.long_number) or ""
    keep = tuple(f for f, v in (("phone", phone), ("id_number", id_number)) if cells.is_masked(v))
    if keep and stored is None:
        for field in keep:
            check.error(field, _("新增人员不能填写打码的号码，请填写完整号码"))
    values = {
        "name": check.get("name") or "",
        "gender": gender,
        "birth_date": birth_date,
        "home": nodes.get(home_code) if home_code else None,
        "lives_alone": bool(check.get("lives_alone", cells.yes_no)),
        "phone": "" if "phone" in keep else phone,
        "id_number": "" if "id_number" in keep else id_number,
    }
    try:
        services.person_fields(**values)  # validates only; writes nothing
    except ValidationError as exc:
        check.validation(exc)
    return PersonRow(code, values, keep) if check.ok and code else None


def _check_scope(check: RowCheck, user: Actor | None, home: Node | None, stored: Person | None) -> None:
    if user is None:
        return
    check_scope(check, user, access.MANAGE_ROSTER, home, stored.home if stored else None)
    no_home = home is None and (stored is None or stored.home is None)
    if check.ok and no_home:  # a person with no home: a post-holder the user may see, or a new one
        allowed = (
            access.can_see_person(user, stored) if stored else access.has_power(user, access.MANAGE_ROSTER)
        )
        if not allowed:
            check.error("code", _("无权导入：此人员不在您的管辖范围内"))


def _plan_row(row: SheetRow, person_row: PersonRow, stored: Person | None) -> Planned:
    def write(actor: Actor | None) -> Person:
        return services.person_upsert_keeping(
            actor=actor, code=person_row.code, keep=person_row.keep, **person_row.values
        )

    if stored is None:
        return Planned(row, CREATED, write)
    return Planned(row, UNCHANGED if _same(person_row, stored) else UPDATED, write)


def _same(person_row: PersonRow, stored: Person) -> bool:
    values = person_row.values
    home = values["home"]
    same = (
        values["name"].strip() == stored.name
        and values["gender"] == stored.gender
        and values["birth_date"] == stored.birth_date
        and (home.pk if home else None) == stored.home_id
        and values["lives_alone"] == stored.lives_alone
    )
    if "phone" not in person_row.keep:
        same = same and pii.lookup_hash(pii.normalise_phone(values["phone"])) == stored.phone_hash
    if "id_number" not in person_row.keep:
        same = same and pii.lookup_hash(pii.normalise_id(values["id_number"])) == stored.id_hash
    return same
