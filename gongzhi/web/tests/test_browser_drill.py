"""The leader's screens drill all the way, in Debian's chromium: on a phone (375 px) a tap on a
figure of the command centre (a rate, 待受理, a day of the trend, a slice of the category mix)
lands on the list behind it, holding as many rows as the figure said; the phone page stays
short; the wall (?screen=1, 1920×1080) has no scrolling and no site navigation."""

import pytest

from gongzhi.web.tests.browser import MARKS
from gongzhi.web.tests.browser import chromium as launch
from gongzhi.web.tests.test_browser_board import (
    PHONE,
    SCREEN,
    charts_drawn,
    log_in,
    open_page,
    street_with_cases,
)

pytestmark = MARKS
PHONE_PAGE_MAX = 4 * PHONE["height"]  # "the phone version is short": four screens at most


@pytest.fixture
def browser(live_server, transactional_db):
    with launch() as browser:
        yield browser


def listed(page) -> int:
    return int(page.get_attribute(".drill-count", "data-count"))


def test_a_phone_taps_each_kind_of_figure_and_lands_on_its_list(browser, live_server, settings, tmp_path):
    street_with_cases(settings, tmp_path)  # four reports today, one closed within its deadlines
    base = live_server.url
    errors: list[str] = []
    phone = open_page(browser, PHONE, errors)
    log_in(phone, base, "street")
    phone.goto(f"{base}/dashboard/")
    charts_drawn(phone, waiting=3)
    assert phone.evaluate("document.documentElement.scrollHeight") <= PHONE_PAGE_MAX

    # The rate: its denominator, with the on-time / late split beside it.
    tile = phone.locator('.tile[data-key="close_on_time"]')
    assert float(tile.locator("a.value").inner_text().rstrip("%")) == 100  # 1 of 1 on time
    tile.locator("a.value").click()
    phone.wait_for_url("**/reports/kpis/close_on_time/cases/?**part=denominator**")
    assert listed(phone) == 1 == phone.locator("li.case-row").count()
    assert phone.locator(".drill-split a").all_inner_texts() == ["按期结案 1", "超期结案 0"]
    assert phone.locator("li.case-row .tag.counted").count() == 1

    # 待受理: the received cases of the place.
    phone.go_back()
    phone.wait_for_selector('#dashboard[data-ready="1"]')
    phone.click("a.counter.hot")
    phone.wait_for_url("**/cases/?state=received**")
    assert phone.locator("li.case-row").count() == 3

    # A day of the trend, from the table under the chart.
    phone.go_back()
    phone.wait_for_selector('#dashboard[data-ready="1"]')
    phone.click(".dash-trend details.dash-table > summary")
    today = phone.locator("a.trend-received").last
    figure = int(today.inner_text())
    today.click()
    phone.wait_for_url("**/reports/figures/received/cases/**")
    assert listed(phone) == figure == 4 == phone.locator("li.case-row").count()

    # A slice of the category mix, tapped on the chart itself.
    phone.go_back()
    phone.wait_for_selector('#dashboard[data-ready="1"]')
    box = phone.locator("#dash-mix canvas").first.bounding_box()
    ring = min(box["width"], box["height"]) / 4  # halfway into the ring (radius 35–65 %)
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - ring)
    phone.wait_for_url("**/reports/figures/received/cases/?**group=LD**")
    assert listed(phone) == 4
    assert not errors, errors


def test_the_wall_fits_the_screen_without_navigation(browser, live_server, settings, tmp_path):
    street_with_cases(settings, tmp_path)
    base = live_server.url
    errors: list[str] = []
    wall = open_page(browser, SCREEN, errors)
    log_in(wall, base, "street")
    wall.goto(f"{base}/dashboard/?screen=1")
    charts_drawn(wall, waiting=3)
    assert wall.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]
    assert wall.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    assert wall.locator(".topbar, nav.nav, footer.footer").count() == 0
    assert not wall.locator(".dash-table").first.is_visible()  # the phone's tables stay off the wall
    assert wall.locator("#dash-areas li a").count() == wall.locator("#dash-areas li").count()
    assert not errors, errors
