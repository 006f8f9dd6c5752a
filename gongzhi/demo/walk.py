"""Where walk S1 happens in the demo street: the estate whose everyday 楼道堆物 report the
routing rule gives to a post held by a demo login, and who verifies there (`gongzhi walk_s1`)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from gongzhi.cases import routing
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Post

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
