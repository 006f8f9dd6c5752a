# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The city view on real PostgreSQL logical replication: two districts (throw-away clusters with
wal_level=logical, scripts/city_clusters.sh) publish their day totals and street names, one
city cluster subscribes to both. Both districts' rows arrive and coexist (the same ids, told
apart by the district), an update and a delete on a district follow, and the published tables
hold counts and street names only. The shared cluster on 5432 is never reconfigured; the test
skips where initdb is not installed (and on SQLite)."""

import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.test import override_settings

from gongzhi.city import replication
from gongzhi.core import clock
from gongzhi.reports import rollup
from gongzhi.reports.facts import COUNTERS
from gongzhi.reports.tests.conftest import world  # noqa: F401 (the fixture)
from gongzhi.reports.tests.test_kpis import NOW, scenario  # noqa: F401 (the fixture)

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "city_clusters.sh"
DAYTOTAL_COLUMNS = {"id", "district", "day", "area_id", "post_id", *COUNTERS}
CITYNODE_COLUMNS = {"id", "district", "node_id", "level", "code", "name"}

pytestmark = [
    pytest.mark.django_db(databases=["default", "city"]),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="logical replication is PostgreSQL's"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def clusters() -> Iterator[dict[str, int]]:
    """Districts da and db (wal_level=logical) and the city, each on a free port."""
    if subprocess.run([str(SCRIPT), "check"], check=False).returncode != 0:
        pytest.skip("initdb is not installed")
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        pytest.skip("the clusters run as the postgres user: run as root or postgres")
    base = tempfile.mkdtemp(prefix="gz-city-")
    ports = {"da": _free_port(), "db": _free_port(), "city": _free_port()}
    try:
        for name, port in ports.items():
            wal = "replica" if name == "city" else "logical"
            subprocess.run([str(SCRIPT), "start", base, name, str(port), wal], check=True)
        yield ports
    finally:
        subprocess.run([str(SCRIPT), "stop", base], check=False)


def _pg(port: int) -> psycopg.Connection[Any]:
    return psycopg.connect(host="127.0.0.1", port=port, user="root", dbname="postgres", autocommit=True)


def _schema(alias: str) -> str:
    """The two tables as that test database has them (pg_dump), without the foreign keys to the
    tree and the roster (a city has neither; the test districts need only these tables)."""
    s = connections[alias].settings_dict
    dump = subprocess.run(
        [
            *("pg_dump", "--schema-only", "--no-owner", "-t", "reports_daytotal", "-t", "reports_citynode"),
            *("-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"], s["NAME"]),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # psql's meta-commands, comments, and the empty search_path (the session goes on using it)
    dump = re.sub(r"^(\\|--|SELECT pg_catalog.set_config\('search_path').*$", "", dump, flags=re.M)
    return ";\n".join(x for x in dump.split(";\n") if "FOREIGN KEY" not in x)


def _rows(cur: Any, table: str, district: str | None = None) -> set[tuple[Any, ...]]:
    cols = sorted(DAYTOTAL_COLUMNS if table == "reports_daytotal" else CITYNODE_COLUMNS)
    where = " WHERE district = %s" if district else ""
    cur.execute(f"SELECT {', '.join(cols)} FROM {table}{where}", [district] if district else [])
    return set(cur.fetchall())


def _until(check: Callable[[], bool], what: str) -> None:
    """Wait for the subscription's apply worker (a separate process) to get there: bounded."""
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, f"not replicated within 60 s: {what}"
        time.sleep(0.05)


def test_two_districts_replicate_into_one_city(scenario, clusters):
    with override_settings(DISTRICT_CODE="da", DISTRICT_NAME="甲区"), clock.freeze(NOW):
        rollup.rebuild()
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM reports_daytotal")
        names = [d[0] for d in cur.description]
        totals = cur.fetchall()
        cur.execute("SELECT * FROM reports_citynode")
        node_names = [d[0] for d in cur.description]
        nodes = cur.fetchall()
    assert totals and nodes and {r[names.index("district")] for r in totals} == {"da"}

    def load(cur: Any, district: str) -> None:
        for table, cols, rows in (
            ("reports_daytotal", names, totals),
            ("reports_citynode", node_names, nodes),
        ):
            i = cols.index("district")
            marks = ", ".join(["%s"] * len(cols))
            cur.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                [(*r[:i], district, *r[i + 1 :]) for r in rows],  # district db: the same ids
            )

    district_schema, city_schema = _schema("default"), _schema("city")
    with _pg(clusters["da"]) as da, _pg(clusters["db"]) as db, _pg(clusters["city"]) as city:
        for conn, schema in ((da, district_schema), (db, district_schema), (city, city_schema)):
            conn.execute(schema)
        for conn, district in ((da, "da"), (db, "db")):
            with conn.cursor() as cur:
                load(cur, district)  # rows there before the subscription: the initial copy
                assert replication.publish(cur) is True
                assert replication.publish(cur) is False  # idempotent
                # exactly the two tables, no TRUNCATE (one district must not empty the city)
                cur.execute(
                    "SELECT tablename FROM pg_publication_tables WHERE pubname = %s",
                    [replication.PUBLICATION],
                )
                assert {r[0] for r in cur.fetchall()} == {"reports_daytotal", "reports_citynode"}
                cur.execute(
                    "SELECT pubtruncate FROM pg_publication WHERE pubname = %s", [replication.PUBLICATION]
                )
                assert cur.fetchone() == (False,)
                _assert_nothing_personal(cur)
        with city.cursor() as cur:
            for district, port in (("da", clusters["da"]), ("db", clusters["db"])):
                conninfo = f"host=127.0.0.1 port={port} user=root dbname=postgres"
                assert replication.subscribe(cur, district, conninfo) is True
                assert replication.subscribe(cur, district, conninfo) is False
            with pytest.raises(replication.ReplicationError):
                replication.subscribe(cur, "Bad-Name;", "host=x")

        dc, bc, cc = da.cursor(), db.cursor(), city.cursor()
        for table in ("reports_daytotal", "reports_citynode"):
            for district, src in (("da", dc), ("db", bc)):
                want = _rows(src, table)
                _until(lambda: _rows(cc, table, district) == want, f"{district} {table}")  # noqa: B023
        cc.execute("SELECT district, count(*) FROM reports_daytotal GROUP BY district ORDER BY district")
        assert cc.fetchall() == [("da", len(totals)), ("db", len(totals))]  # same ids, no clash

        # an update of a day total on da follows; db's row with the same id does not move
        pk = totals[0][names.index("id")]
        dc.execute(
            "UPDATE reports_daytotal SET received = received + 7 WHERE id = %s RETURNING received", [pk]
        )
        (received,) = dc.fetchone()
        _until(lambda: _rows(cc, "reports_daytotal", "da") == _rows(dc, "reports_daytotal"), "the update")
        cc.execute("SELECT district, received FROM reports_daytotal WHERE id = %s ORDER BY district", [pk])
        assert cc.fetchall() == [("da", received), ("db", received - 7)]
        # a delete on db (the rollup recounting a day) follows too; da keeps its row
        bc.execute("DELETE FROM reports_daytotal WHERE id = %s", [pk])
        _until(lambda: _rows(cc, "reports_daytotal", "db") == _rows(bc, "reports_daytotal"), "the delete")
        cc.execute("SELECT district FROM reports_daytotal WHERE id = %s", [pk])
        assert cc.fetchall() == [("da",)]
        # the street names arrive, and nothing below the street is named
        cc.execute("SELECT DISTINCT name FROM reports_citynode WHERE district = 'da' ORDER BY name")
        assert [r[0] for r in cc.fetchall()] == sorted(["甲区", scenario.tree.street.name])
        with city.cursor() as cur:
            assert replication.unsubscribe(cur, "da") is True
            assert replication.unsubscribe(cur, "db") is True


def _assert_nothing_personal(cur: Any) -> None:
    """What a district publishes: counts (integers), its code, a day, node and post ids, and the
    street's code and name; no other text, and no column a person could be read from."""
    cur.execute(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN pg_publication_tables p ON p.tablename = c.table_name AND p.schemaname = c.table_schema "
        "WHERE p.pubname = %s",
        [replication.PUBLICATION],
    )
    columns = cur.fetchall()
    by_table: dict[str, set[str]] = {}
    for table, column, kind in columns:
        by_table.setdefault(table, set()).add(column)
        if kind in ("character varying", "text"):
            assert (table, column) in {
                ("reports_daytotal", "district"),
                ("reports_citynode", "district"),
                ("reports_citynode", "code"),
                ("reports_citynode", "name"),
            }, (table, column)
        else:
            assert kind in ("bigint", "integer", "smallint", "date"), (table, column, kind)
    assert by_table == {"reports_daytotal": DAYTOTAL_COLUMNS, "reports_citynode": CITYNODE_COLUMNS}
