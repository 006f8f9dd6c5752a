"""Walk D (issue 17): a district's cadre on a phone, and a street that sees only itself.

The district cadre logs in → the home page names the district → 指挥中心 ranks the district's
streets (街道排名) → a street's row opens that street's own board → 统计 · 日报周报 holds the
district's report → its 各街道概况 has a row per street and its Word file downloads → a case
of another street opens for the cadre. Then street 1's admin logs in: that case is a 404 and
the other street's board answers as for a place that does not exist.

Each step drives a Playwright page (sync API) through the real pages only; nothing here imports
Playwright or test code, so `gongzhi.web.tests.test_walk_district` (live_server, a small
district) and `gongzhi walk_district` (a running `make demo`) share the same steps.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongzhi.web.walks.s1 import Steps, log_in, log_out, menu, no_sideways_scroll

PHONE = {"width": 375, "height": 812}


@dataclass
class Walk(Steps):
    SHOT_PREFIX = "d"
    base: str  # the site, without a trailing slash
    password: str
    shots: Path | None = None  # screenshots d-*.png go here
    say: Callable[[str], None] = print
    timings: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


@dataclass
class Cast:
    cadre: str  # a district cadre's login
    street_admin: str  # street 1's admin
    district: str  # the district's name
    streets: list[tuple[str, str]]  # (code, name) of the district's streets, street 1 first
    other_case: int | None = None  # a case of a street other than street 1 (None: one street)


def board(walk: Walk, page: Any, cast: Cast) -> None:
    """The cadre's home names the district; the command centre ranks its streets, and a
    street's row opens that street's own board."""
    log_in(walk, page, cast.cadre)
    assert cast.district in page.inner_text("main")
    walk.shot(page, "01-home")
    menu(page, "指挥中心")
    page.wait_for_url(re.compile(r".*/dashboard/.*"))
    page.wait_for_selector("#dash-trend canvas")  # the chart drew from data.json
    no_sideways_scroll(page)
    walk.shot(page, "02-district-board")
    if len(cast.streets) < 2:
        assert not page.locator("#dash-streets").count()  # one street: nothing to rank
        walk.step(f"{cast.cadre}: the command centre of {cast.district} (one street, no street ranking)")
        return
    ranked = page.locator("#dash-streets li a")
    if not ranked.count():  # too few cases this month to rank: the year
        page.locator("button[name=range][value=year]").click()
        page.wait_for_url(re.compile(r".*range=year.*"))
        page.wait_for_selector("#dash-trend canvas")
    names = [ranked.nth(i).inner_text() for i in range(ranked.count())]
    known = {name for _code, name in cast.streets}
    assert names and all(any(n.startswith(k) for k in known) for n in names), names
    walk.step(f"{cast.cadre}: 街道排名 of {cast.district}: {' / '.join(n.split()[0] for n in names)}")
    first = names[0].split()[0]
    code = next(c for c, n in cast.streets if n == first)
    ranked.first.click()
    page.wait_for_url(re.compile(rf".*/dashboard/\?node={re.escape(code)}&.*"))
    assert first in page.inner_text("main") and not page.locator("#dash-streets").count()
    walk.shot(page, "03-street-board")
    walk.step(f"{cast.cadre}: the row opens {first}'s own board")


def reports(walk: Walk, page: Any, cast: Cast) -> None:
    """统计 · 日报周报: the district's report with a row per street; its Word file downloads."""
    menu(page, "统计")
    page.locator("nav.chips a", has_text="日报周报").first.click()
    page.wait_for_url(re.compile(r".*/reports/(\?.*)?$"))
    district_reports = page.locator("section.district-reports li > a")
    assert district_reports.count(), "no district report listed"
    district_reports.first.click()
    page.wait_for_url(re.compile(r".*/reports/\d+/$"))
    rows = page.locator("table.district-streets tr.street-row")
    assert rows.count() == len(cast.streets), (rows.count(), cast.streets)
    no_sideways_scroll(page)
    walk.shot(page, "04-district-report")
    with page.expect_download() as download:
        page.locator("a[href$='.docx']").first.click()
    name = download.value.suggested_filename
    assert name.endswith(".docx"), name
    walk.step(f"{cast.cadre}: the district's report, {rows.count()} streets, Word file {name}")


def other_street(walk: Walk, page: Any, cast: Cast) -> None:
    """The cadre opens a case of another street; street 1's admin cannot, nor its board."""
    if cast.other_case is None or len(cast.streets) < 2:
        walk.step("one street: nothing of another street to keep apart")
        return
    answer = page.goto(f"{walk.base}/cases/{cast.other_case}/")
    assert answer is not None and answer.status == 200
    no_sideways_scroll(page)
    walk.shot(page, "05-other-case")
    walk.step(f"{cast.cadre}: case {cast.other_case} of {cast.streets[1][1]} opens")
    log_out(walk, page)
    log_in(walk, page, cast.street_admin)
    answer = page.goto(f"{walk.base}/cases/{cast.other_case}/")
    assert answer is not None and answer.status == 404
    code = cast.streets[1][0]
    answer = page.goto(f"{walk.base}/dashboard/?node={code}")
    assert answer is not None and answer.status == 400
    assert f"{code} 不存在" in page.inner_text("main")  # as a code that does not exist
    walk.shot(page, "06-street-admin-elsewhere")
    walk.step(f"{cast.street_admin}: that case is a 404, {code}'s board a place that does not exist")
    log_out(walk, page)
