"""Swagger UI at /api/docs in Debian's chromium: served from this site, it draws every operation
under the site's own CSP, loads nothing from another origin and reports no violation."""

from gongzhi.web.tests.browser import MARKS
from gongzhi.web.tests.browser import chromium as launch

pytestmark = MARKS


def test_swagger_ui_draws_the_operations_under_the_csp(live_server, transactional_db):
    violations: list[str] = []
    with launch() as browser:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        page.on("requestfailed", lambda r: violations.append(f"failed {r.url}"))
        page.goto(f"{live_server.url}/api/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        operations = page.locator(".opblock").count()
        other_origins = page.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(u => !u.startsWith(location.origin))"
        )
        context.close()
    assert operations > 20
    assert other_origins == []
    assert violations == []
