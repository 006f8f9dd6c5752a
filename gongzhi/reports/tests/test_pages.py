"""The 统计 pages: KPIs with drill-down links, the drill-down list, rankings with the boards, the
日报周报 list, detail, commentary and downloads; scope and bad input as clear pages."""

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core import clock
from gongzhi.orgs.roles import PostRole
from gongzhi.reports import services
from gongzhi.reports.models import Report, ReportKind, ReportNote
from gongzhi.reports.tests import test_kpis
from gongzhi.reports.tests.conftest import DAY1, DAY3
from gongzhi.testing.factories import make_staff

scenario = test_kpis.scenario  # the hand-built street of the KPI tests
NOW = test_kpis.NOW

pytestmark = pytest.mark.django_db
WHOLE = {"start": DAY1.isoformat(), "end": DAY3.isoformat()}  # both days included


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def get(user, url, **params):
    with clock.freeze(NOW):
        return client(user).get(url, params)


def test_kpi_page_links_each_figure_to_its_cases(scenario):
    response = get(scenario.dispatcher, "/reports/kpis/", **WHOLE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "东安居民区" in body and "按期结案率" in body and "80.0%" in body
    link = "/reports/kpis/close_on_time/cases/?node=S-R1&amp;start=2026-03-02&amp;end=2026-03-04&amp;part=numerator"
    assert link in body
    drill = get(
        scenario.dispatcher, "/reports/kpis/close_on_time/cases/", node="S-R1", part="numerator", **WHOLE
    )
    assert drill.status_code == 200
    assert [r.text.split()[-1] for r in drill.context["rows"]] == ["I", "D", "C", "A"]  # newest first
    assert "4 条" in drill.content.decode()


def test_the_panel_is_an_htmx_fragment(scenario):
    with clock.freeze(NOW):
        response = client(scenario.street).get(
            "/reports/kpis/", {"node": "S", **WHOLE}, HTTP_HX_REQUEST="true"
        )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "kpi-panel" in body


def test_a_grid_worker_sees_the_grid(scenario):
    grid = make_staff("gridder", PostRole.GRID_WORKER, scenario.tree.g1)
    response = get(grid, "/reports/kpis/", **WHOLE)
    assert response.status_code == 200 and response.context["subject"].label == "东安一村第1网格"
    assert response.context["kpis"].counts["received"] == 8  # building B1 lies in grid G1


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({"node": "S-R3"}, 403, "无权查看该辖区的统计"),
        ({"node": "S"}, 403, "无权查看该辖区的统计"),
        ({"node": "NOPE"}, 400, "辖区 NOPE 不存在"),
        ({"start": "2026-03-05", "end": "2026-03-01"}, 400, "结束日期须晚于开始日期"),
        ({"start": "2026-03-05", "to": "2026-03-01"}, 400, "结束日期须晚于开始日期"),
        ({"start": "2026-02-30"}, 400, "日期格式应为"),
        ({"end": "soon"}, 400, "日期格式应为"),
        ({"end": "9999-12-31"}, 400, "结束日期须在2000年至2099年之间"),
        ({"start": "9999-12-31"}, 400, "开始日期须在2000年至2099年之间"),
    ],
)
def test_scope_and_bad_input_are_clear_pages(scenario, params, status, text):
    response = get(scenario.dispatcher, "/reports/kpis/", **params)
    assert response.status_code == status and text in response.content.decode()
    assert "received" not in response.content.decode()


def test_the_old_to_parameter_still_names_the_last_day(scenario):
    """Links and bookmarks written before `to` became `end` keep their period."""
    new = get(scenario.dispatcher, "/reports/kpis/", **WHOLE)
    old = get(scenario.dispatcher, "/reports/kpis/", start=DAY1.isoformat(), to=DAY3.isoformat())
    assert old.status_code == 200 and old.context["period"] == new.context["period"]
    assert old.context["period"].last_day == DAY3
    assert old.context["kpis"].counts == new.context["kpis"].counts
    assert old.context["query"] == new.context["query"] and "end=2026-03-04" in old.context["query"]
    assert 'name="end" value="2026-03-04"' in old.content.decode()
    both = get(scenario.dispatcher, "/reports/kpis/", start=DAY1.isoformat(), end=DAY1.isoformat(), to="x")
    assert both.status_code == 200 and both.context["period"].last_day == DAY1  # `end` wins
    drill = get(
        scenario.dispatcher,
        "/reports/kpis/close_on_time/cases/",
        node="S-R1",
        part="numerator",
        start=DAY1.isoformat(),
        to=DAY3.isoformat(),
    )
    assert drill.context["rows"].paginator.count == 4


def test_bad_periods_in_english(scenario):
    with clock.freeze(NOW):
        response = client(scenario.dispatcher).get(
            "/reports/kpis/", {"start": "2026-03-05", "end": "2026-03-01"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        unparsable = client(scenario.dispatcher).get(
            "/reports/rankings/", {"to": "2026-13-01"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert (
        response.status_code == 400
        and "The end date must be after the start date" in response.content.decode()
    )
    assert unparsable.status_code == 400 and "Dates must be written YYYY-MM-DD" in unparsable.content.decode()


def test_someone_without_case_view_gets_403(scenario):
    department = make_staff("police", PostRole.DEPARTMENT, scenario.tree.street)
    for url in ("/reports/kpis/", "/reports/", "/reports/rankings/"):
        assert get(department, url).status_code == 403
    property_staff = get(scenario.handler, "/reports/kpis/")  # sees the estate's cases
    assert property_staff.status_code == 200 and property_staff.context["subject"].label == "东安一村"


def test_rankings_with_boards(scenario, settings):
    settings.REPORTS_RANK_MIN = 1
    response = get(scenario.street, "/reports/rankings/", node="S", kpi="close_on_time", **WHOLE)
    assert response.status_code == 200
    areas = response.context["areas"]
    assert [(e.code, e.value) for e in areas.ranked] == [("S-R1", 80.0)]
    body = response.content.decode()
    assert "点赞榜" in body and "亮丑榜" in body and "东安居民区" in body
    units = response.context["units"]
    assert {e.name for e in units.ranked} == {"物业小王物业", "物业小李物业"}
    bad = get(scenario.street, "/reports/rankings/", node="S", kpi="backlog")
    assert bad.status_code == 400


def test_reports_page_commentary_and_downloads(scenario):
    with clock.freeze(NOW):
        made = services.report_generate(kind=ReportKind.DAILY, node=scenario.tree.r1, start=DAY1)
    report = made.report
    assert report.figures["totals"] == {"new": 8, "closed": 3, "overdue": 2, "escalated": 1}
    listing = get(scenario.dispatcher, "/reports/")
    assert listing.status_code == 200 and f"/reports/{report.pk}/" in listing.content.decode()
    detail = get(scenario.dispatcher, f"/reports/{report.pk}/")
    assert detail.status_code == 200 and "写点评" in detail.content.decode()
    with clock.freeze(NOW):
        posted = client(scenario.dispatcher).post(
            f"/reports/{report.pk}/notes/", {"text": "楼道堆物明显减少"}
        )
    assert posted.status_code == 302
    note = ReportNote.objects.get()
    assert (note.by_name, note.at) == ("r1staff", NOW)
    assert get(scenario.outsider, f"/reports/{report.pk}/").status_code == 404
    with clock.freeze(NOW):
        refused = client(scenario.dispatcher).post(f"/reports/{report.pk}/notes/", {"text": ""})
    assert refused.status_code == 400 and "请填写点评内容" in refused.content.decode()
    docx = get(scenario.dispatcher, f"/reports/{report.pk}.docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxml")
    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(docx.content)).paragraphs)
    assert "东安居民区日报" in text and "楼道堆物明显减少" in text and "新增 8 件" in text
    with clock.freeze(NOW):  # a note a spreadsheet would run as a formula
        client(scenario.dispatcher).post(
            f"/reports/{report.pk}/notes/", {"text": '=HYPERLINK("http://x","点")'}
        )
    xlsx = get(scenario.dispatcher, f"/reports/{report.pk}.xlsx")
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == [
        "概况",
        "分类",
        "指标",
        "会议",
        "关爱",
        "共建",
        "积分分布",
        "订单服务",
        "志愿服务",
        "应急动员",
        "应急动员·各单位时长",
        "直报",
        "点评",
    ]  # 关爱: the committee takes part in care; 共建: it sees its area's community (one area: no area
    # sheet); 订单服务, 志愿服务, 应急动员, 直报: it sees its area's orders, volunteers, incidents, 直报
    assert [c.value for c in wb["分类"][2]][1:] == ["楼道堆物", 8, 3, 2, 1]
    notes = {c.value for c in wb["点评"]["C"][1:]}
    assert notes == {"楼道堆物明显减少", '\'=HYPERLINK("http://x","点")'}
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert Report.objects.count() == 1
