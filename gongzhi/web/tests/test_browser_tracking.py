"""A resident follows their case in Debian's chromium at phone size: report anonymously, note
the number and code the thank-you page shows once, track the case, and after the property
manager has handled it, see what was done with the photo after, and rate it."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, phone_page
from gongzhi.web.walks.s1 import images_load

pytestmark = MARKS

TEXT = "3号楼楼道里堆了好多纸箱，我是502的王阿姨，电话13812345678"


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def jpeg(name: str, colour: str) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def handled(case: Case, tree) -> None:
    """The committee registers and dispatches, the property manager handles with a photo, the
    committee verifies (the staff pages are walked in test_browser_cases)."""
    category = Category.objects.get(code="LD01")
    manager = UserFactory(username="manager")
    person = PersonFactory(name="物业小王")
    Person.objects.filter(pk=person.pk).update(user=manager)
    unit = UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name="东安物业")
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=unit,
        node=tree.e1,
        title="物业经理",
        person=person,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([category])
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    steps = [
        (committee, services.Act(action="register", version=0, category=category)),
        (committee, services.Act(action="dispatch", version=0, post=post)),
        (manager, services.Act(action="accept", version=0)),
        (
            manager,
            services.Act(
                action="submit", version=0, note="纸箱已清走，楼道已通畅", files=[jpeg("a.jpg", "green")]
            ),
        ),
        (committee, services.Act(action="verify", version=0, files=[jpeg("v.jpg", "blue")])),
    ]
    for user, act in steps:
        case.refresh_from_db()
        act.version = case.version
        services.case_act(actor=user, case=case, act=act)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_resident_reports_gets_a_code_and_follows_the_case(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    tree = make_tree()
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}/report/")
    page.fill("textarea[name=text]", TEXT)
    page.select_option("select[name=estate]", "S-R1-E1")
    page.wait_for_selector("#building option[value='S-R1-B1']", state="attached")
    page.select_option("#building", "S-R1-B1")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/report/done/")
    number = page.inner_text("#case-number").strip()
    code = page.inner_text("#tracking-code").strip()
    assert number == Case.objects.get().number and len(code) == 9 and code[4] == "-"
    no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "track-done-375.png"), full_page=True)
    page.reload()
    assert page.locator("#tracking-code").count() == 0  # shown once

    page.goto(f"{base}/report/")
    page.click("a:has-text('进度查询')")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", "2345-6789")
    page.click("button[type=submit].primary")
    assert "工单编号或查询码不对" in page.inner_text("main")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit].primary")
    page.wait_for_selector("section.tracked")
    assert number in page.inner_text("section.tracked") and "已收到，待受理" in page.inner_text(".state-now")
    assert number not in page.url and code not in page.url  # posted, never in a URL
    no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "track-received-375.png"), full_page=True)

    case = Case.objects.get()
    handled(case, tree)
    assert Case.objects.get().state == State.CLOSED
    page.goto(f"{base}/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("section.tracked .result img")
    shown = page.inner_text("section.tracked")
    assert "已办结" in shown and "纸箱已清走" in shown and "东安物业" in shown
    assert "13812345678" not in shown and "王阿姨" not in shown and "物业小王" not in shown
    assert images_load(page, ".result img")
    assert page.locator(".result img").count() == 2  # after handling; the report's photo never
    no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "track-closed-375.png"), full_page=True)

    page.click("a:has-text('评价处理结果')")
    page.wait_for_selector("form.rate")
    assert "纸箱已清走" in page.inner_text("section.result")
    page.click("button[name=satisfaction][value=satisfied]")
    page.wait_for_selector("text=感谢您的评价")
    assert Case.objects.get().satisfaction == "satisfied"
    assert not errors
