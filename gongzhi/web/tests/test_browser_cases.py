"""A case through the real pages in Debian's chromium at phone size: a resident reports it with
a photo, the committee registers and dispatches it, the property manager handles it with a
photo, the committee verifies it, and the resident rates it through the callback link."""

from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.geo import services as geo_services
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def square(west: float, south: float, size: float) -> dict:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def photo(folder: Path, name: str, colour: str) -> str:
    path = folder / name
    Image.new("RGB", (640, 480), colour).save(path, "JPEG")
    return str(path)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}-375.png"), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def log_out(page, base: str) -> None:
    page.click("footer button:has-text('退出登录')")
    page.wait_for_url(f"{base}/login/")


def act(page, label: str) -> None:
    """Open the action's form on the case page and return with it open."""
    page.click(f"details.act > summary:has-text('{label}')")


def test_case_from_report_to_satisfied_callback(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VAR_DIR = tmp_path / "var"  # no saved classifier: the cold-start rules suggest
    tree = make_tree()
    geo_services.node_update(actor=None, node=tree.street, geometry=square(121.40, 31.18, 0.04))
    geo_services.node_update(actor=None, node=tree.r1, geometry=square(121.40, 31.18, 0.02))
    geo_services.node_update(actor=None, node=tree.r2, geometry=square(121.42, 31.18, 0.02))
    geo_services.node_update(actor=None, node=tree.e1, geometry=square(121.402, 31.182, 0.01))
    make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    make_staff("gridman", PostRole.GRID_WORKER, tree.g1)
    handler = PersonFactory(name="物业小王", phone="13900000001")
    Person.objects.filter(pk=handler.pk).update(user=UserFactory(username="wuye"))
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name="东安物业"),
        node=tree.e1,
        title="物业经理",
        person=handler,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([Category.objects.get(code="LD01")])
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"Refused (page error): {exc}"))
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. A resident reports, without logging in; a bad phone number is refused first.
    page.goto(f"{base}/report/")
    page.wait_for_selector("#pickmap .leaflet-interactive")  # the boundaries are drawn
    shot(page, "case-report")
    page.click("#pickmap", position={"x": 150, "y": 120})  # a tap on the map fills the point
    assert page.input_value("#lat") and page.input_value("#lon")
    assert "已选位置" in page.inner_text("#picked")
    page.fill("textarea[name=text]", "1号楼楼道里堆满了纸板和旧家具，消防通道堵了")
    page.select_option("select[name=estate]", "S-R1-E1")
    page.wait_for_selector("#building option[value='S-R1-B1']", state="attached")  # htmx loaded
    page.select_option("#building", "S-R1-B1")
    page.set_input_files("input[name=files]", photo(tmp_path, "before.jpg", "#8b6f47"))
    page.fill("input[name=contact_phone]", "12345")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=手机号应为11位数字")
    assert Case.objects.count() == 0
    shot(page, "case-report-error")
    page.fill("input[name=contact_phone]", "13812345678")
    page.set_input_files("input[name=files]", photo(tmp_path, "before.jpg", "#8b6f47"))
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/report/done/")
    case = Case.objects.get()
    assert case.number in page.inner_text("p.case-number")
    shot(page, "case-report-done")

    # 2. The committee registers and dispatches it.
    log_in(page, base, "r1staff")
    assert page.inner_text("a.todo-accept b.todo-count") == "1"  # 我的待办: 待受理
    shot(page, "case-home")
    page.click("nav.nav >> text=待办")
    shot(page, "case-queue")
    page.click(f"ul.cases a:has-text('{case.number}')")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert "138****5678" in page.inner_text("main") and "13812345678" not in page.content()
    act(page, "立案")  # the suggestions made at intake are one tap each
    assert "楼道堆物" in page.inner_text("details[open] fieldset.picks")
    shot(page, "case-suggestions")
    page.click("details[open] button[name=suggested][value=LD01]")
    page.wait_for_selector("text=已办理：立案")
    case.refresh_from_db()
    assert case.category is not None and case.category.code == "LD01"
    act(page, "派遣")
    assert "物业经理" in page.locator("details[open] select[name=post] option:checked").inner_text()
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：派遣")
    shot(page, "case-dispatched")
    log_out(page, base)

    # 3. The property manager accepts and handles it with a photo.
    log_in(page, base, "wuye")
    page.click("nav.nav >> text=我的工单")
    page.click(f"ul.cases a:has-text('{case.number}')")
    act(page, "接单处置")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：接单处置")
    act(page, "办结，提交核查")
    page.fill("details[open] textarea[name=note]", "已清理纸板和旧家具，通道畅通")
    page.set_input_files("details[open] input[name=files]", photo(tmp_path, "after.jpg", "#4caf50"))
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：办结，提交核查")
    shot(page, "case-submitted")
    log_out(page, base)

    # 4. The committee verifies with a photo and finds the callback link.
    log_in(page, base, "r1staff")
    page.goto(f"{base}/cases/{case.pk}/")
    act(page, "核查通过，结案")
    page.click("details[open] button[type=submit]")  # no photo: refused with a message
    page.wait_for_selector("text=请上传现场照片")
    page.set_input_files("details[open] input[name=files]", photo(tmp_path, "check.jpg", "#2196f3"))
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：核查通过，结案")
    assert page.locator(".events img").count() == 3
    link = page.input_value("input.callback-url")
    shot(page, "case-closed")
    page.goto(f"{base}/cases/?state=closed")
    shot(page, "case-list")
    page.goto(f"{base}/cases/map/")
    page.wait_for_selector("#casemap-list li")
    shot(page, "case-map")
    log_out(page, base)

    # 5. The resident rates it through the link, without logging in.
    page.goto(link)
    assert "13812345678" not in page.content() and "东安居民区" in page.inner_text("main")
    shot(page, "case-callback")
    page.click("button[value=satisfied]")
    page.wait_for_selector("text=感谢您的评价")
    shot(page, "case-callback-done")
    case.refresh_from_db()
    assert (case.state, case.satisfaction) == (State.CLOSED, "satisfied")

    page.goto(f"{base}/public/cases/")
    assert "13812345678" not in page.content()
    page.wait_for_selector(".before-after img")
    shot(page, "case-public")

    # 6. A grid worker's patrol report defaults to their grid and lands on the case page.
    log_in(page, base, "gridman")
    page.click("nav.nav >> text=巡查上报")
    assert page.locator("select[name=place] option:checked").inner_text().startswith("东安一村第1网格")
    page.select_option("select[name=category]", label="楼道堆物")
    page.fill("textarea[name=text]", "1号楼门口电瓶车乱停")
    page.set_input_files("input[name=files]", photo(tmp_path, "patrol.jpg", "#795548"))
    shot(page, "case-patrol")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=已办理：上报")
    assert Case.objects.filter(source="patrol", node=tree.g1).exists()
    shot(page, "case-patrol-done")
    page.goto(f"{base}/cases/overdue/")
    shot(page, "case-overdue")
    assert not [e for e in errors if "Refused" in e or "violat" in e], errors
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
