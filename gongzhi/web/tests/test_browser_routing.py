"""分派覆盖 and the searchable post picker in Debian's chromium at 375 px: a committee worker opens
the coverage from the menu, sees the gaps first and reaches the roster to fix them; a dispatcher
narrows the post picker by typing and dispatches to the grid worker found."""

from datetime import date

import pytest

from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_staff, make_tree, node
from gongzhi.web.templatetags.web import post_label
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, menu, phone_page
from gongzhi.web.tests.test_browser_cases import log_in

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def post(code, at, kind, title, name, categories=(), **extra) -> Post:
    made = Post.objects.create(
        code=code,
        unit=extra.pop("unit", None) or UnitFactory(node=at, kind=kind),
        node=at,
        title=title,
        person=PersonFactory(name=name),
        role=extra.pop("role", PostRole.DEPARTMENT),
        active_from=date(2020, 1, 1),
        **extra,
    )
    made.categories.set(Category.objects.filter(code__in=categories))
    return made


LEAD_FILTER = "details[open] input[data-filter-for=post-dispatch]"
ASSIST_FILTER = "details[open] input[data-filter-for=assisting-dispatch]"


def fits_the_phone(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_coverage_shows_the_gaps_first_and_leads_to_the_roster(page, live_server):
    tree = make_tree()
    make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    post("R1-WY", tree.r1, UnitKind.PROPERTY, "物业项目经理", "物业经理甲", ["LD01"])
    post("S-PCS", tree.street, UnitKind.POLICE, "社区警务队长", "所长乙", meeting_role="")
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, base, "r1staff")
    menu(page, "分派覆盖")
    page.wait_for_url(f"{base}/routing/")
    area = page.locator("#area-S-R1")
    assert "处缺口" in area.locator("h2 .tag.gap").inner_text()
    gaps = area.locator("ul.coverage-gaps li")
    assert gaps.count() > 0 and "无人接单" in area.locator("p.gap-intro").inner_text()
    red = page.evaluate("getComputedStyle(document.querySelector('.tag.gap')).color")
    assert red != page.evaluate("getComputedStyle(document.querySelector('main')).color")
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "routing-coverage-375.png"), full_page=True)

    area.locator("a", has_text="查看每个小类").click()
    page.wait_for_url(f"{base}/routing/?node=S-R1")
    opened = page.locator("details.coverage-group[open]")
    assert opened.count() > 0  # the groups with gaps open by themselves
    fire = page.locator("details.coverage-group", has_text="楼道堆物")
    assert fire.get_attribute("open") is None  # no gap there: folded
    fire.locator("summary").click()
    ld01 = page.locator("li.coverage-cell", has_text="楼道堆物")
    assert ld01.locator(".tag").inner_text() == "本地"
    assert "R1-WY" not in ld01.inner_text() and "物业项目经理 · 东安居民区 · 物业经理甲" in ld01.inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "routing-coverage-area-375.png"), full_page=True)

    page.locator("p.fix a", has_text="三定名册").first.click()
    page.wait_for_url(f"{base}/roster/S-R1/")
    assert "物业经理甲" in page.inner_text("main")


def test_the_post_picker_narrows_as_one_types(page, live_server):
    tree = make_tree()
    staff = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    committee = Post.objects.get(person__user=staff).unit
    post("E1-WY", tree.e1, UnitKind.PROPERTY, "物业经理", "物业小王", ["LD01"])
    post("R1-ZR", tree.r1, UnitKind.RESIDENTS_COMMITTEE, "居委会主任", "主任丙",
         meeting_role=MeetingRole.RESIDENTS_COMMITTEE)  # fmt: skip
    grids = [tree.g1, tree.g2] + [
        node(f"S-R1-G{i}", f"东安一村第{i}网格", Level.GRID, tree.e1) for i in range(3, 9)
    ]
    for i, grid in enumerate(grids):
        post(f"WG{i}", grid, UnitKind.RESIDENTS_COMMITTEE, "网格员", "周梦瑶", unit=committee,
             role=PostRole.GRID_WORKER, duty="巡查发现问题，上报并跟踪处置")  # fmt: skip
    case = case_services.case_create(
        actor=None,
        intake=case_services.Intake(
            node=tree.b1,
            text="楼道里堆了很多纸箱",
            source=Source.RESIDENT,
            category=Category.objects.get(code="LD01"),
        ),
    )
    base = live_server.url
    log_in(page, base, "r1staff")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("details.act > summary:has-text('立案')")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：立案")
    page.click("details.act > summary:has-text('派遣')")
    select = page.locator("details[open] select[name=post]")
    assert select.locator("optgroup").first.get_attribute("label") == "推荐（按分派规则）"
    assert "物业经理 · 东安一村" in select.locator("option:checked").inner_text()
    everything = select.locator("option").count()
    page.fill(LEAD_FILTER, "第5网格")
    # the chosen line stays, plus the one grid worker of 第5网格 (and the empty prompt)
    assert select.locator("option").count() == 3 < everything
    page.fill(LEAD_FILTER, "网格 周梦瑶")
    assert select.locator("optgroup[label='其他岗位'] option").count() == len(grids)
    page.fill(LEAD_FILTER, "第5网格")
    select.select_option(label="网格员 · 东安一村第5网格 · 巡查发现问题，上报并跟踪处置（周梦瑶）")
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "post-picker-375.png"), full_page=True)
    # 协办: the same lines and the same search, several may be ticked
    assisting = page.locator("details[open] select[name=assisting]")
    assert assisting.get_attribute("multiple") is not None
    assert assisting.locator("option").count() == everything - 1  # no empty prompt
    director = post_label(Post.objects.get(code="R1-ZR"))
    grid7 = post_label(Post.objects.get(code="WG6"))
    page.fill(ASSIST_FILTER, "居委会主任")
    assert assisting.locator("option").count() == 1
    assisting.select_option(label=director)
    page.fill(ASSIST_FILTER, "第7网格")
    # the ticked line stays while another is looked for; ticking keeps both
    assert assisting.locator("option").count() == 2
    assert grid7 == "网格员 · 东安一村第7网格 · 巡查发现问题，上报并跟踪处置（周梦瑶）"
    assisting.select_option(label=[director, grid7])
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "assisting-picker-375.png"), full_page=True)
    page.click("details[open] button[type=submit]")
    page.wait_for_selector("text=已办理：派遣")
    case.refresh_from_db()
    assert case.post is not None and case.post.node.code == "S-R1-G5"
    assert sorted(p.code for p in case.assisting_posts.all()) == ["R1-ZR", "WG6"]
    # the case page names 主办 and 协办 as the pickers do: post · node · duty (holder)
    lead = page.locator("dd.lead-post").inner_text()
    assert lead == "网格员 · 东安一村第5网格 · 巡查发现问题，上报并跟踪处置（周梦瑶）"
    helpers = page.locator("dd.assisting-posts .assisting-post").all_inner_texts()
    assert sorted(helpers) == sorted([director, grid7])
    assert fits_the_phone(page)
