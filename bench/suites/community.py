"""Community (issue 15): the yearly assessment over a street's points ledger, and the branch
statement page.

The world (bulk inserts, consistent rows): a street of 5 blocks and 31 residential areas; per
area a 党总支 at the area and 2 支部 at its estates, 62 branches in all; 10,000 Party members
spread over the branches, typed as docs/domain.md §4's mix (in service 40 %, retired 35 %, mobile
10 %, new economic organisations 10 %, in difficulty 5 %); the street's 12 points rules (8
awards, 4 deductions) and 4 grade bands; 500,000 ledger entries this year, dated 1 January to
today, each kept by the member's branch with its node's path and the member's type (automatic
and hand-approved awards, deductions never for a member in difficulty, and 1 % reversing
entries of earlier ones, as corrections are). The append-only trigger allows inserts.

1. `community.assessment`: `statements.assessment(street)` — every member kept under the street
   with their total and, for graded types, the grade — p50/p95 over the rounds, beside one raw
   SQL sum of the same entries grouped by member (its answer must equal the assessment's
   totals). Target < 2 s.
2. `community.branch_page`: GET /community/branch/?node=<area> (the branch statement: the
   half-year 晾晒 of every ranked member, the branch rankings, 点赞 and 亮丑), logged in
   (force_login, Django's test client) as the area's Party secretary, p50/p95, beside a trivial
   page for the same user (the 双报到 apply form) and with the raw SQL of the half-year sums in
   the details. Target p95 < 100 ms.
3. `community.member_statement`: GET /community/members/<id>/ (one member's monthly statement)
   for the same secretary, beside the same trivial page.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.db import connection, transaction

from bench.measure import Results, load_average, no_query_log, percentile
from bench.pages import client_for, explain, longest_on, ms, page_queries, timed_beside, tree_level

NAME = "community"
SEED = 2028
STREET = "BC"
AREAS_PER_BLOCK = (6, 6, 6, 6, 7)  # 31 residential areas, as the demo street
BRANCHES_PER_AREA = 2
MEMBERS = 10_000
ENTRIES = 500_000
REVERSAL_SHARE = 0.01
CHUNK = 50_000
TYPE_MIX = {"in_service": 0.40, "retired": 0.35, "mobile": 0.10, "new_org": 0.10, "in_difficulty": 0.05}
AWARDS = (
    ("A01", "参加居务会", 2, 24),
    ("A02", "完成任务流转单", 5, None),
    ("A03", "志愿服务", 3, 60),
    ("A04", "结对帮扶", 5, 40),
    ("A05", "楼组长履职", 2, 24),
    ("A06", "参加三会一课", 1, 12),
    ("A07", "在职党员进社区", 4, 48),
    ("A08", "共建项目任务", 5, None),
)
DEDUCTIONS = (
    ("D01", "垃圾分类不到位", 2, "waste_sorting"),
    ("D02", "违规饲养宠物", 3, "pets"),
    ("D03", "违反居民公约", 3, "convention"),
    ("D04", "环境卫生", 2, "environment"),
)
GRADES = (("优秀", 60), ("良好", 40), ("合格", 15), ("基本合格", -1000))
DEDUCTION_SHARE = 0.04


@dataclass
class World:
    street: Any
    areas: list[Any]
    secretary: Any  # the first area's Party secretary
    member_id: int  # a member of that area with entries this month
    year: int
    counts: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0


def run(results: Results, options: dict[str, Any]) -> None:
    rounds = max(5, int(options.get("list_rounds", 30)))
    assessment_rounds = min(10, max(3, int(options.get("rounds", 10))))
    with no_query_log():
        start = time.perf_counter()
        world = _build()
        world.load_seconds = time.perf_counter() - start
        print(f"  world: {world.counts} in {world.load_seconds:.1f} s", flush=True)
        _analyze()
        _assessment(results, world, assessment_rounds)
        _pages(results, world, rounds)


# --- the world ------------------------------------------------------------------------------------


def _build() -> World:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.community.models import GradeBand, PointEntry, PointRule
    from gongzhi.geo.levels import Level
    from gongzhi.orgs import services as org_services
    from gongzhi.orgs.models import PartyMember, PartyOrg, Person
    from gongzhi.orgs.roles import MemberType, PartyOrgKind, PostRole, UnitKind

    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    today = timezone.localdate(now)
    year = today.year
    first = date(year, 1, 1)
    days = (today - first).days + 1

    with transaction.atomic():
        (street,) = tree_level(Level.STREET, [(STREET, "共建基准街道", None)])
        blocks = tree_level(Level.BLOCK, [(f"{STREET}-K{k + 1}", f"第{k + 1}块区", street) for k in range(5)])
        area_items = []
        for k, n in enumerate(AREAS_PER_BLOCK):
            for _ in range(n):
                a = len(area_items) + 1
                area_items.append((f"{STREET}-R{a:02d}", f"第{a}居民区", blocks[k]))
        areas = tree_level(Level.AREA, area_items)
        estates = tree_level(
            Level.ESTATE,
            [
                (f"{area.code}-E{e + 1}", f"{area.name}{e + 1}村", area)
                for area in areas
                for e in range(BRANCHES_PER_AREA)
            ],
        )
        top = PartyOrg.objects.create(
            code=f"{STREET}-DGW", name="共建基准街道党工委", kind=PartyOrgKind.WORKING_COMMITTEE, node=street
        )
        area_orgs = PartyOrg.objects.bulk_create(
            [
                PartyOrg(
                    code=f"{a.code}-DZZ",
                    name=f"{a.name}党总支",
                    kind=PartyOrgKind.GENERAL_BRANCH,
                    node=a,
                    parent=top,
                )
                for a in areas
            ]
        )
        by_area = {o.node_id: o for o in area_orgs}
        branches = PartyOrg.objects.bulk_create(
            [
                PartyOrg(
                    code=f"{e.code}-DZB",
                    name=f"{e.name}党支部",
                    kind=PartyOrgKind.BRANCH,
                    node=e,
                    parent=by_area[e.parent_id],
                )
                for e in estates
            ]
        )
        branch_path = {b.pk: e.path for b, e in zip(branches, estates, strict=True)}
        persons = Person.objects.bulk_create(
            [Person(code=f"{STREET}-P{i:05d}", name=f"党员{i:05d}") for i in range(MEMBERS)], batch_size=5000
        )
        types = rng.choices(list(TYPE_MIX), weights=list(TYPE_MIX.values()), k=MEMBERS)
        members = PartyMember.objects.bulk_create(
            [
                PartyMember(person=p, org=branches[i % len(branches)], member_type=types[i])
                for i, p in enumerate(persons)
            ],
            batch_size=5000,
        )
        rules = [
            PointRule(
                street=street,
                code=code,
                item=item,
                direction="award",
                points=points,
                yearly_cap=cap,
                evidence_required=False,
                awarders=[PostRole.COMMITTEE_STAFF, PostRole.PARTY_SECRETARY],
                member_types=list(MemberType.values),
            )
            for code, item, points, cap in AWARDS
        ] + [
            PointRule(
                street=street,
                code=code,
                item=item,
                direction="deduct",
                points=points,
                evidence_required=True,
                broken_rule=broken,
                awarders=[PostRole.PARTY_SECRETARY],
                member_types=[t for t in MemberType.values if t != MemberType.IN_DIFFICULTY],
            )
            for code, item, points, broken in DEDUCTIONS
        ]
        rules = PointRule.objects.bulk_create(rules)
        GradeBand.objects.bulk_create([GradeBand(street=street, grade=g, min_points=m) for g, m in GRADES])

    awards = [r for r in rules if r.direction == "award"]
    deductions = [r for r in rules if r.direction == "deduct"]
    # Busier and quieter members: a member's share of the entries varies fivefold.
    weights = [rng.uniform(0.4, 2.0) for _ in members]
    recorded_at = now
    written = 0
    reversible: list[tuple[int, Any, int, date, int]] = []  # (entry id, member, branch id, day, points)
    originals = round(ENTRIES * (1 - REVERSAL_SHARE))
    while written < originals:
        n = min(CHUNK, originals - written)
        chosen = rng.choices(range(MEMBERS), weights=weights, k=n)
        rows = []
        for m in chosen:
            member = members[m]
            deduct = member.member_type != MemberType.IN_DIFFICULTY and rng.random() < DEDUCTION_SHARE
            rule = rng.choice(deductions if deduct else awards)
            day = first + timedelta(days=rng.randrange(days))
            rows.append(
                PointEntry(
                    member_id=member.pk,
                    branch_id=member.org_id,
                    node_path=branch_path[member.org_id],
                    member_type=member.member_type,
                    rule_id=rule.pk,
                    kind="manual" if deduct or rng.random() < 0.3 else "auto",
                    year=year,
                    occurred_on=day,
                    points=rule.signed_points,
                    label=rule.item,
                    recorded_at=datetime.combine(day, dtime(10), tzinfo=UTC),
                )
            )
        with transaction.atomic():
            created = PointEntry.objects.bulk_create(rows, batch_size=5000)
        if not reversible:
            reversible = [(e.pk, e, e.branch_id, e.occurred_on, e.points) for e in created]
        written += n
    # Corrections: reversing entries of earlier ones (one each, opposite points, a reason).
    wanted = ENTRIES - originals
    picked = rng.sample(reversible, wanted)
    with transaction.atomic():
        PointEntry.objects.bulk_create(
            [
                PointEntry(
                    member_id=e.member_id,
                    branch_id=branch,
                    node_path=e.node_path,
                    member_type=e.member_type,
                    rule_id=e.rule_id,
                    kind="reversal",
                    year=year,
                    occurred_on=max(day, min(today, day + timedelta(days=7))),
                    points=-points,
                    label=f"冲正：{e.label}",
                    reverses_id=pk,
                    reason="记录有误",
                    recorded_at=recorded_at,
                )
                for pk, e, branch, day, points in picked
            ],
            batch_size=5000,
        )

    user_model = get_user_model()
    secretary = user_model.objects.create_user(username="bc-secretary")
    person = org_services.person_upsert(actor=None, code=f"{STREET}-secretary", name="基准书记")
    Person.objects.filter(pk=person.pk).update(user=secretary)
    unit = org_services.unit_upsert(
        actor=None,
        code=f"{STREET}-U-JWH01",
        name=f"{areas[0].name}居委会",
        kind=UnitKind.RESIDENTS_COMMITTEE,
        node=areas[0],
    )
    org_services.post_upsert(
        actor=None,
        code=f"{STREET}-P-SJ01",
        unit=unit,
        node=areas[0],
        title=str(PostRole.PARTY_SECRETARY.label),
        person=person,
        role=PostRole.PARTY_SECRETARY,
        active_from=date(2020, 1, 1),
    )
    month_start = today.replace(day=1)
    member_id = (
        PointEntry.objects.filter(node_path__startswith=areas[0].path, occurred_on__gte=month_start)
        .values_list("member_id", flat=True)
        .order_by("member_id")
        .first()
    )
    counts = {
        "areas": len(areas),
        "branches": len(branches),
        "members": PartyMember.objects.filter(org__node__path__startswith=street.path).count(),
        "entries": PointEntry.objects.filter(node_path__startswith=street.path).count(),
        "reversals": wanted,
        "days": days,
    }
    return World(street, areas, secretary, member_id or members[0].pk, year, counts)


def _analyze() -> None:
    """Statistics after the bulk load, as autovacuum's analyse would soon give them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE community_pointentry")
            cursor.execute("ANALYZE orgs_partymember")
            cursor.execute("ANALYZE orgs_partyorg")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- 1. the yearly assessment -----------------------------------------------------------------------


def _raw_sums(world: World) -> Callable[[], dict[int, int]]:
    sql = (
        "SELECT member_id, SUM(points) FROM community_pointentry "
        "WHERE year = %s AND node_path LIKE %s GROUP BY member_id"
    )
    params = [world.year, f"{world.street.path}%"]

    def fetch() -> dict[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {m: int(s) for m, s in cursor.fetchall()}

    return fetch


def _assessment(results: Results, world: World, rounds: int) -> None:
    from gongzhi.community import statements

    def product() -> list[dict[str, Any]]:
        return statements.assessment(world.street.path, world.street.code, world.year)

    raw = _raw_sums(world)
    rows = product()
    sums = raw()
    assert {r["member"]: r["points"] for r in rows if r["points"]} == {m: s for m, s in sums.items() if s}
    grades: dict[str, int] = {}
    for r in rows:
        grades[r["grade"] or "(not graded)"] = grades.get(r["grade"] or "(not graded)", 0) + 1
    load_start = load_average()
    samples, base = timed_beside(product, raw, rounds)
    results.add(
        "community.assessment.p95",
        value=percentile(samples, 95),
        unit="s",
        baseline=percentile(base, 95),
        baseline_is="one raw SQL statement: SUM(points) of the street's entries this year GROUP BY member",
        p50=round(percentile(samples, 50), 4),
        baseline_p50=round(percentile(base, 50), 4),
        target="< 2 s",
        members_assessed=len(rows),
        grades=grades,
        plan=explain(
            "SELECT member_id, SUM(points) FROM community_pointentry WHERE year = %s AND node_path LIKE %s "
            "GROUP BY member_id",
            [world.year, f"{world.street.path}%"],
        ),
        samples=rounds,
        load_average_start=load_start,
        load_average_end=load_average(),
        world=world.counts,
        world_seconds=round(world.load_seconds, 1),
    )


# --- 2. and 3. the pages -------------------------------------------------------------------------------


def _half_sums(world: World, half: int) -> Callable[[], int]:
    start, end = (
        (date(world.year, 1, 1), date(world.year, 6, 30))
        if half == 1
        else (date(world.year, 7, 1), date(world.year, 12, 31))
    )
    sql = (
        "SELECT member_id, SUM(points) FROM community_pointentry WHERE year = %s AND node_path LIKE %s "
        "AND occurred_on BETWEEN %s AND %s GROUP BY member_id"
    )
    params = [world.year, f"{world.areas[0].path}%", start, end]

    def fetch() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return fetch


def _pages(results: Results, world: World, rounds: int) -> None:
    from django.utils import timezone

    client = client_for(world.secretary)
    area = world.areas[0]
    half = 1 if timezone.localdate().month <= 6 else 2
    trivial = "/community/apply/"
    pages = {
        "branch_page": f"/community/branch/?node={area.code}&year={world.year}&half={half}",
        "member_statement": f"/community/members/{world.member_id}/",
    }
    base_queries, _, _ = page_queries(client, trivial)
    half_raw = _half_sums(world, half)
    for name, url in pages.items():
        queries, response, sqls = page_queries(client, url)
        body = response.content.decode()
        load_start = load_average()
        samples, base = timed_beside(lambda u=url: client.get(u), lambda: client.get(trivial), rounds)
        raw_samples, _unused = timed_beside(half_raw, lambda: None, rounds)
        results.add(
            f"community.{name}.p95",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is=f"a trivial page for the same user ({trivial}: the 双报到 form), p95",
            p50=ms(samples, 50),
            baseline_p50=ms(base, 50),
            raw_half_year_sums_ms_p95=ms(raw_samples, 95) if name == "branch_page" else None,
            target="p95 < 100 ms",
            url=url,
            user=f"the area's Party secretary ({world.secretary.get_username()})",
            bytes=len(body),
            rows_shown=body.count("<tr"),
            queries_per_page=queries,
            queries_trivial_page=base_queries,
            slowest_statement=longest_on(sqls, "community_pointentry"),
            samples=rounds,
            load_average_start=load_start,
            load_average_end=load_average(),
            world=world.counts,
        )
