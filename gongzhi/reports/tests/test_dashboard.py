# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The command centre's figures on the hand-built scenario, and its page, refresh endpoint and
errors over the test client (the layout itself is checked in the browser tests)."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from gongzhi.core import clock
from gongzhi.reports import dashboard as dash
from gongzhi.reports import kpis, periods
from gongzhi.reports.subjects import node_subject
from gongzhi.reports.tests.conftest import DAY1, DAY2, DAY3
from gongzhi.reports.tests.test_kpis import NOW, WHOLE, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def board(node):
    with clock.freeze(NOW):
        return dash.dashboard(node_subject(node), WHOLE)


def test_trend_and_mix_add_up_to_the_kpi_counters(scenario):
    b = board(scenario.tree.street)
    assert [d["day"] for d in b.trend] == [DAY1.isoformat(), DAY2.isoformat(), DAY3.isoformat()]
    assert sum(d["received"] for d in b.trend) == b.kpis.counts["received"] == 9
    assert sum(d["closed"] for d in b.trend) == b.kpis.counts["closed"]
    for d in b.trend:  # each day's points are that day's KPI counters
        with clock.freeze(NOW):
            day = kpis.kpi_set(
                node_subject(scenario.tree.street), periods.day_of(date.fromisoformat(d["day"]))
            )
        assert (d["received"], d["closed"]) == (day.counts["received"], day.counts["closed"])
    parent = scenario.category.parent
    assert b.categories == [{"code": parent.code, "name": parent.name, "count": 9, "group": parent.code}]
    assert (b.waiting, b.open_now) == (1, 3)  # F waits; F, H and G are open


def test_an_area_sees_its_own_figures(scenario):
    b = board(scenario.tree.r3)
    assert (b.waiting, b.open_now, b.kpis.counts["received"]) == (0, 1, 1)
    assert [e.code for e in b.areas.entries] == ["S-R3"]


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_page_and_refresh_show_the_same_figures(scenario):
    street = client(scenario.street)
    query = {"start": DAY1.isoformat(), "end": DAY3.isoformat()}
    with clock.freeze(NOW):
        page = street.get("/dashboard/", query)
        data = street.get("/dashboard/data.json", query)
        screen = street.get("/dashboard/", {**query, "screen": "1"})
    assert page.status_code == 200 and screen.status_code == 200
    assert 'class="dashboard screen"' in screen.content.decode()
    body = data.json()
    assert body["waiting"] == 1 and body["open"] == 3
    assert sum(d["received"] for d in body["trend"]) == 9
    embedded = page.content.decode().split('id="dash-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded)["kpis"] == body["kpis"]
    assert "13" not in "".join(str(v) for v in body.values() if isinstance(v, str))  # no phone numbers
    assert body["as_of"].endswith("+08:00")  # the page shows its hh:mm: local time, whoever wrote it


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"node": "S-R1"}, 403),  # outside the R3 committee's scope: no totals leak
        ({"node": "NOPE"}, 400),
        ({"start": "2026-03-04", "end": "2026-03-01"}, 400),
        ({"start": "2026-03-04", "to": "2026-03-01"}, 400),
        ({"range": "decade"}, 400),
        ({"start": "not-a-date"}, 400),
        ({"end": "2026-02-30"}, 400),
        ({"end": "9999-12-31"}, 400),
    ],
)
def test_bad_requests_are_clear_errors(scenario, query, status):
    outsider = client(scenario.outsider)
    with clock.freeze(NOW):
        page = outsider.get("/dashboard/", query)
        data = outsider.get("/dashboard/data.json", query)
    assert (page.status_code, data.status_code) == (status, status)
    if status == 400:
        assert data.json()["errors"]
    assert '"waiting"' not in data.content.decode() or status == 400


def figures(response):
    return {k: v for k, v in response.json().items() if k != "as_of"}


def test_the_same_period_parser_as_the_kpi_pages(scenario):
    """`end` is the last day shown; the KPI pages' old `to` is read as `end`; the messages are
    the KPI pages' (English when asked)."""
    street = client(scenario.street)
    with clock.freeze(NOW):
        new = street.get("/dashboard/data.json", {"start": DAY1.isoformat(), "end": DAY3.isoformat()})
        old = street.get("/dashboard/data.json", {"start": DAY1.isoformat(), "to": DAY3.isoformat()})
        page = street.get("/dashboard/", {"start": DAY1.isoformat(), "to": DAY3.isoformat()})
        wrong = street.get(
            "/dashboard/data.json",
            {"start": DAY3.isoformat(), "end": DAY1.isoformat()},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        typo = street.get("/dashboard/data.json", {"start": "2026-3-1"})
    assert figures(old) == figures(new)
    assert new.json()["period"] == {"start": DAY1.isoformat(), "end": (DAY3 + timedelta(days=1)).isoformat()}
    assert 'name="end" value="2026-03-04"' in page.content.decode()
    assert "end=2026-03-04" in page.context["drill_query"]  # the drill-down links write `end`
    assert wrong.status_code == 400 and wrong.json()["errors"] == [
        "The end date must be after the start date"
    ]
    assert typo.status_code == 400 and typo.json()["errors"] == ["日期格式应为 YYYY-MM-DD"]


def test_below_the_area_is_a_clear_error_and_the_menu_hides_it(scenario):
    handler = client(scenario.handler)  # property staff of an estate
    response = handler.get("/dashboard/")
    assert response.status_code == 400 and "居民区" in response.content.decode()
    assert 'href="/dashboard/"' not in handler.get("/").content.decode()
    assert 'href="/dashboard/"' in client(scenario.dispatcher).get("/").content.decode()


def test_each_tile_opens_onto_its_cases(scenario):
    street = client(scenario.street)
    with clock.freeze(NOW):
        page = street.get(
            "/dashboard/", {"start": DAY1.isoformat(), "end": DAY3.isoformat()}
        ).content.decode()
        link = page.split('<small class="ratio"><a href="')[1].split('"')[0].replace("&amp;", "&")
        listed = street.get(link)
    assert link.startswith("/reports/kpis/close_on_time/cases/?") and "part=numerator" in link
    numerator = board(scenario.tree.street).kpis["close_on_time"].numerator
    assert listed.status_code == 200 and listed.context["rows"].paginator.count == numerator > 0
