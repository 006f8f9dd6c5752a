"""All households under a block area, on a tree of 1,000,000 households.

The tree (street > 5 block areas > 31 residential areas > 94 estates > grids > buildings >
households) is loaded with raw bulk inserts (executemany on SQLite, COPY on PostgreSQL) using
the materialised-path scheme of geo.services.path_for. Then, block by block and round after
round, the ORM selector geo.selectors.descendants(block, level=Level.HOUSEHOLD) is counted
and its ids fetched, each beside the same query written by hand in raw SQL. The query plans
of the ORM query and of its count are recorded, with whether each uses an index on the path.
The same is done for one residential area per block, a narrower prefix.
"""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.measure import Results, no_query_log, percentile, seconds

NAME = "tree"
STREET = "BT"
AREAS_PER_BLOCK = (6, 6, 6, 6, 7)
ESTATES = 94
GRIDS_PER_ESTATE = 3
FLATS_PER_BUILDING = 24
# Prefixes of the path indexes' names; on SQLite the unique path's own index is autoindex 2.
PATH_INDEXES = ("geo_node_path", "geo_node_level_path", "sqlite_autoindex_geo_node_2")


def run(results: Results, options: dict[str, Any]) -> None:
    from gongzhi.geo.levels import Level
    from gongzhi.geo.models import Node

    households = int(options.get("households", 1_000_000))
    rounds = int(options.get("rounds", 10))
    with no_query_log():
        load_seconds, nodes = _load_tree(households)
        print(f"  loaded {nodes:,} nodes ({households:,} households) in {load_seconds:.1f} s", flush=True)
        under_street = Node.objects.filter(path__startswith=f"/{STREET}/").order_by("code")
        blocks = list(under_street.filter(level=Level.BLOCK))
        # A block holds a fifth of the street: the planner may rightly prefer a full scan. A
        # residential area (the first of each block) shows the index at work on a narrow prefix.
        areas = [under_street.filter(level=Level.AREA, path__startswith=b.path).first() for b in blocks]
        for label, nodes_under in (("block", blocks), ("area", [a for a in areas if a is not None])):
            _measure(results, label, nodes_under, rounds, households, load_seconds)


def _measure(
    results: Results, label: str, roots: list[Any], rounds: int, households: int, load_seconds: float
) -> None:
    from gongzhi.geo.levels import Level
    from gongzhi.geo.selectors import descendants

    samples: dict[str, list[float]] = {k: [] for k in ("orm_count", "raw_count", "orm_ids", "raw_ids")}
    sizes: list[int] = []
    raw_count_sql = "SELECT COUNT(*) FROM geo_node WHERE path LIKE %s AND level = %s"
    raw_ids_sql = "SELECT id FROM geo_node WHERE path LIKE %s AND level = %s"
    for root in roots:  # warm the caches once per node, untimed
        descendants(root, level=Level.HOUSEHOLD).count()
    for _round in range(rounds):
        for root in roots:
            qs = descendants(root, level=Level.HOUSEHOLD)
            params = [root.path + "%", int(Level.HOUSEHOLD)]
            start = time.perf_counter()
            sizes.append(qs.count())
            samples["orm_count"].append(time.perf_counter() - start)
            samples["raw_count"].append(_timed_raw(raw_count_sql, params))
            start = time.perf_counter()
            list(qs.values_list("id", flat=True))
            samples["orm_ids"].append(time.perf_counter() - start)
            samples["raw_ids"].append(_timed_raw(raw_ids_sql, params))
    plan = descendants(roots[0], level=Level.HOUSEHOLD).explain()
    with CaptureQueriesContext(connection) as captured:
        descendants(roots[0], level=Level.HOUSEHOLD).count()
    count_plan = _explain(captured.captured_queries[-1]["sql"])
    detail = {
        "households_total": households,
        "households_per_node_avg": round(sum(sizes) / len(sizes)),
        "samples": len(sizes),
        "orm_plan": plan,
        "uses_path_index": any(name in plan for name in PATH_INDEXES),
        "orm_count_plan": count_plan,
        "count_uses_path_index": any(name in count_plan for name in PATH_INDEXES),
        "tree_load_seconds": round(load_seconds, 1),
    }
    for what, how in (("count", "count()"), ("ids", "fetch ids")):
        for q in (50, 95):
            results.add(
                f"tree.households_under_{label}.{what}.p{q}",
                value=percentile(samples[f"orm_{what}"], q) * 1000,
                unit="ms",
                baseline=percentile(samples[f"raw_{what}"], q) * 1000,
                baseline_is=f"raw SQL {how}: path LIKE prefix AND level = household, p{q}",
                **detail,
            )


def _explain(sql: str) -> str:
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _timed_raw(sql: str, params: list[Any]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return time.perf_counter() - start


def _load_tree(households: int) -> tuple[float, int]:
    """Insert the benchmark street with explicit ids; return (seconds, nodes inserted)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM geo_node")
        first_id = cursor.fetchone()[0] + 1
    rows = list(_tree_rows(first_id, households))
    columns = "id, code, name, level, parent_id, path, address, geometry, created_at"

    def load() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY geo_node ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('geo_node', 'id'), MAX(id)) FROM geo_node"
                )
            else:
                cursor.executemany(f"INSERT INTO geo_node ({columns}) VALUES ({', '.join(['%s'] * 9)})", rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # As autovacuum does after a bulk insert (PostgreSQL 13+ vacuums on inserts too):
                # statistics, and the visibility map that lets a count read only the index.
                cursor.execute("VACUUM ANALYZE geo_node")

    return seconds(load), len(rows)


Row = tuple[int, str, str, int, int | None, str, str, None, datetime]


def _tree_rows(first_id: int, households: int) -> Iterator[Row]:
    """Nodes depth first (parents before children, paths in index order), with explicit ids.
    A path is the parent's path + code + "/", as geo.services.path_for makes it."""
    from gongzhi.geo.levels import Level

    now = datetime(2026, 1, 1, tzinfo=UTC)
    next_id = first_id
    grids = ESTATES * GRIDS_PER_ESTATE
    per_grid = [households // grids + (1 if g < households % grids else 0) for g in range(grids)]

    def node(code: str, level: int, parent: tuple[int, str] | None) -> tuple[Row, tuple[int, str]]:
        nonlocal next_id
        path = (parent[1] if parent else "/") + code + "/"
        row: Row = (next_id, code, code, level, parent[0] if parent else None, path, "", None, now)
        next_id += 1
        return row, (row[0], path)

    row, street = node(STREET, Level.STREET, None)
    yield row
    area_no, estate_no = 0, 0
    estates_per_area = [ESTATES // sum(AREAS_PER_BLOCK)] * sum(AREAS_PER_BLOCK)
    estates_per_area[0] += ESTATES % sum(AREAS_PER_BLOCK)
    for k, n_areas in enumerate(AREAS_PER_BLOCK):
        row, block = node(f"{STREET}-K{k + 1}", Level.BLOCK, street)
        yield row
        for _a in range(n_areas):
            area_code = f"{STREET}-R{area_no + 1:02d}"
            row, area = node(area_code, Level.AREA, block)
            yield row
            for e in range(estates_per_area[area_no]):
                row, estate = node(f"{area_code}-E{e + 1}", Level.ESTATE, area)
                yield row
                for g in range(GRIDS_PER_ESTATE):
                    row, grid = node(f"{area_code}-E{e + 1}-G{g + 1}", Level.GRID, estate)
                    yield row
                    flats = per_grid[estate_no * GRIDS_PER_ESTATE + g]
                    for b in range(-(-flats // FLATS_PER_BUILDING)):
                        b_code = f"{area_code}-E{e + 1}-G{g + 1}-B{b + 1:03d}"
                        row, building = node(b_code, Level.BUILDING, grid)
                        yield row
                        for f in range(min(FLATS_PER_BUILDING, flats - b * FLATS_PER_BUILDING)):
                            room = (f // 4 + 1) * 100 + f % 4 + 1
                            yield node(f"{b_code}-{room}", Level.HOUSEHOLD, building)[0]
                estate_no += 1
            area_no += 1
