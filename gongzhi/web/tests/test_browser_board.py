"""Screenshots in Debian's chromium (issue 6, item 7): the command centre at phone size (375×812)
and on the wall display (1920×1080, ?screen=1), and the public board at phone size, saved
under test-artifacts/. Each shot is taken after real checks: the page loaded, the charts drew,
the 待受理 counter shows the cases waiting, nothing scrolls sideways on a phone, the console
stayed clean, and the public board shows no personal data."""

from datetime import date

import pytest
from PIL import Image

from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.geo import services as geo_services
from gongzhi.meetings import disclosures
from gongzhi.meetings.models import Payer
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS
from gongzhi.web.tests.browser import chromium as launch
from gongzhi.web.tests.test_browser_cases import square

PHONE = {"width": 375, "height": 812}
SCREEN = {"width": 1920, "height": 1080}
SECRETS = ["13812345678", "310104199001011234", "赵小弟", "王先生", "502室", "13900000001"]
LEAKY = "联系人：赵小弟，电话13812345678，身份证310104199001011234，王先生家门口3号楼502室楼道堆物"

pytestmark = MARKS


@pytest.fixture
def browser(live_server, transactional_db):
    with launch() as browser:
        yield browser


def open_page(browser, viewport, errors):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return page


def photo(colour: str):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    out = BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return SimpleUploadedFile(f"{colour}.jpg", out.getvalue(), content_type="image/jpeg")


def street_with_cases(settings, tmp_path):
    """Three reports waiting to be accepted, one rectified with before/after photos, one 双公示."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    tree = make_tree()
    for n, west in ((tree.street, 121.40), (tree.r1, 121.40), (tree.r2, 121.42), (tree.r3, 121.44)):
        size = 0.06 if n is tree.street else 0.02
        geo_services.node_update(actor=None, node=n, geometry=square(west, 31.18, size))
    street = make_staff("street", PostRole.STREET_CADRE, tree.street)
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    handler = PersonFactory(name="物业小王", phone="13900000001")
    handler_user = UserFactory(username="wuye")
    Person.objects.filter(pk=handler.pk).update(user=handler_user)
    category = Category.objects.get(code="LD01")
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

    def report(text, node=tree.b1, files=()):
        intake = case_services.Intake(
            node=node,
            text=text,
            source=Source.RESIDENT,
            category=category,
            contact_name="赵小弟",
            contact_phone="13812345678",
            files=list(files),
        )
        return case_services.case_create(actor=None, intake=intake)

    def act(case, user, action, **kw):
        case.refresh_from_db()
        return case_services.case_act(
            actor=user, case=case, act=case_services.Act(action=action, version=case.version, **kw)
        )

    fixed = report(LEAKY, files=[photo("red")])
    act(fixed, committee, "register")
    act(fixed, committee, "dispatch", post=post)
    act(fixed, handler_user, "accept")
    act(fixed, handler_user, "submit", note="已清理", files=[photo("green")])
    act(fixed, committee, "verify", files=[photo("blue")])
    for text in ("2号楼门口垃圾没人清 " + LEAKY, "路灯坏了三天", "楼道里电瓶车充电"):
        report(text)
    d = disclosures.disclosure_create(
        actor=committee,
        node=tree.e1,
        title="东安一村3号楼屋面防水维修",
        payer=Payer.REPAIR_FUND,
        households=24,
        amount="12800",
        text="更换屋面防水层，物业组织施工，王师傅负责（13912345678）。",
    )
    disclosures.disclosure_complete(
        actor=committee, disclosure=d, amount="12150.50", text="已完工，业委会验收合格"
    )
    return street


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def charts_drawn(page, waiting):
    page.wait_for_selector('#dashboard[data-ready="1"]')
    for chart in ("#dash-trend", "#dash-mix"):
        assert page.locator(f"{chart} canvas").count() >= 1, chart
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (chart, box)
    assert page.inner_text("#dash-waiting").strip() == str(waiting)
    page.wait_for_selector("#dash-map path.leaflet-interactive")  # the areas' boundaries


def test_screenshots_of_the_command_centre_and_the_public_board(browser, live_server, settings, tmp_path):
    street_with_cases(settings, tmp_path)
    base = live_server.url
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)

    # The public board on a phone, without logging in.
    board = open_page(browser, PHONE, errors)
    board.goto(f"{base}/public/")
    board.wait_for_selector("#board-disclosures article.disclosure")
    counts = {
        g: board.inner_text(f'.counter[data-group="{g}"] strong') for g in ("accepted", "handling", "closed")
    }
    assert counts == {"accepted": "3", "handling": "0", "closed": "1"}
    assert board.locator("#board-results .before-after img").count() == 2  # before and after
    assert board.locator("#board-results img").first.evaluate("img => img.naturalWidth") > 0
    assert "12150.50" in board.inner_text("#board-disclosures") and "节约" in board.inner_text(
        "#board-disclosures"
    )
    html = board.content()
    for secret in SECRETS:
        assert secret not in html, secret
    no_sideways_scroll(board, PHONE["width"])
    board.screenshot(path=str(ARTIFACTS / "public-board-375.png"), full_page=True)
    board.click("#board-suggest a.button")
    board.wait_for_url(f"{base}/report/?kind=suggestion")
    assert board.inner_text("h1") == "意见建议"

    # The command centre on a phone.
    phone = open_page(browser, PHONE, errors)
    log_in(phone, base, "street")
    phone.goto(f"{base}/dashboard/")
    charts_drawn(phone, waiting=3)
    assert phone.locator(".tile").count() == 6
    no_sideways_scroll(phone, PHONE["width"])
    phone.screenshot(path=str(ARTIFACTS / "dashboard-375.png"), full_page=True)

    # And on the wall display: the dark layout, the whole 1920×1080 screen with no scrolling and
    # no site chrome; every figure, chart, the map and both rankings inside the screen.
    wall = open_page(browser, SCREEN, errors)
    log_in(wall, base, "street")
    wall.goto(f"{base}/dashboard/?screen=1")
    charts_drawn(wall, waiting=3)
    assert wall.locator("#dashboard.screen").count() == 1
    assert wall.locator(".topbar, nav.nav, footer.footer").count() == 0
    assert wall.locator("#dashboard").bounding_box()["width"] > 1800  # the whole wall, not a column
    trend, mix = (wall.locator(f"{c} canvas").first.bounding_box() for c in ("#dash-trend", "#dash-mix"))
    assert trend and mix and abs(trend["y"] - mix["y"]) < 2  # side by side, not stacked
    no_sideways_scroll(wall, SCREEN["width"])
    assert wall.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]
    for part in ("#dash-waiting", ".dash-tiles", "#dash-map", "#dash-areas", "#dash-units"):
        box = wall.locator(part).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"] + 1, (part, box)
    wall.screenshot(path=str(ARTIFACTS / "dashboard-1920.png"))

    assert not errors, errors
    for name in ("public-board-375.png", "dashboard-375.png", "dashboard-1920.png"):
        with Image.open(ARTIFACTS / name) as shot:
            assert shot.width in (375, 1920) and shot.height >= 800, name
