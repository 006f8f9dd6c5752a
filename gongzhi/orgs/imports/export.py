"""Export in the import templates, so an exported sheet can be edited and imported back.

Pages export what the user may export (orgs.access); the command (user None) exports all.
People carry masked numbers only: personal data leaves the system only through a reveal.
"""

import json
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.imports.workbook import write_workbook
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind

Row = dict[str, Any]
CHUNK = 2000


def export(kind: str, user: Actor | None, out: IO[bytes]) -> None:
    write_workbook(TEMPLATES[kind], ROWS[kind](user), out)


def tree_rows(user: Actor | None) -> Iterator[Row]:
    nodes = Node.objects.all() if user is None else selectors.node_list(user=user, power=access.EXPORT)
    for node in nodes.order_by("path").iterator(chunk_size=CHUNK):
        codes = node.ancestor_codes()
        geometry = node.geometry or {}
        point = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        yield {
            "code": node.code,
            "name": node.name,
            "level": cells.label_of(Level, node.level),
            "parent": codes[-2] if len(codes) > 1 else None,
            "address": node.address or None,
            "lon": point[0] if point else None,
            "lat": point[1] if point else None,
            "geometry": json.dumps(geometry, ensure_ascii=False) if geometry and not point else None,
        }


def unit_rows(user: Actor | None) -> Iterator[Row]:
    units: QuerySet[Unit] = Unit.objects.select_related("node")
    if user is not None:
        units = selectors.unit_list(user=user).filter(access.nodes_q(user, access.EXPORT, "node"))
    for unit in units.order_by("code").iterator(chunk_size=CHUNK):
        yield {
            "code": unit.code,
            "name": unit.name,
            "kind": cells.label_of(UnitKind, unit.kind),
            "node": unit.node.code,
            "office_phone": unit.office_phone or None,
            "address": unit.address or None,
        }


def person_rows(user: Actor | None) -> Iterator[Row]:
    people = Person.objects.select_related("home") if user is None else selectors.person_list(user=user)
    for person in people.order_by("code").iterator(chunk_size=CHUNK):
        yield {
            "code": person.code,
            "name": person.name,
            "gender": cells.label_of(Person.Gender, person.gender) or None,
            "birth_date": person.birth_date,
            "phone": person.phone_masked or None,
            "id_number": person.id_masked or None,
            "home": person.home.code if person.home else None,
            "lives_alone": "是" if person.lives_alone else "否",
        }


def post_rows(user: Actor | None) -> Iterator[Row]:
    posts: QuerySet[Post] = Post.objects.select_related("unit", "node", "person", "deputy")
    if user is not None:
        posts = selectors.post_list(user=user, include_inactive=True).filter(
            access.nodes_q(user, access.EXPORT, "node")
        )
    for post in posts.prefetch_related("categories").order_by("code").iterator(chunk_size=CHUNK):
        yield {
            "code": post.code,
            "unit": post.unit.code,
            "node": post.node.code,
            "title": post.title,
            "duty": post.duty or None,
            "title_en": post.title_en or None,
            "duty_en": post.duty_en or None,
            "categories": ",".join(sorted(c.code for c in post.categories.all())) or None,
            "person": post.person.code,
            "deputy": post.deputy.code if post.deputy else None,
            "role": cells.label_of(PostRole, post.role),
            "meeting_role": cells.label_of(MeetingRole, post.meeting_role) or None,
            "active_from": post.active_from,
            "active_until": post.active_until,
        }


def calendar_rows(user: Actor | None) -> Iterator[Row]:
    """Every day the calendar table holds for the user's street (the street's and the package's),
    to edit and re-import; another street's own days are not theirs (docs/tenancy.md)."""
    from gongzhi.core.models import WorkDay
    from gongzhi.orgs.imports.calendar import calendar_street

    street = calendar_street(user)
    for day in WorkDay.objects.filter(street__in={"", street}).order_by("date", "street"):
        yield {"date": day.date, "arrangement": "上班" if day.is_workday else "休息", "note": day.note}


ROWS = {
    "tree": tree_rows,
    "units": unit_rows,
    "people": person_rows,
    "posts": post_rows,
    "calendar": calendar_rows,
}
