"""The alert chain in Debian's chromium at 375 px: an SOS nobody acknowledges becomes a
上门探访 case after 30 minutes; the grid worker opens 关爱探访 on the phone, finds the alert with
its case, records "平安" on the outcome form, and the alert and the case are closed."""

from datetime import timedelta

import pytest

from gongzhi.care import chain
from gongzhi.care.choices import AlertState, Door, Outcome
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert
from gongzhi.care.tests.conftest import build_world
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page
from gongzhi.web.tests.test_browser_cases import log_in

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def test_alert_timeout_visit_case_outcome_on_the_phone(page, live_server):
    world = build_world()
    now = clock.now()
    pressed = now - timedelta(minutes=31)
    with clock.freeze(pressed):
        ingest([Incoming(device="DEV-sos", event_id="sos-b1", at=pressed)], door=Door.HTTP)
    alert = Alert.objects.get()
    assert chain.advance(now).visit_cases == 1  # 31 minutes without an acknowledgement
    alert.refresh_from_db()
    assert alert.state == AlertState.VISITING
    base = live_server.url
    log_in(page, base, "grid")
    page.goto(f"{base}/care/")
    page.click(f"ul.care-alerts a[href='/care/subjects/{world.subject.pk}/']")
    page.wait_for_url(f"{base}/care/subjects/{world.subject.pk}/")
    item = page.locator(f"#alert-{alert.pk}")
    assert "上门探访中" in item.inner_text() and "上门探访工单" in item.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    item.locator("a:has-text('登记探访结果')").click()
    page.wait_for_url(f"{base}/care/alerts/{alert.pk}/outcome/")
    page.click("button[type=submit].primary")  # nothing chosen: refused, nothing written
    assert "请选择探访结果" in page.locator("p.error").first.inner_text()
    page.check(f"input[name=outcome][value={Outcome.SAFE}]")
    page.fill("textarea[name=note]", "老人在家，按错了按钮")
    page.check("input[name=false_alarm]")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/care/subjects/{world.subject.pk}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "care-outcome-375.png"), full_page=True)
    assert "已关闭" in page.locator(f"#alert-{alert.pk}").inner_text()
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.false_alarm
    assert Case.objects.get(pk=alert.visit_case_id).state == State.CLOSED
