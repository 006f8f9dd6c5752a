"""Generate the demo street (枫林街道, calibrated on docs/domain.md §5) for a seed and a scale.

Everything is first built in memory (tree, households, residents, Party side, roster), the
personal data is sealed (in a process pool when large), and then the rows are written in
batches inside one transaction (demo.bulk.insert_objects: what bulk_create writes, without its
per-value machinery). This is the one sanctioned bypass of the
per-row services (docs/design.md §4): ~200k rows through node_create / person_upsert would take
many minutes. The rows are the services' rows all the same: paths from geo.services.path_for,
phone and ID numbers sealed by orgs.services.sealed_phone / sealed_id_number, a NodeChange
"create" row per node above the households, and the tests check the invariants the services
enforce. The generator is the system (actor None, as the services take it: no power check,
no person recorded); it writes no RosterChange rows — its roster was made by the demo, which
the units' and posts' own rows already say — so a roster's history starts with the first
change people make.

Then a year of history up to `now` (history, casebook, meetingbook): ~100k cases at scale 1
with their events, and the year's 居务会 with topics, minutes, task slips, countersignatures
and evaluations. The cases are planned per estate in a second process pool, forked once the
roster exists, while this process writes the street; all of it is written raw (demo.bulk),
the street's large tables too.

Same seed, same data: every random draw comes from random.Random seeded per phase, ages are
counted on a fixed day, and nothing reads the clock except the created-at timestamps and
the `now` the history runs up to (pass it to get the same history twice). What
differs between two runs with one seed is only what must: Fernet ciphertexts (fresh IV per
token), created-at times, and database ids when the tables were used before.
"""

import gc
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

from gongzhi.core import clock, stats
from gongzhi.demo import (
    bulk,
    care,
    carehistory,
    community,
    direct,
    disclosurebook,
    districtoffice,
    history,
    meetingbook,
    mobilisation,
    orders,
    sealing,
    streetrules,
    volunteers,
)
from gongzhi.demo.casebook import CasePlan, replay
from gongzhi.demo.communityworld import load_world
from gongzhi.demo.district import MAX_STREETS, STREETS, building, current, street_seed
from gongzhi.demo.logins import DISTRICT_LOGINS, create_demo_users, logins_of
from gongzhi.demo.numbers import NumberBook
from gongzhi.demo.party import Party, build_party
from gongzhi.demo.people import HouseholdPlan, plan_households
from gongzhi.demo.records import Street
from gongzhi.demo.reset import demo_exists, demo_streets
from gongzhi.demo.roster import Roster, RosterBuilder
from gongzhi.demo.rows import new
from gongzhi.demo.tree import build_tree
from gongzhi.demo.workclock import moment
from gongzhi.geo.levels import Level
from gongzhi.geo.models import PATH_SEP, Node, NodeChange
from gongzhi.notify import dispatch
from gongzhi.orgs.models import Category, DualRegistration, PartyMember, PartyOrg, Person, Post, Unit

BATCH = 5000  # rows per bulk_create call (Django splits further to the driver's limits)
M = TypeVar("M", bound=models.Model)


class Reporter(Protocol):
    def phase(self, label: str, total: int) -> None: ...
    def advance(self, n: int) -> None: ...


class Silent:
    def phase(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


class DemoExistsError(Exception):
    pass


@dataclass
class Summary:
    seed: int
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds: this process, the pools
    users: list[str] = field(default_factory=list)
    streets: int = 1
    street_seconds: dict[str, float] = field(default_factory=dict)  # per street code: its wall time


def deliver_history(now: datetime) -> int:
    """Send the notices the year of history wrote, as the beat's dispatcher would have sent them
    then (notify.dispatch, the one door). Left pending, they stood in front of the first live
    ones: the served demo's dispatcher worked through ~4,600 of them, 500 a minute, and a
    resident's new report reached its post holder's inbox ten minutes late."""
    sent = 0
    while True:
        done = dispatch.dispatch_pending(now, limit=2000)
        sent += done.sent
        if not (done.sent or done.failed or done.dead):
            return sent


def generate(
    *,
    seed: int,
    scale: float = 1.0,
    streets: int = 1,
    reporter: Reporter | None = None,
    workers: int | None = None,
    now: datetime | None = None,
) -> Summary:
    """Build and write the demo district with `streets` streets side by side (demo.district:
    street 1 is 枫林街道, as before), each with a year of its history up to `now` (the clock's
    now by default); raise DemoExistsError if the demo is already there. A district with fewer
    streets than asked (a run stopped part way: each street is its own transaction) grows by
    the streets it lacks, with numbers no one in the database has."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("演示数据含公开的演示密码，只能在 DEBUG=1 的开发或演示环境生成")
    if scale <= 0:
        raise ValueError("scale must be positive")
    if not 1 <= streets <= MAX_STREETS:
        raise ValueError(f"streets must be between 1 and {MAX_STREETS}")
    there = demo_streets()
    if demo_exists() and (not there or len(there) >= streets):
        raise DemoExistsError("演示街道已存在（用 --reset 重建）")
    out = reporter or Silent()
    now = now or clock.now()
    summary = Summary(seed=seed, scale=scale, streets=streets)
    usage, child_usage = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu_start = usage.ru_utime + usage.ru_stime
    child_start = child_usage.ru_utime + child_usage.ru_stime
    # One book for the district: no phone or ID number is handed out twice, across streets too.
    book = NumberBook(Street.phase_rng(seed, "numbers"))
    if there:  # growing the district (a run stopped, or more streets wanted): no number twice
        taken = Person.objects.exclude(phone_hash="").values_list("phone_hash", flat=True)
        book.avoid(set(taken) | set(Person.objects.exclude(id_hash="").values_list("id_hash", flat=True)))
    district = districtoffice.district_node(streets)
    for place in STREETS[:streets]:
        if place.code in there:
            continue
        with building(place):
            one = Summary(seed=street_seed(seed, place), scale=scale)
            start = time.perf_counter()
            _generate_street(one, book, district, out, workers, now)
            summary.street_seconds[place.code] = round(time.perf_counter() - start, 1)
        if place.number == 1:
            summary.seconds.update(one.seconds)  # street 1's phases, as the demo always reported
        for name, value in one.counts.items():
            summary.counts[name] = summary.counts.get(name, 0) + value
        summary.users += one.users
    # the district's staff after the streets': street 1's numbers stay those it always had
    summary.counts["posts"] += districtoffice.write_office(district, book, Street.phase_rng(seed, "district"))
    summary.users += create_demo_users(Street.phase_rng(seed, "logins"), DISTRICT_LOGINS)
    with _timed(summary, "deliver"):
        summary.counts["messages_delivered"] = deliver_history(now)
    with _timed(summary, "analyze"):
        stats.analyze()  # the whole database is new: statistics for the planner (core.stats)
    summary.seconds["total"] = round(sum(summary.street_seconds.values()) + summary.seconds["analyze"], 2)
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    summary.cpu = {
        "main": round(mine.ru_utime + mine.ru_stime - cpu_start, 1),
        "workers": round(children.ru_utime + children.ru_stime - child_start, 1),
    }
    return summary


def _generate_street(
    summary: Summary, book: NumberBook, district: Node, out: Reporter, workers: int | None, now: datetime
) -> None:
    """One street of the district (demo.district.current()), in its own transaction."""
    seed, scale, here = summary.seed, summary.scale, current()
    out.phase(f"规划住户（{here.name}）", 1)
    with _timed(summary, "plan_households"):
        households = plan_households(Street.phase_rng(seed, "people"), book, scale)
    out.advance(1)
    pairs = [(p.phone, p.id_number) for h in households for p in h.members]
    mix = history.case_mix(seed, scale)
    own = streetrules.plan(here, Street.phase_rng(seed, "street_rules"), now)
    streetrules.write_days(here, own)  # before the history is planned on the street's calendar
    # The pool forks before the transaction opens and seals the residents' numbers while the
    # rest of the street is planned and the tree is written.
    with (
        sealing.sealing(pairs, workers=workers) as collect,
        _without_query_log(),
        _large_cache(),
        _gc_paused(),
    ):
        with _timed(summary, "plan"):
            street, party, roster = _plan(seed, scale, book, households, district, out)
            staff_sealed = [sealing.seal_one((p.phone, p.id_number)) for p in street.staff_plans]
        with _timed(summary, "prepare_cases"):
            year, jobs = history.prepare_cases(street, roster, mix, now, own.limits)
        nodes = street.tree.levels()
        orgs = [o for level in party.levels for o in level]
        registrations = party.registrations + roster.registrations
        with (
            # planned in a second pool (forked now that the roster exists) while the street is written
            sealing.background(history.plan_chunk, jobs, workers=workers) as planned,
            _timed(summary, "write"),
            transaction.atomic(),
        ):
            out.phase(f"写入辖区树（{here.name}）", sum(map(len, nodes)) * 2 - len(nodes[-1]))
            for level in nodes:
                if level and level[0].level == Level.HOUSEHOLD:
                    for home, building_node in zip(level, street.tree.household_building, strict=True):
                        home.parent_id = building_node.pk
                _insert(Node, level, out, summary)
            _insert(NodeChange, _creation_history(nodes[:-1]), out, summary)
            streetrules.write_limits(street.tree.street, own)
            _write_rest(street, party, roster, collect, staff_sealed, out, summary)
            history_counts = _write_history(street, roster, year, planned, out, summary)
    summary.counts = {
        "streets": 1,
        "nodes": sum(map(len, nodes)),
        "households": len(street.tree.households),
        "residents": len(street.residents.persons),
        "staff": len(street.staff),
        "party_orgs": len(orgs),
        "party_members": len(party.members),
        "units": len(roster.units),
        "posts": len(roster.posts),
        "dual_registrations": len(registrations),
        **history_counts,
    }


def _plan(
    seed: int, scale: float, book: NumberBook, households: list[HouseholdPlan], district: Node, out: Reporter
) -> tuple[Street, Party, Roster]:
    out.phase(f"规划街道（{current().name}）", len(households))
    tree = build_tree(Street.phase_rng(seed, "tree"), len(households), district)
    tree.street.jurisdiction_id = current().jurisdiction_id
    street = Street(seed=seed, scale=scale, book=book, tree=tree)
    residents = street.residents
    for home, (household, area) in enumerate(zip(households, tree.household_area, strict=True)):
        for plan in household.members:
            residents.persons.append(  # home_id is set once the household has its id
                new(
                    Person,
                    code=current().code_of(f"P{len(residents.persons) + 1:07d}"),
                    name=plan.name,
                    gender=plan.gender,
                    birth_date=plan.birth_date,
                    lives_alone=plan.lives_alone,
                )
            )
            residents.plans.append(plan)
            residents.home.append(home)
            residents.area.append(area)
        out.advance(1)
    party = build_party(street)
    street.members, street.member_area = party.members, party.member_area
    roster = RosterBuilder(street).build()
    return street, party, roster


def _write_rest(
    street: Street,
    party: Party,
    roster: Roster,
    collect: sealing.Collect,
    staff_sealed: list[sealing.Sealed],
    out: Reporter,
    summary: Summary,
) -> None:
    persons = street.residents.persons + street.staff
    orgs = [o for level in party.levels for o in level]
    registrations = party.registrations + roster.registrations
    out.phase("加密个人信息", len(street.residents.persons))
    with _timed(summary, "seal_wait"):
        sealed = collect(out.advance) + staff_sealed
    for person, fields in zip(persons, sealed, strict=True):
        for name, value in fields.items():
            setattr(person, name, value)
    for person, home_index in zip(street.residents.persons, street.residents.home, strict=True):
        person.home_id = street.tree.households[home_index].pk
    rest = len(orgs) + len(party.members) + len(roster.units) + len(roster.posts) + len(registrations)
    out.phase("写入人员名册", len(persons) + rest)
    _insert(Person, persons, out, summary)
    for org_level in party.levels:
        _insert(PartyOrg, org_level, out, summary)
    _insert(PartyMember, party.members, out, summary)
    _insert(Unit, roster.units, out, summary)
    _insert(Post, roster.posts, out, summary)
    _insert_post_categories(roster.post_categories)
    _insert(DualRegistration, registrations, out, summary)
    summary.users = create_demo_users(street.rng("logins"), logins_of(current()))


def _write_history(
    street: Street,
    roster: Roster,
    book: history.History,
    planned: Callable[[], list[CasePlan]],
    out: Reporter,
    summary: Summary,
) -> dict[str, int]:
    bulk.prepare()
    bulk.timings.clear()
    out.phase("规划工单", 1)
    with _timed(summary, "plan_cases_wait"):
        history.collect(book, planned())
    out.advance(1)
    out.phase("规划会议", 1)
    with _timed(summary, "plan_meetings"):
        users = meetingbook.ensure_users(street, roster)
        meetings = meetingbook.plan_meetings(street, roster, book, users)
        for case in book.cases:  # the meetings' recorded attempts are events of their cases
            if case.version != len(case.events):
                replay(case)
    out.advance(1)
    events = sum(len(c.events) for c in book.cases)
    out.phase("写入工单", len(book.cases) + events)
    with _timed(summary, "write_cases"):
        counts = history.write_cases(book, street, roster, out.advance)
    out.phase("写入会议", 1)
    with _timed(summary, "write_meetings"):
        counts |= meetingbook.write_meetings(meetings)
        counts |= disclosurebook.write_disclosures(meetings)  # 双公示 of the repairs they decided
    out.advance(1)
    if current().number > 1:
        # The showcase flows (care, community, orders, volunteers, mobilisation, 直报) are
        # street 1's: the walks and the logins that show them are there (docs/tenancy.md).
        summary.seconds.update(bulk.timings)
        return counts
    out.phase("写入关爱", 1)
    with _timed(summary, "write_care"):
        counts |= _write_care(street, roster, book)
    out.advance(1)
    out.phase("写入共建", 1)
    with _timed(summary, "write_community"):
        counts |= community.write_community(street, moment(book.now))
    out.advance(1)
    out.phase("写入订单、志愿者、应急动员与直报", 1)
    world = load_world(street.tree.street, moment(book.now), street.rng("services"))
    with _timed(summary, "write_orders"):
        counts |= orders.write_orders(street, world)
    with _timed(summary, "write_volunteers"):
        counts |= volunteers.write_volunteers(street, world, street.rng("volunteers"))
    with _timed(summary, "bank_order_hours"):
        counts |= orders.bank_order_hours(world)
    with _timed(summary, "write_mobilisation"):
        counts |= mobilisation.write_mobilisation(world, street.rng("mobilisation"))
    with _timed(summary, "write_direct"):
        counts |= direct.write_direct(world, street.rng("direct"))
    out.advance(1)
    summary.seconds.update(bulk.timings)
    return counts


def _write_care(street: Street, roster: Roster, book: history.History) -> dict[str, int]:
    """Care subjects with consent and devices, then their year (demo.care, demo.carehistory)."""
    now = moment(book.now)
    enrolled, street_node = care.write_care(street, roster, now)
    counts = carehistory.write_history(enrolled, street_node, book.cases, now, street.rng("care_history"))
    return {
        "care_subjects": len(enrolled),
        "care_devices": sum(len(e.devices) for e in enrolled),
        **counts,
    }


def _insert(model: type[M], objs: Sequence[M], out: Reporter, summary: Summary) -> None:
    start_time = time.perf_counter()
    for start in range(0, len(objs), BATCH):
        chunk = objs[start : start + BATCH]
        bulk.insert_objects(model, chunk)
        out.advance(len(chunk))
    name = f"insert_{model._meta.model_name}"
    summary.seconds[name] = round(summary.seconds.get(name, 0.0) + time.perf_counter() - start_time, 2)


def _creation_history(levels: list[list[Node]]) -> list[NodeChange]:
    """The "create" history row node_create writes, with the same snapshot, for the nodes
    people rename and move (street to building). Households get none: 50k rows saying "made
    by the demo" would tell nothing that created_at does not, at ~10% of the run."""
    at = clock.now()
    return [
        new(
            NodeChange,
            node_id=node.pk,
            kind=NodeChange.Kind.CREATE,
            after={
                "name": node.name,
                "parent": _parent_code(node),
                "path": node.path,
                "address": node.address,
            },
            at=at,
            note="演示数据",
        )
        for level in levels
        for node in level
    ]


def _parent_code(node: Node) -> str | None:
    parts = node.path.strip(PATH_SEP).split(PATH_SEP)
    return parts[-2] if len(parts) > 1 else None


def _insert_post_categories(links: list[tuple[Post, tuple[str, ...]]]) -> None:
    ids = dict(Category.objects.values_list("code", "pk"))
    through = Post.categories.through
    rows = [through(post_id=post.pk, category_id=ids[code]) for post, codes in links for code in codes]
    through.objects.bulk_create(rows, batch_size=BATCH)


@contextmanager
def _without_query_log() -> Iterator[None]:
    """Under DEBUG, Django keeps the SQL of every query, and on SQLite it formats each bulk
    insert's parameters through an extra query; the generator's inserts need neither."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the street is built: the generator makes millions of
    objects and frees almost none, and each full collection would walk all of them again
    (collections were a fifth of the run). Collected once at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the whole transaction: with the default 2 MB
    the index pages of ~200k new rows spill to the WAL and are read back again and again."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB at most, freed after
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def _timed(summary: Summary, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    summary.seconds[name] = round(time.perf_counter() - start, 2)
