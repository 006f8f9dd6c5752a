"""Reads of care, every one scoped through orgs.access (care_subjects_q)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.care.choices import AlertState, RuleKind, Signal, SubjectKind
from gongzhi.care.models import (
    Alert,
    Assignment,
    AwayPeriod,
    CareSubject,
    Consent,
    Device,
    EmergencyContact,
    LastSeen,
    Visit,
    VisitRound,
)
from gongzhi.care.rulebook import RuleBook
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.locate import representative_point
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post


def subjects(*, user: Actor, include_ended: bool = False) -> QuerySet[CareSubject]:
    qs = CareSubject.objects.filter(access.care_subjects_q(user)).distinct()
    if not include_ended:
        qs = qs.filter(ended_at__isnull=True)
    return qs.select_related("person", "home")


def subject_get(*, user: Actor, pk: int) -> CareSubject | None:
    """One subject, or None when missing or out of scope (answered alike: 404)."""
    return subjects(user=user, include_ended=True).filter(pk=pk).first()


@dataclass(frozen=True)
class Candidate:
    person: Person
    kind: str  # the suggested SubjectKind


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def candidates(*, user: Actor, limit: int = 200) -> list[Candidate]:
    """Residents living alone aged 60+ in the user's MANAGE_CARE subtrees, not yet enrolled:
    suggestions only, a committee decides (disabled or hardship are not in the person records,
    so those are enrolled by hand)."""
    if not access.has_power(user, access.MANAGE_CARE):
        return []
    today = clock.today()
    eighty, sixty = _years_ago(today, 80), _years_ago(today, 60)
    people = (
        Person.objects.filter(access.nodes_q(user, access.MANAGE_CARE, "home"))
        .filter(lives_alone=True, birth_date__lte=sixty, home__isnull=False)
        .exclude(pk__in=CareSubject.objects.filter(ended_at__isnull=True).values("person_id"))
        .select_related("home")
        .order_by("birth_date", "code")[:limit]
    )
    return [
        Candidate(
            p, SubjectKind.ALONE_80 if p.birth_date and p.birth_date <= eighty else SubjectKind.ALONE_60
        )
        for p in people
    ]


def enrol_search(*, user: Actor, name: str, limit: int = 50) -> list[Person]:
    """Residents found by name (contains) for enrolment beyond the suggestions: those the user
    may see (access.people_q) living under their MANAGE_CARE subtrees, not enrolled now. By name
    only: the caller refuses numbers before they reach a URL."""
    name = (name or "").strip()
    if not name or not access.has_power(user, access.MANAGE_CARE):
        return []
    return list(
        Person.objects.filter(access.people_q(user))
        .filter(access.nodes_q(user, access.MANAGE_CARE, "home"), name__contains=name)
        .exclude(pk__in=CareSubject.objects.filter(ended_at__isnull=True).values("person_id"))
        .select_related("home")
        .order_by("name", "code")[:limit]
    )


def care_link(*, user: Actor, person: Person) -> tuple[str, int] | None:
    """What a person's page offers about care: ("subject", id) when they are enrolled and the
    user sees the subject, ("enrol", person id) for a holder of MANAGE_CARE over their home,
    else nothing."""
    subject = subjects(user=user).filter(person=person).values_list("pk", flat=True).first()
    if subject is not None:
        return ("subject", subject)
    home = person.home
    if home is None or not access.can(user, access.MANAGE_CARE, home):
        return None
    if CareSubject.objects.filter(person=person, ended_at__isnull=True).exists():
        return None  # enrolled, under a subject this user does not see
    return ("enrol", person.pk)


# --- alerts and visits (the chain and the regular visits) -------------------------------------------


def alerts(*, user: Actor, open_only: bool = True) -> QuerySet[Alert]:
    """The alerts of the subjects the user may see (newest first)."""
    qs = Alert.objects.filter(subject__in=subjects(user=user, include_ended=True).values("pk"))
    if open_only:
        qs = qs.exclude(state=AlertState.CLOSED)
    return qs.select_related("subject__person", "subject__home", "visit_case")


def alert_get(*, user: Actor, pk: int) -> Alert | None:
    return alerts(user=user, open_only=False).filter(pk=pk).first()


def mine_q(user: Actor) -> Q:
    """The subjects a post the user holds or deputises serves."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return Q(pk__in=[])
    return Q(assignments__post__person_id=person_id) | Q(assignments__post__deputy_id=person_id)


def visits_due(*, user: Actor, within_days: int = 2, mine: bool = False) -> QuerySet[CareSubject]:
    """Subjects whose next visit is due within `within_days` (the overdue first): the user's
    own when `mine` (a grid worker's "my visits due"), else everyone in scope."""
    horizon = clock.now() + timedelta(days=within_days)
    qs = subjects(user=user).filter(visit_due_at__lte=horizon)
    if mine:
        qs = qs.filter(pk__in=CareSubject.objects.filter(mine_q(user)).values("pk"))
    return qs.order_by("visit_due_at", "pk")


def overdue_per_post(*, user: Actor, under: Node | None = None) -> list[tuple[Post, int]]:
    """The responsible posts with overdue visits among the subjects in scope (under `under`
    when given), most first."""
    now = clock.now()
    live = (
        subjects(user=user) if under is None else subjects(user=user).filter(node_path__startswith=under.path)
    )
    rows = (
        Assignment.objects.filter(
            subject__in=live.filter(visit_due_at__lt=now).values("pk"),
        )
        .values("post_id")
        .annotate(n=Count("subject_id", distinct=True))
        .order_by("-n", "post_id")
    )
    counts = {r["post_id"]: r["n"] for r in rows}
    posts = Post.objects.filter(pk__in=counts).select_related("unit", "node", "person")
    return sorted(((p, counts[p.pk]) for p in posts), key=lambda pn: (-pn[1], pn[0].code))


def visits(*, subject: CareSubject, limit: int = 20) -> list[Visit]:
    return list(subject.visits.select_related("by")[:limit])


def round_progress(round_: VisitRound) -> tuple[int, int]:
    """(visited, due) of a holiday round."""
    return round_.visits.values("subject_id").distinct().count(), round_.subjects


# --- the committee's care board (one function each for the page and the API) ------------------------

BOARD_PAGE = 50  # subjects a board page lists; the next page starts after the last one shown
# The board's columns: a device signal read against the silence rule that watches it, and the
# people's signs (a 平安 check-in, a visit or a call) read against the visit schedule.
SIGN_RULES: dict[str, str] = {
    Signal.DOOR: RuleKind.NO_DOOR,
    Signal.WATER: RuleKind.WATER_LOW,
    Signal.POWER: RuleKind.NO_POWER,
}
BOARD_SIGNALS = (Signal.DOOR, Signal.WATER, Signal.POWER, Signal.LIFE)
OPEN_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.VISITING)


def board_node(*, user: Actor, code: str) -> Node | None:
    """The area or grid a board is cut to (None: everything in scope). An unknown node and one
    the user does not see in the tree are refused alike."""
    code = (code or "").strip()
    if not code:
        return None
    node = Node.objects.filter(code=code[:60]).first()
    if node is None or not (
        access.can(user, access.VIEW_CARE, node) or access.can(user, access.VIEW_TREE, node)
    ):
        raise ValidationError({"node": [_("没有这个辖区")]})
    return node


def board_subjects(*, user: Actor, under: Node | None = None) -> QuerySet[CareSubject]:
    qs = subjects(user=user)
    return qs.filter(node_path__startswith=under.path) if under is not None else qs


def board_places(*, user: Actor) -> list[Node]:
    """The areas and grids a board can be cut to: those holding subjects the user sees."""
    codes: set[str] = set()
    for path in board_subjects(user=user).values_list("node_path", flat=True).distinct()[:5000]:
        codes.update(part for part in path.split("/") if part)
    return list(Node.objects.filter(code__in=codes, level__in=(Level.AREA, Level.GRID)).order_by("path"))


@dataclass(frozen=True)
class BoardSummary:
    subjects: int  # enrolled, care not ended
    watched: int  # with a consent in force (devices may report)
    away: int  # in an away period now (the silence rules pause)
    alerts: dict[str, int]  # open alerts by state (待响应, 已响应, 上门探访中)
    overdue: int  # visits past their due time

    @property
    def open_alerts(self) -> int:
        return sum(self.alerts.values())


def board_summary(*, user: Actor, under: Node | None = None) -> BoardSummary:
    now = clock.now()
    live = board_subjects(user=user, under=under)
    ids = live.values("pk")
    by_state = dict(
        Alert.objects.filter(subject__in=ids, state__in=OPEN_STATES)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return BoardSummary(
        subjects=live.count(),
        watched=live.exclude(signals=[]).count(),
        away=AwayPeriod.objects.filter(subject__in=ids, starts_at__lte=now, ends_at__gt=now)
        .values("subject_id")
        .distinct()
        .count(),
        alerts={state: by_state.get(state, 0) for state in OPEN_STATES},
        overdue=live.filter(visit_due_at__lt=now).count(),
    )


@dataclass(frozen=True)
class Sign:
    """One column of a board row: when the signal was last active and how that compares with
    the rule watching it: `fresh` (under half the threshold), `ageing`, `late` (past it),
    `never` (consented, nothing yet), `off` (not consented: no device may report it)."""

    signal: str
    at: datetime | None
    state: str

    @property
    def label(self) -> str:
        return str(Signal(self.signal).label)


@dataclass(frozen=True)
class BoardRow:
    subject: CareSubject
    signs: list[Sign]
    away: bool
    open_alerts: int


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    next_cursor: int | None  # the id to pass as `after` for the next page; None on the last


def board_rows(
    *, user: Actor, under: Node | None = None, after: int | None = None, size: int = BOARD_PAGE
) -> BoardPage:
    """A page of subjects ordered by place (node path, then id), each with the last sign per
    signal coloured against the subject's own rules. The next page starts after `after` (a
    subject id of the previous page); an id outside the list starts again at the top."""
    qs = board_subjects(user=user, under=under).order_by("node_path", "pk")
    if after is not None:
        last = qs.filter(pk=after).values_list("node_path", flat=True).first()
        if last is not None:
            qs = qs.filter(Q(node_path__gt=last) | Q(node_path=last, pk__gt=after))
    page_rows = list(qs[: size + 1])
    more = len(page_rows) > size
    page_rows = page_rows[:size]
    return BoardPage(_board_rows(page_rows), page_rows[-1].pk if more and page_rows else None)


def board_row(*, subject: CareSubject) -> BoardRow:
    """One subject's row (its page and the API's detail)."""
    return _board_rows([subject])[0]


def _board_rows(page: list[CareSubject]) -> list[BoardRow]:
    now = clock.now()
    ids = [s.pk for s in page]
    seen = {
        (r.subject_id, r.signal): r.active_at
        for r in LastSeen.objects.filter(subject_id__in=ids, signal__in=BOARD_SIGNALS).only(
            "subject_id", "signal", "active_at"
        )
    }
    away = set(
        AwayPeriod.objects.filter(subject_id__in=ids, starts_at__lte=now, ends_at__gt=now).values_list(
            "subject_id", flat=True
        )
    )
    alerts_open = dict(
        Alert.objects.filter(subject_id__in=ids, state__in=OPEN_STATES)
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    book = RuleBook.load(ids)
    rows = []
    for s in page:
        signs = [_device_sign(book, s, signal, seen.get((s.pk, signal)), now) for signal in SIGN_RULES]
        signs.append(_life_sign(s, seen.get((s.pk, Signal.LIFE)), now))
        rows.append(BoardRow(s, signs, s.pk in away, alerts_open.get(s.pk, 0)))
    return rows


def _device_sign(book: RuleBook, s: CareSubject, signal: str, at: datetime | None, now: datetime) -> Sign:
    if signal not in s.signals:
        return Sign(signal, at, "off")
    if at is None:
        return Sign(signal, None, "never")
    hours = book.params(s.pk, s.node_path, SIGN_RULES[signal]).hours
    if not hours:
        return Sign(signal, at, "fresh")
    age = (now - at).total_seconds() / 3600
    return Sign(signal, at, "late" if age >= hours else "ageing" if age >= hours / 2 else "fresh")


def _life_sign(s: CareSubject, at: datetime | None, now: datetime) -> Sign:
    """平安 / 探访: the last check-in, visit or call, coloured by the visit schedule (the overdue
    list's rule: past `visit_due_at` is late, due within a day is ageing)."""
    if s.visit_due_at < now:
        state = "late"
    elif s.visit_due_at < now + timedelta(days=1):
        state = "ageing"
    else:
        state = "fresh" if at is not None else "never"
    return Sign(Signal.LIFE, at, state)


@dataclass(frozen=True)
class BuildingAlerts:
    """Open alerts counted per building, for the map: a place and a number, never a person."""

    code: str
    name: str
    point: tuple[float, float] | None  # (lat, lon)
    open: int


def alert_buildings(*, user: Actor, under: Node | None = None) -> list[BuildingAlerts]:
    """The buildings holding open alerts among the subjects the user sees (most first)."""
    per_home = dict(
        Alert.objects.filter(
            subject__in=board_subjects(user=user, under=under).values("pk"), state__in=OPEN_STATES
        )
        .values("subject__home_id")
        .annotate(n=Count("pk"))
        .values_list("subject__home_id", "n")
    )
    homes = list(Node.objects.filter(pk__in=per_home).only("pk", "path", "code", "level"))
    codes = {code for h in homes for code in h.ancestor_codes()}
    buildings = {
        b.code: b
        for b in Node.objects.filter(code__in=codes, level=Level.BUILDING).only(
            "code", "name", "geometry", "path"
        )
    }
    counts: dict[str, int] = {}
    for home in homes:
        # the household's building, or the home itself when it is registered at a building
        code = next((c for c in reversed(home.ancestor_codes()) if c in buildings), None)
        if code is not None:
            counts[code] = counts.get(code, 0) + per_home[home.pk]
    found = [
        BuildingAlerts(code, buildings[code].name, representative_point(buildings[code]), n)
        for code, n in counts.items()
    ]
    return sorted(found, key=lambda b: (-b.open, b.code))


def alert_buildings_geojson(*, user: Actor, under: Node | None = None) -> dict[str, Any]:
    """The map layer (the page's map.json and the API's): GeoJSON points, one per building with
    open alerts, carrying its code, its name and the count. No person, no household."""
    features = [
        {
            "type": "Feature",
            "id": b.code,
            "geometry": {"type": "Point", "coordinates": [b.point[1], b.point[0]]} if b.point else None,
            "properties": {"code": b.code, "name": b.name, "open": b.open},
        }
        for b in alert_buildings(user=user, under=under)
    ]
    return {"type": "FeatureCollection", "features": features}


# --- enrolment -----------------------------------------------------------------------------------------


def serving_posts(home: Node) -> QuerySet[Post]:
    """The posts `services.subject_enrol` accepts for a subject living at `home`: posts in
    office today whose node is the home or above it; the nearest first."""
    return (
        Post.objects.filter(access.active_posts_q(clock.today()))
        .filter(node__code__in=home.ancestor_codes())
        .select_related("node", "person", "unit")
        .order_by("-node__level", "role", "code")
    )


def contacts(*, subject: CareSubject) -> list[EmergencyContact]:
    """Emergency contacts, masked (the clear values leave only through services.contact_reveal)."""
    return list(subject.contacts.all())


def consent_in_force(*, subject: CareSubject) -> Consent | None:
    return subject.consents.filter(withdrawn_at__isnull=True).first()


def away_periods(*, subject: CareSubject, limit: int = 10) -> list[AwayPeriod]:
    return list(subject.away_periods.all()[:limit])


def contact_get(*, user: Actor, pk: int) -> EmergencyContact | None:
    """An emergency contact of a subject the user sees (None otherwise: a 404)."""
    return (
        EmergencyContact.objects.filter(
            pk=pk, subject__in=subjects(user=user, include_ended=True).values("pk")
        )
        .select_related("subject__person", "subject__home")
        .first()
    )


def away_get(*, user: Actor, pk: int) -> AwayPeriod | None:
    return (
        AwayPeriod.objects.filter(pk=pk, subject__in=subjects(user=user, include_ended=True).values("pk"))
        .select_related("subject__home")
        .first()
    )


def devices(*, subject: CareSubject) -> list[Device]:
    """The devices bound to the subject (withdrawal unbinds them all)."""
    return list(Device.objects.filter(subject=subject).order_by("kind", "serial"))


def device_for(*, subject: CareSubject, serial: str) -> Device | None:
    """The registered device with this serial at the subject's home (its household or building),
    None for a serial unknown or registered elsewhere alike: the answer says nothing of other
    homes' devices."""
    home = subject.home
    device = Device.objects.filter(serial=serial.strip()[:64]).select_related("household").first()
    if device is None:
        return None
    path = device.household.path
    return device if home.path.startswith(path) or path.startswith(home.path) else None


def consent_get(*, user: Actor, pk: int) -> Consent | None:
    """A consent (in force or withdrawn) of a subject the user sees (None otherwise: a 404)."""
    return (
        Consent.objects.filter(pk=pk, subject__in=subjects(user=user, include_ended=True).values("pk"))
        .select_related("subject__person", "subject__home")
        .first()
    )
