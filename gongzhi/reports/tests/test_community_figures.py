"""共建 figures on hand-built data (reports/tests/community_world.py): each figure by hand, per area
and street, at the end of an earlier period; who sees them (a branch secretary their area, a
department or a property company none); the lists behind them; the 周报's 共建 section on the
page, in Word and in Excel."""

from io import BytesIO
from typing import Any
from zipfile import ZipFile

import pytest
from django.test import Client
from lxml import html

from gongzhi.community.tests.ledger.conftest import T0
from gongzhi.core import clock
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs.roles import MemberType, PostRole, UnitKind
from gongzhi.reports import community_figures, documents, drill, kpis
from gongzhi.reports import services as report_services
from gongzhi.reports.models import ReportKind
from gongzhi.reports.subjects import node_subject, subject_for
from gongzhi.reports.tests.community_world import EARLY_PERIOD, NOW_PERIOD, D, FiguresWorld, build
from gongzhi.testing.factories import make_staff


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def fw(db: None) -> FiguresWorld:
    found = build()
    tree = found.w.tree
    found.w.users["dept"] = make_staff(
        "dept", PostRole.DEPARTMENT, tree.street, unit_kind=UnitKind.DEPARTMENT
    )
    found.w.users["property"] = make_staff(
        "property", PostRole.PROPERTY_STAFF, tree.r1, unit_kind=UnitKind.PROPERTY
    )
    found.w.users["street_cadre"] = make_staff("street_cadre", PostRole.STREET_CADRE, tree.street)
    return found


def figures_of(place: Any, period: Any = NOW_PERIOD) -> community_figures.CommunityFigures:
    with clock.freeze(T0):
        return community_figures.figures(node_subject(place), period)


def ratio(found: community_figures.CommunityFigures, key: str) -> tuple[int, int]:
    kpi = next(k for k in community_figures.d.COMMUNITY_KPIS if k.key == key)
    return found.measures[kpi.numerator], found.measures[kpi.denominator]


def test_each_figure_of_the_street_by_hand(fw):
    found = figures_of(fw.w.tree.street)
    # members: 在职 registered; 新经济 left D-2; 流动 withdrew; 南丹's member not registered
    assert ratio(found, "community_member_rate") == (1, 4)
    # units: 东安医院 (confirmed) and 东安社工站 (roster, with R3) of 医院, 社工站, 超市 and the
    # property company of the fixture's property staff (R1)
    assert ratio(found, "community_unit_rate") == (2, 4)
    assert found.units_serving == 2
    # hours: 在职 owes 11 days x 1 h, 新经济 7 days x 0.2 h = 12.4 → 12; done 4 + 3 + 1 = 8
    assert ratio(found, "community_service_hours") == (8, 12)
    assert ratio(found, "community_needs_met") == (1, 3)
    assert ratio(found, "community_projects_on_time") == (2, 3)
    assert (found.measures["projects_claimed"], found.needs_open, found.projects_active) == (3, 2, 1)
    assert found.as_of == D


def test_points_per_member_type(fw):
    rows = {r.member_type: r for r in figures_of(fw.w.tree.street).by_type}
    in_service = rows[MemberType.IN_SERVICE]
    assert (in_service.members, in_service.total, in_service.deductions) == (1, 8, 1)
    assert (rows[MemberType.RETIRED].total, rows[MemberType.IN_DIFFICULTY].total) == (3, 3)
    mobile = rows[MemberType.MOBILE]
    assert (mobile.members, mobile.total, mobile.deductions) == (1, 0, 0)  # the deduction was reversed
    assert rows[MemberType.NEW_ORG].members == 0 and rows[MemberType.NEW_ORG].average is None
    assert [r.member_type for r in figures_of(fw.w.tree.street).by_type] == list(MemberType.values)


def test_per_area_and_at_the_end_of_an_earlier_period(fw):
    areas = {a.code: a for a in figures_of(fw.w.tree.street).areas}
    r1, r3 = areas["S-R1"].measures, areas["S-R3"].measures
    assert (r1["members_registered"], r1["members_eligible"]) == (1, 3)
    assert (r3["members_registered"], r3["members_eligible"]) == (0, 1)
    assert (r1["units_registered"], r1["units_located"], r3["units_located"]) == (2, 3, 1)
    assert (r1["projects_finished"], r1["projects_on_time"], r3["projects_on_time"]) == (2, 1, 1)
    assert (r1["hours_done"], r1["hours_committed"]) == (8, 12)
    assert areas["S-R2"].rates == [None] * 5
    # the area's own figures equal its row; a single area has no per-area table
    alone = figures_of(fw.w.tree.r1)
    assert alone.measures == r1 and r1["needs_listed"] == 2 and not alone.areas
    # at D-5, 新经济 was still registered; the 流动 application never was
    early = figures_of(fw.w.tree.street, EARLY_PERIOD)
    assert early.as_of.isoformat() == "2026-06-10" and ratio(early, "community_member_rate") == (2, 4)


def test_who_sees_the_figures(fw):
    users, tree = fw.w.users, fw.w.tree
    with clock.freeze(T0):
        mine = subject_for(users["secretary"], node="S-R1")
        assert community_figures.may_see(users["secretary"], mine)
        assert (
            kpis.kpi_set(mine, NOW_PERIOD, viewer=users["secretary"])["community_member_rate"].numerator == 1
        )
        with pytest.raises(PermissionDeniedError):  # the street's figures are not the secretary's
            subject_for(users["secretary"], node="S")
        seen = kpis.kpi_set(subject_for(users["property"], node="S-R1"), NOW_PERIOD, viewer=users["property"])
        assert seen.community_counts is None and not seen.community  # cases yes, community no
        assert not community_figures.may_see(users["dept"], node_subject(tree.street))
        with pytest.raises(PermissionDeniedError):
            drill.drill(
                node_subject(tree.r1),
                NOW_PERIOD,
                "community_member_rate",
                "numerator",
                user=users["property"],
            )
        unit = subject_for(users["street_cadre"], unit=fw.w.unit.code)
        assert not community_figures.applies(unit)
        with pytest.raises(Exception, match="只适用于辖区"):
            drill.figure(unit, NOW_PERIOD, "community_claimed", user=users["street_cadre"])


def names(found: drill.DrillDown, attr: str = "name") -> list[str]:
    out = []
    for row in found.rows:
        value = row
        for part in attr.split("."):
            value = getattr(value, part)
        out.append(value)
    return sorted(out)


def test_the_lists_behind_the_figures(fw):
    users, tree = fw.w.users, fw.w.tree
    street, me = node_subject(tree.street), users["street_cadre"]
    with clock.freeze(T0):
        member = drill.drill(street, NOW_PERIOD, "community_member_rate", "rest", user=me)
        assert member.kind == "member"
        assert names(member, "person.name") == sorted(["党员mobile", "党员new_org", "南丹在职党员"])
        units = drill.drill(street, NOW_PERIOD, "community_unit_rate", "numerator", user=me)
        assert names(units) == sorted(["东安医院", "东安社工站"])
        late = drill.drill(street, NOW_PERIOD, "community_projects_on_time", "rest", user=me)
        assert names(late, "title") == ["路灯"]
        served = drill.drill(street, NOW_PERIOD, "community_service_hours", "numerator", user=me)
        assert served.kind == "commitment" and len(served.rows) == 2
        met = drill.drill(street, NOW_PERIOD, "community_needs_met", "denominator", user=me)
        assert names(met, "title") == sorted(["助餐", "修路灯", "义诊"])
        points = drill.figure(street, NOW_PERIOD, "community_points", user=me, member_type=MemberType.MOBILE)
        assert sorted(e.points for e in points.rows) == [-2, 2]  # the deduction and its reversal
        claimed = drill.figure(street, NOW_PERIOD, "community_claimed", user=me)
        assert names(claimed, "title") == sorted(["助餐点", "路灯", "楼道"])
        with pytest.raises(Exception, match="党员类型"):
            drill.figure(street, NOW_PERIOD, "community_points", user=me, member_type="nobody")
        # the secretary's list of their own area
        mine = drill.drill(
            node_subject(tree.r1), NOW_PERIOD, "community_member_rate", "numerator", user=users["secretary"]
        )
        assert names(mine, "person.name") == ["党员in_service"]


def page(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    with clock.freeze(T0):
        return client.get(url)


def test_the_kpi_page_has_a_community_section(fw):
    users = fw.w.users
    q = f"node=S&start={NOW_PERIOD.start}&end={NOW_PERIOD.last_day}"
    body = page(users["street_cadre"], f"/reports/kpis/?{q}").content.decode()
    doc = html.fromstring(body)
    tile = doc.xpath("//article[contains(@class, 'kpi-community_member_rate')]")[0]
    assert tile.xpath("string(.//a[@class='numerator'])") == "1" and "25.0%" in tile.text_content()
    assert doc.xpath("count(//table[contains(@class, 'community-areas')]//tbody/tr)") == 3
    assert doc.xpath("string(//tr[@data-type='in_service']/td[3])") == "8"
    assert "kpi-community" not in page(users["property"], "/reports/kpis/?node=S-R1").content.decode()
    listed = page(users["street_cadre"], f"/reports/kpis/community_unit_rate/cases/?{q}&part=rest")
    assert listed.status_code == 200 and "南丹超市" in listed.content.decode()
    points = page(users["street_cadre"], f"/reports/figures/community_points/cases/?{q}&member_type=retired")
    assert "党员retired" in points.content.decode()
    assert page(users["property"], "/reports/kpis/community_unit_rate/cases/?node=S-R1").status_code == 403


def test_the_weekly_report_has_a_community_section(fw):
    users, tree = fw.w.users, fw.w.tree
    with clock.freeze(T0):
        report = report_services.report_generate(kind=ReportKind.WEEKLY, node=tree.street, start=D).report
    # the week of D (a Monday) has no needs listed yet; the registrations are read today
    found = report.figures["community"]
    rates = {r["key"]: (r["numerator"], r["denominator"]) for r in found["rates"]}
    assert rates["community_member_rate"] == (1, 4) and rates["community_unit_rate"] == (2, 4)
    assert found["needs_open"] == 2 and found["projects_active"] == 1
    assert "党员in_service" not in str(found)  # counts, no names
    with ZipFile(BytesIO(documents.report_docx(report))) as docx:
        text = docx.read("word/document.xml").decode()
    assert "五、共建" in text and "党员报到率" in text and "25.0%" in text
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(documents.report_xlsx(report)))
    assert {"共建", "积分分布", "共建·居民区"} <= set(book.sheetnames)
    sheet = {row[0]: row[1:] for row in book["共建"].iter_rows(min_row=2, values_only=True)}
    assert sheet["党员报到率"][:3] == (25.0, 1, 4)
    # the page shows it to the street, not to a reader without VIEW_COMMUNITY there
    body = page(users["street_cadre"], f"/reports/{report.pk}/").content.decode()
    assert "report-community" in body
    assert documents.context(report, community=False)["community"] == {}
    no_book = load_workbook(BytesIO(documents.report_xlsx(report, community=False)))
    assert "共建" not in no_book.sheetnames
