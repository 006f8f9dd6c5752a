"""The city dashboard (/city/) in Debian's chromium at phone size (375×812): a city viewer logs
in, opens 全市 from the menu, the chart draws from data.json, both rankings list the districts
and streets in order, nothing scrolls sideways, the console stays clean; a period chip reloads
it. Screenshot under test-artifacts/city-375.png."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from gongzhi.city.models import DistrictDayTotal, DistrictNode
from gongzhi.reports import periods
from gongzhi.testing.factories import PASSWORD, UserFactory
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, menu
from gongzhi.web.tests.browser import chromium as launch

PHONE = {"width": 375, "height": 812}

pytestmark = [*MARKS, pytest.mark.django_db(transaction=True, databases=["default", "city"])]


@pytest.fixture
def browser(live_server, transactional_db):
    with launch() as browser:
        yield browser


def replicated() -> None:
    """Two districts' street names and day totals, dated from today (the live server's clock)."""
    today = periods.today()
    names = [
        ("pd", 0, 0, "pd", "浦东新区"),
        ("pd", 11, 1, "PD-LJZ", "陆家嘴街道"),
        ("pd", 12, 1, "PD-HM", "花木街道"),
        ("xh", 0, 0, "xh", "徐汇区"),
        ("xh", 21, 1, "XH-TP", "天平路街道"),
    ]
    for i, (district, node_id, level, code, name) in enumerate(names):
        DistrictNode.objects.create(
            district=district, id=i, node_id=node_id, level=level, code=code, name=name
        )
    totals = [  # district, id, days ago, area, received, closed, on time, rated, satisfied
        ("pd", 1, 3, 11, 120, 100, 90, 40, 36),
        ("pd", 2, 10, 12, 80, 70, 49, 20, 15),
        ("xh", 1, 5, 21, 60, 58, 57, 30, 29),
    ]
    for district, pk, ago, area, received, closed, on_time, rated, satisfied in totals:
        DistrictDayTotal.objects.create(
            district=district,
            id=pk,
            day=today - timedelta(days=ago),
            area_id=area,
            received=received,
            closed=closed,
            closed_on_time=on_time,
            rated=rated,
            satisfied=satisfied,
        )


def test_the_city_view_on_a_phone(browser, live_server):
    cache.clear()  # the board is kept per period
    replicated()
    viewer = UserFactory(username="city")
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="city", codename="view_city"))
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "city")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    menu(page, "全市")
    page.wait_for_url(f"{base}/city/")
    page.wait_for_selector('#city[data-ready="1"]')  # the chart drew from data.json
    box = page.locator("#city-chart canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200, box
    # 徐汇 57/58 on time before 浦东 139/170; the streets likewise, each with its district
    districts = page.locator("#city-district-table tbody th").all_inner_texts()
    assert [d.strip() for d in districts] == ["徐汇区", "浦东新区"]
    streets = [
        s.split("\n")[0].strip() for s in page.locator("#city-street-table tbody th").all_inner_texts()
    ]
    assert streets == ["天平路街道", "陆家嘴街道", "花木街道"]
    assert "98.3%" in page.inner_text("#city-district-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "city-375.png"), full_page=True)
    # the last 7 days: 花木 (10 days ago) drops out
    page.locator("nav.chips a", has_text="近7天").click()
    page.wait_for_url("**/city/?start=*")
    page.wait_for_selector('#city[data-ready="1"]')
    streets = [
        s.split("\n")[0].strip() for s in page.locator("#city-street-table tbody th").all_inner_texts()
    ]
    assert streets == ["天平路街道", "陆家嘴街道"]
    assert not errors, errors
    context.close()
