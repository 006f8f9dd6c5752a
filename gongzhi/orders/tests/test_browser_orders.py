"""An order's whole life in Debian's chromium at 375 px: a resident, not signed in, posts an order
on a phone (picks 生活帮扶, says what is needed, picks the estate and the building, leaves a
phone) and keeps the order's link; a team member signs in, takes it from the pool (抢单),
records what was done; the resident opens the link and rates it. No page is wider than the
phone."""

import pytest

from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order
from gongzhi.orders.tests.conftest import PHONE, build_world
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page
from gongzhi.web.tests.test_browser_cases import log_in

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_post_take_serve_rate_on_a_phone(page, live_server):
    build_world()
    base = live_server.url
    page.goto(f"{base}/orders/new/")
    fits(page)
    page.click("button[type=submit].primary")  # nothing filled: refused, nothing written
    assert "请说明需要什么服务" in page.content() and not Order.objects.exists()
    page.check("input[name=module][value=S-SVC-BF]")
    page.fill("textarea[name=text]", "家里老人行动不便，想请人上门助浴")
    page.select_option("select[name=estate]", "S-R1-E1")
    page.wait_for_selector("select[name=building] option[value=S-R1-B1]", state="attached")
    page.select_option("select[name=building]", "S-R1-B1")
    page.fill("input[name=contact_phone]", PHONE)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/orders/new/done/")
    fits(page)
    link = page.get_attribute("a.order-link", "href")
    order = Order.objects.get()
    assert order.number in page.inner_text(".order-number") and link.startswith("/orders/t/")

    log_in(page, base, "helper")
    page.goto(f"{base}/orders/")
    fits(page)
    page.click(f"#order-{order.pk} button.take")
    page.wait_for_url(f"{base}/orders/{order.pk}/")
    assert "服务中" in page.inner_text(".order-state")
    fits(page)
    page.click("a.serve")
    page.wait_for_url(f"{base}/orders/{order.pk}/serve/")
    page.fill("textarea[name=note]", "已上门助浴，老人状态良好")
    page.fill("input[name=hours]", "1.5")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/orders/{order.pk}/")
    assert "待确认" in page.inner_text(".order-state")
    page.context.clear_cookies()  # the resident again, on the link, not signed in

    page.goto(f"{base}{link}")
    fits(page)
    assert "已上门助浴" in page.inner_text(".order-follow")
    page.click("button[name=satisfaction][value=satisfied]")
    page.wait_for_selector("p.success")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "orders-rated-375.png"), full_page=True)
    assert "已完成" in page.inner_text(".order-state")
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.satisfaction == "satisfied"
    assert str(order.hours) == "1.50" and order.server.name == "helper"
