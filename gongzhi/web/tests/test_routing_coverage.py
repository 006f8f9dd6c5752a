"""分派覆盖 (routing coverage) page: areas in scope × categories, the post that answers and
the rule, gaps in red with a link to the roster; roster keepers and dispatchers only."""

from datetime import date

import pytest

from gongzhi.cases import coverage
from gongzhi.orgs import services
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def post(code, node, kind, categories=(), meeting_role="", role=PostRole.DEPARTMENT, name="某人"):
    return services.post_upsert(
        actor=None,
        code=code,
        unit=UnitFactory(node=node, kind=kind),
        node=node,
        title=code,
        person=PersonFactory(name=name),
        role=role,
        meeting_role=meeting_role,
        active_from=date(2020, 1, 1),
        categories=list(Category.objects.filter(code__in=categories)),
    )


@pytest.fixture
def staffed(world):
    """R1: a property manager naming LD01 (楼道堆物) and the committee's chair; the street's
    police station. R2, R3: nobody of their own."""
    t = world.tree
    post("R1-WY", t.r1, UnitKind.PROPERTY, ["LD01"], name="物业经理甲")
    post("R1-ZR", t.r1, UnitKind.RESIDENTS_COMMITTEE, meeting_role=MeetingRole.RESIDENTS_COMMITTEE)
    post("S-PCS", t.street, UnitKind.POLICE, name="所长乙")
    return world


def test_an_area_lists_its_gaps_then_every_category_with_its_post_and_rule(as_role, staffed):
    client, _user = as_role("committee")
    page = client.get("/routing/?node=S-R1")
    assert page.status_code == 200
    html = page.content.decode()
    area = next(a for a in coverage.coverage(user=_user) if a.area.code == "S-R1")
    cells = {c.category.code: c for c in area.cells}
    assert cells["LD01"].route.rule == "local" and cells["LD01"].route.post.code == "R1-WY"
    assert cells["HJ02"].route.rule == "lead_unit" and cells["HJ02"].route.post.code == "R1-ZR"
    assert cells["AQ03"].route.post.code == "S-PCS"
    assert area.gaps and all(c.gap for c in area.gaps)
    # the page says the same: the post, its node and its holder, the rule, and each gap in red
    assert "R1-WY · 东安居民区 · 物业经理甲" in html and "S-PCS · 枫林街道 · 所长乙" in html
    assert html.count('class="coverage-cell gap"') == 2 * len(area.gaps)  # the gap list and the full list
    assert html.index("coverage-gaps") < html.index("全部小类")  # gaps first
    assert 'href="/roster/S-R1/"' in html


def test_the_overview_puts_the_areas_with_most_gaps_first_and_keeps_to_the_scope(as_role, staffed):
    client, user = as_role("street")
    html = client.get("/routing/").content.decode()
    assert {a.area.code for a in coverage.coverage(user=user)} == {"S-R1", "S-R2", "S-R3"}
    assert "coverage-matrix" in html
    gaps = {a.area.code: len(a.gaps) for a in coverage.coverage(user=user)}
    assert gaps["S-R2"] > gaps["S-R1"]  # R2 has no property post or committee of its own
    first, second = html.index('id="area-S-R2"'), html.index('id="area-S-R1"')
    assert first < second
    committee, _u = as_role("committee")
    own = committee.get("/routing/").content.decode()
    assert 'id="area-S-R1"' in own and 'id="area-S-R3"' not in own
    assert committee.get("/routing/?node=S-R3").status_code == 404  # out of scope = unknown
    assert committee.get("/routing/?node=NOPE").status_code == 404
    assert committee.get("/routing/?node=S-R1-G1").status_code == 404  # below an area: no coverage


@pytest.mark.parametrize("who", ["grid", "department", "auditor"])
def test_only_roster_keepers_and_dispatchers_may_read_it(as_role, staffed, who):
    client, _user = as_role(who)
    assert client.get("/routing/").status_code == 403
    assert "分派覆盖" not in client.get("/").content.decode()


def test_the_menu_and_the_roster_link_to_it(as_role, staffed):
    client, _user = as_role("committee")
    assert 'href="/routing/"' in client.get("/").content.decode()
    assert 'href="/routing/?node=S-R1"' in client.get("/roster/S-R1/").content.decode()


def test_no_gap_says_so(as_role, world):
    client, user = as_role("committee")
    assert coverage.coverage(user=user)[0].gaps  # the bare test tree has gaps
    for kind in {c.policy.lead_unit_kind for c in coverage.categories()}:
        post(f"S-{kind}", world.tree.street, kind)
    html = client.get("/routing/").content.decode()
    assert "全部覆盖" in html and "coverage-cell gap" not in html


def test_an_area_says_where_posts_below_it_take_over(as_role, staffed):
    """LD01 at R1 goes to the area's manager, but E1's property company names it too: cases in
    E1 go there, and the page says so."""
    post("E1-WY", staffed.tree.e1, UnitKind.PROPERTY, ["LD01", "WY01"], role=PostRole.PROPERTY_STAFF)
    post("OLD-WY", staffed.tree.e1, UnitKind.PROPERTY, ["LD01"], role=PostRole.PROPERTY_STAFF)
    services.post_upsert(
        actor=None, **{**_fields("OLD-WY"), "active_until": date(2021, 1, 1)}
    )  # ended: not counted
    client, user = as_role("committee")
    cells = {c.category.code: c for c in coverage.coverage(user=user)[0].cells}
    assert (cells["LD01"].below, cells["WY01"].below, cells["HJ02"].below) == (1, 1, 0)
    html = client.get("/routing/?node=S-R1").content.decode()
    assert html.count('class="small muted below"') == 2


def _fields(code):
    from gongzhi.orgs.models import Post

    p = Post.objects.get(code=code)
    return {
        "code": p.code, "unit": p.unit, "node": p.node, "title": p.title, "person": p.person, "role": p.role,
        "active_from": p.active_from, "categories": list(p.categories.all()),
    }  # fmt: skip
