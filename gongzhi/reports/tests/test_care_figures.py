"""Care (关爱) in the reports, on hand-built alerts and visits with a frozen clock: each figure
(alerts raised by rule, answered within 30 minutes, someone at the door within 2 hours, false
alarms, regular visits done against those due), per area and street; the KPI page's 关爱
section and its lists (scoped to the subjects the reader may see); who sees no care figures at
all (a department, a partner, a grid worker serving nobody); the 日报 with its Word and Excel.

The street on 2026-03-10 (a Tuesday), the clock at 00:10 the next night:
- 张阿婆 (S-R1-H101, grid g1, served by `grid`): A1 门磁 10:00, taken at 10:20, visited 11:30,
  a false alarm; A2 用水 12:00, nobody answers, a visit case at 12:30, visited 15:00 (late);
  A4 燃气 23:50, nothing yet (still inside its 30 minutes).
- 李老伯 (S-R1-H102, grid g1, served by `grid_other`): A3 一键呼叫 20:00, not at home, reported
  unreachable at 20:10 (answered, and someone was at the door).
- 王奶奶 (S-R3-H301, served by the R3 committee): A5 用电 09:00, nothing.
"""

from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import pytest
from django.test import Client
from lxml import html

from gongzhi.care import chain
from gongzhi.care import services as care_services
from gongzhi.care.choices import AlertState, AwayReason, Duty, Outcome, RuleKind, SubjectKind, VisitKind
from gongzhi.care.models import Alert, AwayPeriod, CareSubject, Visit
from gongzhi.care.tests.conftest import SH, T0, CareWorld, build_world
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.reports import care_figures, documents, drill
from gongzhi.reports import services as report_services
from gongzhi.reports.models import ReportKind
from gongzhi.reports.periods import Period, day_of
from gongzhi.reports.subjects import node_subject
from gongzhi.testing.factories import PersonFactory, make_staff, node

pytestmark = pytest.mark.django_db

DAY = T0.date() + timedelta(days=8)  # Tuesday 2026-03-10


def at(hh: int, mm: int = 0, day: int = 0) -> datetime:
    return datetime(2026, 3, 10 + day, hh, mm, tzinfo=SH)


NOW = at(0, 10, day=1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _alert(subject: CareSubject, kind: str, opened: datetime) -> Alert:
    return Alert.objects.create(
        subject=subject, kind=kind, node_path=subject.node_path, opened_at=opened, notified_at=opened
    )


def _enrol(w: CareWorld, name: str, home: Any, post_key: str, by: str) -> CareSubject:
    person = PersonFactory(name=name, home=home, lives_alone=True)
    with clock.freeze(T0):
        return care_services.subject_enrol(
            actor=w.users[by], person=person, kind=SubjectKind.ALONE_80, posts=[(w.post(post_key), Duty.GRID)]
        )


@pytest.fixture
def street() -> CareWorld:
    w = build_world()
    tree = w.tree
    w.users["grid2"] = make_staff(
        "grid2", PostRole.GRID_WORKER, tree.g2, unit_kind=UnitKind.RESIDENTS_COMMITTEE
    )
    w.users["property"] = make_staff(
        "property", PostRole.PROPERTY_STAFF, tree.r1, unit_kind=UnitKind.PROPERTY
    )
    h102 = node("S-R1-H102", "1号楼102室", Level.HOUSEHOLD, tree.b1)
    e3 = node("S-R3-E1", "南丹小区", Level.ESTATE, tree.r3)
    b3 = node("S-R3-B1", "南丹小区1号楼", Level.BUILDING, e3)
    h301 = node("S-R3-H301", "1号楼301室", Level.HOUSEHOLD, b3)
    li = _enrol(w, "李老伯", h102, "grid_other", "committee")
    wang = _enrol(w, "王奶奶", h301, "committee_r3", "committee_r3")
    zhang = w.subject
    assert zhang is not None
    grid, other = w.users["grid"], w.users["grid_other"]
    a1 = _alert(zhang, RuleKind.NO_DOOR, at(10))
    with clock.freeze(at(10, 20)):
        chain.acknowledge(actor=grid, alert=a1)
    with clock.freeze(at(11, 30)):
        chain.outcome_record(actor=grid, alert=a1, outcome=Outcome.SAFE, false_alarm=True, note="在家看电视")
    a2 = _alert(zhang, RuleKind.WATER_LOW, at(12))
    with clock.freeze(at(12, 30)):
        assert chain.advance(at(12, 30)).visit_cases == 1
    with clock.freeze(at(15)):
        chain.outcome_record(
            actor=grid, alert=Alert.objects.get(pk=a2.pk), outcome=Outcome.SAFE, note="水表坏了"
        )
    a3 = _alert(li, RuleKind.SOS, at(20))
    with clock.freeze(at(20, 10)):
        chain.outcome_record(actor=other, alert=a3, outcome=Outcome.UNREACHABLE, note="敲门无人应答")
    _alert(zhang, RuleKind.GAS, at(23, 50))
    _alert(wang, RuleKind.NO_POWER, at(9))
    return w


def figures_of(place: Any, period: Period, now: datetime = NOW) -> care_figures.CareFigures:
    with clock.freeze(now):
        return care_figures.figures(node_subject(place), period, now)


def test_each_alert_figure_by_hand(street):
    r1 = figures_of(street.tree.r1, day_of(DAY))
    assert r1.raised == 4
    m = r1.measures
    # answered within 30 minutes: A1 (taken), A3 (reported unreachable); A2 not; A4 still young
    assert (m["acked_on_time"], m["ack_due"]) == (2, 3)
    # at the door within 2 hours (of the visit case for A2): A1, A3; A2 at 15:00 > 14:30
    assert (m["visited_on_time"], m["visit_due"]) == (2, 3)
    # false alarms among the closed alerts: A1 of A1, A2
    assert (m["false_alarms"], m["closed"]) == (1, 2)
    rules = {r.kind: (r.raised, r.closed, r.false_alarms) for r in r1.by_rule}
    assert rules == {"no_door": (1, 1, 1), "water_low": (1, 1, 0), "sos": (1, 0, 0), "gas": (1, 0, 0)}
    # two hours later A4 has had its 30 minutes and its 2 hours with nobody: both count it
    later = figures_of(street.tree.r1, day_of(DAY), at(2, 0, day=1)).measures
    assert (later["acked_on_time"], later["ack_due"]) == (2, 4)
    assert (later["visited_on_time"], later["visit_due"]) == (2, 4)


def test_per_area_and_street(street):
    tree = street.tree
    period = day_of(DAY)
    assert figures_of(tree.street, period).raised == 5
    assert figures_of(tree.k1, period).raised == 4
    assert figures_of(tree.r3, period).raised == 1
    assert figures_of(tree.r2, period).raised == 0
    assert figures_of(tree.g1, period).raised == 4
    assert figures_of(tree.street, day_of(DAY + timedelta(days=1))).raised == 0
    now = figures_of(tree.street, period)
    # now: A3, A4, A5 open; 李老伯 and 王奶奶 past their first weekly visit (张阿婆 visited today)
    assert (now.open_alerts, now.overdue_visits) == (3, 2)
    with clock.freeze(NOW):
        layer = care_figures.per_area(node_subject(tree.street))
    assert layer == [{"code": "S-R1", "alerts": 2, "overdue": 1}, {"code": "S-R3", "alerts": 1, "overdue": 1}]


def test_regular_visits_done_against_those_due(db):
    w = build_world()
    zhang = w.subject
    assert zhang is not None and zhang.enrolled_at == T0  # Monday 03-02 09:00, weekly
    for kind, when in [
        (VisitKind.VISIT, datetime(2026, 3, 5, 10, tzinfo=SH)),  # answers the due of 03-09
        (VisitKind.CHECKIN, datetime(2026, 3, 12, 10, tzinfo=SH)),  # a check-in is no visit
        (VisitKind.CALL, datetime(2026, 3, 17, 10, tzinfo=SH)),  # late for 03-16, answers 03-23
    ]:
        Visit.objects.create(subject=zhang, kind=kind, at=when)
    AwayPeriod.objects.create(
        subject=zhang,
        reason=AwayReason.HOSPITAL,
        starts_at=datetime(2026, 3, 28, tzinfo=SH),
        ends_at=datetime(2026, 4, 2, tzinfo=SH),
    )
    march = Period(T0.date().replace(day=1), T0.date().replace(month=4, day=1))
    found = figures_of(w.tree.street, march, datetime(2026, 4, 5, tzinfo=SH))
    assert (found.measures["visits_met"], found.measures["visits_due"]) == (2, 3)  # 03-30: in hospital
    assert found.visits_done == 2
    with clock.freeze(datetime(2026, 4, 5, tzinfo=SH)):
        missed = care_figures.dues_behind(node_subject(w.tree.street), march, "rest", user=w.users["grid"])
    assert [(r.subject.pk, r.due_at, r.met_at) for r in missed] == [(zhang.pk, T0 + timedelta(days=14), None)]
    # mid-month only the dues already past count
    assert figures_of(w.tree.street, march, datetime(2026, 3, 20, tzinfo=SH)).measures["visits_due"] == 2
    # a subject whose care ended stops falling due
    with clock.freeze(datetime(2026, 3, 10, tzinfo=SH)):
        care_services.subject_end(actor=w.users["committee"], subject=zhang)
    assert figures_of(w.tree.street, march, datetime(2026, 4, 5, tzinfo=SH)).measures["visits_due"] == 1


# --- pages --------------------------------------------------------------------------------------


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def get(user: Any, url: str, **params: str) -> Any:
    with clock.freeze(NOW):
        return client(user).get(url, {"start": DAY.isoformat(), "end": DAY.isoformat(), **params})


def care_tiles(body: str) -> dict[str, str]:
    page = html.fromstring(body)
    return {
        t.get("class").split()[1]: t.xpath(".//a[contains(@class, 'value')]")[0].text_content().strip()
        for t in page.xpath("//section[contains(@class, 'kpi-care')]//article")
    }


def listed(user: Any, url: str, **params: str) -> list[str]:
    response = get(user, url, **params)
    assert response.status_code == 200, response.content.decode()[:300]
    page = html.fromstring(response.content.decode())
    return [a.text_content().strip() for a in page.xpath("//ul[contains(@class, 'list')]/li/a")]


def test_the_kpi_page_has_a_care_section_per_area_and_street(street):
    admin = get(street.users["street_admin"], "/reports/kpis/", node="S").content.decode()
    assert care_tiles(admin) == {
        "kpi-care_ack_on_time": "50.0%",  # A1, A3 of A1, A2, A3, A5
        "kpi-care_visit_on_time": "50.0%",
        "kpi-care_false_alarm": "50.0%",
        "kpi-care_visits_on_time": "—",  # nobody's visit fell due that day
    }
    page = html.fromstring(admin)
    assert page.xpath("string(//a[contains(@class, 'care-raised')])") == "5"
    committee = get(street.users["committee"], "/reports/kpis/", node="S-R1").content.decode()
    assert html.fromstring(committee).xpath("string(//a[contains(@class, 'care-raised')])") == "4"
    assert care_tiles(committee)["kpi-care_ack_on_time"] == "66.7%"
    # no names on the KPI page: counts only
    for name in ("张阿婆", "李老伯", "王奶奶"):
        assert name not in admin and name not in committee


def test_a_grid_worker_sees_their_grid_counts_and_lists_only_their_subjects(street):
    grid = street.users["grid"]
    body = get(grid, "/reports/kpis/", node="S-R1-G1").content.decode()
    assert html.fromstring(body).xpath("string(//a[contains(@class, 'care-raised')])") == "4"
    rows = listed(grid, "/reports/figures/care_raised/cases/", node="S-R1-G1")
    assert rows == ["张阿婆"] * 3  # A4, A2, A1; not 李老伯's A3 (another grid worker's)
    assert listed(grid, "/reports/kpis/care_ack_on_time/cases/", node="S-R1-G1", part="numerator") == [
        "张阿婆"
    ]
    committee = street.users["committee"]
    assert listed(committee, "/reports/kpis/care_ack_on_time/cases/", node="S-R1", part="numerator") == [
        "李老伯",
        "张阿婆",
    ]
    assert listed(committee, "/reports/kpis/care_ack_on_time/cases/", node="S-R1", part="rest") == ["张阿婆"]
    assert listed(committee, "/reports/figures/care_false_alarms/cases/", node="S-R1", rule="no_door") == [
        "张阿婆"
    ]
    assert listed(committee, "/reports/figures/care_overdue/cases/", node="S-R1") == ["李老伯"]
    # the rate opens its denominator with the numerator and the rest beside it
    response = get(committee, "/reports/kpis/care_ack_on_time/cases/", node="S-R1")
    split = html.fromstring(response.content.decode()).xpath(
        "//*[contains(@class, 'drill-split')]//a/@data-count"
    )
    assert split == ["2", "1"]


def test_who_sees_no_care_figures(street):
    dept, partner = street.users["dept"], street.users["volunteer"]
    assert get(dept, "/reports/kpis/", node="S").status_code == 403
    assert get(dept, "/dashboard/", node="S").status_code == 403
    unit = street.post("dept").unit.code
    assert get(dept, "/reports/kpis/", unit=unit).status_code == 403  # no case pages at all
    assert get(dept, "/reports/figures/care_raised/cases/", unit=unit).status_code == 403
    assert get(partner, "/reports/kpis/", node="S-R1").status_code == 403
    # a property company sees the area's case figures, not its care
    seen = get(street.users["property"], "/reports/kpis/", node="S-R1")
    assert seen.status_code == 200 and "kpi-care" not in seen.content.decode()
    assert get(street.users["property"], "/reports/figures/care_open/cases/", node="S-R1").status_code == 403
    # a grid worker who serves nobody: their grid's case figures, no care section, no care lists
    nobody = street.users["grid2"]
    body = get(nobody, "/reports/kpis/", node="S-R1-G2")
    assert body.status_code == 200 and "kpi-care" not in body.content.decode()
    assert get(nobody, "/reports/figures/care_raised/cases/", node="S-R1-G2").status_code == 403
    assert get(nobody, "/reports/kpis/care_ack_on_time/cases/", node="S-R1-G2").status_code == 403
    bad = get(street.users["street_admin"], "/reports/figures/care_raised/cases/", node="S", rule="nope")
    assert bad.status_code == 400 and "没有这条关爱规则" in bad.content.decode()


# --- the command centre: a tile and a layer, counts only -------------------------------------------


def every_name() -> list[str]:
    names = [s.person.name for s in CareSubject.objects.select_related("person")]
    return [*names, "王小红"]  # 张阿婆's emergency contact


def test_the_command_centre_tile_and_layer_carry_no_name(street):
    admin = street.users["street_admin"]
    response = get(admin, "/dashboard/data.json", node="S")
    assert response.status_code == 200
    body = response.content.decode()
    for name in every_name():
        assert name not in body
    care = response.json()["care"]
    assert care["open_alerts"] == 3 and care["overdue_visits"] == 2 and care["raised"] == 5
    assert care["ack"] == {"value": 50.0, "numerator": 2, "denominator": 4, "grade": "D"}
    assert care["areas"] == [
        {"code": "S-R1", "alerts": 2, "overdue": 1},
        {"code": "S-R3", "alerts": 1, "overdue": 1},
    ]

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | set().union(*(keys(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(keys(v) for v in value)) if value else set()
        return set()

    assert keys(care) <= {"open_alerts", "raised", "ack", "value", "numerator", "denominator", "grade"} | {
        "overdue_visits",
        "areas",
        "code",
        "alerts",
        "overdue",
    }
    page = get(admin, "/dashboard/", node="S").content.decode()
    tree = html.fromstring(page)
    assert tree.xpath("string(//*[@id='dash-care-open'])") == "3"
    assert tree.xpath("string(//*[@id='dash-care-overdue'])") == "2"
    assert "南丹居民区" in tree.xpath("string(//*[@id='dash-care-table'])")
    for name in every_name():
        assert name not in page
    # a committee sees its own area's; a property company, which sees the area's cases, no care
    r1 = get(street.users["committee"], "/dashboard/data.json", node="S-R1").json()["care"]
    assert (r1["open_alerts"], r1["areas"]) == (2, [{"code": "S-R1", "alerts": 2, "overdue": 1}])
    assert get(street.users["property"], "/dashboard/data.json", node="S-R1").json()["care"] is None
    assert "dash-care" not in get(street.users["property"], "/dashboard/", node="S-R1").content.decode()


# --- 日报 ------------------------------------------------------------------------------------------


def test_the_daily_report_has_a_care_section(street):
    with clock.freeze(NOW + timedelta(minutes=20)):
        generated = report_services.report_generate(kind=ReportKind.DAILY, node=street.tree.street, start=DAY)
    report = generated.report
    care = report.figures["care"]
    assert (care["raised"], care["false_alarms"], care["open_alerts"], care["overdue_visits"]) == (5, 1, 3, 2)
    rates = {r["key"]: (r["numerator"], r["denominator"]) for r in care["rates"]}
    # generated at 00:30: A4 has had its 30 minutes (not yet its 2 hours)
    assert rates["care_ack_on_time"] == (2, 5) and rates["care_visit_on_time"] == (2, 4)
    assert rates["care_false_alarm"] == (1, 2)
    assert {r["kind"]: r["raised"] for r in care["by_rule"]} == {
        "no_door": 1, "water_low": 1, "sos": 1, "gas": 1, "no_power": 1,
    }  # fmt: skip
    frozen = str(report.figures)
    for name in every_name():
        assert name not in frozen
    with ZipFile(BytesIO(documents.report_docx(report))) as docx:
        text = docx.read("word/document.xml").decode()
    assert "四、关爱" in text and "触发关爱预警 5 次" in text and "预警30分钟内响应率" in text
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(documents.report_xlsx(report)))
    assert "关爱" in book.sheetnames
    assert (book["关爱"]["A2"].value, book["关爱"]["B2"].value) == ("触发的关爱预警", 5)
    # the page shows it to the street, and its figures open their lists
    body = get(street.users["street_admin"], f"/reports/{report.pk}/").content.decode()
    assert html.fromstring(body).xpath("string(//*[contains(@class, 'care-raised')])").strip() == "5"
    # a report without care (generated before it counted) still renders
    report.figures = {k: v for k, v in report.figures.items() if k != "care"}
    assert "四、关爱" in ZipFile(BytesIO(documents.report_docx(report))).read("word/document.xml").decode()
    assert documents.context(report)["care"] == {}


def test_the_drill_module_refuses_a_unit(street):
    from gongzhi.core.errors import PermissionDeniedError
    from gongzhi.reports.subjects import subject_for

    with clock.freeze(NOW):
        unit_subject = subject_for(street.users["street_admin"], unit=street.post("committee").unit.code)
        with pytest.raises(Exception) as refused:
            drill.figure(unit_subject, day_of(DAY), "care_raised", user=street.users["street_admin"])
    assert "只适用于辖区" in str(refused.value)
    with clock.freeze(NOW), pytest.raises(PermissionDeniedError):
        drill.drill(
            node_subject(street.tree.street),
            day_of(DAY),
            "care_ack_on_time",
            "numerator",
            user=street.users["dept"],
        )
    assert AlertState.CLOSED in Alert.objects.values_list("state", flat=True)
