"""Walk M (issue 16): a 直报 becomes a mobilisation, and a mobilisation runs from declaring to
its after-action report, on phones.

直报: the grid worker reports an epidemic contact with a photo → the duty officer sees it on
/direct/ (待我确认) and acknowledges → the grid worker writes the 续报 → the officer turns it into
a mobilisation with one tap. Mobilisation: a cadre declares an incident over a zone crossing
residential areas (the entrances to guard and the coverage list appear) → plans the shifts and
publishes the solver's rota → a volunteer finds the shift on the phone and checks in → the
cadre marks the absentee of another running shift 缺岗 and the gap is re-solved → the live board
shows the entrances manned → the volunteer checks out → the cadre closes the incident and
downloads the after-action report (DOCX), which names the units and the hours served.

Each step drives a Playwright page (sync API) through the real pages only; nothing here imports
Playwright or test code, so `gongzhi.web.tests.test_walk_mobilisation` (live_server, a small
world) and `gongzhi walk_mobilisation` (a running `make demo`) share the same steps. A step
that fails leaves `mobilisation-failed-<step>.png` beside the other screenshots.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document

from gongzhi.web.walks import community
from gongzhi.web.walks.s1 import PHONE, log_in, log_out, no_sideways_scroll

__all__ = ["PHONE", "Cast", "Plan", "Walk"]


def _no_wait(_: timedelta) -> None:
    """Against a running demo time passes by itself."""


@dataclass
class Walk(community.Walk):
    SHOT_PREFIX = "mobilisation"
    # moves the shared clock on between steps (the test's frozen clock); the demo waits for nothing
    later: Callable[[timedelta], None] = _no_wait

    @contextmanager
    def failing(self, page: Any, name: str) -> Iterator[None]:
        """Screenshot the page as it stands when a step fails, then let the failure through."""
        try:
            yield
        except Exception:
            try:
                self.shot(page, f"failed-{name}")
            except Exception as shot_error:  # the screenshot must not hide the failure
                self.say(f"screenshot failed: {shot_error}")
            raise


@dataclass(frozen=True)
class Cast:
    """Who walks, and where."""

    grid: str  # the grid worker: reports the 直报, writes the 续报
    officer: str  # today's duty officer (a street cadre: may mobilise)
    cadre: str  # a street or block cadre: declares the incident over the zone and leads it
    volunteer: str  # a volunteer of the zone's areas, with an account
    place: str  # the 直报's place: the node's code, as the place picker's option value
    place_name: str
    zone: Sequence[str]  # the zone's nodes, by name as the declare page lists them
    entrances: Sequence[str]  # the duty posts declaring must list (by name)


@dataclass(frozen=True)
class Plan:
    """What is reported and mobilised."""

    photo: Path  # the 直报's photo, an image file
    title: str  # the incident's; unique enough to find it
    direct_kind: str = "epidemic"
    direct_label: str = "疫情接触"
    direct_text: str = "社区卫生服务中心通报：一名确诊病例昨日到过本小区菜场，密接者住3号楼"
    follow_up: str = "已联系密接者居家观察，3号楼单元门已安排专人值守，卫生中心下午上门采样"
    kind: str = "epidemic"  # the incident's kind (IncidentKind)
    note: str = "医院周边出现病例，各出入口联合值守，测温验码"
    days: int = 1
    shift_hours: int = 8
    served: timedelta = timedelta(hours=2)  # the volunteer's time on duty (the test's clock)
    close_note: str = "风险解除，撤岗"


def _go(walk: Walk, page: Any, path: str) -> None:
    page.goto(f"{walk.base}{path}")


# --- 直报 ----------------------------------------------------------------------------------------


def direct_report(walk: Walk, page: Any, cast: Cast, plan: Plan) -> str:
    """The grid worker opens 直报 → 我要直报, picks the kind and the place, writes what happened,
    adds a photo and sends it. Returns the report's URL."""
    with walk.failing(page, "direct-report"):
        log_in(walk, page, cast.grid)
        _go(walk, page, "/direct/")
        page.click("a.button:has-text('我要直报')")
        page.wait_for_url(f"{walk.base}/direct/new/")
        page.check(f"input[name=kind][value={plan.direct_kind}]")
        page.select_option("select[name=place]", cast.place)
        page.fill("textarea[name=text]", plan.direct_text)
        page.set_input_files("input[name=files]", str(plan.photo))
        no_sideways_scroll(page)
        walk.shot(page, "01-direct-form")
        page.click("button[type=submit].primary")
        page.wait_for_url(re.compile(r".*/direct/\d+/$"))
        url = page.url
        assert plan.direct_label in page.inner_text("h1") and cast.place_name in page.inner_text("h1")
        assert page.locator(".thumbs img").count() == 1, "the photo is not on the report"
        assert "未确认" in page.inner_text("dl.facts")
        no_sideways_scroll(page)
        walk.shot(page, "02-direct-sent")
        log_out(walk, page)
    walk.step(f"{cast.grid} sent a 直报 ({plan.direct_label}, {cast.place_name}) with a photo")
    return url


def direct_acknowledge(walk: Walk, page: Any, cast: Cast, url: str) -> bool:
    """The duty officer finds it under 待我确认 on /direct/ and acknowledges it. Returns whether
    the home page showed a 直报 tile (one links to /direct/ from the page's body)."""
    with walk.failing(page, "direct-ack"):
        log_in(walk, page, cast.officer)
        tile = page.locator("main a[href*='/direct/']")
        on_home = tile.count() > 0
        _go(walk, page, "/direct/")
        waiting = page.locator("section.card", has_text="待我确认")
        row = waiting.locator(f"a[href='{url.removeprefix(walk.base)}']")
        assert row.count() == 1, "the 直报 is not under 待我确认"
        assert "未确认" in row.inner_text()
        walk.shot(page, "03-direct-list")
        row.click()
        page.wait_for_url(url)
        page.click("#direct-ack")
        page.wait_for_selector("a.button:has-text('书面续报'), section.card h2:has-text('处置')")
        facts = page.inner_text("dl.facts")
        assert "已确认" in facts and "未确认" not in facts, facts
        walk.shot(page, "04-direct-acknowledged")
        log_out(walk, page)
    walk.step(f"{cast.officer} (duty officer) saw it under 待我确认 and acknowledged it")
    return on_home


def direct_follow_up(walk: Walk, page: Any, cast: Cast, plan: Plan, url: str) -> None:
    """The grid worker writes the written follow-up (续报) from the report's page."""
    with walk.failing(page, "direct-follow-up"):
        log_in(walk, page, cast.grid)
        page.goto(url)
        page.click("a.button:has-text('书面续报')")
        page.wait_for_url(re.compile(r".*/direct/\d+/follow-up/$"))
        page.fill("textarea[name=text]", plan.follow_up)
        page.click("button[type=submit].primary")
        page.wait_for_url(url)
        assert plan.follow_up in page.inner_text("main"), "the 续报 is not on the report"
        assert "已续报" in page.inner_text("dl.facts")
        walk.shot(page, "05-direct-followed-up")
        log_out(walk, page)
    walk.step(f"{cast.grid} wrote the 续报")


def direct_convert(walk: Walk, page: Any, cast: Cast, url: str) -> str:
    """The officer turns the report into a mobilisation with one tap: the incident's page opens,
    and the report links to it. Returns the incident's URL."""
    with walk.failing(page, "direct-convert"):
        log_in(walk, page, cast.officer)
        page.goto(url)
        page.click("button:has-text('转为应急动员')")
        page.wait_for_url(re.compile(r".*/mobilisation/\d+/$"))
        incident_url = page.url
        assert cast.place_name in page.inner_text("h1"), page.inner_text("h1")
        walk.shot(page, "06-direct-mobilised")
        page.goto(url)
        link = page.locator("dl.facts a", has_text="#")
        assert "已转办" in page.inner_text("dl.facts") and link.count() == 1
        assert link.get_attribute("href") == incident_url.removeprefix(walk.base)
        log_out(walk, page)
    walk.step(f"{cast.officer} turned it into a mobilisation ({incident_url.removeprefix(walk.base)})")
    return incident_url


# --- the mobilisation --------------------------------------------------------------------------


def declare(walk: Walk, page: Any, cast: Cast, plan: Plan) -> str:
    """The cadre declares the incident over the zone; its page lists what must be covered.
    Returns the incident's URL."""
    with walk.failing(page, "declare"):
        log_in(walk, page, cast.cadre)
        _go(walk, page, "/mobilisation/")
        page.click("a.button:has-text('启动应急动员')")
        page.wait_for_url(f"{walk.base}/mobilisation/new/")
        page.select_option("select[name=kind]", plan.kind)
        page.fill("input[name=title]", plan.title)
        for name in cast.zone:
            page.locator("label.check", has_text=name).first.locator("input[name=nodes]").check()
        page.fill("textarea[name=note]", plan.note)
        no_sideways_scroll(page)
        walk.shot(page, "07-declare")
        page.click("button[type=submit].primary")
        page.wait_for_url(re.compile(r".*/mobilisation/\d+/$"))
        url = page.url
        head = page.inner_text("main")
        assert plan.title in page.inner_text("h1") and "动员中" in head
        for name in cast.zone:
            assert name in head, f"{name} is not in the zone shown"
        doors = page.locator("details:has(h3:has-text('逐户排查')) ul.items li:not(.empty)")
        assert doors.count() > 0, "no door-to-door check listed"
        walk.shot(page, "08-declared")
    walk.step(f"{cast.cadre} declared “{plan.title}” over {'、'.join(cast.zone)}")
    return url


def rota(walk: Walk, page: Any, cast: Cast, plan: Plan, url: str) -> list[str]:
    """The cadre (still logged in) plans the shifts and publishes the solver's rota. Returns
    the shifts table's rows."""
    with walk.failing(page, "rota"):
        page.goto(url)
        page.fill("input[name=days]", str(plan.days))
        page.select_option("select[name=shift_hours]", str(plan.shift_hours))
        page.click("button:has-text('生成班次')")
        page.wait_for_selector("table.rota td:has-text('–')")
        posts = page.inner_text("table.rota")
        for name in cast.entrances:
            assert name in posts, f"no shift planned at {name}"
        page.click("button.primary:has-text('排班')")
        page.wait_for_selector("text=第1版排班")
        rows = [r.inner_text() for r in page.locator("table.rota tbody tr").all()]
        empty = [r for r in rows if r.rstrip().endswith("—")]
        assert not empty, f"shifts left empty: {empty}"
        no_sideways_scroll(page)
        walk.shot(page, "09-rota-published")
        log_out(walk, page)
    walk.step(f"{cast.cadre} planned {len(rows)} shifts and published the rota")
    return rows


def check_in(walk: Walk, page: Any, cast: Cast, plan: Plan, *, title: str = "") -> str:
    """The volunteer finds the shift of this incident (or of the one titled `title`: against the
    demo, its ongoing mobilisation) on the phone and checks in. Returns the shift as listed."""
    title = title or plan.title
    with walk.failing(page, "check-in"):
        log_in(walk, page, cast.volunteer)
        _go(walk, page, "/mobilisation/")
        page.click("a.button:has-text('我的值守班次')")
        page.wait_for_url(f"{walk.base}/mobilisation/mine/")
        mine = page.locator("li.shift", has_text=title).filter(has=page.locator("button:has-text('签到')"))
        assert mine.count() > 0, f"{cast.volunteer} has no shift to check in to"
        shift = mine.first.locator("strong").inner_text()
        no_sideways_scroll(page)
        walk.shot(page, "10-my-shift")
        mine.first.locator("button:has-text('签到')").click()
        page.wait_for_url(f"{walk.base}/mobilisation/mine/")
        done = page.locator("li.shift", has_text=title).filter(has_text="已签到")
        assert done.count() == 1, page.inner_text("main")
        assert done.locator("button:has-text('签退')").count() == 1
        walk.shot(page, "11-checked-in")
        log_out(walk, page)
    walk.step(f"{cast.volunteer} checked in at {shift}")
    return shift


def no_show(walk: Walk, page: Any, cast: Cast, url: str, *, elsewhere: str = "") -> tuple[str, list[str]]:
    """The cadre marks the absentee of a running shift (at a post other than `elsewhere`) 缺岗;
    the gap is solved again and the shift is manned without them. Returns (absentee, the people
    on that shift now)."""
    with walk.failing(page, "no-show"):
        log_in(walk, page, cast.cadre)
        page.goto(url)
        rows = page.locator("table.rota tbody tr")
        if elsewhere:
            rows = rows.filter(has_not=page.locator("td:first-child", has_text=elsewhere))
        absent = rows.locator("span.person.assigned").filter(has=page.locator("button[value=no_show]"))
        assert absent.count() > 0, "no running shift waits for its person"
        row_text = absent.first.locator("xpath=ancestor::tr").inner_text()
        post, when = (c.strip() for c in row_text.split("\t")[:2])
        name = absent.first.inner_text().split("（")[0].strip()
        absent.first.locator("button[value=no_show]").click()
        page.wait_for_url(url)
        row = page.locator("table.rota tbody tr").filter(has_text=post).filter(has_text=when)
        assert row.locator("span.person.no_show", has_text=name).count() == 1
        others = [
            t.split("（")[0].strip()
            for t in row.locator("span.person.assigned, span.person.checked_in").all_inner_texts()
        ]
        assert others and name not in others, f"the gap was not filled: {row.inner_text()}"
        walk.shot(page, "12-no-show-resolved")
    walk.step(f"{cast.cadre} marked {name} 缺岗 at {post} {when}; now on it: {'、'.join(others)}")
    return name, others


def live_board(walk: Walk, page: Any, url: str, *, manned: bool = True) -> dict[str, str]:
    """The cadre (still logged in) opens the live board, on the phone and at wall size: no gap
    open, and (`manned`: someone checked in) an entrance manned. Returns its figures by label."""
    with walk.failing(page, "board"):
        page.goto(url)
        page.click("a.button:has-text('实时看板')")
        page.wait_for_selector("#board")
        figures = {
            f.locator(".label").inner_text(): f.locator(".value").inner_text()
            for f in page.locator("#board .figure").all()
        }
        on_duty, guard = (int(x) for x in figures["出入口在岗"].split("/"))
        assert (1 if manned else 0) <= on_duty <= guard, figures
        assert figures["缺岗未补"] == "0", figures
        if manned:
            assert page.locator("table.posts-now tbody tr:not(.overdue)").count() >= 1
        no_sideways_scroll(page)
        walk.shot(page, "13-board")
        page.click("a.button:has-text('大屏显示')")
        page.wait_for_selector("#board.screen")
        walk.shot(page, "14-board-screen")
        log_out_from_board(walk, page)
    walk.step(f"the live board: {figures['出入口在岗']} entrances manned, no gap open")
    return figures


def log_out_from_board(walk: Walk, page: Any) -> None:
    """The wall layout has no footer: log out from the page's normal layout."""
    _go(walk, page, "/mobilisation/")
    log_out(walk, page)


def check_out(walk: Walk, page: Any, cast: Cast, plan: Plan, *, title: str = "") -> None:
    title = title or plan.title
    walk.later(plan.served)
    with walk.failing(page, "check-out"):
        log_in(walk, page, cast.volunteer)
        _go(walk, page, "/mobilisation/mine/")
        mine = page.locator("li.shift", has_text=title).filter(has_text="已签到")
        mine.first.locator("button:has-text('签退')").click()
        page.wait_for_url(f"{walk.base}/mobilisation/mine/")
        assert page.locator("li.shift", has_text=title).filter(has_text="已签退").count() == 1
        walk.shot(page, "15-checked-out")
        log_out(walk, page)
    walk.step(f"{cast.volunteer} checked out")


def close(walk: Walk, page: Any, cast: Cast, plan: Plan, url: str) -> str:
    """The cadre closes the incident and downloads the after-action report; it opens with
    python-docx. Returns its text (paragraphs and table cells)."""
    with walk.failing(page, "close"):
        log_in(walk, page, cast.cadre)
        page.goto(url)
        page.fill("input[name=note]", plan.close_note)
        page.click("button:has-text('结束动员')")
        page.wait_for_url(url)
        assert "已结束" in page.inner_text("main > p")
        assert page.locator("button:has-text('结束动员')").count() == 0
        walk.shot(page, "16-closed")
        with page.expect_download() as info:
            page.click("a.button:has-text('处置总结')")
        download = info.value
        assert download.suggested_filename.endswith(".docx")
        doc = Document(BytesIO(Path(download.path()).read_bytes()))
        text = "\n".join(
            [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
        )
        assert plan.title in text and "各单位值守时长（小时）" in text and "志愿者服务时长（小时）" in text
        if walk.shots is not None:
            (walk.shots / "mobilisation-17-report.docx").write_bytes(Path(download.path()).read_bytes())
        log_out(walk, page)
    walk.step(f"{cast.cadre} closed it and downloaded the after-action report")
    return text


def walk_direct(walk: Walk, page: Any, cast: Cast, plan: Plan) -> tuple[str, str]:
    """直报 from report to mobilisation. Returns the report's and the incident's URLs."""
    url = direct_report(walk, page, cast, plan)
    direct_acknowledge(walk, page, cast, url)
    direct_follow_up(walk, page, cast, plan, url)
    return url, direct_convert(walk, page, cast, url)


def walk_mobilisation(walk: Walk, page: Any, cast: Cast, plan: Plan) -> str:
    """The mobilisation from declaring to its report. Returns the report's text."""
    url = declare(walk, page, cast, plan)
    rota(walk, page, cast, plan, url)
    shift = check_in(walk, page, cast, plan)
    no_show(walk, page, cast, url, elsewhere=shift)
    live_board(walk, page, url)
    check_out(walk, page, cast, plan)
    return close(walk, page, cast, plan, url)
