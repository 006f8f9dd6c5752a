"""The case list filtered by place: inside a subtree the user sees whole, the scope's OR is left
out (it changes nothing there and slows the list); anywhere else the scope still decides, and
each arm of its OR is one an index answers."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import selectors
from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post

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


def test_cases_of_a_post_held_or_assisting_show_outside_the_places(world):
    """The scope's post arms (the case assigned to a post the user holds, a case their post
    assists on) still reach outside the places they see."""
    tree = world.tree
    post = Post.objects.get(person__user=world.outsider)  # R3's committee post
    assigned = report(tree.r1, "东安的问题派给了南丹")
    Case.objects.filter(pk=assigned).update(post=post)
    assisting = report(tree.r1, "东安的问题请南丹协办")
    Case.objects.get(pk=assisting).assisting_posts.add(post)
    report(tree.r1, "东安自己的问题")
    seen = set(Case.objects.filter(access.cases_q(world.outsider)).values_list("pk", flat=True))
    assert {assigned, assisting} <= seen
    assert not seen & set(Case.objects.filter(text="东安自己的问题").values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_every_arm_of_the_scope_is_an_index_condition(world):
    """The scope's OR with the posts and 协办 cases as `= ANY(ARRAY(subquery))` (core.lookups):
    with sequential scans priced out PostgreSQL answers it from indexes (a BitmapOr). As a
    join or an `IN (subquery)` arm no index could serve it: a scan of every case (3 s over a
    district's 1,000,000, docs/scaling.md "The district run")."""
    # unordered: with the list's ORDER BY created_at a few test rows make a backward walk of
    # that index (the OR as its filter) look as cheap, and the planner may take it
    query = Case.objects.filter(access.cases_q(world.outsider)).order_by().values("pk")
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # the cases found by index conditions alone (the old form read every row, by a scan or a
    # whole index, and tested the OR on each)
    assert "Bitmap Heap Scan on cases_case" in plan, plan
    assert "Seq Scan on cases_case" not in plan
