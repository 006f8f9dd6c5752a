"""The 周报's 订单服务, 志愿服务 and 应急动员 sections (frozen figures, page, Word, Excel, and the
API's report detail) and the /kpis blocks over real HTTP, on hand-built data
(reports/tests/mob_world.py): each section is there for those who see it and absent for the
others; no person's name is frozen in a report."""

from collections.abc import Iterator
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import httpx
import pytest
from django.test import Client
from lxml import html
from openpyxl import load_workbook

from gongzhi.api import services as api_services
from gongzhi.core import clock
from gongzhi.reports import documents
from gongzhi.reports import services as report_services
from gongzhi.reports.models import ReportKind
from gongzhi.reports.tests.mob_world import NOW, WEEK, Built, build

PERIOD = {"start": WEEK.start.isoformat(), "end": WEEK.end.isoformat()}  # end excluded


def weekly(b: Built, node: Any) -> Any:
    with clock.freeze(NOW):
        return report_services.report_generate(kind=ReportKind.WEEKLY, node=node, start=WEEK.start).report


def test_the_weekly_report_freezes_the_three_sections(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    b = build()
    report = weekly(b, b.w.tree.street)
    f = report.figures
    assert f["orders"]["total"]["posted"] == 0 and f["orders"]["modules"] == []
    v = f["volunteers"]
    assert (v["hours"], v["active"], v["registered"], v["median_hours"]) == (18.0, 3, 9, 5.0)
    assert [s["hours"] for s in v["sources"]] == [2.0, 8.0, 8.0]
    assert {a["code"]: a["hours"] for a in v["areas"]} == {"S-R1": 13.0, "S-R2": 0.0, "S-R3": 5.0}
    (incident,) = f["mobilisation"]["incidents"]
    assert (incident["slots_filled"], incident["slots_checked_in"], incident["slots_needed"]) == (6, 4, 8)
    assert incident["hours_by_unit"] == [
        {"unit": "志愿者", "hours": 16.0},
        {"unit": "东安物业", "hours": 7.5},
    ]
    assert f["mobilisation"]["running"] == 1
    frozen = str(f)
    for name in ("v1", "v2", "张阿婆", "南丹志愿者", "wy1"):
        assert f"'{name}'" not in frozen and f"{name}：" not in frozen

    with ZipFile(BytesIO(documents.report_docx(report))) as docx:
        text = docx.read("word/document.xml").decode()
    for heading in ("六、订单服务", "七、志愿服务", "八、应急动员", "九、直报", "十、点评"):
        assert heading in text
    assert "志愿服务 18.0 小时" in text and "4/8（50.0%）" in text and "6/8（75.0%）" in text

    book = load_workbook(BytesIO(documents.report_xlsx(report)))
    assert {"订单服务", "志愿服务", "应急动员", "应急动员·各单位时长"} <= set(book.sheetnames)
    hours = {r[0]: r[1:] for r in book["志愿服务"].iter_rows(min_row=2, values_only=True)}
    assert hours["合计"][0] == 18.0 and hours["东安居民区"][0] == 13.0
    units = list(book["应急动员·各单位时长"].iter_rows(min_row=2, values_only=True))
    assert [(u[1], u[2]) for u in units] == [("志愿者", 16.0), ("东安物业", 7.5)]
    hidden = documents.context(report, orders=False, volunteers=False, mobilisation=False)
    assert hidden["orders"] == hidden["volunteers"] == hidden["mobilisation"] == {}


def test_the_report_page_shows_each_section_to_those_who_see_it(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    b = build()
    street, area = weekly(b, b.w.tree.street), weekly(b, b.w.tree.r1)
    client = Client()
    client.force_login(b.w.users["street"])
    with clock.freeze(NOW):
        doc = html.fromstring(client.get(f"/reports/{street.pk}/").content.decode())
    assert doc.xpath("string(//dd[@class='volunteer-hours'])").strip() == "18.0"
    assert doc.xpath(
        "string(//section[contains(@class, 'report-mobilisation')]//td[@class='checked-in'])"
    ) == ("4/8（50.0%）")
    assert doc.xpath("count(//section[contains(@class, 'report-orders')])") == 1
    client.force_login(b.w.users["property"])  # sees the area's cases, none of the three
    with clock.freeze(NOW):
        body = client.get(f"/reports/{area.pk}/").content.decode()
    assert "report-volunteers" not in body and "report-mobilisation" not in body
    assert "report-orders" not in body


@pytest.fixture
def api(transactional_db: None, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.MEDIA_ROOT = str(tmp_path)
    b = build()
    report = weekly(b, b.w.tree.r1)
    keys = {k: api_services.token_create(user=u, name=f"{k}-test")[1] for k, u in b.w.users.items()}
    with clock.freeze(NOW), httpx.Client(base_url=f"{live_server.url}/api/v1/reports", timeout=30) as client:

        def call(path: str, as_: str, **params: str) -> httpx.Response:
            r = client.get(path, params=params, headers={"Authorization": f"Bearer {keys[as_]}"})
            assert r.status_code < 500, r.text[:2000]
            return r

        call.report = report  # type: ignore[attr-defined]
        yield call


def test_the_blocks_over_http(api):
    body = api("/kpis", "street", node="S", **PERIOD).json()
    assert body["volunteers"]["hours"] == 18.0 and body["volunteers"]["by_source"]["task"] == 8.0
    assert body["volunteers"]["median_hours"] == 5.0 and len(body["volunteers"]["areas"]) == 3
    (incident,) = body["mobilisation"]
    assert (incident["filled_share"], incident["checked_in_share"], incident["hours"]) == (75.0, 50.0, 23.5)
    assert body["orders"]["total"]["posted"] == 0
    mine = api("/kpis", "committee", node="S-R1", **PERIOD).json()
    assert mine["volunteers"]["hours"] == 13.0 and mine["mobilisation"][0]["shifts"] == 4
    other = api("/kpis", "property", node="S-R1", **PERIOD).json()
    assert other["volunteers"] is None and other["mobilisation"] is None and other["orders"] is None
    listed = api("/figures/volunteer_hours/cases", "committee", node="S-R1", source="task", **PERIOD).json()
    assert [(i["type"], i["number"], i["state"]) for i in listed["items"]] == [("hours", "3.0", "task")]
    assert api("/figures/volunteer_hours/cases", "property", node="S-R1", **PERIOD).status_code == 403
    bad = api("/figures/volunteer_hours/cases", "committee", node="S-R1", source="gold", **PERIOD)
    assert bad.status_code == 422 and "source" in bad.text


def test_the_report_detail_leaves_out_what_the_reader_may_not_see(api):
    pk = api.report.pk
    seen = api(f"/reports/{pk}", "committee").json()["figures"]
    assert {"orders", "volunteers", "mobilisation", "community"} <= set(seen)
    hidden = api(f"/reports/{pk}", "property").json()["figures"]
    assert not {"orders", "volunteers", "mobilisation", "community", "care"} & set(hidden)
    assert "cases" in hidden
