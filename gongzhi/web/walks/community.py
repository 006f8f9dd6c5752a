"""Walk C (issue 15): a unit comes to serve its community and delivers a project, seen in public.

someone holding a post at a unit applies for 双报到 on the phone → the area's Party secretary
confirms it → the committee builds a project and publishes it → the unit claims it, which
writes the 共建承诺书, and signs → the secretary countersigns (the pledge is in force, the
project under way) → the unit reports a milestone done with what was done → the committee
confirms delivery → residents (anonymous phones, one vote each) evaluate it → the public
board shows it among the finished projects with the evaluation, and no person's name or number.

Each step drives a Playwright page (sync API) through the real pages only; nothing here imports
Playwright or test code, so `gongzhi.web.tests.test_walk_community` (live_server, a small
world) and `gongzhi walk_community` (a running `make demo`) share the same steps.
"""

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gongzhi.web.walks.s1 import PHONE, Steps, log_in, log_out, no_sideways_scroll

__all__ = ["PHONE", "Cast", "Plan", "Walk"]

PHONE_NUMBER = re.compile(r"1[3-9]\d{9}")


@dataclass
class Walk(Steps):
    SHOT_PREFIX = "community"
    base: str  # the site, without a trailing slash
    password: str
    shots: Path | None = None  # screenshots community-*.png go here
    say: Callable[[str], None] = print
    timings: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Cast:
    """Who walks: logins and the place."""

    unit_rep: str  # holds a post at the unit
    unit: str  # the unit's name, as the pages show it
    secretary: str  # the area's Party secretary: confirms 双报到, signs for the community
    committee: str  # the area's committee staff: builds, publishes and finishes the project
    area: str  # the residential area's code
    area_name: str


@dataclass(frozen=True)
class Plan:
    """What is registered and delivered."""

    title: str  # the project's; unique enough to find it on the lists
    summary: str
    starts_on: date
    ends_on: date
    milestone: str
    due: date
    budget: str = "8000"
    offer: str = "每月组织一次志愿服务"  # the registration's service offer
    commitment: str = "志愿服务"
    per_year: str = "12"
    pledge: str = "提供志愿者和材料，按节点完成"
    evidence: str = "扶手已安装并验收"
    ratings: Sequence[str] = ("good", "good", "fair")  # one resident (phone) each


def _go(walk: Walk, page: Any, path: str) -> None:
    page.goto(f"{walk.base}{path}")


def register(walk: Walk, page: Any, cast: Cast, plan: Plan) -> None:
    """The unit's representative applies for 双报到 with the unit's commitment."""
    log_in(walk, page, cast.unit_rep)
    _go(walk, page, "/community/ledger/")
    page.click("a.button:has-text('申请双报到')")
    page.wait_for_url(f"{walk.base}/community/apply/")
    page.select_option("select[name=who]", label=cast.unit)
    page.select_option("select[name=node]", cast.area)
    page.fill("input[name=service_offer]", plan.offer)
    page.select_option("select[name=kind_0]", "hours")
    page.fill("input[name=title_0]", plan.commitment)
    page.fill("input[name=per_year_0]", plan.per_year)
    page.select_option("select[name=unit_0]", "hours")
    no_sideways_scroll(page)
    walk.shot(page, "01-apply")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{walk.base}/community/ledger/")
    mine = page.locator("li", has_text=f"{cast.unit} → {cast.area_name}")
    assert "待确认" in mine.first.inner_text(), "the application is not listed as waiting"
    walk.shot(page, "02-applied")
    log_out(walk, page)
    walk.step(f"{cast.unit_rep} applied for 双报到 of {cast.unit} with {cast.area_name}")


def confirm(walk: Walk, page: Any, cast: Cast) -> None:
    """The area's Party secretary confirms it from the queue."""
    log_in(walk, page, cast.secretary)
    _go(walk, page, "/community/ledger/")
    page.click("a.button:has-text('待确认报到')")
    page.wait_for_url(f"{walk.base}/community/queue/")
    card = page.locator("section.card", has_text=f"{cast.unit} → {cast.area_name}")
    assert card.count() == 1, "the application is not in the secretary's queue"
    walk.shot(page, "03-queue")
    card.locator("button[name=confirm][value='1']").click()
    page.wait_for_url(f"{walk.base}/community/queue/")
    assert page.locator("section.card", has_text=f"{cast.unit} → {cast.area_name}").count() == 0
    log_out(walk, page)
    walk.step(f"{cast.secretary} confirmed it")


def build_project(walk: Walk, page: Any, cast: Cast, plan: Plan) -> str:
    """The committee builds the project with one milestone and publishes it. Returns its URL."""
    log_in(walk, page, cast.committee)
    _go(walk, page, "/community/")
    page.click("a.button:has-text('新建项目')")
    page.wait_for_url(f"{walk.base}/community/projects/new/")
    page.fill("input[name=title]", plan.title)
    page.fill("textarea[name=summary]", plan.summary)
    page.select_option("select[name=field]", "elderly")
    page.select_option("select[name=node]", cast.area)
    page.fill("input[name=budget]", plan.budget)
    page.fill("input[name=starts_on]", plan.starts_on.isoformat())
    page.fill("input[name=ends_on]", plan.ends_on.isoformat())
    page.fill("input[name=step_title_0]", plan.milestone)
    page.fill("input[name=step_due_0]", plan.due.isoformat())
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/community/projects/\d+/$"))
    url = page.url
    page.click("button[name=action][value=publish]")
    page.wait_for_selector("dd[data-state=open]")
    no_sideways_scroll(page)
    walk.shot(page, "04-published")
    log_out(walk, page)
    walk.step(f"{cast.committee} built the project and published it for claiming")
    return url


def claim_and_sign(walk: Walk, page: Any, cast: Cast, plan: Plan) -> str:
    """The unit finds the project on its list, claims it (the pledge, version 1) and signs.
    Returns the pledge's digest as the page shows it."""
    log_in(walk, page, cast.unit_rep)
    _go(walk, page, "/community/")
    page.click(f"a:has-text('{plan.title}')")
    page.wait_for_selector("form#claim")
    page.select_option("form#claim select[name=unit]", label=cast.unit)
    page.fill("form#claim textarea[name=commitments]", plan.pledge)
    page.click("form#claim button[type=submit]")
    page.wait_for_selector("dd[data-state=claimed]")
    assert plan.pledge in page.inner_text(".pledge")
    digest = page.inner_text(".pledge .hash code").strip()
    page.click("button[data-side=unit]")
    page.wait_for_selector("table.signatures td:has-text('v1')")
    assert page.locator("button[data-side=unit]").count() == 0
    no_sideways_scroll(page)
    walk.shot(page, "05-claimed-signed")
    log_out(walk, page)
    walk.step(f"{cast.unit} claimed it (共建承诺书 v1, {digest}) and signed")
    return digest


def countersign(walk: Walk, page: Any, cast: Cast, url: str) -> None:
    """The secretary signs for the community: the pledge is in force, the project under way."""
    log_in(walk, page, cast.secretary)
    page.goto(url)
    page.click("button[data-side=community]")
    page.wait_for_selector("dd[data-state=active]")
    assert page.locator("table.signatures tbody tr", has_text="有效").count() == 2
    walk.shot(page, "06-in-force")
    log_out(walk, page)
    walk.step(f"{cast.secretary} countersigned: the pledge is in force, the project under way")


def milestone_done(walk: Walk, page: Any, cast: Cast, plan: Plan, url: str) -> None:
    log_in(walk, page, cast.unit_rep)
    page.goto(url)
    step = page.locator("ol.milestones li", has_text=plan.milestone)
    step.locator("textarea[name=evidence]").fill(plan.evidence)
    step.locator("button[type=submit]").click()
    page.wait_for_selector("ol.milestones li.done")
    assert plan.evidence in page.inner_text("ol.milestones")
    walk.shot(page, "07-milestone-done")
    log_out(walk, page)
    walk.step(f"{cast.unit} reported the milestone done with its evidence")


def finish(walk: Walk, page: Any, cast: Cast, url: str) -> None:
    log_in(walk, page, cast.committee)
    page.goto(url)
    page.click("button[name=action][value=finish]")
    page.wait_for_selector("dd[data-state=done]")
    walk.shot(page, "08-finished")
    log_out(walk, page)
    walk.step(f"{cast.committee} confirmed delivery: the project is finished")


def evaluate(walk: Walk, page: Any, plan: Plan, url: str) -> None:
    """Residents evaluate on the project's public page, each from a phone of their own (no
    cookies: a new device), anonymously."""
    number = url.rstrip("/").rsplit("/", 1)[-1]
    labels = {"good": "满意", "fair": "基本满意", "poor": "不满意"}
    for rating in plan.ratings:
        page.context.clear_cookies()
        _go(walk, page, f"/public/community/projects/{number}/")
        page.check(f"input[name=rating][value={rating}]")
        page.click("#evaluate button[type=submit]")
        page.wait_for_selector("text=感谢您的评议")
    shown = page.inner_text("#evaluate")
    assert f"{len(plan.ratings)} 位居民评议" in shown, shown
    good, fair, poor = (sum(1 for r in plan.ratings if r == k) for k in ("good", "fair", "poor"))
    assert f"评议：满意 {good}，基本满意 {fair}，不满意 {poor}" in shown, shown
    no_sideways_scroll(page)
    walk.shot(page, "09-evaluated")
    walk.step(f"{len(plan.ratings)} residents evaluated it ({'、'.join(labels[r] for r in plan.ratings)})")


def public_board(walk: Walk, page: Any, cast: Cast, plan: Plan, private: Sequence[str]) -> str:
    """The public board lists it among the finished projects with the evaluation; its page
    shows the unit, the pledge in force and the progress. Neither shows a person's name
    (`private`) or a mobile number. Returns both pages' text."""
    page.context.clear_cookies()
    _go(walk, page, "/public/community/")
    row = page.locator("#community-done li", has_text=plan.title)
    assert row.count() == 1, "the finished project is not on the public board"
    listed = row.inner_text()
    satisfied = round(100 * sum(1 for r in plan.ratings if r in ("good", "fair")) / len(plan.ratings))
    assert f"{len(plan.ratings)} 位居民评议，满意度 {satisfied}%" in listed, listed
    assert cast.unit in listed
    no_sideways_scroll(page)
    walk.shot(page, "10-public-board")
    board = page.inner_text("main")
    row.locator("a", has_text=plan.title).click()
    page.wait_for_selector("dd[data-state=done]")
    detail = page.inner_text("main")
    assert "双方签署生效" in detail and plan.pledge in detail and "已完成" in detail
    walk.shot(page, "11-public-project")
    for text in (board, detail):
        for name in private:
            assert name not in text, f"{name} is on a public page"
        assert not PHONE_NUMBER.search(text), (
            f"a mobile number is on a public page: {PHONE_NUMBER.search(text)}"
        )
    walk.step("the public board shows it among the finished projects with the residents' evaluation")
    return board + "\n" + detail


def walk_all(walk: Walk, page: Any, cast: Cast, plan: Plan, private: Sequence[str]) -> str:
    """The whole walk in order. Returns the public pages' text."""
    register(walk, page, cast, plan)
    confirm(walk, page, cast)
    url = build_project(walk, page, cast, plan)
    claim_and_sign(walk, page, cast, plan)
    countersign(walk, page, cast, url)
    milestone_done(walk, page, cast, plan, url)
    finish(walk, page, cast, url)
    evaluate(walk, page, plan, url)
    return public_board(walk, page, cast, plan, private)
