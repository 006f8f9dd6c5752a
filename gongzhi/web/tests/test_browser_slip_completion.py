# ruff: noqa: F811 (mworld, world and topic, the imported fixtures, are the tests' arguments)
"""A slip without cases finishes through its page in Debian's chromium at 375 px: the property
company (the lead) reports it done — refused without evidence, then with a note and a photo —;
the Party secretary sees the report, returns it without a reason (refused) and with one; the
lead reports again and the secretary confirms it: 已办结. And the page's refusals over HTTP."""

from io import BytesIO

import pytest
from django.test import Client
from PIL import Image

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.meetings.models import SlipEvidence, SlipState
from gongzhi.meetings.tests.conftest import mworld  # noqa: F401 (the fixture)
from gongzhi.meetings.tests.test_slip_drive import bound_slip, topic  # noqa: F401 (fixture)
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium
from gongzhi.web.tests.test_browser_meetings import Session, main_text


@pytest.fixture
def browser(live_server, transactional_db):
    with chromium() as browser:
        yield browser


def photo_file(tmp_path) -> str:
    path = tmp_path / "现场.jpg"
    Image.new("RGB", (800, 600), (60, 140, 80)).save(path, "JPEG")
    return str(path)


def browser_test(test):
    for mark in MARKS:  # the browser marker and the skip without chromium
        test = mark(test)
    return test


@browser_test
def test_a_slip_without_cases_is_reported_returned_and_confirmed(
    browser, live_server, mworld, topic, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ARTIFACTS.mkdir(exist_ok=True)
    slip = bound_slip(mworld, topic)
    url = f"{live_server.url}/meetings/slips/{slip.pk}/"
    photo = photo_file(tmp_path)

    lead = Session(browser, live_server.url, mworld.users["wy"].username)
    page = lead.page
    page.goto(url)
    box = page.locator("section#completion")
    assert "没有关联工单" in box.inner_text()
    box.locator("summary:has-text('报告办结')").click()
    box.locator("textarea[name=note]").fill("楼道已清空，每周一巡查")
    box.locator("button:has-text('提交办结报告')").click()  # no evidence yet
    page.wait_for_selector("text=请上传办结佐证")
    assert page.locator("section#completion textarea[name=note]").input_value() == "楼道已清空，每周一巡查"
    box = page.locator("section#completion")
    box.locator("input[name=files]").set_input_files(photo)
    box.locator("button:has-text('提交办结报告')").click()
    page.wait_for_selector("text=已办理：主办单位报告办结")
    assert "待确认" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "slip-completion-reported-375.png"), full_page=True)
    lead.close()

    party = Session(browser, live_server.url, mworld.users["secretary"].username)
    page = party.page
    page.goto(url)
    box = page.locator("section#completion")
    assert "楼道已清空，每周一巡查" in box.inner_text()
    assert box.locator(".thumbs img").count() == 1
    box.locator("summary:has-text('退回')").click()
    box.locator("button:has-text('退回主办单位')").click()  # no reason
    page.wait_for_selector("text=退回须说明理由")
    page.locator("section#completion textarea[name=note]").fill("请补充巡查记录照片")
    page.locator("section#completion button:has-text('退回主办单位')").click()
    page.wait_for_selector("text=已办理：党组织退回办结报告")
    assert "已生效" in page.inner_text("h1")
    assert "请补充巡查记录照片" in main_text(page)  # on the record
    party.close()

    lead = Session(browser, live_server.url, mworld.users["wy"].username)
    page = lead.page
    page.goto(url)
    box = page.locator("section#completion")
    box.locator("summary:has-text('报告办结')").click()
    box.locator("textarea[name=note]").fill("已补充巡查记录")
    box.locator("input[name=files]").set_input_files(photo)
    box.locator("button:has-text('提交办结报告')").click()
    page.wait_for_selector("text=已办理：主办单位报告办结")
    lead.close()

    party = Session(browser, live_server.url, mworld.users["secretary"].username)
    page = party.page
    page.goto(url)
    page.locator("section#completion button:has-text('确认办结')").click()
    page.wait_for_selector("text=已办理：党组织确认办结")
    assert "已办结" in page.inner_text("h1")
    assert page.locator("button:has-text('提交评议')").count() == 1  # next: the evaluation
    page.screenshot(path=str(ARTIFACTS / "slip-completion-confirmed-375.png"), full_page=True)
    party.close()
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE and SlipEvidence.objects.count() == 2


def jpeg_upload() -> BytesIO:
    out = BytesIO()
    Image.new("RGB", (320, 240), (10, 10, 200)).save(out, "JPEG")
    out.seek(0)
    out.name = "p.jpg"
    return out


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_completion_page_refuses_what_the_service_refuses(mworld, topic, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = mworld.users
    slip = bound_slip(mworld, topic)
    url = f"/meetings/slips/{slip.pk}/completion/"
    # not the lead: 403, nothing written; someone who cannot see the slip: 404
    denied = client_for(users["cg"]).post(url, {"step": "submit", "note": "完成", "files": jpeg_upload()})
    assert denied.status_code == 403
    assert client_for(mworld.cases.outsider).post(url, {"step": "submit"}).status_code == 404
    bad = client_for(users["wy"]).post(url, {"step": "submit", "note": "完成"})
    assert bad.status_code == 400 and "请上传办结佐证" in bad.content.decode()
    assert client_for(users["wy"]).post(url, {"step": "nonsense"}).status_code == 400
    done = client_for(users["wy"]).post(url, {"step": "submit", "note": "完成", "files": jpeg_upload()})
    assert done.status_code == 303
    slip.refresh_from_db()
    assert slip.state == SlipState.CONFIRMING
    evidence = SlipEvidence.objects.get()
    assert client_for(users["secretary"]).get(f"/meetings/slips/evidence/{evidence.pk}/").status_code == 200
    assert (
        client_for(mworld.cases.outsider).get(f"/meetings/slips/evidence/{evidence.pk}/").status_code == 404
    )
    # a stale page confirms nothing
    stale = client_for(users["secretary"]).post(url, {"step": "confirm", "seq": slip.seq - 1})
    assert stale.status_code == 409
    slip.refresh_from_db()
    assert slip.state == SlipState.CONFIRMING
