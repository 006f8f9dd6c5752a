"""Routing (三定): the most specific node wins, the lead department's post leads, and a batch's
routes read together equal each route read alone."""

from datetime import date
from itertools import product

import pytest

from gongzhi.cases import routing
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory


def post(code: str, node, kind: str, categories: list[Category], **dates) -> Post:
    made = Post.objects.create(
        code=code,
        unit=UnitFactory(node=node, kind=kind),
        node=node,
        title=code,
        person=PersonFactory(),
        role=PostRole.DEPARTMENT,
        active_from=dates.get("active_from", date(2020, 1, 1)),
        active_until=dates.get("active_until"),
    )
    made.categories.set(categories)
    return made


@pytest.fixture
def roster(tree):
    """LD01 (楼道堆物, property leads): the area committee and, more specific, the estate's
    property company and owners' committee. WJ01 (违法搭建, urban management leads): only the
    street's squad, plus a squad whose post has ended. HJ02: nobody."""
    ld01, wj01, hj02 = (Category.objects.get(code=c) for c in ("LD01", "WJ01", "HJ02"))
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
def test_the_most_specific_node_wins_and_the_lead_department_leads(tree, roster):
    posts, (ld01, wj01, hj02) = roster
    lead, assisting = routing.route(category=ld01, node=tree.b1)  # under estate E1
    assert lead == posts["property"] and assisting == [posts["owners"]]
    assert routing.route(category=ld01, node=tree.r1) == (posts["area"], [])  # R1 itself
    assert routing.route(category=ld01, node=tree.r2) == (None, [])  # R2: no post answers
    assert routing.route(category=wj01, node=tree.h1) == (posts["squad"], [])  # the street's; ended ignored
    assert routing.route(category=hj02, node=tree.b1) == (None, [])


@pytest.mark.django_db
def test_a_batch_routes_exactly_as_each_case_alone(tree, roster, django_assert_max_num_queries):
    _posts, categories = roster
    nodes = [tree.street, tree.k1, tree.r1, tree.r2, tree.r3, tree.e1, tree.g1, tree.g2, tree.b1, tree.h1]
    pairs = list(product(categories, nodes))
    alone = {(c.pk, n.pk): routing.route(category=c, node=n) for c, n in pairs}
    with django_assert_max_num_queries(2):
        together = routing.route_many(pairs)
    assert together == alone
    assert sum(lead is not None for lead, _a in together.values()) > len(pairs) // 3  # both answers occur
