# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The district side (the rollup stamps its day totals with the district's code and keeps the
street names it publishes), the router (the city's tables only in "city"), the city's ranking
read from the city database, and the commands' refusals."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from gongzhi.city import replication, selectors
from gongzhi.city.models import DistrictDayTotal, DistrictNode
from gongzhi.city.router import CityRouter
from gongzhi.core import clock
from gongzhi.geo.models import Node
from gongzhi.reports import rollup
from gongzhi.reports.models import CityNode, DayTotal
from gongzhi.reports.tests.conftest import world  # noqa: F401 (the fixture)
from gongzhi.reports.tests.test_kpis import NOW, scenario  # noqa: F401 (the fixture)
from gongzhi.testing.factories import make_district


@pytest.mark.django_db
def test_the_rollup_stamps_the_district_and_names_only_streets(scenario):
    t = scenario.tree
    with override_settings(DISTRICT_CODE="fl", DISTRICT_NAME="枫林区"), clock.freeze(NOW):
        rollup.rebuild()
        assert DayTotal.objects.count() > 0
        assert set(DayTotal.objects.values_list("district", flat=True)) == {"fl"}
        rows = {r.node_id: (r.level, r.code, r.name) for r in CityNode.objects.filter(district="fl")}
        grains = set(Node.objects.filter(level__lte=3).values_list("id", flat=True))
        assert set(rows) == grains | {0}
        assert rows[0] == (0, "fl", "枫林区")
        # an area's row names its street, never itself
        assert rows[t.r1.id] == (t.r1.level, t.street.code, t.street.name)
        assert {name for _level, _code, name in rows.values()} == {"枫林区", t.street.name}
        assert rollup.sync_city_nodes() == 0  # nothing changed: nothing written (replicated)
        t.street.name = "枫林路街道"
        t.street.save()
        assert rollup.sync_city_nodes() == len(grains)  # every row under the renamed street
    with override_settings(DISTRICT_CODE="fl2"):
        assert rollup.stamp_district() == DayTotal.objects.count()
        assert set(DayTotal.objects.values_list("district", flat=True)) == {"fl2"}


@pytest.mark.django_db
def test_under_a_district_each_row_names_its_street(tree):
    """The demo's tree: streets under a district node. Each grain node's row names its street
    (not the district at the path's root), and the district node is no street's row."""
    d = make_district()  # D holding T, beside the standalone street S
    with override_settings(DISTRICT_CODE="sfq", DISTRICT_NAME="示范区"):
        rollup.sync_city_nodes()
        rows = {r.node_id: (r.level, r.code, r.name) for r in CityNode.objects.filter(district="sfq")}
    assert d.district.pk not in rows and rows[0] == (0, "sfq", "示范区")
    assert rows[d.street.pk] == (d.street.level, "T", "桃源街道")
    assert rows[d.area.pk] == (d.area.level, "T", "桃源街道")
    assert rows[tree.r1.pk] == (tree.r1.level, "S", tree.street.name)


def test_the_router_keeps_the_city_tables_in_the_city_database():
    r = CityRouter()
    assert r.db_for_read(DistrictDayTotal) == "city" and r.db_for_write(DistrictNode) == "city"
    assert r.db_for_read(DayTotal) is None
    assert r.allow_migrate("city", "city") is True and r.allow_migrate("default", "city") is False
    assert r.allow_migrate("city", "reports") is False and r.allow_migrate("default", "reports") is None


@pytest.mark.django_db(databases=["default", "city"])
def test_the_city_ranks_districts_and_streets():
    nodes = [
        ("da", 0, 0, "da", "甲区"),
        ("da", 1, 1, "S1", "一街道"),
        ("da", 2, 3, "S1", "一街道"),  # an area of S1
        ("da", 3, 1, "S2", "二街道"),
        ("db", 0, 0, "db", "乙区"),
        ("db", 1, 1, "T1", "丙街道"),  # the same node id as da's: another district
    ]
    for i, (district, node_id, level, code, name) in enumerate(nodes):
        DistrictNode.objects.create(
            district=district, id=i, node_id=node_id, level=level, code=code, name=name
        )
    totals = [
        # district, id, day, area, received, closed, on time, rated, satisfied
        ("da", 1, date(2026, 11, 2), 2, 10, 4, 4, 2, 1),
        ("da", 2, date(2026, 11, 3), 1, 5, 4, 2, 2, 2),
        ("da", 3, date(2026, 11, 3), 3, 7, 2, 0, 0, 0),
        ("db", 1, date(2026, 11, 3), 1, 3, 2, 2, 1, 1),  # the same id as da's first row
        ("db", 2, date(2026, 12, 1), 1, 99, 99, 0, 0, 0),  # outside the period
    ]
    for district, pk, day, area, received, closed, on_time, rated, satisfied in totals:
        DistrictDayTotal.objects.create(
            district=district,
            id=pk,
            day=day,
            area_id=area,
            received=received,
            closed=closed,
            closed_on_time=on_time,
            rated=rated,
            satisfied=satisfied,
        )
    ranked = selectors.ranking(date(2026, 11, 1), date(2026, 12, 1))
    assert [(r.district, r.name, r.counts["received"]) for r in ranked.districts] == [
        ("db", "乙区", 3),
        ("da", "甲区", 22),
    ]
    da = ranked.districts[1]
    assert (da.on_time_rate, da.satisfaction) == (6 / 10, 3 / 4)
    assert [(r.code, r.name, r.counts["received"], r.on_time_rate) for r in ranked.streets] == [
        ("T1", "丙街道", 3, 1.0),
        ("S1", "一街道", 15, 6 / 8),  # the area's totals count for its street
        ("S2", "二街道", 7, 0.0),
    ]
    assert selectors.ranking(date(2027, 1, 1), date(2027, 2, 1)).districts == []


@pytest.mark.django_db
def test_the_commands_refuse_what_cannot_work():
    with pytest.raises(CommandError, match="区代码"):
        call_command("city_subscribe", "--district", "Bad;Name", "--conninfo", "host=x")
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("city_publish")
        return
    with override_settings(DISTRICT_CODE="Bad Code"), pytest.raises(CommandError, match="DISTRICT_CODE"):
        call_command("city_publish")
    with connection.cursor() as cur:
        logical = replication.wal_level(cur) == "logical"
    if not logical:  # the shared cluster: publishing needs wal_level=logical on the district
        with override_settings(DISTRICT_CODE="fl"), pytest.raises(CommandError, match="wal_level"):
            call_command("city_publish")
