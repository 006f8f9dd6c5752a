"""Care (关爱) in the demo street (issue 14 item 9): about 70% of the 80+ residents living alone
enrolled, with a few 60+ living alone (some disabled or in hardship), each with their
responsible posts, one or two emergency contacts, a recorded consent with its scanned form,
bound devices and a visit schedule; the street's rules; the demo gateway `care_simulate`
posts through. Then a year of history (demo.carehistory).

Built in memory and written raw (demo.bulk) like the rest of the street, after checks the
services make: the responsible posts through `care.services.posts_errors`, the contacts
through `contacts_errors`, sealed like `_add_contacts` seals them (Fernet and a mask), the
scanned form through `consent_forms.validate_consent_form`. Consent comes before every bound
device (a device's signal is always one its subject's consent covers), as `device_bind` insists.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image, ImageDraw

from gongzhi.care import rules, services
from gongzhi.care.choices import SIGNAL_OF_DEVICE, ConsentBy, DeviceKind, Duty, Signal, SubjectKind
from gongzhi.care.consent_forms import validate_consent_form
from gongzhi.care.models import Assignment, CareSubject, Consent, Device, EmergencyContact, Gateway
from gongzhi.core import pii, secret_keys
from gongzhi.demo import bulk, names
from gongzhi.demo.people import age_on
from gongzhi.demo.records import Street
from gongzhi.demo.roster import Roster
from gongzhi.demo.rows import new
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person, Post
from gongzhi.orgs.roles import MeetingRole

ENROL_80_ALONE = 0.7  # the "about 70%"
ENROL_60_ALONE = 0.06  # a few younger people living alone: disabled, in hardship
CONSENT_SHARE = 0.9  # the others are visited without devices
DEMO_GRID = "FL-R01-E1-G1"  # the `grid` demo login's grid: its people living alone are all enrolled
DEMO_GATEWAY_NAME = "演示设备网关（gongzhi care_simulate）"
# Public like the demo password (demo.logins): the generator runs only with DEBUG on.
DEMO_GATEWAY_TOKEN = "gzgw_fenglin-demo-gateway-2026"
USER_PREFIX = "demo-"  # as meetingbook's accounts for post-holders: removed by demo.reset
SERIAL_PREFIX = {
    DeviceKind.DOOR: "MC",  # 门磁
    DeviceKind.WATER_METER: "SB",  # 水表
    DeviceKind.POWER_METER: "DB",  # 电表
    DeviceKind.SOS: "SOS",
    DeviceKind.SMOKE: "YG",  # 烟感
}
RELATIONS = (("女儿", "F", True), ("儿子", "M", True), ("侄女", "F", False), ("外甥", "M", False))


@dataclass
class Enrolled:
    """A subject as written, with what the history needs about them."""

    subject: CareSubject
    person: Person
    home: Node
    building: Node
    serving: list[tuple[Post, str]]  # the responsible posts and their duty, the grid worker first
    users: list[int]  # their holders' accounts, in the same order
    consent: Consent | None = None
    devices: list[Device] = field(default_factory=list)
    guardian: tuple[str, str] = ("", "")  # relation and name of the first contact
    away: bool = False  # away from home at `now` (demo.carehistory)

    @property
    def signals(self) -> set[str]:
        return {SIGNAL_OF_DEVICE[d.kind] for d in self.devices}


def consent_form_png() -> bytes:
    """A small grey "scan" of a signed form: title bar, lines of text, a signature."""
    image = Image.new("L", (180, 250), 235)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 16, 160, 28), fill=90)
    for y in range(48, 190, 12):
        draw.line((20, y, 160 - (y * 7) % 40, y), fill=120, width=2)
    draw.line((100, 220, 115, 208, 130, 224, 150, 210), fill=40, width=2)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def write_care(street: Street, roster: Roster, now: datetime) -> tuple[list[Enrolled], Node]:
    """Enrol the demo's subjects and write them with their posts, contacts, consent and
    devices (all dated before `now`). Returns them for the history, and the street node."""
    rng = street.rng("care")
    street_node = street.tree.street
    rules.rules_ensure(street_node)
    form = consent_form_png()
    upload = SimpleUploadedFile("同意书.png", form, content_type="image/png")
    problems = validate_consent_form(upload)
    if problems:
        raise ValueError(f"demo consent form refused: {problems}")
    posts = _posts_by_place(roster)
    accounts = _accounts([p.person for p in roster.posts if p.pk in posts.serving])
    picked = _pick(street, rng)
    enrolled: list[Enrolled] = []
    for index, kind in picked:
        person = street.residents.persons[index]
        home = street.tree.households[street.residents.home[index]]
        building = street.building_of(index)
        serving = posts.of(building, street.residents.area[index])
        problems = services.posts_errors(serving, home)
        if problems:
            raise ValueError(f"demo care posts refused for {person.code}: {problems}")
        days = rng.uniform(400, 1000) if rng.random() < 0.85 else rng.uniform(40, 400)
        enrolled_at = _daytime(rng, now - timedelta(days=days))
        every = 7 if kind == SubjectKind.ALONE_80 and rng.random() < 0.8 else 14
        signals: list[str] = []
        if rng.random() < CONSENT_SHARE:  # the signals the consent will cover
            signals = [Signal.DOOR, Signal.WATER, Signal.ALARM]
            if rng.random() < 0.4:
                signals.insert(2, Signal.POWER)
        subject = new(
            CareSubject,
            person_id=person.pk,
            kind=kind,
            home_id=home.pk,
            node_path=home.path,
            visit_every_days=every,
            visit_due_at=now + timedelta(days=every),  # set by the history from the last visit
            signals=signals,
            enrolled_at=enrolled_at,
        )
        users = [accounts[p.person.pk] for p, _duty in serving]
        enrolled.append(Enrolled(subject, person, home, building, serving, users))
    insert_rows(CareSubject, [e.subject for e in enrolled])
    insert_rows(
        Assignment,
        [
            new(Assignment, subject_id=e.subject.pk, post_id=post.pk, duty=duty)
            for e in enrolled
            for post, duty in e.serving
        ],
    )
    insert_rows(EmergencyContact, [c for e in enrolled for c in _contacts(rng, street, e)])
    for e in enrolled:
        if e.subject.signals:
            _consent(rng, e, form)
    insert_rows(Consent, [e.consent for e in enrolled if e.consent is not None])
    insert_rows(Device, [d for e in enrolled for d in e.devices])
    _gateway(now)
    return enrolled, street_node


def _pick(street: Street, rng: random.Random) -> list[tuple[int, str]]:
    """(resident index, kind) of everyone enrolled, in resident order: 70% of the 80+ living
    alone, a few of the 60+ living alone, and all of them in the demo grid."""
    residents = street.residents
    tree = street.tree
    picked: list[tuple[int, str]] = []
    for i, plan in enumerate(residents.plans):
        if not plan.lives_alone:
            continue
        age = age_on(plan.birth_date)
        draw = rng.random()
        demo = f"/{DEMO_GRID}/" in tree.household_building[residents.home[i]].path
        if age >= 80 and (draw < ENROL_80_ALONE or demo):
            picked.append((i, SubjectKind.ALONE_80))
        elif 60 <= age < 80 and (draw < ENROL_60_ALONE or (demo and draw < 0.5)):
            kind = rng.choices(
                (SubjectKind.ALONE_60, SubjectKind.DISABLED, SubjectKind.HARDSHIP), weights=(65, 25, 10)
            )[0]
            picked.append((i, kind))
    return picked


@dataclass
class _Posts:
    grid: dict[str, Post]  # grid code → its grid worker's post
    volunteer: dict[int, Post]  # area index → the area's 志愿者 seat
    serving: set[int]

    def of(self, building: Node, area: int) -> list[tuple[Post, str]]:
        grid_code = building.path.strip("/").split("/")[-2]
        found: list[tuple[Post, str]] = []
        if grid_code in self.grid:
            found.append((self.grid[grid_code], Duty.GRID))
        if area in self.volunteer:
            found.append((self.volunteer[area], Duty.VOLUNTEER))
        return found


def _posts_by_place(roster: Roster) -> _Posts:
    """The roster has a grid worker on every grid and a 志愿者 seat per area; it has no 楼组长
    (building heads), so a subject's posts are their grid worker and the area's volunteer."""
    grid = {p.node.code: p for p in roster.posts if p.code == f"{p.node.code}-WG"}
    areas: dict[str, int] = {}
    volunteer: dict[int, Post] = {}
    for p in roster.posts:
        if p.meeting_role == MeetingRole.VOLUNTEER:
            index = areas.setdefault(p.node.code, int(p.node.code.rsplit("R", 1)[-1]) - 1)
            volunteer[index] = p
    serving = {p.pk for p in grid.values()} | {p.pk for p in volunteer.values()}
    return _Posts(grid, volunteer, serving)


def _accounts(persons: list[Person]) -> dict[int, int]:
    """Person id → user id for the holders who visit: their demo login or meetingbook's
    account where they have one, else a password-less account named after the person."""
    wanted = {p.pk: p for p in persons}
    linked = dict(Person.objects.filter(pk__in=wanted, user__isnull=False).values_list("pk", "user_id"))
    missing = sorted((p for pk, p in wanted.items() if pk not in linked), key=lambda p: p.code)
    user_model = get_user_model()
    names_ = [f"{USER_PREFIX}{p.code.lower()}" for p in missing]
    user_model.objects.bulk_create([user_model(username=n, password="!demo-no-login") for n in names_])
    by_name = dict(user_model.objects.filter(username__in=names_).values_list("username", "pk"))
    pairs = [(by_name[f"{USER_PREFIX}{p.code.lower()}"], p.pk) for p in missing]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Person._meta.db_table} SET user_id = %s WHERE id = %s", pairs)
    linked.update({pk: uid for uid, pk in pairs})
    return linked


def _contacts(rng: random.Random, street: Street, e: Enrolled) -> list[EmergencyContact]:
    found: list[EmergencyContact] = []
    chosen = rng.sample(RELATIONS, 2 if rng.random() < 0.6 else 1)
    for order, (relation, gender, same_name) in enumerate(chosen, 1):
        surname = e.person.name[0] if same_name else names.pick_surname(rng)
        name = surname + names.pick_given_name(rng, birth_year=1972, gender=gender)
        phone = street.book.phone()
        contact_in = services.ContactIn(relation=relation, name=name, phone=phone)
        problems = services.contacts_errors([contact_in])
        if problems:
            raise ValueError(f"demo emergency contact refused: {problems}")
        found.append(
            new(
                EmergencyContact,
                subject_id=e.subject.pk,
                relation=relation,
                name_enc=pii.encrypt(name),
                name_masked=services.mask_name(name),
                phone_enc=pii.encrypt(pii.normalise_phone(phone)),
                phone_masked=pii.mask_phone(pii.normalise_phone(phone)),
                order=order,
            )
        )
        if order == 1:
            e.guardian = (relation, name)
    return found


def _consent(rng: random.Random, e: Enrolled, form: bytes) -> None:
    """The consent (a guardian's for some: a child signs for a parent who cannot) and the
    devices it allows, bound a few days later; the form saved where consent_record saves it."""
    subject = e.subject
    given = _daytime(rng, subject.enrolled_at + timedelta(days=rng.uniform(0, 20)))
    signals = subject.signals
    guardian = rng.random() < 0.15
    relation, guardian_name = e.guardian
    path = default_storage.save(f"care/consent/{subject.pk}/consent-{subject.pk}.png", ContentFile(form))
    e.consent = new(
        Consent,
        subject_id=subject.pk,
        given_by=ConsentBy.GUARDIAN if guardian else ConsentBy.SUBJECT,
        guardian_name_enc=pii.encrypt(guardian_name) if guardian else "",
        guardian_name_masked=services.mask_name(guardian_name) if guardian else "",
        guardian_relation=relation if guardian else "",
        signals=signals,
        given_on=given.astimezone(ZoneInfo(settings.TIME_ZONE)).date(),
        form=path,
        form_content_type="image/png",
        recorded_at=given,
    )
    bound = given + timedelta(days=rng.uniform(1, 10), hours=rng.uniform(0, 3))
    kinds = [DeviceKind.DOOR] if rng.random() < 0.95 else []
    kinds += [DeviceKind.WATER_METER] if rng.random() < 0.9 or not kinds else []
    kinds += [DeviceKind.POWER_METER] if Signal.POWER in signals else []
    kinds += [DeviceKind.SOS] if rng.random() < 0.5 else []
    kinds += [DeviceKind.SMOKE] if rng.random() < 0.15 else []
    e.devices = [
        new(
            Device,
            serial=f"FL-{SERIAL_PREFIX[kind]}-{e.person.code.removeprefix('FL-P')}",
            kind=kind,
            household_id=e.home.pk,
            subject_id=subject.pk,
            bound_at=bound,
            registered_at=bound - timedelta(hours=1),
        )
        for kind in kinds
    ]


def _gateway(now: datetime) -> None:
    """The demo gateway, its token known (DEMO_GATEWAY_TOKEN, printed by `demo_logins`)."""
    clear = DEMO_GATEWAY_TOKEN
    Gateway.objects.create(
        name=DEMO_GATEWAY_NAME,
        prefix=clear[: secret_keys.PREFIX_LEN],
        key_hash=secret_keys.digest(services.GATEWAY_KEYS, clear),
        created_at=now - timedelta(days=400),
    )


def _daytime(rng: random.Random, at: datetime) -> datetime:
    """`at`'s day between 09:00 and 17:00 local time (when committees enrol and visit)."""
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=rng.randint(9, 16), minute=rng.randrange(60), second=0, microsecond=0)


def insert_rows(model: Any, objs: list[Any]) -> None:
    """Raw inserts (demo.bulk) in chunks; the objects get their ids."""
    for start in range(0, len(objs), 5000):
        bulk.insert_objects(model, objs[start : start + 5000])
