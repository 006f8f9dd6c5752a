"""The 直报 form in Debian's chromium at 375 px: a grid worker sends one without a kind (refused,
the message shown, nothing written), then a fire with a photo; the report page shows it and
the duty officer has been told."""

from pathlib import Path

import pytest

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import direct_roster
from gongzhi.mobilisation.models import DirectReport
from gongzhi.mobilisation.tests.direct.conftest import build_world, png
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page
from gongzhi.web.tests.test_browser_cases import log_in

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def test_report_form_on_the_phone(page, live_server, tmp_path: Path):
    world = build_world()
    today = direct_roster.duty_day_of(clock.now())
    direct_roster.duty_set(actor=None, street=world.tree.street, day=today, officer=world.person("officer"))
    base = live_server.url
    log_in(page, base, "grid")
    page.goto(f"{base}/direct/new/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.select_option("select[name=place]", "S-R1-B1")
    page.fill("textarea[name=text]", "1号楼三楼冒烟，已拨119")
    page.click("button[type=submit].primary")  # no kind chosen
    assert "请选择事件类型" in page.locator("p.error").first.inner_text()
    assert not DirectReport.objects.exists()
    page.check("input[name=kind][value=fire]")
    photo = tmp_path / "scene.png"
    photo.write_bytes(png().read())
    page.set_input_files("input[name=files]", str(photo))
    page.click("button[type=submit].primary")
    report = DirectReport.objects.get()
    page.wait_for_url(f"{base}/direct/{report.pk}/")
    assert "火灾" in page.locator("h1").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "direct-report-375.png"), full_page=True)
    assert report.photos.count() == 1 and report.node.code == "S-R1-B1"
    assert OutboxMessage.objects.filter(kind="direct.reported", recipient__username="officer").exists()
