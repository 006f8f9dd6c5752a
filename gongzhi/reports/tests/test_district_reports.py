"""A district's 日报/周报 (docs/reports.md "District reports"): a district of two streets — the
hand-built street S of the KPI tests, moved under district D, beside D's street T with three
new cases. The district's figures come from the same selectors with the district as the place;
its totals, KPI numerators and denominators are the sums of its streets' reports, and its row
per street is that street's report. District staff see it (page, Word, Excel, API); a street
cadre sees neither the district's report nor another street's (404)."""

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import httpx
import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from gongzhi.api import services as api_services
from gongzhi.core import clock
from gongzhi.geo import services as geo_services
from gongzhi.geo.models import Node
from gongzhi.orgs.roles import PostRole
from gongzhi.reports import services
from gongzhi.reports.models import Report, ReportKind
from gongzhi.reports.tests import test_kpis
from gongzhi.reports.tests.conftest import DAY1, World, at
from gongzhi.testing.factories import District, make_district, make_staff

scenario = test_kpis.scenario
NOW = test_kpis.NOW
SUMMED = ("new", "closed", "overdue", "escalated")


@pytest.fixture
def district(scenario: World) -> tuple[World, District, dict[str, Report]]:
    d = make_district()  # D holding T (T-R1 …), beside the standalone street S
    for name in "XYZ":
        scenario.report(name, at(DAY1, "11:00"), node=d.area)
    geo_services.node_move(actor=None, node=scenario.tree.street, new_parent=d.district)
    reports = {}
    for node in Node.objects.filter(code__in=["D", "S", "T"]):  # S: read again, it has moved
        with clock.freeze(NOW):
            reports[node.code] = services.report_generate(
                kind=ReportKind.WEEKLY, node=node, start=DAY1
            ).report
    return scenario, d, reports


def _kpis(report: Report) -> dict[str, tuple[int, int]]:
    return {k["key"]: (k["numerator"] or 0, k["denominator"] or 0) for k in report.figures["kpis"]}


@pytest.mark.django_db
def test_the_district_adds_up_its_streets_reports(district: Any) -> None:
    _w, _d, reports = district
    whole, s, t = reports["D"].figures, reports["S"].figures, reports["T"].figures
    assert s["totals"]["new"] == 9 and t["totals"]["new"] == 3  # both streets have cases
    for key in SUMMED:
        assert whole["totals"][key] == s["totals"][key] + t["totals"][key], key
    assert whole["totals"]["new"] == 12
    district_kpis, street_kpis, other_kpis = _kpis(reports["D"]), _kpis(reports["S"]), _kpis(reports["T"])
    assert any(den for _num, den in street_kpis.values())  # the rates have something to add
    for key, (num, den) in district_kpis.items():
        assert (num, den) == (
            street_kpis[key][0] + other_kpis[key][0],
            street_kpis[key][1] + other_kpis[key][1],
        )
    for key in ("issued", "signed_on_time", "bound", "done", "overdue"):
        assert whole["slips"][key] == s["slips"][key] + t["slips"][key]
    assert whole["meetings_held"] == s["meetings_held"] + t["meetings_held"]
    # one row per street: that street's own report, the long lists left out
    rows = whole["streets"]
    assert [r["node"]["code"] for r in rows] == ["S", "T"]
    for row, own in zip(rows, (s, t), strict=True):
        for key in ("node", "totals", "kpis", "meetings_held", "meetings_scheduled", "slips"):
            assert row[key] == own[key], key
        if own["care"]:
            assert row["care"] == {k: v for k, v in own["care"].items() if k != "by_rule"}
        if own["orders"]:
            assert row["orders"] == {"total": own["orders"]["total"]}
    assert "streets" not in s and "streets" not in t  # only a district's report has rows
    assert whole["care"]["raised"] == sum(r["care"]["raised"] for r in rows)
    assert whole["orders"]["total"]["posted"] == sum(r["orders"]["total"]["posted"] for r in rows)


@pytest.mark.django_db
def test_generation_reaches_the_district_and_refuses_below_the_area(district: Any) -> None:
    w, d, _reports = district
    with clock.freeze(NOW):
        run = services.reports_generate(kind=ReportKind.WEEKLY, start=DAY1)
    # D, S and T were made by the fixture; K1, K2, R1, R2, R3 and T-R1 are new
    assert (run.created, run.refreshed, run.kept) == (6, 0, 3)
    assert Report.objects.filter(kind=ReportKind.WEEKLY, node=d.district).count() == 1
    with pytest.raises(Exception, match="区、街道、块区和居民区"):
        services.report_generate(kind=ReportKind.WEEKLY, node=w.tree.e1, start=DAY1)


def _get(user: Any, url: str) -> Any:
    c = Client()
    c.force_login(user)
    with clock.freeze(NOW):
        return c.get(url)


@pytest.mark.django_db
def test_district_staff_see_it_street_cadres_do_not(district: Any) -> None:
    w, d, reports = district
    cadre = make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    report = reports["D"]
    page = _get(cadre, f"/reports/{report.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "各街道概况" in body and body.count('class="street-row"') == 2
    assert f'href="/reports/{reports["S"].pk}/"' in body and f'href="/reports/{reports["T"].pk}/"' in body
    assert "/reports/figures/received/cases/?node=T&amp;" in body  # each figure opens the street's list
    listing = _get(cadre, "/reports/").content.decode()
    assert "区日报周报" in listing and f"/reports/{report.pk}/" in listing
    docx = _get(cadre, f"/reports/{report.pk}.docx")
    assert docx.status_code == 200
    text = "\n".join(
        cell.text
        for table in Document(BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "枫林街道" in text and "桃源街道" in text
    xlsx = load_workbook(BytesIO(_get(cadre, f"/reports/{report.pk}.xlsx").content))
    sheet = [[c.value for c in row] for row in xlsx["各街道"].iter_rows()]
    assert [r[0] for r in sheet[1:]] == ["枫林街道", "桃源街道", "合计（示范区）"]
    assert sheet[-1][1] == sheet[1][1] + sheet[2][1] == 12  # 新增
    # a street cadre sees their street's report, not the district's nor the other street's
    assert _get(w.street, f"/reports/{reports['S'].pk}/").status_code == 200
    for other in (report, reports["T"]):
        for suffix in ("/", ".docx", ".xlsx"):
            assert _get(w.street, f"/reports/{other.pk}{suffix}").status_code == 404
    assert "区日报周报" not in _get(w.street, "/reports/").content.decode()
    # nor does the street's own report page carry a streets table
    assert "各街道概况" not in _get(w.street, f"/reports/{reports['S'].pk}/").content.decode()


@pytest.fixture
def api_client(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as c:
        yield c


@pytest.mark.django_db(transaction=True)
def test_the_api_cuts_the_district_report_by_scope(district: Any, api_client: httpx.Client) -> None:
    w, d, reports = district
    cadre = make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    keys = {
        who: api_services.token_create(user=u, name=f"{who}-test")[1]
        for who, u in (("d", cadre), ("s", w.street))
    }

    def get(who: str, path: str) -> httpx.Response:
        response = api_client.get(path, headers={"Authorization": f"Bearer {keys[who]}"})
        assert response.status_code < 500, response.text[:2000]
        return response

    found = get("d", f"/reports/reports/{reports['D'].pk}")
    assert found.status_code == 200
    streets = found.json()["figures"]["streets"]
    assert [s["node"]["code"] for s in streets] == ["S", "T"]
    assert sum(s["totals"]["new"] for s in streets) == found.json()["figures"]["totals"]["new"]
    assert get("s", f"/reports/reports/{reports['D'].pk}").status_code == 404
    assert get("s", f"/reports/reports/{reports['T'].pk}").status_code == 404
    ranked = get("d", "/reports/rankings?by=streets&node=D&start=2026-03-02&end=2026-03-08")
    assert ranked.status_code == 200 and [e["code"] for e in ranked.json()["entries"]] == ["S", "T"]
    assert get("d", "/reports/rankings?by=towns&node=D").status_code == 422
    assert get("s", "/reports/rankings?by=streets&node=D").status_code == 403  # above their street
    for asked in ("T", "T-R1", "NOPE"):  # another street's node answers as a missing one
        other = get("s", f"/reports/rankings?node={asked}")
        assert other.status_code == 422 and f"辖区 {asked} 不存在" in str(other.json()), other.text
    listed = {r["id"] for r in get("s", "/reports/reports").json()["items"]}
    assert reports["S"].pk in listed and reports["D"].pk not in listed and reports["T"].pk not in listed
