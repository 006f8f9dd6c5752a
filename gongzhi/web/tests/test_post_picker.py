"""Post pickers: each line names the post, its node and its duty (and holder), so eight grid
workers of one committee never read alike; the routing rule's candidates come first in their
own group, the rest after, exactly the list `cases.choices` gives the service."""

import re
from datetime import date

import pytest

from gongzhi.cases import choices
from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, node
from gongzhi.web.tests.case_world import act, report

pytestmark = pytest.mark.django_db
GROUP = re.compile(r'<optgroup label="([^"]+)">(.*?)</optgroup>', re.S)
OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]*)</option>')


@pytest.fixture
def grid_workers(cw):
    """Eight grid workers of R1's committee, one title, one duty, one name (namesakes happen)."""
    committee = Unit.objects.get(posts__code="POST-c-dispatcher")
    posts = []
    for i in range(8):
        grid = node(f"S-R1-GX{i}", f"东安一村第{i + 3}网格", Level.GRID, cw.tree.e1)
        posts.append(
            Post.objects.create(
                code=f"R1-WG{i}",
                unit=committee,
                node=grid,
                title="网格员",
                duty="巡查发现问题，上报并跟踪处置，走访独居老人",
                person=PersonFactory(name="周梦瑶"),
                role=PostRole.GRID_WORKER,
                active_from=date(2020, 1, 1),
            )
        )
    return posts


def picker(html: str, action: str) -> dict[str, list[tuple[int, str]]]:
    select = re.search(rf'<select name="post" id="post-{action}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return {
        label: [(int(pk), text) for pk, text in OPTION.findall(body)]
        for label, body in GROUP.findall(select[1])
    }


def test_dispatch_picker_lines_are_distinct_and_candidates_come_first(cw, grid_workers):
    case = report(cw)
    act(case, cw.users["dispatcher"], "register")
    html = cw.client("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    groups = picker(html, "dispatch")
    assert list(groups) == ["推荐（按分派规则）", "其他岗位"]
    case.refresh_from_db()
    candidates = choices.dispatch_candidates(cw.users["dispatcher"], case, limit=200)
    assert (
        [pk for pk, _t in groups["推荐（按分派规则）"]]
        == [p.pk for p, rec in candidates if rec]
        == [cw.post.pk]
    )
    assert [pk for pk, _t in groups["其他岗位"]] == [p.pk for p, rec in candidates if not rec]
    labels = [text for options in groups.values() for _pk, text in options]
    assert len(labels) == len(set(labels))  # no two lines alike
    assert (
        groups["推荐（按分派规则）"][0][1] == "物业经理 · 东安一村 · 东安物业（物业小王）"
    )  # no duty: the unit
    workers = [text for pk, text in groups["其他岗位"] if pk in {p.pk for p in grid_workers}]
    assert len(workers) == 8
    assert "网格员 · 东安一村第3网格 · 巡查发现问题，上报并跟踪处置，…（周梦瑶）" in workers
    assert 'data-filter-for="post-dispatch"' in html  # the search box narrows this select
    assert Person.objects.filter(name="周梦瑶").count() == 8


def test_reassign_picker_offers_the_same_groups(cw, grid_workers):
    case = report(cw)
    act(case, cw.users["dispatcher"], "register")
    act(case, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(case, cw.users["handler"], "return", note="不归物业管")
    html = cw.client("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    actions = re.findall(r'<select name="post" id="post-(\w+)"', html)
    assert actions and all(picker(html, a) for a in actions)
    for action in actions:
        labels = [t for options in picker(html, action).values() for _pk, t in options]
        assert len(labels) == len(set(labels))


def assisting_picker(html: str, action: str) -> tuple[list[int], list[int]]:
    """(every option, the ticked ones) of the action's 协办 picker."""
    select = re.search(
        rf'<select name="assisting" id="assisting-{action}" multiple[^>]*>(.*?)</select>', html, re.S
    )
    assert select is not None
    ticked = re.findall(r'<option value="(\d+)" selected>', select[1])
    return [int(pk) for pk, _t in OPTION.findall(select[1])], [int(pk) for pk in ticked]


def test_the_assisting_picker_offers_the_dispatch_choices_and_keeps_the_current_ones(cw, grid_workers):
    case = report(cw)
    dispatcher = cw.users["dispatcher"]
    act(case, dispatcher, "register")
    client = cw.client("dispatcher")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    options, ticked = assisting_picker(html, "dispatch")
    case.refresh_from_db()
    assert options == [p.pk for p, _rec in choices.dispatch_candidates(dispatcher, case, limit=200)]
    assert ticked == []
    assert 'data-filter-for="assisting-dispatch"' in html
    # two grid workers assist the property manager
    helpers = grid_workers[:2]
    form = {"action": "dispatch", "version": case.version, "post": cw.post.pk, "assisting_shown": "1"}
    done = client.post(f"/cases/{case.pk}/act/", {**form, "assisting": [p.pk for p in helpers]})
    assert done.status_code == 303, done.content.decode()[:500]
    case.refresh_from_db()
    assert sorted(p.pk for p in case.assisting_posts.all()) == sorted(p.pk for p in helpers)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert (
        "物业经理 · 东安一村 · 东安物业（物业小王）" in page.split('class="lead-post"')[1].split("</dd>")[0]
    )
    lines = page.split('class="assisting-posts"')[1].split("</dd>")[0]
    assert lines.count('class="assisting-post"') == 2 and "东安一村第3网格" in lines
    # the reassign form starts from the assisting posts the case has
    _options, ticked = assisting_picker(page, "reassign")
    assert sorted(ticked) == sorted(p.pk for p in helpers)


def test_an_assisting_post_out_of_reach_or_unknown_is_refused_and_nothing_written(cw, grid_workers):
    case = report(cw)
    dispatcher = cw.users["dispatcher"]
    act(case, dispatcher, "register")
    far = Post.objects.get(person__user=cw.users["outsider"])  # another area's committee
    client = cw.client("dispatcher")
    for bad in ([far.pk], ["99999999"], ["abc"]):
        case.refresh_from_db()
        form = {"action": "dispatch", "version": case.version, "post": cw.post.pk, "assisting_shown": "1"}
        response = client.post(f"/cases/{case.pk}/act/", {**form, "assisting": bad})
        assert response.status_code == 400
        html = response.content.decode()
        error = html.split('id="assisting-dispatch"')[1].split("</div>")[0]
        assert 'class="error" role="alert"' in error and "协办岗位" in error
        case.refresh_from_db()
        assert case.state == "registered" and not case.assisting_posts.exists()
