# ruff: noqa: F811 (mworld and world, the imported fixtures, are the test's arguments)
"""A 居务会 through the real pages in Debian's chromium at phone size: the committee proposes a
topic from an open case, the Party secretary approves it, the committee calls the meeting, puts
the topic on the agenda, marks attendance and holds it, records the discussion and drafts the
任务流转单; each named unit countersigns; once the case is closed the slip is done with it and
the secretary rates it."""

import pytest

from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings import slips
from gongzhi.meetings.models import Meeting, Rating, Slip, SlipState, Topic, TopicState
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.meetings.tests.test_flow import close_case
from gongzhi.orgs.models import Unit
from gongzhi.testing.factories import PASSWORD
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, menu

PHONE = {"width": 375, "height": 812}
PRESENT = ("secretary", "jwh", "ywh", "wy", "mj", "cg")  # the Party + five of the eight ("wy": 物业)

pytestmark = MARKS


@pytest.fixture
def browser(live_server, transactional_db):
    with chromium() as browser:
        yield browser


class Session:
    """One user's own browser context, logged in through the real login form."""

    def __init__(self, browser, base: str, username: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"Refused (page error): {exc}"))
        page = self.page
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{base}/")

    def close(self) -> None:
        bad = [e for e in self.errors if "Refused" in e or "violat" in e]
        assert not bad, bad
        assert self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        self.context.close()


def shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky nav is drawn mid-page in the capture
    page.screenshot(path=str(ARTIFACTS / f"meeting-{name}-375.png"), full_page=True)


def main_text(page) -> str:
    return page.inner_text("main")


def test_a_juwuhui_from_topic_to_rated_slip(browser, live_server, mworld, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    units = mworld.units
    Unit.objects.filter(pk=units["cg"].pk).update(name="城管中队")  # the factory's names are 单位N
    Unit.objects.filter(pk=units["mj"].pk).update(name="派出所")
    with clock.freeze(NOW):
        case = case_create(
            actor=mworld.users["jwh"],
            intake=Intake(
                node=mworld.tree.b1,
                text="3号楼楼道堆满旧家具，多次清理又堆回来",
                source=Source.PATROL,
                category=mworld.cases.category,
            ),
        )
        run_the_meeting(browser, base, mworld, case)


def run_the_meeting(browser, base: str, mworld, case) -> None:
    # 1. The committee proposes a topic from the open case.
    jwh = Session(browser, base, "jwh")
    page = jwh.page
    menu(page, "居务会")
    page.wait_for_url(f"{base}/meetings/")
    page.click("nav.meetings-nav >> text=议题库")
    page.click("details.act > summary:has-text('提出议题')")
    form = page.locator("form[action='/meetings/topics/propose/']")
    assert case.number in form.inner_text()  # offered from the area's open cases
    form.locator("input[name=title]").fill("3号楼楼道堆物反复回潮")
    form.locator("select[name=business]").select_option(label="破解治理瓶颈")
    form.locator(f"input[name=cases][value='{case.pk}']").check()
    shot(page, "propose")
    form.locator("button[type=submit].primary").click()
    page.wait_for_selector("text=议题已提出，等待党组织审核。")
    row = page.locator("ul.list li:has-text('3号楼楼道堆物反复回潮')")
    assert "待党组织审核" in row.inner_text()
    topic = Topic.objects.get()
    assert list(topic.cases.all()) == [case]

    # 2. The Party secretary approves it in the vetting queue.
    secretary = Session(browser, base, "secretary")
    page = secretary.page
    menu(page, "居务会")
    page.click("nav.meetings-nav >> text=议题审核")
    page.wait_for_url(f"{base}/meetings/topics/vet/")
    item = page.locator("li.topic:has-text('3号楼楼道堆物反复回潮')")
    assert case.number in item.inner_text() and "破解治理瓶颈" in item.inner_text()
    shot(page, "vet")
    item.locator("button[value=approve]").click()
    page.wait_for_selector("text=已审核。")
    assert "没有待审核的议题。" in main_text(page)
    topic.refresh_from_db()
    assert topic.state == TopicState.APPROVED

    # 3. The committee calls a 居务会 and puts the topic on the agenda.
    page = jwh.page
    page.click("nav.meetings-nav >> text=会议日程")
    page.click("details.act > summary:has-text('召集会议')")
    form = page.locator("form[action='/meetings/new/']")
    form.locator("select[name=kind]").select_option("juwuhui")
    form.locator("select[name=node]").select_option("S-R1")
    form.locator("input[name=starts_at]").fill("2026-11-25T14:00")
    form.locator("input[name=place]").fill("居委会议室")
    form.locator("button[type=submit].primary").click()
    page.wait_for_selector("text=已办理：创建")
    meeting = Meeting.objects.get()
    assert page.url.startswith(f"{base}/meetings/{meeting.pk}/")
    assert "居委会议室" in main_text(page) and "2026-11-25 14:00" in main_text(page)
    assert "法定人数在会议召开时核定" in page.inner_text("#quorum")
    page.click("details.act > summary:has-text('从议题库排入议程')")
    page.locator("select[name=topic]").select_option(str(topic.pk))
    page.click("details[open] button:has-text('排入议程')")
    page.wait_for_selector("text=已办理：排入会议")
    assert "3号楼楼道堆物反复回潮" in page.inner_text(f"#topic-{topic.pk}")

    # 4. Attendance, one radio per seat (saved by htmx as it changes), then the meeting starts.
    by_user = {user.pk: name for name, user in mworld.users.items()}
    participants = list(meeting.participants.select_related("person"))
    assert len(participants) == 9  # the 1+8 seats
    for p in participants:
        name = by_user.get(p.person.user_id if p.person else None, "")
        mark = "present" if name in PRESENT else "absent"
        row = page.locator(f"#participant-{p.pk}")
        row.locator(f"input[name=attendance][value={mark}]").check()
        page.wait_for_selector(f"#participant-{p.pk} .ok:has-text('已保存')")
        assert ("出席" if mark == "present" else "缺席") in page.locator(
            f"#participant-{p.pk} .tag"
        ).inner_text()
    assert "法定人数在会议召开时核定" in page.inner_text("#quorum")  # settled when it is held
    shot(page, "attendance")
    page.click("button:has-text('会议开始/已召开')")
    page.wait_for_selector("text=已办理：会议召开")
    assert "已召开" in page.inner_text("h1")
    assert "达到法定人数" in page.inner_text("#quorum")
    assert "未达到法定人数" not in main_text(page)  # the quorum-missing badge is not shown

    # 5. The discussion, then the 任务流转单: lead and assisting unit, deadline, the topic's case.
    card = page.locator(f"#topic-{topic.pk}")
    card.locator("summary:has-text('记录讨论情况')").click()
    card.locator("textarea[name=text]").fill("物业牵头清理，城管配合执法，居委做好宣传")
    card.locator("button:has-text('保存讨论情况')").click()
    page.wait_for_selector("text=已办理：会上讨论")
    card = page.locator(f"#topic-{topic.pk}")
    assert "物业牵头清理，城管配合执法" in card.inner_text() and "已议" in card.inner_text()
    card.locator("summary:has-text('形成任务流转单')").click()
    form = card.locator("details[open] form")
    form.locator("textarea[name=action_text]").fill("一周内清理3号楼楼道堆物并建立巡查机制")
    form.locator("input[name=due]").fill("2026-12-15")
    units = mworld.units
    form.locator(f"select[name=role_{units['wy'].pk}]").select_option(label="主办")
    form.locator(f"input[name=task_{units['wy'].pk}]").fill("清理堆物")
    form.locator(f"select[name=role_{units['cg'].pk}]").select_option(label="协办")
    form.locator(f"input[name=task_{units['cg'].pk}]").fill("对拒不清理的依法处置")
    assert form.locator(f"input[name=cases][value='{case.pk}']").is_checked()
    shot(page, "slip-form")
    form.locator("button:has-text('保存为草稿')").click()
    page.wait_for_selector("text=已办理：创建")
    slip = Slip.objects.get()
    assert page.url.startswith(f"{base}/meetings/slips/{slip.pk}/")
    assert "草拟" in page.inner_text("h1") and slip.number in page.inner_text("h1")
    page.click("button:has-text('发出会签')")
    page.wait_for_selector("text=已办理：发出会签")
    assert "会签中" in page.inner_text("h1")
    assert "待会签" in main_text(page) and "城管中队" in main_text(page)
    slip_url = f"{base}/meetings/slips/{slip.pk}/"

    # 6. Each named unit's user signs 同意 on the slip page.
    for username, unit in (("handler", "东安物业"), ("cg", "城管中队")):
        signer = Session(browser, base, username)
        page = signer.page
        menu(page, "居务会")
        page.click("nav.meetings-nav >> text=任务流转单")
        page.click(f"a:has-text('{slip.number}')")
        page.wait_for_url(slip_url)
        box = page.locator(".sign-box")
        assert f"以{unit}名义会签第1版" in box.inner_text()
        box.locator("button[value=agree]").click()
        page.wait_for_selector("text=已办理：会签同意")
        assert page.locator(".sign-box").count() == 0  # signed once, no more buttons
        signer.close()
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING

    page = jwh.page
    page.goto(slip_url)
    assert "已生效" in page.inner_text("h1")
    table = page.locator("table.signatures")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert "东安物业" in table.inner_text() and "城管中队" in table.inner_text()
    assert table.inner_text().count("同意") == 2
    assert "生效时间" in main_text(page)
    shot(page, "slip-binding")

    # 7. The case is handled to closed (services): the slip is done with it (no follow-up
    #    run), and the Party secretary rates it 好.
    close_case(mworld, case)
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE
    assert slips.slips_follow_up(clock.now()).done == 0
    page = secretary.page
    page.goto(slip_url)
    assert "已办结" in page.inner_text("h1")
    assert "工单已办结 1 / 1 件" in main_text(page)
    page.locator("input[name=rating][value=good]").check()
    page.fill("form:has(input[name=rating]) input[name=note]", "居民反映良好")
    page.click("button:has-text('提交评议')")
    page.wait_for_selector("text=已办理：评议")
    evaluations = page.inner_text("section.card:has(h2:has-text('评议')) ul.plain")
    assert "党组织评议" in evaluations and str(Rating.GOOD.label) in evaluations
    assert "居民反映良好" in evaluations
    shot(page, "slip-done")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "meeting-final-375.png"))  # the phone's first screen
    secretary.close()
    jwh.close()
