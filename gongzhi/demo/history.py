"""A year of the street's history: cases and their events (casebook), meetings, topics, slips
and their signatures (meetingbook), planned in memory from the street and roster just
written, then inserted raw (demo.bulk). This bypasses case_create and case_act as the rest of
the generator bypasses the per-row services; the rows are what those services would have
written, and the tests replay and check them.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from gongzhi.cases import routing, sla
from gongzhi.cases.models import Case, CaseEvent, CategoryPolicy
from gongzhi.cases.states import Rung, Source
from gongzhi.core import pii, workcal_db
from gongzhi.demo import bulk
from gongzhi.demo.case_texts import SHARED, UNITS, case_text_in
from gongzhi.demo.casebook import (
    AT_BUILDING,
    CALL_HEAVY,
    CALLERS,
    CASES_PER_YEAR,
    CATEGORY_WEIGHTS,
    HOURS,
    PATROL_HEAVY,
    REGISTERS,
    SENSED,
    SENSOR_TEXTS,
    SOURCE_WEIGHTS,
    SOURCES,
    CasePlan,
    Lifecycle,
    Policy,
    Routes,
)
from gongzhi.demo.district import current
from gongzhi.demo.records import Street
from gongzhi.demo.roster import Roster
from gongzhi.demo.workclock import WorkClock, epoch, moment
from gongzhi.geo.models import PATH_SEP, Node
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import UnitKind

YEAR_DAYS = 365
DEPARTMENT_POSTS: dict[
    str, str
] = {  # lead unit kind → the department's post at the street (roster.DEPARTMENTS), after "FL-"
    UnitKind.POLICE: "POST-PCS",
    UnitKind.URBAN_MANAGEMENT: "POST-CG",
    UnitKind.MARKET_SUPERVISION: "POST-SJ",
    UnitKind.HOUSING: "POST-FG",
    UnitKind.DEPARTMENT: "POST-SZ",
    UnitKind.HEALTH: "POST-WS",
    UnitKind.LEGAL: "POST-SF",
}
AREA_SEAT_BY_KIND: dict[str, str] = {  # lead unit kind → the area's seat that answers for it
    UnitKind.POLICE: "MJ",
    UnitKind.URBAN_MANAGEMENT: "CG",
    UnitKind.MARKET_SUPERVISION: "SC",
    UnitKind.HOUSING: "FG",
    "department": "LL",  # municipal facilities go to the street through its liaison
}


@dataclass
class Place:
    node: Node
    area: int
    estate: int
    lat: float
    lon: float
    address: str
    residents: list[int] = field(default_factory=list)  # indices into street.residents


@dataclass
class History:
    now: int
    tz: ZoneInfo
    clock: WorkClock
    cases: list[CasePlan]
    places: dict[str, Place]
    counts: dict[str, int] = field(default_factory=dict)


def case_mix(seed: int, scale: float) -> list[tuple[str, str]]:
    """(小类, source) of each case of the year, in drawing order."""
    rng = Street.phase_rng(seed, "case_mix")
    n = max(1, round(CASES_PER_YEAR * scale))
    codes = list(CATEGORY_WEIGHTS)
    cats = rng.choices(codes, weights=[CATEGORY_WEIGHTS[c] for c in codes], k=n)
    weights = {code: _source_weights(code) for code in codes}
    return [(code, rng.choices(SOURCES, weights=weights[code])[0]) for code in cats]


@dataclass
class Context:
    """What planning a chunk of cases needs; set in this process before a pool forks, so the
    workers inherit it instead of receiving it."""

    seed: int
    now: int
    tz: ZoneInfo
    clock: WorkClock
    policies: dict[str, Policy]
    routes: Routes
    places: dict[str, Place]


_context: Context | None = None
Job = tuple[int, list[tuple[int, int, str, str, str]]]  # estate, [(pk, created, 小类, source, place)]


def prepare_cases(
    street: Street,
    roster: Roster,
    mix: list[tuple[str, str]],
    now: datetime,
    own_limits: dict[str, tuple[int, str]] | None = None,
) -> tuple[History, list[Job]]:
    """When and where each case of the year was reported, and their ids; the planning itself
    is done per estate (merges stay within an estate) by `plan_chunk`, in a pool if large.
    Deadlines count on the street's calendar with its own limits (demo.streetrules)."""
    global _context
    bulk.prepare()  # before the pool forks: the workers write timestamps as this database keeps them
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    clock = WorkClock(
        workcal_db.current_calendar(current().code),
        today - timedelta(days=YEAR_DAYS + 7),
        today + timedelta(days=400),
    )
    policies = _policies(clock, own_limits or {})
    places, estates = _places(street)
    rng = street.rng("cases")
    n = len(mix)
    picks = rng.choices(range(len(estates)), weights=[w for _e, w in estates], k=n)
    day_weights = [_day_weight(today - timedelta(days=YEAR_DAYS - 1 - i)) for i in range(YEAR_DAYS)]
    days = rng.choices(range(YEAR_DAYS), weights=day_weights, k=n)
    now_s = epoch(now)
    first_day = today - timedelta(days=YEAR_DAYS - 1)
    midnight0 = int(datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz).timestamp())
    hours: dict[str, list[int]] = {
        source: rng.choices(range(24), weights=HOURS[source], k=n) for source in SOURCES
    }
    raw: list[tuple[int, int, int, str]] = []  # created, index into mix, estate, place code
    for i, ((code, source), e, d) in enumerate(zip(mix, picks, days, strict=True)):
        created = midnight0 + d * 86400 + hours[source][i] * 3600 + rng.randrange(3600)
        while created >= now_s:
            created -= 86400
        estate_code, buildings = estates[e][0]
        place = rng.choice(buildings) if code in AT_BUILDING and buildings else estate_code
        raw.append((created, i, e, place))
    raw.sort()
    base = bulk.reserve_ids(Case, len(raw))
    jobs: dict[int, list[tuple[int, int, str, str, str]]] = {}
    for k, (created, i, e, place) in enumerate(raw):
        code, source = mix[i]
        jobs.setdefault(e, []).append((base + k, created, code, source, place))
    _context = Context(street.seed, now_s, tz, clock, policies, _routes(roster, policies), places)
    return History(now=now_s, tz=tz, clock=clock, cases=[], places=places), sorted(jobs.items())


def plan_chunk(job: Job) -> list[CasePlan]:
    """The cases of one estate, planned, swept and cut at now (a pool's job: its own random
    streams per estate, so the result does not depend on the number of workers). Nodes are
    left out of the result (model instances are slow to pickle) and put back by `collect`."""
    ctx = _context
    assert ctx is not None, "prepare_cases first"
    estate, items = job
    rng = Street.phase_rng(ctx.seed, f"cases:{estate}")
    text_rng = Street.phase_rng(ctx.seed, f"case_texts:{estate}")
    life = Lifecycle(rng, ctx.clock, ctx.policies, ctx.routes, ctx.now, ctx.tz)
    tz = ctx.tz

    def due_text(t: int) -> str:
        return moment(t).astimezone(tz).strftime("%m月%d日 %H:%M")

    plans: list[CasePlan] = []
    for pk, created, code, source, place_code in items:
        place = ctx.places[place_code]
        case = CasePlan(
            pk=pk,
            code=code,
            node=place.node,
            estate=place.estate,
            area=place.area,
            source=source,
            created=created,
            text=_text(text_rng, code, source),
        )
        life.plan(case)
        plans.append(case)
    for case in plans:
        life.sweep(case, due_text)
        life.cut_and_replay(case)
        case.node = case.node.code
        case.rows = event_rows(case)
    return plans


def event_rows(case: CasePlan) -> list[tuple[Any, ...]]:
    """The CaseEvent rows of a case, as bulk.insert takes them (see write_cases)."""
    ts, js = bulk.ts, bulk.js
    rows = []
    state = ""
    pk = case.pk
    for seq, e in enumerate(case.events, 1):
        rows.append((pk, seq, e.action, state, e.to, ts(e.at), e.note, js(e.data) if e.data else "{}"))
        state = e.to
    return rows


def collect(history: History, planned: list[CasePlan]) -> History:
    """The planned cases in id order, their nodes put back."""
    places = history.places
    for case in planned:
        case.node = places[case.node].node
    history.cases = sorted(planned, key=lambda c: c.pk)
    return history


def _day_weight(day: date) -> float:
    weekday = 1.1 if day.weekday() < 5 else 0.8
    summer = 1.2 if day.month in (6, 7, 8) else 1.0
    return weekday * summer


def _source_weights(code: str) -> tuple[int, ...]:
    if code in SOURCE_WEIGHTS:
        weights = SOURCE_WEIGHTS[code]
    elif code in PATROL_HEAVY:
        weights = SOURCE_WEIGHTS["patrol"]
    elif code in CALL_HEAVY:
        weights = SOURCE_WEIGHTS["call"]
    else:
        weights = SOURCE_WEIGHTS["default"]
    if code in SENSED:
        weights = (*weights[:5], 8)
    return weights


def _text(rng: random.Random, code: str, source: str) -> str:
    if source == Source.SENSOR and code in SENSOR_TEXTS:
        return SENSOR_TEXTS[code].format(
            b=rng.choice(SHARED["b"]), u=rng.choice(UNITS), est=rng.choice(("", "小区")), n=rng.randint(5, 40)
        )
    return case_text_in(rng, code, rng.choice(REGISTERS[source]))


def _policies(clock: WorkClock, own: dict[str, tuple[int, str]]) -> dict[str, Policy]:
    """The handling rules per 小类 as the database holds them (sla.DEFAULT_LIMIT without one),
    with the street's own limits (`own`) over the policy's."""
    found = {p.category.code: p for p in CategoryPolicy.objects.select_related("category")}
    out: dict[str, Policy] = {}
    for code in CATEGORY_WEIGHTS:
        p = found.get(code)
        amount, unit = own.get(code) or ((p.limit_amount, p.limit_unit) if p else sla.DEFAULT_LIMIT)
        out[code] = Policy(
            code=code,
            limit=clock.limit(amount, unit),
            lead_kind=p.lead_unit_kind if p else "",
            must_try_locally=p.must_try_locally if p else True,
            local_only=p.local_only if p else False,
            wall_limit=(amount * (86400 if unit == "days" else 3600)) if p and p.wall_clock else None,
        )
    return out


def _places(street: Street) -> tuple[dict[str, Place], list[tuple[tuple[str, list[str]], float]]]:
    """Every estate and building a case can be reported at, and the estates with their weight
    (households, more where there is no property company)."""
    tree = street.tree
    homes = Counter(b.code for b in tree.household_building)
    people: dict[str, list[int]] = {}
    for i, home in enumerate(street.residents.home):
        people.setdefault(tree.household_building[home].code, []).append(i)
    rng = street.rng("case_places")
    places: dict[str, Place] = {}
    estates: list[tuple[tuple[str, list[str]], float]] = []
    index = 0
    for a, area in enumerate(tree.areas):
        for estate in area.estates:
            ring = estate.node.geometry["coordinates"][0]  # type: ignore[index]
            lon = (ring[0][0] + ring[2][0]) / 2
            lat = (ring[0][1] + ring[2][1]) / 2
            places[estate.node.code] = Place(
                estate.node, a, index, round(lat, 6), round(lon, 6), estate.node.address
            )
            buildings = []
            for b in estate.buildings:
                blon, blat = b.geometry["coordinates"]  # type: ignore[index]
                places[b.code] = Place(b, a, index, blat, blon, b.address, people.get(b.code, []))
                places[estate.node.code].residents.extend(people.get(b.code, []))
                buildings.append(b.code)
            households = sum(homes[b] for b in buildings) or 1
            factor = rng.lognormvariate(0, 0.35) * (1.0 if estate.has_property else 1.5)
            estates.append(((estate.node.code, buildings), households * factor))
            index += 1
    return places, estates


def _routes(roster: Roster, policies: dict[str, Policy]) -> Routes:
    """cases.routing's rule (`routing.choose`) applied to the roster in memory, and the posts
    dispatchers pick when a case comes back or goes up a rung."""
    duties = {(post.code, code) for post, codes in roster.post_categories for code in codes}
    by_node: dict[str, list[Post]] = {}
    for post in roster.posts:
        by_node.setdefault(post.node.code, []).append(post)
    codes_present = {p.code for p in roster.posts}
    cache: dict[tuple[str, str], tuple[str | None, list[str]]] = {}

    def routed(code: str, node: Node) -> tuple[str | None, list[str]]:
        key = (code, node.code)
        if key not in cache:
            posts = [p for ancestor in node.ancestor_codes() for p in by_node.get(ancestor, ())]
            found = routing.choose(
                node=node,
                lead_kind=policies[code].lead_kind,
                posts=posts,
                answers=lambda p: (p.code, code) in duties,
            )
            lead = found.post.code if found.post is not None else None
            cache[key] = (lead, [p.code for p in found.assisting])
        return cache[key]

    here = current()
    departments = {kind: here.code_of(rest) for kind, rest in DEPARTMENT_POSTS.items()}

    def dispatch(code: str, node: Node, rung: int, rng: random.Random) -> str:
        parts = node.path.strip(PATH_SEP).split(PATH_SEP)
        at = parts.index(here.code)  # the street's segment: a district may stand above it
        block, area, estate = parts[at + 1], parts[at + 2], parts[at + 3]
        kind = policies[code].lead_kind
        if rung == Rung.BLOCK:
            return departments.get(kind, here.code_of(f"POST-K{block.removeprefix(here.code_of('K'))}-2"))
        if rung == Rung.STREET:
            return departments.get(kind, here.code_of("POST-JD04"))
        if rung == Rung.AREA:
            lead, _assisting = routed(code, node)
            if lead is not None:
                return lead
            if kind == "property" and f"{estate}-WY" in codes_present:
                return f"{estate}-WY"
            if kind in AREA_SEAT_BY_KIND:
                return f"{area}-{AREA_SEAT_BY_KIND[kind]}"
            if kind == "residents_committee":
                return rng.choice(
                    [c for c in (f"{area}-ZR", f"{area}-SG1", f"{area}-SG2") if c in codes_present]
                )
        return f"{area}-ZR"

    return Routes(routed=routed, dispatch=dispatch)


# --- writing ------------------------------------------------------------------------------------


def write_cases(history: History, street: Street, roster: Roster, advance: Any) -> dict[str, int]:
    rng = street.rng("case_contacts")
    callers = []
    for _ in range(300):
        phone = street.book.phone()
        callers.append((rng.choice(CALLERS), pii.encrypt(phone), pii.mask_phone(phone)))
    categories = dict(Category.objects.values_list("code", "pk"))
    posts = {p.code: p.pk for p in roster.posts}
    persons = street.residents.persons
    rows = []
    assisting: list[tuple[int, int]] = []
    for case in history.cases:
        place = history.places[case.node.code]
        reporter = None
        contact = ("", "", "")
        external = ""
        if case.source in (Source.RESIDENT, Source.API, Source.OPEN311) and place.residents:
            reporter = persons[rng.choice(place.residents)].pk
        if case.source == Source.HOTLINE:
            contact = rng.choice(callers)
            external = f"GD{moment(case.created).astimezone(history.tz):%Y%m%d}{case.pk:08d}"
        elif case.source == Source.API:
            external = f"YWTG-{case.pk:08d}"
        rows.append(
            (
                case.pk,
                case.node.pk,
                case.node.path,
                categories[case.code],
                case.text,
                case.source,
                external,
                case.state,
                case.version,
                case.rung,
                place.lat,
                place.lon,
                place.address,
                reporter,
                contact[0],
                contact[1],
                contact[2],
                posts[case.post_now] if case.post_now else None,
                case.master,
                bulk.ts(case.dispatch_due),
                bulk.ts(case.handle_due),
                bulk.ts(case.verify_due),
                bulk.day(case.park_review_on),
                case.satisfaction,
                case.rework,
                bulk.ts(case.created),
                bulk.ts(case.updated),
                bulk.ts(case.closed_at),
            )
        )
        assisting.extend((case.pk, posts[code]) for code in case.assisting)
    columns = [
        "id",
        "node_id",
        "node_path",
        "category_id",
        "text",
        "source",
        "external_id",
        "state",
        "version",
        "rung",
        "lat",
        "lon",
        "address",
        "reporter_id",
        "contact_name",
        "contact_phone_enc",
        "contact_phone_masked",
        "post_id",
        "master_id",
        "dispatch_due",
        "handle_due",
        "verify_due",
        "park_review_on",
        "satisfaction",
        "rework_count",
        "created_at",
        "updated_at",
        "closed_at",
    ]
    bulk.insert(Case, columns, rows)
    advance(len(rows))
    through = Case.assisting_posts.through
    bulk.insert(through, ["case_id", "post_id"], assisting)

    def all_rows() -> Any:
        for case in history.cases:
            yield from case.rows if case.rows is not None else event_rows(case)

    events = bulk.insert(
        CaseEvent, ["case_id", "seq", "action", "from_state", "to_state", "at", "note", "data"], all_rows()
    )
    advance(events)
    return {"cases": len(rows), "case_events": events, "case_assisting": len(assisting)}
