"""/api/v1/reports over real HTTP, community (共建): the community rates among the KPIs and the
counts of a place (per area, points per member type), the rows behind them, nothing for a
property company, a 403 for a department and for a branch secretary asking for the street, and
a bad member type a 422 naming the field. Data: reports/tests/community_world.py."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.community.tests.ledger.conftest import T0
from gongzhi.core import clock
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.reports.tests.community_world import NOW_PERIOD, FiguresWorld, build
from gongzhi.testing.factories import make_staff

PERIOD = {"start": NOW_PERIOD.start.isoformat(), "end": NOW_PERIOD.end.isoformat()}  # end excluded


@pytest.fixture
def fw(transactional_db: None, settings: Any, tmp_path: Any) -> FiguresWorld:
    settings.MEDIA_ROOT = str(tmp_path)
    found = build()
    tree, users = found.w.tree, found.w.users
    users["dept"] = make_staff("dept", PostRole.DEPARTMENT, tree.street, unit_kind=UnitKind.DEPARTMENT)
    users["property"] = make_staff("property", PostRole.PROPERTY_STAFF, tree.r1, unit_kind=UnitKind.PROPERTY)
    users["street_cadre"] = make_staff("street_cadre", PostRole.STREET_CADRE, tree.street)
    return found


@pytest.fixture
def api(live_server: Any, fw: FiguresWorld) -> Iterator[Any]:
    keys = {k: api_services.token_create(user=u, name=f"{k}-test")[1] for k, u in fw.w.users.items()}
    with clock.freeze(T0), httpx.Client(base_url=f"{live_server.url}/api/v1/reports", timeout=30) as client:

        def call(path: str, as_: str, **params: str) -> httpx.Response:
            r = client.get(path, params=params, headers={"Authorization": f"Bearer {keys[as_]}"})
            assert r.status_code < 500, r.text[:2000]
            return r

        yield call


def kpi(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(k for k in body["kpis"] if k["key"] == key)


def test_the_street_and_an_area_over_http(api):
    street = api("/kpis", "street_cadre", node="S", **PERIOD).json()
    member = kpi(street, "community_member_rate")
    assert (member["numerator"], member["denominator"], member["value"], member["unit"]) == (1, 4, 25.0, "%")
    assert (
        kpi(street, "community_projects_on_time")["numerator"],
        street["community"]["projects_active"],
    ) == (2, 1)
    types = {r["member_type"]: r for r in street["community"]["by_type"]}
    assert (types["in_service"]["total"], types["in_service"]["deductions"]) == (8, 1)
    areas = {a["code"]: {r["key"]: r["value"] for r in a["rates"]} for a in street["community"]["areas"]}
    assert (
        areas["S-R1"]["community_unit_rate"] == pytest.approx(66.7)
        and areas["S-R3"]["community_member_rate"] == 0.0
    )
    # the rows behind: the members not registered, by name; the late project
    rest = api("/kpis/community_member_rate/cases", "street_cadre", node="S", part="rest", **PERIOD).json()
    assert rest["count"] == 3 and {i["type"] for i in rest["items"]} == {"member"}
    assert "南丹在职党员" in {i["title"] for i in rest["items"]}
    late = api(
        "/kpis/community_projects_on_time/cases", "street_cadre", node="S", part="rest", **PERIOD
    ).json()
    assert [(i["type"], i["title"], i["node"]) for i in late["items"]] == [("project", "路灯", "S-R1")]
    entries = api(
        "/figures/community_points/cases", "street_cadre", node="S", member_type="retired", **PERIOD
    )
    assert [(i["type"], i["number"]) for i in entries.json()["items"]] == [("entry", "+3")]
    # the branch secretary: their area, not the street
    mine = api("/kpis", "secretary", node="S-R1", **PERIOD).json()
    assert kpi(mine, "community_member_rate")["denominator"] == 3 and mine["community"]["areas"] == []
    assert api("/kpis", "secretary", node="S", **PERIOD).status_code == 403


def test_who_gets_no_community_figures_and_bad_input(api):
    seen = api("/kpis", "property", node="S-R1", **PERIOD).json()
    assert seen["community"] is None and not [k for k in seen["kpis"] if k["key"].startswith("community_")]
    assert api("/kpis/community_unit_rate/cases", "property", node="S-R1", **PERIOD).status_code == 403
    assert api("/kpis", "dept", node="S", **PERIOD).status_code == 403
    bad = api("/figures/community_points/cases", "street_cadre", node="S", member_type="alien", **PERIOD)
    ((detail,),) = [bad.json()["detail"]]
    assert bad.status_code == 422 and detail["loc"][-1] == "member_type" and "党员类型" in detail["msg"]
