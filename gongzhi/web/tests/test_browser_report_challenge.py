"""The report page's question in Debian's chromium at phone size: a resident whose phone is
past its budget is asked a small sum, keeps what they wrote, answers it and the report goes
through (web.cases.report_guard)."""

import re

import pytest

from gongzhi.cases.models import Case
from gongzhi.testing.factories import make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page

pytestmark = MARKS

TEXT = "3号楼门口的路灯坏了一个星期，晚上很黑"


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def fill_report(page, base: str) -> None:
    page.goto(f"{base}/report/")
    page.fill("textarea[name=text]", TEXT)
    page.select_option("select[name=estate]", "S-R1-E1")
    page.wait_for_selector("#building option[value='S-R1-B1']", state="attached")  # htmx loaded
    page.select_option("#building", "S-R1-B1")


def test_a_resident_past_the_device_budget_answers_and_reports(page, live_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-device": (1, 3600)}
    make_tree()
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)

    fill_report(page, base)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/report/done/")

    fill_report(page, base)
    page.click("button[type=submit].primary")
    question = page.wait_for_selector("fieldset.challenge")
    assert Case.objects.count() == 1
    assert page.input_value("textarea[name=text]") == TEXT  # nothing to type again
    page.screenshot(path=str(ARTIFACTS / "report-challenge-375.png"), full_page=True)
    sum_ = re.search(r"(\d+) 加 (\d+) 等于几", question.inner_text())
    assert sum_ is not None
    assert page.get_attribute("input[name=answer]", "inputmode") == "numeric"  # the phone's number pad
    page.fill("input[name=answer]", str(int(sum_.group(1)) + int(sum_.group(2))))
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/report/done/")
    assert Case.objects.count() == 2 and Case.objects.filter(text=TEXT).count() == 2
    assert not errors
