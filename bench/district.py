"""A district of N streets for the scale benchmarks (bench/suites/scale.py), built in bulk.

Each street is a small copy of the cases suite's street (`cases.Street`, so its bulk case
loader and the reports suite's event writer apply unchanged): blocks > areas > estates > grids
> buildings, a street cadre, and one committee post per area answering for every 小类 (routing
sends each case there), held by a staff user. Above them, the district node and one district
cadre (区干部, sees every street, dispatches none). Nodes are bulk-created (no change history:
the benchmark reads them, never edits them); staff go through the orgs services.
"""

import random
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from bench.measure import Results
from bench.pages import staff_post
from bench.suites import cases as case_suite

DISTRICT = "QD"
BLOCKS = 2
ESTATES_PER_AREA = 2
GRIDS_PER_ESTATE = 2
BUILDINGS_PER_GRID = 5
SEED = 2027


@dataclass
class District:
    root: Any
    streets: list[case_suite.Street]
    district_user: Any
    build_seconds: float = 0.0
    cases_seconds: float = 0.0
    events_seconds: float = 0.0
    rollup_seconds: float = 0.0
    cases: int = 0
    events: int = 0
    residents: int = 0
    residents_seconds: float = 0.0


def build(streets: int, areas: int) -> District:
    """The district node, `streets` streets of `areas` areas each, and their staff."""
    from gongzhi.geo.levels import Level
    from gongzhi.geo.models import Node
    from gongzhi.geo.services import path_for
    from gongzhi.orgs.models import Category
    from gongzhi.orgs.roles import PostRole, UnitKind

    start = time.perf_counter()

    def level(lvl: int, items: list[tuple[str, str, Any]]) -> list[Any]:
        objs = [Node(code=c, name=n, level=lvl, parent=p, path=path_for(c, p)) for c, n, p in items]
        return Node.objects.bulk_create(objs, batch_size=1000)

    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))
    rng = random.Random(SEED)
    with transaction.atomic():
        (root,) = level(Level.DISTRICT, [(DISTRICT, "基准区", None)])
        district_user, _ = staff("scale-district", root, UnitKind.DISTRICT_OFFICE, PostRole.DISTRICT_CADRE)
        out = []
        for s in range(streets):
            code = f"{DISTRICT}{s + 1:02d}"
            (street,) = level(Level.STREET, [(code, f"基准{s + 1}街道", root)])
            blocks = level(
                Level.BLOCK, [(f"{code}-K{k + 1}", f"第{k + 1}块区", street) for k in range(BLOCKS)]
            )
            area_nodes = level(
                Level.AREA,
                [(f"{code}-R{a + 1:02d}", f"第{a + 1}居民区", blocks[a % BLOCKS]) for a in range(areas)],
            )
            estates = level(
                Level.ESTATE,
                [
                    (f"{a.code}-E{e + 1}", f"{a.name}{e + 1}村", a)
                    for a in area_nodes
                    for e in range(ESTATES_PER_AREA)
                ],
            )
            grids = level(
                Level.GRID,
                [
                    (f"{e.code}-G{g + 1}", f"{e.name}第{g + 1}网格", e)
                    for e in estates
                    for g in range(GRIDS_PER_ESTATE)
                ],
            )
            buildings = level(
                Level.BUILDING,
                [(f"{g.code}-B{b + 1}", f"{b + 1}号楼", g) for g in grids for b in range(BUILDINGS_PER_GRID)],
            )
            index = {a.path: i for i, a in enumerate(area_nodes)}
            nodes = [*area_nodes, *estates, *grids, *buildings]
            # a node's area is the first four segments of its path: /QD/QD01/QD01-Kk/QD01-Rnn/
            area_of = {n.pk: index["/".join(n.path.split("/")[:5]) + "/"] for n in nodes}
            street_user, _ = staff(
                f"scale-{code}-street", street, UnitKind.STREET_OFFICE, PostRole.STREET_CADRE
            )
            posts, area_user = {}, None
            for i, area in enumerate(area_nodes):
                user, posts[i] = staff(
                    f"scale-{code}-a{i + 1:02d}",
                    area,
                    UnitKind.RESIDENTS_COMMITTEE,
                    PostRole.COMMITTEE_STAFF,
                    categories,
                )
                area_user = area_user or user
            out.append(
                case_suite.Street(
                    root=street,
                    areas=area_nodes,
                    nodes=nodes,
                    area_of=area_of,
                    buildings=buildings,
                    posts=posts,
                    categories=categories,
                    street_user=street_user,
                    area_user=area_user,
                    area_weights=[rng.uniform(0.4, 1.6) for _ in area_nodes],
                )
            )
    return District(
        root=root, streets=out, district_user=district_user, build_seconds=time.perf_counter() - start
    )


def staff(
    username: str, node: Any, kind: str, role: str, categories: list[Any] | None = None
) -> tuple[Any, Any]:
    return staff_post(username, node, kind, role, prefix="SCALE", categories=categories)


def fill(district: District, per_street: int) -> None:
    """`per_street` cases in each street (COPY, three years, states by age: the cases suite's
    loader), the events their states imply (the reports suite's set-based writer, once over
    the district), then the rollup's rebuild of the KPI tables and ANALYZE, as after any bulk load."""
    from django.db import connection

    from bench.suites import reports as report_suite
    from gongzhi.reports import rollup

    start = time.perf_counter()
    for street in district.streets:
        _, loaded = case_suite._bulk_cases(street, per_street)
        district.cases += loaded
    district.cases_seconds = time.perf_counter() - start
    scratch = Results()
    start = time.perf_counter()
    report_suite._events(scratch, SimpleNamespace(root=district.root))  # type: ignore[arg-type]
    district.events_seconds = time.perf_counter() - start
    district.events = scratch.run["reports"]["events_written"]["events"]
    start = time.perf_counter()
    rollup.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("reports_fact", "reports_daytotal", "reports_categorytotal", "cases_case"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    district.rollup_seconds = time.perf_counter() - start


def residents(district: District, per_street: int) -> None:
    """`per_street` residents in each street, spread over its buildings (bulk_create: names,
    birth dates over 0–95 years, a few living alone; no numbers), then ANALYZE: what the home
    page's per-node figures (residents, aged 60+, 80+, 80+ alone) count."""
    from datetime import date, timedelta

    from django.db import connection

    from gongzhi.orgs.models import Person

    start = time.perf_counter()
    rng = random.Random(SEED + 1)
    today = date.today()
    for s, street in enumerate(district.streets):
        batch = [
            Person(
                code=f"SCALE-RES-{s + 1:02d}-{i:07d}",
                name=f"居民{i}",
                home=rng.choice(street.buildings),
                birth_date=today - timedelta(days=rng.randint(0, 95 * 365)),
                lives_alone=rng.random() < 0.05,
            )
            for i in range(per_street)
        ]
        Person.objects.bulk_create(batch, batch_size=5000)
        district.residents += len(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orgs_person")
    district.residents_seconds = time.perf_counter() - start
