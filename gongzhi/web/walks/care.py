"""The care walk (issue 14 item 10): alert → acknowledgement timeout → visit case → visit
recorded on a phone → alert closed.

An SOS press arrives through the gateways' door (`POST /api/v1/care/events`, a gateway token) →
the grid worker serving the subject is told (the bell, /inbox/, the 关爱预警 tile, /care/) and
the committee sees it on the board, and nobody presses 我来处理 → after CARE_ACK_MINUTES the
care sweep turns it into a 上门探访 case for the grid worker's post, 2 hours on the wall clock
(the 待我处理 tile, the case page) → the grid worker opens the case, goes to the outcome form
and records 平安 → the alert is closed and the case finished.

Each step drives a Playwright page (sync API) through the real pages; nothing here imports
Playwright or test code, so `gongzhi.web.tests.test_walk_care` (live_server, the beat ticked
and the clock moved past the 30 minutes) and `gongzhi walk_care` (a running `make demo`, its
embedded beat, the minutes waited) share the same steps.
"""

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gongzhi.web.walks.s1 import PHONE, Steps, log_in, log_out, no_sideways_scroll, unread

__all__ = ["PHONE", "Walk"]

SOS_LABEL = "一键呼叫"  # RuleKind.SOS's label, as the pages show it


@dataclass
class Walk(Steps):
    SHOT_PREFIX = "care-walk"
    base: str  # the site, without a trailing slash
    password: str
    subject_id: int  # the care subject whose SOS button is pressed
    shots: Path | None = None  # screenshots care-walk-*.png go here
    deliver: Callable[[], None] = lambda: None  # what makes the beat's next outbox turn come (tests)
    time_passes: Callable[[], None] = lambda: None  # what moves past CARE_ACK_MINUTES (tests)
    wait_seconds: float = 90.0  # how long the bell may take to ring (the beat's minute + slack)
    ack_wait_seconds: float = 60.0  # how long the visit case may take to appear
    say: Callable[[str], None] = print
    timings: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def subject_url(self) -> str:
        return f"{self.base}/care/subjects/{self.subject_id}/"


def press_sos(walk: Walk, *, serial: str, token: str) -> datetime:
    """The subject presses the SOS button: its gateway posts the event to the batch endpoint,
    as a real gateway does (one event, a fresh id, the time in UTC). Returns the press's time."""
    pressed = datetime.now(UTC)
    event = {"device": serial, "id": f"walk-{uuid.uuid4().hex[:12]}", "at": pressed.isoformat()}
    request = urllib.request.Request(
        f"{walk.base}/api/v1/care/events",
        data=json.dumps({"events": [event]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"the gateway endpoint answered {exc.code}: {exc.read()[:300]!r}") from exc
    assert answer["stored"] == 1 and answer["alerts"] == 1, answer
    walk.step(f"the SOS button {serial} was pressed: the gateway's event stored, an alert opened")
    return pressed


def open_alert(page: Any) -> Any:
    """The subject page's open SOS alert (the newest first)."""
    return page.locator("ul.care-alerts li[data-state='open']", has_text=SOS_LABEL).first


def told(walk: Walk, page: Any, username: str) -> int:
    """The grid worker logs in; the beat's outbox turn rings the bell with the alert; the
    关爱预警 tile counts it; /care/ lists it; the subject page shows it 待响应 with 我来处理.
    Nobody presses it. Returns the alert's id (from the page)."""
    log_in(walk, page, username)
    walk.deliver()
    deadline = time.monotonic() + walk.wait_seconds
    message = page.locator("ul.inbox li.unread a", has_text=f"关爱预警：{SOS_LABEL}")
    while True:
        page.goto(f"{walk.base}/inbox/")
        if message.count():
            break
        assert time.monotonic() < deadline, f"no 关爱预警 message in {walk.wait_seconds:.0f} s"
        page.wait_for_timeout(3000)
    assert unread(page) >= 1
    walk.shot(page, "01-inbox")
    walk.step(f"{username}'s inbox holds the 关爱预警 message (bell: {unread(page)} unread)")
    page.goto(f"{walk.base}/")
    tile = page.locator("a.todo-tile.todo-care")
    assert int(tile.locator("b.todo-count").inner_text()) >= 1
    walk.shot(page, "02-todos")
    tile.click()
    page.wait_for_url(f"{walk.base}/care/")
    link = page.locator(f"ul.care-alerts li.care-alert a[href='/care/subjects/{walk.subject_id}/']")
    assert link.count() >= 1 and SOS_LABEL in link.first.inner_text()
    no_sideways_scroll(page)
    walk.shot(page, "03-care-home")
    link.first.click()
    page.wait_for_url(walk.subject_url)
    item = open_alert(page)
    assert "待响应" in item.inner_text()
    assert item.locator("button:has-text('我来处理')").count() == 1  # offered; nobody takes it
    alert_id = int((item.get_attribute("id") or "").removeprefix("alert-"))
    walk.shot(page, "04-subject-open")
    walk.step(f"the 关爱预警 tile and /care/ show alert {alert_id}; nobody presses 我来处理")
    log_out(walk, page)
    return alert_id


def on_the_board(walk: Walk, page: Any, username: str, alert_id: int) -> None:
    """The committee's board lists the alert, 待响应, and counts it."""
    log_in(walk, page, username)
    page.goto(f"{walk.base}/care/board/")
    assert int(page.locator("dd.sum-open").inner_text()) >= 1
    row = page.locator(f"ul.care-alerts a[href='/care/subjects/{walk.subject_id}/']", has_text=SOS_LABEL)
    assert row.count() >= 1 and "待响应" in row.first.inner_text()
    no_sideways_scroll(page)
    walk.shot(page, "05-board")
    walk.step(f"the committee's board lists alert {alert_id}, 待响应; nobody takes it")
    log_out(walk, page)


def becomes_a_visit_case(walk: Walk, page: Any, username: str, alert_id: int) -> str:
    """Nobody acknowledged: after CARE_ACK_MINUTES the care sweep has opened a 上门探访 case.
    The grid worker finds it on the 待我处理 tile; the case page shows the category, the
    grid worker's post as lead and two hours on the wall clock. Returns the case page's URL."""
    walk.time_passes()
    log_in(walk, page, username)
    deadline = time.monotonic() + walk.ack_wait_seconds
    item = page.locator(f"#alert-{alert_id}")
    while True:
        page.goto(walk.subject_url)
        if item.get_attribute("data-state") == "visiting":
            break
        assert time.monotonic() < deadline, (
            f"alert {alert_id} did not become a visit case in {walk.ack_wait_seconds:.0f} s "
            "(is the server's CARE_ACK_MINUTES the one this walk waits for?)"
        )
        page.wait_for_timeout(15_000)
    case_link = item.locator("a:has-text('上门探访工单')")
    number = case_link.inner_text().replace("上门探访工单", "").strip()
    walk.step(f"nobody acknowledged: alert {alert_id} became 上门探访 case {number}")
    page.goto(f"{walk.base}/")
    tile = page.locator("a.todo-tile.todo-handle")
    assert int(tile.locator("b.todo-count").inner_text()) >= 1
    tile.click()
    row = page.locator(f"ul.cases a:has-text('{number}')")
    row.wait_for()
    walk.shot(page, "06-handle-tile")
    row.first.click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case_url = page.url
    facts = page.inner_text("dl.facts")
    assert "为老上门探视" in facts, facts
    running = page.locator("section.deadlines li.running")
    assert "自然时间" in running.inner_text(), running.inner_text()
    left = running.locator("strong").inner_text()
    no_sideways_scroll(page)
    walk.shot(page, "07-visit-case")
    walk.step(f"the case is on the 待我处理 tile: 为老上门探视, {left} on the wall clock")
    return case_url


def record_safe(walk: Walk, page: Any, case_url: str, alert_id: int, note: str) -> None:
    """From the case page to the outcome form: 平安, with a note. The alert is closed and the
    case finished (the chain concludes it)."""
    page.goto(case_url)
    page.click("section.care-alert-link a:has-text('登记探访结果')")
    page.wait_for_url(f"{walk.base}/care/alerts/{alert_id}/outcome/")
    page.check("input[name=outcome][value=safe]")
    page.fill("textarea[name=note]", note)
    no_sideways_scroll(page)
    walk.shot(page, "08-outcome-form")
    page.click("button[type=submit].primary")
    page.wait_for_url(walk.subject_url)
    item = page.locator(f"#alert-{alert_id}")
    assert item.get_attribute("data-state") == "closed"
    assert "已关闭" in item.inner_text() and note in item.inner_text()
    walk.shot(page, "09-alert-closed")
    page.goto(case_url)
    state = page.inner_text("h1 .tag")
    assert state == "已结案", state
    assert page.locator("section.care-alert-link a:has-text('登记探访结果')").count() == 0
    walk.shot(page, "10-case-finished")
    walk.step(f"the grid worker recorded 平安 on the phone: the alert is closed, the case {state}")
