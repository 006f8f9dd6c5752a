"""/api/v1/reports over real HTTP: KPIs by node, unit and post, drill-down, rankings, 日报周报;
scope (403 with nothing leaked), bad input (422 naming the field), never a 5xx."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.reports import services
from gongzhi.reports.models import ReportKind
from gongzhi.testing.factories import UnitFactory


def photo() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def cases(world):
    """R1: two cases, one closed; R3: one case, open. The committee member of R1 handles 楼道堆物."""
    person = world.users["committee"].person
    post = Post.objects.create(
        code="R1-LD",
        unit=UnitFactory(code="U-R1", node=world.tree.r1, kind=UnitKind.RESIDENTS_COMMITTEE),
        node=world.tree.r1,
        title="楼道整治专员",
        person=person,
        role=PostRole.COMMITTEE_STAFF,
        active_from=date(2020, 1, 1),
    )
    category = Category.objects.get(code="LD01")
    post.categories.set([category])
    made = []
    for node, text in [
        (world.tree.b1, "楼道堆物一"),
        (world.tree.b1, "楼道堆物二"),
        (world.h3, "南丹楼道堆物"),
    ]:
        intake = Intake(node=node, text=text, source=Source.PATROL, category=category)
        made.append(case_create(actor=None, intake=intake))
    committee = world.users["committee"]

    def act(case, action, **kw):
        case.refresh_from_db()
        return case_act(actor=committee, case=case, act=Act(action=action, version=case.version, **kw))

    closed = made[0]
    for action in ("register", "dispatch", "accept"):
        closed = act(closed, action)
    closed = act(closed, "submit", note="已清理", files=[photo()])
    act(closed, "verify", files=[photo()])
    return post


def kpi(body, key):
    return next(k for k in body["kpis"] if k["key"] == key)


def test_street_and_committee_figures(api, cases):
    street = api("GET", "/reports/kpis", as_="street", params={"node": "S"})
    assert street.status_code == 200
    body = street.json()
    assert body["counts"]["received"] == 3 and body["subject"]["node"] == "S"
    assert (kpi(body, "close_rate")["numerator"], kpi(body, "close_rate")["denominator"]) == (1, 3)
    mine = api("GET", "/reports/kpis", as_="committee").json()  # default: the committee's area
    assert mine["subject"]["node"] == "S-R1" and mine["counts"]["received"] == 2
    close = kpi(mine, "close_rate")
    assert (close["numerator"], close["denominator"], close["value"], close["unit"]) == (1, 2, 50.0, "%")
    assert close["denominator_cases"].startswith("/api/v1/reports/kpis/close_rate/cases?")


def test_drill_down_pages_the_cases(api, cases):
    url = "/reports/kpis/close_rate/cases"
    rows = api("GET", url, as_="committee", params={"part": "denominator", "limit": 1})
    assert rows.status_code == 200
    assert rows.json()["count"] == 2 and len(rows.json()["items"]) == 1
    closed = api("GET", url, as_="committee", params={"part": "numerator"}).json()
    assert [i["state"] for i in closed["items"]] == ["closed"] and closed["items"][0]["type"] == "case"
    backlog = api("GET", "/reports/kpis/backlog/cases", as_="street", params={"node": "S", "bucket": "d1"})
    assert backlog.json()["count"] == 2


def test_out_of_scope_is_403_and_leaks_nothing(api, cases):
    for params in ({"node": "S-R3"}, {"node": "S"}, {"unit": "U-R1", "node": "S"}):
        response = api("GET", "/reports/kpis", as_="committee", params=params)
        assert response.status_code == 403
        assert "received" not in response.text
    assert (
        api("GET", "/reports/kpis/close_rate/cases", as_="committee", params={"node": "S-R3"}).status_code
        == 403
    )
    assert api("GET", "/reports/kpis", as_="grid", params={"post": "R1-LD"}).status_code == 403
    assert api("GET", "/reports/kpis", as_="resident").status_code == 403
    assert api("GET", "/reports/kpis", as_="dept").status_code == 403  # no case scope by place
    assert api("GET", "/reports/kpis").status_code == 401


def test_own_post_and_unit(api, cases):
    post = api("GET", "/reports/kpis", as_="committee", params={"post": "R1-LD"}).json()
    assert post["subject"]["post"] == "R1-LD" and post["counts"]["received"] == 2
    unit = api("GET", "/reports/kpis", as_="street", params={"unit": "U-R1"}).json()
    assert unit["counts"]["closed"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"node": "NOPE"}, "node"),
        ({"post": "NOPE"}, "post"),
        ({"unit": "NOPE"}, "unit"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"start": "2026-03-10", "end": "2026-03-10"}, "end"),
        ({"start": "2026-13-45"}, "start"),
        ({"node": "x" * 41}, "node"),
    ],
)
def test_bad_input_names_the_field(api, cases, params, field):
    response = api("GET", "/reports/kpis", as_="street", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in [d["loc"][-1] for d in detail]
    assert all(d["msg"] for d in detail)


def test_bad_drill_and_ranking_requests(api, cases):
    assert api("GET", "/reports/kpis/nope/cases", as_="street").status_code == 422
    part = api("GET", "/reports/kpis/close_rate/cases", as_="street", params={"part": "half"})
    assert part.status_code == 422 and part.json()["detail"][0]["loc"][-1] == "part"
    rank = api("GET", "/reports/rankings", as_="street", params={"node": "S", "kpi": "backlog"})
    assert rank.status_code == 422 and rank.json()["detail"][0]["loc"][-1] == "kpi"
    below = api("GET", "/reports/rankings", as_="street", params={"node": "S-R1-E1"})
    assert below.status_code == 422


def test_rankings_of_areas_and_units(api, cases, settings):
    settings.REPORTS_RANK_MIN = 1
    body = api("GET", "/reports/rankings", as_="street", params={"node": "S", "kpi": "close_rate"}).json()
    assert [e["code"] for e in body["entries"]] == ["S-R1", "S-R3", "S-R2"]  # 50%, 0%, no cases
    assert body["entries"][0]["value"] == 50.0 and body["entries"][2]["rank"] is None
    assert body["praise"][0]["code"] == "S-R1" and body["shame"][0]["code"] == "S-R3"
    units = api("GET", "/reports/rankings", as_="street", params={"node": "S", "by": "units"}).json()
    assert [e["code"] for e in units["entries"]] == ["U-R1"]


def test_reports_list_detail_and_commentary(api, cases, world):
    day = timezone.localdate()
    report = services.report_generate(kind=ReportKind.DAILY, node=Node.objects.get(code="S-R1"), start=day)
    assert report.outcome == "created"
    listed = api("GET", "/reports/reports", as_="committee").json()
    assert [r["id"] for r in listed["items"]] == [report.report.pk]
    assert api("GET", "/reports/reports", as_="committee", params={"node": "S-R3"}).status_code == 403
    detail = api("GET", f"/reports/reports/{report.report.pk}", as_="committee").json()
    assert detail["figures"]["totals"]["new"] == 2 and detail["may_comment"] is True
    note = api(
        "POST", f"/reports/reports/{report.report.pk}/notes", as_="committee", json={"text": "楼道整治见效"}
    )
    assert note.status_code == 201 and note.json()["notes"][0]["by"] == "committee"
    # a grid worker sees the grid's cases only: the area's report is not theirs to see
    assert (
        api("POST", f"/reports/reports/{report.report.pk}/notes", as_="grid", json={"text": "x"}).status_code
        == 404
    )
    empty = api("POST", f"/reports/reports/{report.report.pk}/notes", as_="committee", json={"text": " "})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "text"
    assert api("GET", f"/reports/reports/{report.report.pk}", as_="resident").status_code == 404
    assert api("GET", "/reports/reports/999999", as_="street").status_code == 404
