# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""Every figure on the command centre, the KPI page, the rankings and the 日报/周报 is a link to
the exact list behind it: each test reads a page, follows every figure's link and checks that
the list holds as many rows as the figure says (the events, for figures that count events),
for the street (the whole street in scope) and for a committee (its area only)."""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from lxml import html

from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.reports import services
from gongzhi.reports.models import ReportKind
from gongzhi.reports.tests.conftest import DAY1, DAY3
from gongzhi.reports.tests.test_kpis import NOW, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
WHOLE = {"start": DAY1.isoformat(), "end": DAY3.isoformat()}
LISTS = re.compile(r"^/(reports/kpis/\w+/cases/|reports/figures/\w+/cases/|cases/overdue/|cases/\?)")
NUMBER = re.compile(r"^\d+$")
RATE = re.compile(r"^(\d+(\.\d)?%|—)$")


@dataclass
class Listed:
    url: str
    count: int  # rows the list says it holds
    rows: list[str]  # the case (meeting, slip) links on the page
    events: int | None  # the events its cases hold, for per-event figures
    split: list[int]  # a rate's denominator: the numerator and the rest


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def figure_links(body: str) -> list[tuple[str, str]]:
    """(url, text) of every link to a list whose text is a figure (a count or a rate)."""
    out = []
    for a in html.fromstring(body).iter("a"):
        strong = a.xpath(".//strong")  # a counter: its label, then the figure in <strong>
        href = a.get("href") or ""
        text = (strong[0] if strong else a).text_content().strip()
        if LISTS.match(href) and (NUMBER.match(text) or RATE.match(text)):
            out.append((href, text))
    return out


def follow(c: Client, url: str) -> Listed:
    with clock.freeze(NOW):
        response = c.get(url)
    assert response.status_code == 200, (url, response.content.decode()[:500])
    page = html.fromstring(response.content.decode())
    rows = [a.get("href") for a in page.xpath("//ul[contains(@class, 'list')]/li/a")]
    stated = page.xpath("//*[contains(@class, 'drill-count')]")
    events = page.xpath("//*[contains(@class, 'drill-events')]")
    if stated:
        count = int(stated[0].get("data-count"))
    else:  # the case list and the overdue list: 共 N 件
        found = re.search(r"共 (\d+) 件", page.xpath("//p[@class='count']")[0].text_content())
        assert found, url
        count = int(found.group(1))
    return Listed(
        url=url,
        count=count,
        rows=rows,
        events=int(events[0].get("data-count")) if events else None,
        split=[int(a.get("data-count")) for a in page.xpath("//*[contains(@class, 'drill-split')]//a")],
    )


def check_every_figure(c: Client, body: str, *, within: str = "") -> int:
    """Follow each figure link; the list's length is the figure. Returns the links followed.
    `within`: a path every listed case must lie under (the narrower user's scope)."""
    links = figure_links(body)
    for url, text in links:
        listed = follow(c, url)
        assert listed.count == len(listed.rows), url  # the scenario's lists fit on one page
        if NUMBER.match(text):
            figure = int(text)
            assert (listed.events if listed.events is not None else listed.count) == figure, (url, text)
        else:  # a rate opens its denominator, with its numerator and the rest beside it
            assert "part=denominator" in url, url
            assert len(listed.split) == 2, url
            assert sum(listed.split) == (listed.events if listed.events is not None else listed.count), url
        if within:
            ids = [int(r.rstrip("/").rsplit("/", 1)[-1]) for r in listed.rows if r.startswith("/cases/")]
            assert all(
                p.startswith(within)
                for p in Case.objects.filter(pk__in=ids).values_list("node_path", flat=True)
            ), url
    return len(links)


def page(c: Client, url: str, **params: str) -> str:
    with clock.freeze(NOW):
        response = c.get(url, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def test_every_command_centre_figure_opens_its_list(scenario):
    street = client(scenario.street)
    body = page(street, "/dashboard/", node="S", **WHOLE)
    followed = check_every_figure(street, body)
    # 待受理, 未办结, six tiles (rate, numerator, denominator), three days (上报, 结案), one 大类
    assert followed >= 2 + 6 * 3 + 3 * 2 + 1
    kinds = {url.split("?")[0] for url, _text in figure_links(body)}
    assert {"/reports/figures/received/cases/", "/reports/figures/closed/cases/"} <= kinds
    assert "/reports/kpis/backlog/cases/" in kinds  # 未办结: the open cases, not every case


def test_a_committee_follows_only_its_own_area(scenario):
    mine = client(scenario.dispatcher)
    body = page(mine, "/dashboard/", **WHOLE)  # the committee's own area, R1
    assert check_every_figure(mine, body, within=scenario.tree.r1.path) > 10
    with clock.freeze(NOW):
        assert mine.get("/reports/figures/received/cases/", {"node": "S-R3", **WHOLE}).status_code == 403


def test_every_kpi_page_figure_opens_its_list(scenario):
    street = client(scenario.street)
    assert check_every_figure(street, page(street, "/reports/kpis/", node="S", **WHOLE)) > 30
    mine = client(scenario.dispatcher)
    body = page(mine, "/reports/kpis/", node="S-R1", **WHOLE)
    assert check_every_figure(mine, body, within=scenario.tree.r1.path) > 30


def test_a_rate_opens_its_denominator_with_the_split(scenario):
    street = client(scenario.street)
    listed = follow(
        street, f"/reports/kpis/close_on_time/cases/?node=S-R1&start={DAY1}&end={DAY3}&part=denominator"
    )
    assert listed.split == [4, 1] and listed.count == 5  # B closed late
    with clock.freeze(NOW):
        body = street.get(
            f"/reports/kpis/close_on_time/cases/?node=S-R1&start={DAY1}&end={DAY3}"
        ).content.decode()
    assert body.count('class="tag counted"') == 4 and body.count("not-counted") == 1
    late = follow(street, f"/reports/kpis/close_on_time/cases/?node=S-R1&start={DAY1}&end={DAY3}&part=rest")
    assert late.count == 1 and late.rows == [f"/cases/{scenario.cases['B'].pk}/"]


def test_every_ranking_figure_opens_its_list(scenario):
    street = client(scenario.street)
    for kpi in ("close_on_time", "dispatch_on_time", "satisfaction", "rework_rate"):
        body = page(street, "/reports/rankings/", node="S", kpi=kpi, **WHOLE)
        assert check_every_figure(street, body) >= 4, kpi  # R1 and the units: numerator, denominator
    mine = client(scenario.dispatcher)
    body = page(mine, "/reports/rankings/", node="S-R1", kpi="close_on_time", **WHOLE)
    assert check_every_figure(mine, body, within=scenario.tree.r1.path) >= 2


def test_every_report_figure_opens_its_list(scenario):
    with clock.freeze(NOW):
        street_report = services.report_generate(kind=ReportKind.DAILY, node=scenario.tree.street, start=DAY1)
        area_report = services.report_generate(kind=ReportKind.DAILY, node=scenario.tree.r1, start=DAY1)
    street = client(scenario.street)
    body = page(street, f"/reports/{street_report.report.pk}/")
    # totals (4), one 小类 row (4), six KPIs (3 each), meetings and slips (7)
    assert check_every_figure(street, body) >= 4 + 4 + 6 * 3 + 7
    mine = client(scenario.dispatcher)
    body = page(mine, f"/reports/{area_report.report.pk}/")
    assert check_every_figure(mine, body, within=scenario.tree.r1.path) >= 4 + 4 + 6 * 3
