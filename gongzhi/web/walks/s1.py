"""Walk S1 (issue 13): a resident's everyday report closes its loop by itself.

report anonymously → routed and dispatched automatically (自动派遣) → the post holder sees it
under the bell, in /inbox/ and on the 待我处理 tile → handles it with a photo → the committee
verifies with a photo and closes → the resident follows it with the number and code, sees what
was done and the photo after, rates it → the public board shows it, scrubbed.

Each step drives a Playwright page (sync API) through the real pages only; nothing here imports
Playwright or test code, so `gongzhi.web.tests.test_walk_s1` (live_server, the beat ticked) and
`gongzhi walk_s1` (a running `make demo`, the embedded beat beside it) share the same steps.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from PIL import Image

PHONE = {"width": 375, "height": 812}


class Steps:
    """A walk's printed steps and screenshots (`<SHOT_PREFIX>-<name>.png`); the walk's dataclass
    gives the fields."""

    SHOT_PREFIX: ClassVar[str]
    shots: Path | None
    say: Callable[[str], None]
    timings: list[tuple[str, float]]
    started: float

    def step(self, name: str) -> None:
        elapsed = time.monotonic() - self.started
        self.timings.append((name, elapsed))
        self.say(f"[{elapsed:6.1f}s] {name}")

    def shot(self, page: Any, name: str) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.shots / f"{self.SHOT_PREFIX}-{name}.png"), full_page=True)


@dataclass
class Walk(Steps):
    SHOT_PREFIX = "s1"
    base: str  # the site, without a trailing slash
    password: str
    photos: Path  # a folder for the generated photos
    shots: Path | None = None  # screenshots s1-*.png go here
    deliver: Callable[[], None] = lambda: None  # what makes the beat's next turn come (tests)
    wait_seconds: float = 90.0  # how long the bell may take to ring (the beat's minute + slack)
    say: Callable[[str], None] = print
    timings: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def photo(self, name: str, colour: str) -> str:
        self.photos.mkdir(parents=True, exist_ok=True)
        path = self.photos / name
        Image.new("RGB", (640, 480), colour).save(path, "JPEG")
        return str(path)


@dataclass
class Report:
    number: str
    code: str


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"


def report(walk: Walk, page: Any, *, text: str, estate: str) -> Report:
    """The resident writes the problem, picks the estate, submits and notes the number and code."""
    page.goto(f"{walk.base}/report/")
    page.fill("textarea[name=text]", text)
    page.wait_for_selector("#category-hint :text('楼道堆物')")  # the hint while typing (htmx)
    page.select_option("select[name=estate]", estate)
    page.click("button[type=submit].primary")
    challenge = page.locator("fieldset.challenge label")
    if challenge.count():  # past the device's or the network's budget: a small sum first
        a, b = (int(n) for n in re.findall(r"\d+", challenge.inner_text())[:2])
        page.fill("input[name=answer]", str(a + b))
        page.click("button[type=submit].primary")
    page.wait_for_url(f"{walk.base}/report/done/")
    found = Report(page.inner_text("#case-number").strip(), page.inner_text("#tracking-code").strip())
    no_sideways_scroll(page)
    walk.shot(page, "01-reported")
    walk.step(f"resident reported: case {found.number}, code {found.code}")
    return found


class Site(Protocol):
    """What logging in and out needs of any walk."""

    base: str
    password: str


def log_in(walk: Site, page: Any, username: str) -> None:
    page.goto(f"{walk.base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", walk.password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{walk.base}/")


def log_out(walk: Site, page: Any) -> None:
    page.click("footer button:has-text('退出登录')")
    page.wait_for_url(f"{walk.base}/login/")


def menu(page: Any, label: str) -> None:
    """Open a page from the site menu: the strip, or under 更多."""
    direct = page.locator("nav.nav > a", has_text=label)
    if direct.count() and direct.first.is_visible():
        direct.first.click()
        return
    page.click("nav.nav details.more > summary")
    page.locator("nav.nav .more-menu a", has_text=label).first.click()


def unread(page: Any) -> int:
    count = page.locator("header a.bell b")
    return int(count.inner_text()) if count.count() else 0


def told(walk: Walk, page: Any, username: str, number: str) -> str:
    """The post holder logs in and waits for the bell (the beat's outbox turn), opens the message
    from /inbox/ onto the case and finds it on the 待我处理 tile. Returns the case page's URL."""
    log_in(walk, page, username)
    walk.deliver()
    deadline = time.monotonic() + walk.wait_seconds
    message = page.locator("ul.inbox li.unread a", has_text=number)
    while True:
        page.goto(f"{walk.base}/inbox/")
        if message.count():
            break
        assert time.monotonic() < deadline, f"no message about {number} in {walk.wait_seconds:.0f} s"
        page.wait_for_timeout(3000)
    walk.step(f"{username}'s inbox holds the message (bell: {unread(page)} unread)")
    assert unread(page) >= 1
    walk.shot(page, "02-inbox")
    message.first.click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case_url = page.url
    assert number in page.inner_text("main")
    walk.shot(page, "03-case-from-inbox")
    page.goto(f"{walk.base}/")
    tile = page.locator("a.todo-tile.todo-handle")
    assert int(tile.locator("b.todo-count").inner_text()) >= 1
    walk.shot(page, "04-todos")
    tile.click()
    page.wait_for_selector(f"ul.cases a:has-text('{number}')")
    walk.step(f"{username} opened it from the message and sees it under 待我处理")
    return case_url


def act(page: Any, label: str) -> None:
    """Open an action's form on the case page."""
    page.click(f"details.act > summary:has-text('{label}')")


def handle(walk: Walk, page: Any, case_url: str, note: str) -> None:
    page.goto(case_url)
    act(page, "接单处置")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("details.act > summary:has-text('办结，提交核查')")
    act(page, "办结，提交核查")
    page.fill("details[open] textarea[name=note]", note)
    page.set_input_files("details[open] input[name=files]", walk.photo("s1-after.jpg", "#4caf50"))
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：办结，提交核查")
    no_sideways_scroll(page)
    walk.shot(page, "05-handled")
    walk.step("the post holder accepted it and reported it done with a photo")


def verify(walk: Walk, page: Any, case_url: str) -> None:
    page.goto(case_url)
    act(page, "核查通过，结案")
    page.set_input_files("details[open] input[name=files]", walk.photo("s1-check.jpg", "#2196f3"))
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：核查通过，结案")
    walk.shot(page, "06-verified")
    walk.step("the committee verified it on the spot with a photo and closed it")


def images_load(page: Any, selector: str, seconds: float = 15) -> bool:
    """Whether every image under `selector` loads, waiting for them as a reader does (a busy
    server answers the photos after the page). Polled from here: the site's CSP forbids the
    string evaluation Playwright's wait_for_function needs."""
    probe = f"[...document.querySelectorAll({selector!r})].every(i => i.complete && i.naturalWidth > 0)"
    for _ in range(int(seconds * 4)):
        if page.evaluate(probe):
            return True
        page.wait_for_timeout(250)
    return False


def follow_and_rate(walk: Walk, page: Any, found: Report, note: str) -> str:
    """The resident types the number and code on /track/, reads what was done, rates it.
    Returns what the tracking page showed."""
    page.goto(f"{walk.base}/track/")
    page.fill("input[name=number]", found.number)
    page.fill("input[name=code]", found.code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("section.tracked .result img")
    shown = page.inner_text("section.tracked")
    assert "已办结" in page.inner_text(".state-now") and note in shown
    assert images_load(page, ".result img"), "an after-photo did not load"
    no_sideways_scroll(page)
    walk.shot(page, "07-tracked")
    page.click("a:has-text('评价处理结果')")
    page.wait_for_selector("form.rate")
    assert note in page.inner_text("section.result")
    page.click("button[name=satisfaction][value=satisfied]")
    page.wait_for_selector("text=感谢您的评价")
    walk.shot(page, "08-rated")
    walk.step("the resident followed it with the code (已办结, what was done, the photo after) and rated it")
    return shown


def public_board(walk: Walk, page: Any, marker: str, wait_seconds: float = 0.0) -> str:
    """The public board lists the closed case among its results (a close renews the board's
    cache; `wait_seconds` polls that long for a server whose cache is not shared, such as
    gunicorn workers without Redis). Returns the results section's text."""
    deadline = time.monotonic() + wait_seconds
    while True:
        page.goto(f"{walk.base}/public/")
        results = page.inner_text("#board-results")
        if marker in results:
            break
        assert time.monotonic() < deadline, "the public board does not show the case"
        page.wait_for_timeout(10_000)
    walk.shot(page, "09-public-board")
    walk.step("the public board shows it among the rectified cases")
    return results
