"""A district's 周报 in Debian's chromium on a phone (375 px): district staff find it first on
the reports page, open it, and its row per street shows without the page scrolling sideways
(the wide table scrolls inside its card)."""

from typing import Any

import pytest

from gongzhi.orgs.roles import PostRole
from gongzhi.reports.tests import test_district_reports
from gongzhi.testing.factories import make_staff
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE
from gongzhi.web.tests.browser import chromium as launch
from gongzhi.web.tests.test_browser_board import log_in, no_sideways_scroll, open_page

pytestmark = MARKS
district = test_district_reports.district
scenario = test_district_reports.scenario


@pytest.fixture
def browser(live_server: Any, transactional_db: None) -> Any:
    with launch() as browser:
        yield browser


def test_the_district_report_on_a_phone(browser: Any, live_server: Any, district: Any) -> None:
    _w, d, reports = district
    make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    base = live_server.url
    errors: list[str] = []
    phone = open_page(browser, PHONE, errors)
    log_in(phone, base, "dcadre")
    phone.goto(f"{base}/reports/")
    phone.click(f'.district-reports a[href="/reports/{reports["D"].pk}/"]')
    phone.wait_for_url(f"**/reports/{reports['D'].pk}/")
    rows = phone.locator("table.district-streets tr.street-row")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text().strip() == "枫林街道"
    assert rows.nth(1).locator("td.street-new").inner_text().strip() == "3"
    assert phone.locator("tr.district-total td").first.inner_text().strip() == "12"
    no_sideways_scroll(phone, PHONE["width"])
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "district-report-375.png"), full_page=True)
    assert not errors, errors
