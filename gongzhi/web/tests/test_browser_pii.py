"""In Debian's chromium at phone size: a grid worker finds a resident by phone number (the
address bar never shows it), then calls a case's reporter back through 查看完整号码 (htmx, in
place); every URL the browser asked for is checked for the numbers."""

import pytest

from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import PASSWORD
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page

from .case_world import report

pytestmark = [*MARKS, pytest.mark.django_db(transaction=True)]

PHONE = "13800138003"  # 赵小弟 (web conftest)
CASE_PHONE = "13812345678"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def page(live_server):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def test_search_by_phone_and_call_back_without_a_number_in_any_url(page, live_server, cw):
    case = report(cw, contact_phone=CASE_PHONE)
    base = live_server.url
    urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, base, cw.users["grid"].username)

    page.goto(f"{base}/people/")
    page.fill("input[name=q]", "138 0013 8003")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("text=找到 1 人")
    assert "?s=" in page.url and "赵小弟" in page.inner_text("main")
    assert "138****8003" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "people-by-phone-375.png"), full_page=True)

    page.goto(f"{base}/cases/{case.pk}/")
    contact = page.locator("span.pii").first
    assert "138****5678" in contact.inner_text()
    contact.locator("details.reveal summary").click()
    contact.locator("button[type=submit]").click()  # no purpose: refused in place
    page.wait_for_selector("text=请选择或填写查看用途")
    contact.locator("select[name=purpose]").select_option("电话联系")
    contact.locator("button[type=submit]").click()
    page.wait_for_selector(f"strong.clear:has-text('{CASE_PHONE}')")
    assert page.locator(f"a[href='tel:{CASE_PHONE}']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "case-contact-375.png"), full_page=True)

    assert not errors
    assert len(urls) > 5
    assert [u for u in urls if PHONE in u or CASE_PHONE in u] == []
    assert sorted(PiiAccessLog.objects.values_list("field", flat=True)) == ["contact_phone", "search_phone"]
