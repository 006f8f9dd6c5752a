"""The demo district's node and its office: two posts at the district (区管理员 and 区干部, the
`district_admin` and `district_cadre` logins), who see every street of the district and
dispatch none of their cases (docs/tenancy.md "Who sees what")."""

import random
from datetime import date

from gongzhi.demo import names
from gongzhi.demo.district import DISTRICT_ADDRESS, DISTRICT_CODE, DISTRICT_NAME
from gongzhi.demo.geometry import district_box
from gongzhi.demo.logins import DISTRICT_ADMIN_POST, DISTRICT_CADRE_POST
from gongzhi.demo.numbers import NumberBook
from gongzhi.demo.people import person
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import Post, Unit
from gongzhi.orgs.roles import PostRole, UnitKind

OFFICE_CODE = f"{DISTRICT_CODE}-U-CYZX"
OFFICE_NAME = f"{DISTRICT_NAME}城市运行管理中心"
# (post code, title, English title, role)
POSTS = (
    (
        DISTRICT_ADMIN_POST,
        "区城运中心系统管理员",
        "System administrator, district operations centre",
        PostRole.DISTRICT_ADMIN,
    ),
    (
        DISTRICT_CADRE_POST,
        "区城运中心督办科科长",
        "Head of supervision, district operations centre",
        PostRole.DISTRICT_CADRE,
    ),
)


def district_node(streets: int) -> Node:
    """The district the demo streets stand in (made through node_create; kept when a run
    before this one stopped after making it)."""
    found = Node.objects.filter(code=DISTRICT_CODE, level=Level.DISTRICT).first()
    if found is not None:
        return found
    return geo_services.node_create(
        actor=None,
        code=DISTRICT_CODE,
        name=DISTRICT_NAME,
        level=Level.DISTRICT,
        parent=None,
        address=DISTRICT_ADDRESS,
        geometry=district_box(streets).polygon(),
    )


def write_office(district: Node, book: NumberBook, rng: random.Random) -> int:
    """The district office's unit, two staff and their posts; returns the posts written."""
    unit, _created = Unit.objects.get_or_create(
        code=OFFICE_CODE,
        defaults={
            "name": OFFICE_NAME,
            "kind": UnitKind.DISTRICT_OFFICE,
            "node": district,
            "address": DISTRICT_ADDRESS,
            "office_phone": book.phone(),
        },
    )
    written = 0
    for number, (code, title, title_en, role) in enumerate(POSTS, start=1):
        if Post.objects.filter(code=code).exists():
            continue
        gender = rng.choice("MF")
        plan = person(rng, book, surname=names.pick_surname(rng), gender=gender, age=rng.randint(32, 55))
        holder = org_services.person_upsert(
            actor=None,
            code=f"{DISTRICT_CODE}-S{number:05d}",
            name=plan.name,
            phone=plan.phone,
            id_number=plan.id_number,
            gender=plan.gender,
            birth_date=plan.birth_date,
        )
        Post.objects.create(
            code=code,
            unit=unit,
            node=district,
            title=title,
            title_en=title_en,
            person=holder,
            role=role,
            active_from=date(2022, 1, 1),
        )
        written += 1
    return written
