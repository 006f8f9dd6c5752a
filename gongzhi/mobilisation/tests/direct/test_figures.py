"""直报 figures (reports.direct_figures): acknowledged within 15 minutes, followed up within the
hour, misuse counted; the command centre's tile and list (places and posts only, every open
report until closed) and the KPI page's section, for those who see 直报 at the place; the
drill-down behind each figure (cut by access), the labels' windows from settings, and the
日报's 直报 section (frozen figures, Word, Excel, page)."""

from datetime import timedelta
from io import BytesIO
from zipfile import ZipFile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core import clock
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.mobilisation import direct
from gongzhi.mobilisation.tests.direct.conftest import T0
from gongzhi.reports import direct_figures, documents, drill, periods
from gongzhi.reports import services as report_services
from gongzhi.reports.dashboard import as_json, dashboard
from gongzhi.reports.models import ReportKind
from gongzhi.reports.subjects import node_subject

MONTH = periods.Period(T0.date().replace(day=1), T0.date().replace(day=31))


def at(minutes: int):
    return clock.freeze(T0 + timedelta(minutes=minutes))


@pytest.fixture
def three(world):
    """fast: acknowledged at 5 min, followed up at 30; slow: acknowledged at 20, followed up at
    70; misuse: an ordinary problem, acknowledged at 2 and marked, never followed up."""
    fast, slow = world.report(), world.report(kind="collapse", node=world.tree.r3)
    misuse = world.report(kind="other", text="楼道灯坏了", node=world.tree.r2)
    officer, grid = world.users["officer"], world.users["grid"]
    with at(2):
        direct.report_acknowledge(actor=officer, report=misuse)
        direct.report_mark_misuse(actor=officer, report=misuse, reason="一般报修")
    with at(5):
        direct.report_acknowledge(actor=officer, report=fast)
    with at(20):
        direct.report_acknowledge(actor=officer, report=slow)
    with at(30):
        direct.follow_up_add(actor=grid, report=fast, text="已扑灭")
    with at(70):
        direct.follow_up_add(actor=grid, report=slow, text="围挡已设")
    with at(80):
        direct.report_close(actor=officer, report=fast, result="无人员伤亡")
    return fast, slow, misuse


@pytest.mark.django_db
def test_the_rates_and_the_misuse_count(world, three):
    found = direct_figures.figures(node_subject(world.tree.street), MONTH, T0 + timedelta(hours=2))
    assert found.reported == 3 and found.misuse == 1
    assert (found.acked_on_time.numerator, found.acked_on_time.denominator) == (2, 3)
    assert (found.followed_up_on_time.numerator, found.followed_up_on_time.denominator) == (1, 2)
    assert found.acked_on_time.value == 66.7 and found.followed_up_on_time.value == 50.0
    assert found.open_now == 2 and found.unacknowledged_now == 0
    assert {k.kind: (k.reported, k.misuse) for k in found.by_kind} == {
        "fire": (1, 0),
        "collapse": (1, 0),
        "other": (1, 1),
    }
    # a young report counts in neither rate
    world.report(at=T0 + timedelta(hours=2))
    young = direct_figures.figures(node_subject(world.tree.street), MONTH, T0 + timedelta(hours=2, minutes=1))
    assert young.acked_on_time.denominator == 3 and young.unacknowledged_now == 1
    area = direct_figures.figures(node_subject(world.tree.r3), MONTH, T0 + timedelta(hours=2))
    assert area.reported == 1 and area.followed_up_on_time.numerator == 0


@pytest.mark.django_db
def test_the_command_centre_lists_every_open_report_places_only(world, three):
    _fast, slow, misuse = three
    with at(90):
        board = dashboard(node_subject(world.tree.street), MONTH, viewer=world.users["officer"])
        data = as_json(board)
    listed = data["direct"]["reports"]
    assert [r["id"] for r in listed] == [slow.pk, misuse.pk]  # the closed one is gone
    assert listed[0]["place"] == "南丹居民区" and listed[0]["post"].endswith("网格员")
    assert listed[1]["misuse"] is True
    assert data["direct"]["open"] == 2 and data["direct"]["ack"]["numerator"] == 2
    text = str(data["direct"])
    assert "围挡" not in text and "楼道灯坏了" not in text and "grid" not in text


@pytest.mark.django_db
def test_who_sees_the_figures(world, three):
    street = node_subject(world.tree.street)
    assert direct_figures.may_see(world.users["admin"], street)
    assert direct_figures.may_see(world.users["officer"], street)
    assert not direct_figures.may_see(world.users["block"], street)  # K1 only
    assert direct_figures.may_see(world.users["block"], node_subject(world.tree.k1))
    assert not direct_figures.may_see(world.users["property"], node_subject(world.tree.e1))
    assert not direct_figures.may_see(world.users["grid_t"], street)


@pytest.mark.django_db
def test_the_pages_show_them(world, three):
    client = Client()
    client.force_login(world.users["officer"])
    with at(90):
        board = client.get("/dashboard/").content.decode()
        kpis = client.get("/reports/kpis/?node=S&start=2026-03-01&end=2026-03-31").content.decode()
    assert 'id="dash-direct-list"' in board and "南丹居民区" in board and "围挡" not in board
    assert "kpi-direct-ack" in kpis and "66.7%" in kpis and "50.0%" in kpis
    client.force_login(world.users["property"])
    assert "dash-direct" not in client.get("/dashboard/?node=S-R1").content.decode()


MEASURE_COUNTS = {  # at T0 + 2h, over the street (the `three` fixture)
    direct_figures.REPORTED: 3,
    direct_figures.ACK_DUE: 3,
    direct_figures.ACKED_ON_TIME: 2,
    direct_figures.ACKED_LATE: 1,
    direct_figures.FOLLOW_UP_DUE: 2,
    direct_figures.FOLLOWED_UP_ON_TIME: 1,
    direct_figures.FOLLOWED_UP_LATE: 1,
    direct_figures.CONVERTED: 0,
    direct_figures.MISUSE: 1,
}


@pytest.mark.django_db
def test_each_figure_opens_the_reports_behind_it_cut_by_access(world, three):
    fast, slow, misuse = three
    street = node_subject(world.tree.street)
    with at(120):
        for measure, n in MEASURE_COUNTS.items():
            found = drill.figure(street, MONTH, measure, user=world.users["officer"])
            assert (found.kind, found.rows.count()) == (drill.DIRECT, n), measure
        late = drill.figure(street, MONTH, direct_figures.ACKED_LATE, user=world.users["admin"])
        assert list(late.rows) == [slow] and "15分钟" in late.label
        kind = drill.figure(
            street, MONTH, direct_figures.REPORTED, user=world.users["admin"], kind="collapse"
        )
        assert list(kind.rows) == [slow]
        # the block cadre sees K1's figures and, in the list, only K1's reports
        k1 = drill.figure(
            node_subject(world.tree.k1), MONTH, direct_figures.REPORTED, user=world.users["block"]
        )
        assert set(k1.rows) == {r for r in (fast, slow, misuse) if r.node_path.startswith(world.tree.k1.path)}
        with pytest.raises(PermissionDeniedError):
            drill.figure(street, MONTH, direct_figures.REPORTED, user=world.users["block"])
        with pytest.raises(PermissionDeniedError):
            drill.figure(
                node_subject(world.tree.e1), MONTH, direct_figures.MISUSE, user=world.users["property"]
            )
        with pytest.raises(ValidationError):
            drill.figure(street, MONTH, direct_figures.REPORTED, user=world.users["admin"], kind="flood")
    client = Client()
    client.force_login(world.users["officer"])
    query = "node=S&start=2026-03-01&end=2026-03-31"
    with at(120):
        kpis = client.get(f"/reports/kpis/?{query}").content.decode()
        page = client.get(f"/reports/figures/direct_acked_late/cases/?{query}")
        bad = client.get(f"/reports/figures/direct_reported/cases/?{query}&kind=flood")
    assert "/reports/figures/direct_acked_on_time/cases/" in kpis and "kind=collapse" in kpis
    body = page.content.decode()
    assert page.status_code == 200 and f"/direct/{slow.pk}/" in body and f"/direct/{fast.pk}/" not in body
    assert "东安一村1号楼" not in body  # the list shows kind, place and times, never the text
    assert bad.status_code in (400, 422)


@pytest.mark.django_db
def test_the_labels_take_the_windows_from_settings(world, three, settings):
    settings.DIRECT_ACK_MINUTES, settings.DIRECT_FOLLOW_UP_MINUTES = 10, 120
    assert (direct_figures.span_label(15), direct_figures.span_label(60)) == ("15分钟", "1小时")
    client = Client()
    client.force_login(world.users["officer"])
    with at(150):
        kpis = client.get("/reports/kpis/?node=S&start=2026-03-01&end=2026-03-31").content.decode()
        board = client.get("/dashboard/").content.decode()
        tile = direct_figures.tile(node_subject(world.tree.street), MONTH)
    assert "10分钟内确认率" in kpis and "2小时内续报率" in kpis
    assert "15分钟" not in kpis and "1小时内" not in kpis
    assert "直报·10分钟内确认" in board and tile["ack_span"] == "10分钟"
    # acknowledged at 5 and 20 minutes, the misuse at 2: within ten minutes, two of three
    assert (tile["ack"]["numerator"], tile["ack"]["denominator"]) == (2, 3)


@pytest.mark.django_db
def test_the_daily_report_carries_a_direct_section(world, three, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with clock.freeze(T0 + timedelta(days=1)):
        report = report_services.report_generate(
            kind=ReportKind.DAILY, node=world.tree.street, start=T0.date()
        ).report
    d = report.figures["direct"]
    assert (d["reported"], d["misuse"], d["to_case"], d["to_mobilisation"]) == (3, 1, 0, 0)
    assert d["acked_on_time"]["numerator"] == 2 and d["followed_up_on_time"]["denominator"] == 2
    assert (d["ack_span"], d["follow_up_span"]) == ("15分钟", "1小时")
    assert "围挡" not in str(d) and "grid" not in str(d)
    with ZipFile(BytesIO(documents.report_docx(report))) as docx:
        text = docx.read("word/document.xml").decode()
    assert "九、直报" in text and "15分钟内确认 2/3（66.7%）" in text
    book = load_workbook(BytesIO(documents.report_xlsx(report)))
    rows = {r[0]: r[1:] for r in book["直报"].iter_rows(min_row=2, values_only=True)}
    assert rows["直报"][0] == 3 and rows["1小时内续报"] == (50.0, 1, 2)
    assert documents.sections(world.users["officer"], report)["direct"]
    assert not documents.sections(world.users["property"], report)["direct"]
    client = Client()
    client.force_login(world.users["officer"])
    assert "report-direct" in client.get(f"/reports/{report.pk}/").content.decode()
    client.force_login(world.users["dept"])
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code != 200 or "report-direct" not in page.content.decode()
