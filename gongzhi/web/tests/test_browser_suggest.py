"""The report page's category hint in Debian's chromium at phone size: typing a problem shows
the likeliest 小类 once typing pauses; chat shows that staff will sort it (htmx, CSRF header,
only the text sent)."""

import pytest

from gongzhi.cases import classify
from gongzhi.testing.classifier import install_small_model
from gongzhi.testing.factories import make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    install_small_model()
    make_tree()
    with chromium() as browser, phone_page(browser) as page:
        yield page
    classify._cache.clear()


def test_hint_follows_what_the_resident_types(page, live_server):
    page.goto(f"{live_server.url}/report/")
    hint = page.locator("#category-hint")
    assert hint.inner_text().strip() == ""
    with page.expect_request(lambda r: r.url.endswith("/report/suggest/") and r.method == "POST") as sent:
        page.fill("textarea[name=text]", "电梯又坏了，我妈被困在里面半个小时")
    body = sent.value.post_data or ""
    assert body.startswith("text=") and "estate" not in body and "contact" not in body
    page.wait_for_selector("#category-hint [data-code='WY02']")
    assert "看起来是" in hint.inner_text()
    page.screenshot(path=str(ARTIFACTS / "report-suggest-375.png"), full_page=True)
    page.fill("textarea[name=text]", "大家好，祝大家新年快乐，身体健康")
    page.wait_for_selector("#category-hint [data-triage='1']")
    assert "工作人员分类" in hint.inner_text()
