"""core.stats: ANALYZE of the tables a bulk load wrote, on PostgreSQL and SQLite, and the
rollup's rebuild ending with it (a long rollup also analyzing as it goes)."""

import pytest
from django.db import connection

from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import stats
from gongzhi.geo.models import Node
from gongzhi.reports import rollup
from gongzhi.reports.models import CategoryTotal, DayTotal, Fact

pytestmark = pytest.mark.django_db


def analyzed(table: str) -> bool:
    """Whether the database holds planner statistics of `table` from an ANALYZE."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # this transaction's cached view
            cursor.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s", [table]
            )
            row = cursor.fetchone()
            return bool(row and row[0])
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() == (0,):
            return False
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0] > 0


def test_analyze_names_the_tables_and_the_database_gets_statistics(tree) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_reset_single_table_counters('geo_node'::regclass)")
    assert stats.tables_of([Node, Node]) == ["geo_node"]
    assert stats.analyze(Node) == ["geo_node"]
    assert analyzed("geo_node")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no statistics of empty tables")
def test_the_rollups_rebuild_ends_with_analyze(tree) -> None:
    with connection.cursor() as cursor:
        for model in (Fact, DayTotal, CategoryTotal):
            cursor.execute("SELECT pg_stat_reset_single_table_counters(%s::regclass)", [model._meta.db_table])
    assert not analyzed(Fact._meta.db_table)
    rollup.rebuild()
    assert all(analyzed(m._meta.db_table) for m in (Fact, DayTotal, CategoryTotal))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_a_long_rollup_analyzes_the_facts_while_it_writes_them(tree, monkeypatch) -> None:
    """A first build starts from the statistics of empty tables: it ANALYZEs the facts after a
    few rounds, inside its transaction, not only at its end (rollup.ANALYZE_ROUNDS)."""
    for n in range(3):
        case_create(actor=None, intake=Intake(node=tree.b1, text=f"楼道堆物{n}", source=Source.RESIDENT))
    monkeypatch.setattr(rollup, "BATCH", 1)  # a case a round: three rounds
    monkeypatch.setattr(rollup, "ANALYZE_ROUNDS", (2,))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_reset_single_table_counters(%s::regclass)", [Fact._meta.db_table])
    assert not analyzed(Fact._meta.db_table)
    progress = rollup.refresh()
    assert progress.cases == 3 < rollup.BULK_CASES  # too few for the end's ANALYZE
    assert analyzed(Fact._meta.db_table)
