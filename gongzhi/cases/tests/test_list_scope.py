"""The case list filtered by place: inside a subtree the user sees whole, the scope's OR is left
out (it changes nothing there and slows the list); anywhere else the scope still decides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import selectors
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person

pytestmark = pytest.mark.django_db


def report(node: Node, text: str, reporter: Person | None = None) -> int:
    intake = Intake(node=node, text=text, source=Source.RESIDENT, reporter=reporter)
    return case_create(actor=None, intake=intake).pk


def listed(user, node: Node) -> tuple[set[int], str]:
    with CaptureQueriesContext(connection) as captured:
        ids = set(
            selectors.case_list(user=user, filters={"node_path": node.path}).values_list("pk", flat=True)
        )
    return ids, captured.captured_queries[-1]["sql"]


def test_a_place_inside_the_scope_lists_the_same_cases_without_the_scope_join(world):
    tree = world.tree
    in_b1 = report(tree.b1, "1号楼楼道堆物")
    in_r1 = report(tree.r1, "东安居民区路灯坏了")
    report(tree.r3, "南丹居民区噪音")
    for user, node, expected in (
        (world.dispatcher, tree.r1, {in_b1, in_r1}),  # the area's own subtree
        (world.dispatcher, tree.b1, {in_b1}),  # a building inside it
        (world.street, tree.r1, {in_b1, in_r1}),  # the street's scope holds the area
    ):
        ids, sql = listed(user, node)
        assert ids == expected
        assert "orgs_post" not in sql  # no join for the scope's post OR


def test_a_place_outside_the_scope_still_shows_only_what_the_user_may_see(world):
    tree = world.tree
    outsider_person = Person.objects.get(user=world.outsider)
    own = report(tree.r1, "我在东安看到的问题", reporter=outsider_person)
    report(tree.r1, "别人报的东安问题")
    ids, sql = listed(world.outsider, tree.r1)  # R3's staff filtering on R1
    assert ids == {own}  # only the case they reported
    assert "reporter_id" in sql
