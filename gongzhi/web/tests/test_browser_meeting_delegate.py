# ruff: noqa: F811 (mworld and world, the imported fixtures, are the test's arguments)
"""In chromium at 375 px: choosing 委托 reveals the delegate's name field and saves nothing
until the name is typed; the name is then saved with the mark, the figures follow; and a
document link on the meeting page downloads its file with one tap."""

from datetime import timedelta
from pathlib import Path

import pytest

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings import services
from gongzhi.meetings.kinds import Attendance, MeetingKind
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.web.tests.browser import MARKS, chromium
from gongzhi.web.tests.test_browser_meetings import Session

pytestmark = MARKS


@pytest.fixture
def browser(live_server, transactional_db):
    with chromium() as browser:
        yield browser


def test_the_delegate_name_is_typed_before_it_saves_and_a_document_is_one_tap(
    browser, live_server, mworld, tmp_path
):
    with clock.freeze(NOW):
        meeting = services.meeting_create(
            actor=mworld.users["jwh"],
            kind=MeetingKind.JUWUHUI,
            node=mworld.tree.r1,
            starts_at=NOW + timedelta(days=2),
            place="居委会议室",
        )
    police = meeting.participants.get(person__user=mworld.users["mj"])
    jwh = Session(browser, live_server.url, "jwh")
    page = jwh.page
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    row = page.locator(f"#participant-{police.pk}")
    name = row.locator("input[name=delegate]")
    assert not name.is_visible()  # shown only for 委托

    row.locator("input[name=attendance][value=delegate]").check()
    assert name.is_visible()
    name.click()  # nothing was sent by choosing 委托: no error, no save, the mark unchanged
    assert row.locator(".error").count() == 0 and row.locator(".ok").count() == 0
    police.refresh_from_db()
    assert police.attendance == Attendance.INVITED

    name.fill("王副所长")
    name.press("Tab")  # leaving the field saves the mark with the name
    page.wait_for_selector(f"#participant-{police.pk} .ok:has-text('已保存')")
    police.refresh_from_db()
    assert (police.attendance, police.delegate_name) == (Attendance.DELEGATE, "王副所长")
    row = page.locator(f"#participant-{police.pk}")
    assert "委托出席" in row.locator(".tag").inner_text() and "受托人：王副所长" in row.inner_text()
    totals = page.locator("#roll tr.roll-total th").all_inner_texts()
    assert totals == ["合计", "9", "1", "0", "1", "0", "8"]  # 应到 9 = 实到 1 + 缺席 0 + 未登记 8

    with page.expect_download() as caught:
        page.locator("section.documents li:has-text('签到表') a:has-text('Word')").click()
    download = caught.value
    assert download.suggested_filename == f"signin-{meeting.pk}.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(str(saved))
    assert Path(saved).read_bytes()[:2] == b"PK"  # a Word (zip) file
    jwh.close()
