"""A node moved in the tree takes every copy of its path with it, and the KPI tables follow
(geo.services.node_move → geo.copies → reports.rollup.follow_move), in one transaction;
a move below a street into another street is refused (docs/tenancy.md "Moving a node")."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.geo import services
from gongzhi.geo.copies import path_tables
from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs.models import Category
from gongzhi.reports import kpis, rollup
from gongzhi.reports.models import CategoryTotal, DayTotal, Fact
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import node_subject
from gongzhi.testing.factories import Tree, make_district

pytestmark = pytest.mark.django_db


def _case(node: Node, text: str) -> Case:
    category = Category.objects.get(code="HJ02")
    return case_create(
        actor=None, intake=Intake(node=node, text=text, source=Source.PATROL, category=category)
    )


def _received(node: Node) -> int:
    node.refresh_from_db()
    period = Period(date(2000, 1, 1), date(2100, 1, 1))
    return kpis.counters(node_subject(node), period, ["received"])["received"]


def _tables() -> tuple[list[Any], list[Any]]:
    """The day and category totals as comparable rows."""
    day = sorted(DayTotal.objects.values_list("day", "area_id", "post_id", "received", "closed", "open_now"))
    cat = sorted(CategoryTotal.objects.values_list("day", "node_id", "category_id", "received"))
    return day, cat


def _assert_as_rebuilt() -> None:
    """The tables the move left equal the ones a rebuild from the events derives."""
    moved = _tables()
    rollup.rebuild()
    assert _tables() == moved


def _world(tree: Tree) -> dict[str, Case]:
    cases = {
        "b1": _case(tree.b1, "楼道里堆满了纸箱"),
        "e1": _case(tree.e1, "小区门口的路灯坏了"),
        "r2": _case(tree.r2, "西岸的垃圾箱满了"),
        "r3": _case(tree.r3, "南丹的井盖松了"),
    }
    at = clock.now()
    OutboxMessage.objects.create(
        kind="test", node_path=tree.b1.path, subject="t", next_attempt_at=at, created_at=at
    )
    rollup.rebuild()
    return cases


def test_estate_moved_to_another_area_takes_its_cases_facts_and_totals(tree: Tree) -> None:
    cases = _world(tree)
    assert (_received(tree.r1), _received(tree.r3), _received(tree.k1), _received(tree.k2)) == (2, 1, 3, 1)

    moved = services.node_move_with_copies(actor=None, node=tree.e1, new_parent=tree.r3, note="小区划归南丹")

    new = "/S/S-K2/S-R3/S-R1-E1/"
    assert Node.objects.get(code="S-R1-B1").path == new + "S-R1-G1/S-R1-B1/"
    for key in ("b1", "e1"):
        case = Case.objects.get(pk=cases[key].pk)
        assert case.node_path.startswith(new)
        facts = Fact.objects.filter(case_id=case.pk)
        assert facts.exists() and {f.area_id for f in facts} == {tree.r3.pk}
        assert all(f.node_path == case.node_path for f in facts)
    assert OutboxMessage.objects.get(kind="test").node_path.startswith(new)
    for model in path_tables():  # no copy still names the old place
        assert not model._default_manager.filter(node_path__startswith="/S/S-K1/S-R1/S-R1-E1/").exists(), (
            model
        )
    assert moved.rows["cases_case"] == 2 and moved.rows["geo_node"] == 5
    change = NodeChange.objects.get(node=tree.e1, kind=NodeChange.Kind.MOVE)
    assert change.after["rows"]["cases_case"] == 2
    # the KPIs count the two cases under their new area and block, and no longer under the old
    assert (_received(tree.r1), _received(tree.r3), _received(tree.k1), _received(tree.k2)) == (0, 3, 1, 3)
    assert _received(tree.street) == 4
    _assert_as_rebuilt()


def test_area_moved_to_another_block_moves_its_category_totals(tree: Tree) -> None:
    _world(tree)
    services.node_move(actor=None, node=tree.r1, new_parent=tree.k2)

    assert Case.objects.filter(node_path__startswith="/S/S-K2/S-R1/").count() == 2
    assert (_received(tree.k1), _received(tree.k2), _received(tree.r1)) == (1, 3, 2)
    by_node = dict(CategoryTotal.objects.values_list("node_id").annotate(n=Sum("received")))
    assert by_node[tree.k1.pk] == 1 and by_node[tree.k2.pk] == 3 and by_node[tree.street.pk] == 4
    _assert_as_rebuilt()


def test_a_move_into_another_street_is_refused_and_writes_nothing(tree: Tree) -> None:
    cases = _world(tree)
    other = make_district()  # district D with street T beside the standalone street S
    before = _tables()
    for node, parent in ((tree.e1, other.area), (tree.r1, other.street), (tree.k1, other.district)):
        with pytest.raises(ValidationError) as exc:
            services.node_move(actor=None, node=node, new_parent=parent)
        assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError, match="另一个街道"):
        services.node_move(actor=None, node=other.estate, new_parent=tree.r2)
    assert Node.objects.get(pk=tree.e1.pk).path == "/S/S-K1/S-R1/S-R1-E1/"
    assert Case.objects.get(pk=cases["b1"].pk).node_path.startswith("/S/S-K1/S-R1/S-R1-E1/")
    assert not NodeChange.objects.filter(kind=NodeChange.Kind.MOVE).exists()
    assert _tables() == before


def test_a_street_moves_between_districts_with_its_data(tree: Tree) -> None:
    cases = _world(tree)
    d = make_district()
    services.node_move(actor=None, node=tree.street, new_parent=d.district)  # a street may move
    assert Case.objects.get(pk=cases["r3"].pk).node_path == "/D/S/S-K2/S-R3/"
    assert _received(d.district) == 4
    _assert_as_rebuilt()
