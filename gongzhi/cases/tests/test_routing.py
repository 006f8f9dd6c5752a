"""Routing (三定): a post at the place answers first (the most specific node wins, the lead
department's post leads); else the category's lead unit's post for the area, block or street
(the seat holder first); the intake routes so; a batch's routes read together equal each route
read alone."""

from datetime import date
from itertools import product

import pytest

from gongzhi.cases import routing
from gongzhi.cases.models import CategoryPolicy
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory


def post(code: str, node, kind: str, categories: list[Category], meeting_role: str = "", **dates) -> Post:
    made = Post.objects.create(
        code=code,
        unit=UnitFactory(node=node, kind=kind),
        node=node,
        title=code,
        person=PersonFactory(),
        role=PostRole.DEPARTMENT,
        meeting_role=meeting_role,
        active_from=dates.get("active_from", date(2020, 1, 1)),
        active_until=dates.get("active_until"),
    )
    made.categories.set(categories)
    return made


def cat(code: str) -> Category:
    return Category.objects.select_related("policy").get(code=code)


@pytest.fixture
def roster(tree):
    """LD01 (楼道堆物, property leads): the area committee and, more specific, the estate's
    property company and owners' committee. WJ01 (违法搭建, urban management leads): only the
    street's squad, plus a squad whose post has ended. HJ02 (垃圾分类, the committee leads):
    nobody names it, so it falls to R1's committee post."""
    ld01, wj01, hj02 = cat("LD01"), cat("WJ01"), cat("HJ02")
    posts = {
        "area": post("P-R1", tree.r1, UnitKind.RESIDENTS_COMMITTEE, [ld01]),
        "owners": post("P-E1-A", tree.e1, UnitKind.OWNERS_COMMITTEE, [ld01]),
        "property": post("P-E1-B", tree.e1, UnitKind.PROPERTY, [ld01]),
        "squad": post("P-S", tree.street, UnitKind.URBAN_MANAGEMENT, [wj01]),
        "ended": post(
            "P-S-OLD", tree.street, UnitKind.URBAN_MANAGEMENT, [wj01], active_until=date(2021, 1, 1)
        ),
    }
    return posts, (ld01, wj01, hj02)


@pytest.mark.django_db
def test_a_post_at_the_place_answers_first_the_most_specific_node_wins(tree, roster):
    posts, (ld01, wj01, _hj02) = roster
    lead, assisting, rule = routing.route(category=ld01, node=tree.b1)  # under estate E1
    assert (lead, assisting, rule) == (posts["property"], [posts["owners"]], routing.LOCAL)
    assert routing.route(category=ld01, node=tree.r1) == (posts["area"], [], routing.LOCAL)
    assert routing.route(category=ld01, node=tree.r2) == routing.GAP  # R2: no property post at all
    assert routing.route(category=wj01, node=tree.h1) == (posts["squad"], [], routing.LOCAL)


@pytest.mark.django_db
def test_else_the_lead_units_post_for_the_area_or_the_street(tree, roster):
    posts, (_ld01, _wj01, hj02) = roster
    # HJ02: nobody names it; R1's committee post answers for R1 and everything below it.
    assert routing.route(category=hj02, node=tree.b1) == (posts["area"], [], routing.LEAD_UNIT)
    assert routing.route(category=hj02, node=tree.r1) == (posts["area"], [], routing.LEAD_UNIT)
    assert routing.route(category=hj02, node=tree.r2) == routing.GAP  # R2 has no committee post
    # AQ03 (治安隐患, the police lead): the street's station for R2, R1's community officer for R1.
    aq03 = cat("AQ03")
    station = post("P-S-PCS", tree.street, UnitKind.POLICE, [])
    officer = post("P-R1-MJ", tree.r1, UnitKind.POLICE, [], meeting_role=MeetingRole.POLICE)
    assert routing.route(category=aq03, node=tree.r2) == (station, [], routing.LEAD_UNIT)
    assert routing.route(category=aq03, node=tree.h1) == (officer, [], routing.LEAD_UNIT)


@pytest.mark.django_db
def test_the_lead_unit_rule_takes_the_seat_holder_and_never_a_post_below_the_area(tree, roster):
    posts, (_ld01, _wj01, hj02) = roster
    chair = post(
        "P-R1-ZZ", tree.r1, UnitKind.RESIDENTS_COMMITTEE, [], meeting_role=MeetingRole.RESIDENTS_COMMITTEE
    )
    post("P-G1-WG", tree.g1, UnitKind.RESIDENTS_COMMITTEE, [])  # the grid worker: below the area
    assert chair.code > posts["area"].code  # the seat wins, not the code's order
    assert routing.route(category=hj02, node=tree.b1) == (chair, [], routing.LEAD_UNIT)


@pytest.mark.django_db
def test_a_category_without_a_lead_unit_routes_only_by_duty(tree, roster):
    _posts, (_ld01, _wj01, hj02) = roster
    CategoryPolicy.objects.filter(category=hj02).update(lead_unit_kind="")
    assert routing.route(category=cat("HJ02"), node=tree.b1) == routing.GAP


@pytest.mark.django_db
def test_intake_routes_by_the_same_rule(tree, roster):
    posts, (_ld01, _wj01, hj02) = roster
    case = case_create(
        actor=None, intake=Intake(node=tree.b1, text="垃圾没有分类就扔", source=Source.PATROL, category=hj02)
    )
    assert case.post == posts["area"]
    assert case.events.get(seq=1).data["post"] == "P-R1"


@pytest.mark.django_db
def test_a_batch_routes_exactly_as_each_case_alone(tree, roster, django_assert_max_num_queries):
    _posts, categories = roster
    post("P-S-PCS", tree.street, UnitKind.POLICE, [])
    categories = (*categories, cat("AQ03"))
    nodes = [tree.street, tree.k1, tree.r1, tree.r2, tree.r3, tree.e1, tree.g1, tree.g2, tree.b1, tree.h1]
    pairs = list(product(categories, nodes))
    alone = {(c.pk, n.pk): routing.route(category=c, node=n) for c, n in pairs}
    with django_assert_max_num_queries(2):
        together = routing.route_many(pairs)
    assert together == alone
    rules = {r.rule for r in together.values()}
    assert rules == {routing.LOCAL, routing.LEAD_UNIT, ""}  # every answer occurs
