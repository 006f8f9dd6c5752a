"""Where the walks happen in the demo street. S1: the estate whose everyday 楼道堆物 report the
routing rule gives to a post held by a demo login, and who verifies there (`gongzhi walk_s1`).
C: the residential area, the unit and the logins of the community walk (`gongzhi walk_community`).
M: the 直报's place, today's duty officer and the hospital-nearby zone (`gongzhi walk_mobilisation`).
D: the demo district, its streets and a case of street 2 (`gongzhi walk_district`)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from gongzhi.cases import routing
from gongzhi.cases.models import Case
from gongzhi.community import places, registrations
from gongzhi.demo.district import DISTRICT_CODE, STREETS
from gongzhi.demo.volunteers import ZONE_AREAS
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct_roster
from gongzhi.mobilisation import zone as zones
from gongzhi.mobilisation.models import Entrance
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, DualRegistration, Person, Post, Unit

CATEGORY = "LD01"  # 楼道堆物
VERIFIER = "committee"  # the 居委会主任 of FL-R01: the dispatcher who verifies at the area's rung


@dataclass(frozen=True)
class Place:
    estate: Node
    post: Post
    holder: str  # the demo login holding the routed post
    verifier: str


def s1_place() -> Place | None:
    """The first estate of the verifier's residential area whose 楼道堆物 route ends at a post a
    demo user holds (锦绣小区 in the demo: its property manager is the `property` login)."""
    users = get_user_model().objects
    verifier = users.filter(username=VERIFIER, person__isnull=False).select_related("person").first()
    if verifier is None:
        return None
    area = (
        Post.objects.filter(person=verifier.person, active_until__isnull=True).select_related("node").first()
    )
    category = Category.objects.filter(code=CATEGORY).first()
    if area is None or category is None:
        return None
    estates = Node.objects.filter(path__startswith=area.node.path, level=Level.ESTATE).order_by("code")
    for estate in estates:
        post = routing.route(category=category, node=estate).post
        holder = users.filter(person__pk=post.person_id).first() if post and post.person_id else None
        if post is not None and holder is not None:
            return Place(estate, post, holder.get_username(), VERIFIER)
    return None


# --- the care walk (`gongzhi walk_care`) ------------------------------------------------------------

CARE_WALKER = "grid"  # the grid worker of FL-R01-E1-G1, whose grid holds the demo's 80+ subjects
CARE_BOARD = "committee"  # the 居委会主任 who keeps the care board


@dataclass(frozen=True)
class CarePlace:
    subject_id: int
    home: str
    serial: str  # the subject's SOS button


def care_place() -> CarePlace | None:
    """A subject the `grid` login serves, watched with an SOS button the consent covers, with no
    alert open (a second SOS would only join the open one): the first such by id."""
    from gongzhi.care.choices import AlertState, DeviceKind, Signal
    from gongzhi.care.models import Alert, CareSubject, Device

    walker = get_user_model().objects.filter(username=CARE_WALKER, person__isnull=False).first()
    if walker is None:
        return None
    busy = Alert.objects.exclude(state=AlertState.CLOSED).values("subject_id")
    subjects = (
        CareSubject.objects.filter(
            ended_at__isnull=True,
            assignments__post__person_id=walker.person.pk,  # type: ignore[attr-defined]
        )
        .exclude(pk__in=busy)
        .select_related("home")
        .order_by("pk")
    )
    for subject in subjects[:500]:
        if Signal.ALARM not in subject.signals:  # (a JSON list: filtered here, as SQLite cannot)
            continue
        button = Device.objects.filter(subject=subject, kind=DeviceKind.SOS).order_by("pk").first()
        if button is not None:
            return CarePlace(subject.pk, subject.home.name, button.serial)
    return None


# --- walk C (issue 15): 双报到, a project claimed, pledged, delivered and evaluated ------------------

PARTNER = "partner"  # holds a post at a unit of the street (律师 of a law firm in the demo)
SECRETARY = "secretary"  # the Party secretary of FL-R01: confirms and countersigns


@dataclass(frozen=True)
class CommunityPlace:
    area: Node
    unit: Unit
    resident: Person  # on the register in the area: the project's summary names her
    private: list[str]  # names that must never reach a public page


def _holder(username: str) -> Post | None:
    user = get_user_model().objects.filter(username=username, person__isnull=False).first()
    if user is None:
        return None
    return (
        Post.objects.filter(access.active_posts_q(), person__user=user)
        .select_related("node", "unit", "person")
        .order_by("code")
        .first()
    )


def community_place() -> CommunityPlace | None:
    """The `secretary` login's residential area (it needs a Party organisation), the unit the
    `partner` login holds a post at, and a resident of the area; None when the demo lacks one."""
    secretary, partner, committee = _holder(SECRETARY), _holder(PARTNER), _holder(VERIFIER)
    if secretary is None or partner is None or committee is None or secretary.node.level != Level.AREA:
        return None
    area = secretary.node
    if places.area_party_org(area) is None or not places.in_street(partner.unit.node, places.street_of(area)):
        return None
    resident = (
        Person.objects.filter(home__path__startswith=area.path, user__isnull=True).order_by("pk").first()
    )
    if resident is None:
        return None
    names = [p.person.name for p in (secretary, partner, committee) if p.person is not None]
    return CommunityPlace(area, partner.unit, resident, [*names, resident.name])


def end_earlier_registration(place: CommunityPlace) -> DualRegistration | None:
    """An earlier run left the unit registered (or waiting) with the area: end it through the
    service, as the unit leaving would, so that this run applies afresh. History is kept."""
    earlier = DualRegistration.objects.filter(
        unit=place.unit, node=place.area, state__in=registrations.OPEN_STATES
    ).first()
    if earlier is None:
        return None
    partner = get_user_model().objects.get(username=PARTNER)
    return registrations.registration_end(actor=partner, registration=earlier, reason="重走双报到演示流程")


# --- the mobilisation walk (`gongzhi walk_mobilisation`) ---------------------------------------------

GRID = "grid"  # the grid worker of FL-R01-E1-G1: reports the 直报 at the grid's estate
CADRE = "block_cadre"  # MOBILISE over the block of the hospital-nearby areas
VOLUNTEER = "volunteer"  # a resident volunteer of FL-R01


@dataclass(frozen=True)
class MobilisationPlace:
    place: Node  # the 直报's place: the grid's estate
    officer: str | None  # the login of today's duty officer, None without a duty roster for today
    zone: list[Node]  # the hospital-nearby areas
    entrances: list[str]  # the duty posts declaring lists, by name


def mobilisation_place(now: datetime) -> MobilisationPlace | None:
    """The grid worker's estate, today's duty officer (a demo login, or None: the demo has no
    duty roster unless one was set), the five hospital-nearby areas and their entrances."""
    grid = _holder(GRID)
    zone = list(Node.objects.filter(code__in=ZONE_AREAS).order_by("path"))
    if grid is None or _holder(CADRE) is None or len(zone) != len(ZONE_AREAS):
        return None
    estate = Node.objects.filter(level=Level.ESTATE, path__in=access.prefixes(grid.node.path)).first()
    entrances = [
        f"{e.node.name}{e.name}"
        for e in Entrance.objects.filter(active=True)
        .filter(zones.under_q([a.path for a in zone], "node__path"))
        .select_related("node")
        .order_by("pk")
    ]
    if estate is None or not entrances:
        return None
    duty = direct_roster.duty(direct_roster.street_of(estate), direct_roster.duty_day_of(now))
    officer = duty.officer.user if duty is not None and duty.officer.user is not None else None
    login = officer.get_username() if officer is not None and officer.has_usable_password() else None
    return MobilisationPlace(estate, login, zone, entrances)


@dataclass(frozen=True)
class DistrictPlace:
    district: Node
    streets: list[Node]  # street 1 (枫林) first
    other_case: int | None  # a case of street 2 (None with one street)


def district_place() -> DistrictPlace | None:
    """D: the demo district, its streets, and a case of street 2 to keep from street 1's staff
    (`gongzhi walk_district`)."""
    district = Node.objects.filter(code=DISTRICT_CODE, level=Level.DISTRICT).first()
    if district is None:
        return None
    order = {s.code: i for i, s in enumerate(STREETS)}
    found_streets = Node.objects.filter(parent=district, level=Level.STREET).defer("geometry")
    streets = sorted(found_streets, key=lambda n: (order.get(n.code, len(order)), n.path))
    other = None
    if len(streets) > 1:
        found = (
            Case.objects.filter(node_path__startswith=streets[1].path)
            .order_by("-pk")
            .values_list("pk", flat=True)
        )
        other = found.first()
    return DistrictPlace(district, streets, other)
