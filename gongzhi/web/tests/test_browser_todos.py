"""The home page's to-do tiles in Debian's chromium at phone size: big enough to tap, side by
side within 375 px, zero counts muted, and each tile opening the list it counts."""

from datetime import date

import pytest

from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser, {"width": 375, "height": 812}) as page:
        yield page


def report(node, text: str, category) -> object:
    intake = Intake(
        node=node, text=text, source=Source.RESIDENT, category=category, contact_phone="13812345678"
    )
    return case_create(actor=None, intake=intake)


def test_the_committees_home_shows_its_to_dos_as_tiles_that_open_their_lists(page, live_server):
    tree = make_tree()
    dispatcher = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    category = Category.objects.get(code="LD01")
    handler = PersonFactory(name="物业小王")
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
    post.categories.set([category])
    waiting = report(tree.b1, "1号楼楼道里堆满了纸板", category)
    sent = report(tree.b1, "3号楼楼道堆了旧沙发", category)
    for action, extra in (("register", {}), ("dispatch", {"post": post})):
        sent.refresh_from_db()
        case_act(actor=dispatcher, case=sent, act=Act(action=action, version=sent.version, **extra))

    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "r1staff")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")

    tiles = page.locator("ul.todo-tiles a.todo-tile")
    labels = [t.split("\n")[-1].strip() for t in tiles.all_inner_texts()]
    assert labels == [
        "待受理",
        "待我处理",
        "即将超期",
        "超期",
        "待会签",
        "会议邀请",
        "待回访",
        "关爱预警",
        "续报待写",
    ]
    accept = page.locator("a.todo-accept")
    assert accept.locator("b.todo-count").inner_text() == "1"
    # big enough to tap, two to a row, nothing wider than the phone
    box = accept.bounding_box()
    assert box is not None and box["height"] >= 56 and box["width"] >= 140
    first, second = (tiles.nth(i).bounding_box() for i in range(2))
    assert first and second and first["y"] == second["y"] and second["x"] > first["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # zero is shown, muted: a dashed outline in the muted colour, never hidden
    zero = page.locator("a.todo-handle")
    assert zero.is_visible() and "zero" in (zero.get_attribute("class") or "")
    muted = page.evaluate("getComputedStyle(document.querySelector('a.todo-handle')).color")
    busy = page.evaluate("getComputedStyle(document.querySelector('a.todo-accept')).color")
    assert muted != busy
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-todos-375.png"), full_page=True)

    accept.click()
    page.wait_for_url(f"{base}/cases/queue/?state=received")
    rows = page.locator("ul.cases li.case-row")
    assert rows.count() == 1 and waiting.number in rows.first.inner_text()
    page.go_back()
    page.locator("a.todo-soon").click()  # the waiting report's dispatch hour is running out
    page.wait_for_url(f"{base}/cases/?todo=soon")
    soon_rows = page.locator("ul.cases li.case-row").all_inner_texts()
    assert any(waiting.number in r for r in soon_rows) and not any(sent.number in r for r in soon_rows)
