"""Putting a district above a street that holds data (geo.attach, `gongzhi district_attach`)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.geo import streets
from gongzhi.geo.attach import path_tables
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs.access import cases_q
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

pytestmark = pytest.mark.django_db


def _case(node: Node, text: str) -> Case:
    category = Category.objects.get(code="HJ02")
    return case_create(
        actor=None, intake=Intake(node=node, text=text, source=Source.PATROL, category=category)
    )


def test_every_denormalised_path_table_is_found() -> None:
    tables = {m._meta.db_table for m in path_tables()}
    assert {
        "cases_case",
        "meetings_meeting",
        "meetings_topic",
        "care_caresubject",
        "orders_order",
        "core_outboxmessage",
    } <= tables
    assert "geo_node" not in tables  # the tree itself moves by node_move


def test_attach_moves_the_street_and_every_copy_of_its_paths(tree) -> None:  # type: ignore[no-untyped-def]
    committee = make_staff("committee-r1", PostRole.COMMITTEE_STAFF, tree.r1)
    case = _case(tree.b1, "楼道里堆满了纸箱")
    at = clock.now()
    OutboxMessage.objects.create(
        kind="test", node_path=tree.b1.path, subject="t", next_attempt_at=at, created_at=at
    )
    out = StringIO()
    call_command("district_attach", "--code", "D9", "--name", "示范区", stdout=out)

    district = Node.objects.get(code="D9")
    assert district.level == Level.DISTRICT and district.parent is None and district.path == "/D9/"
    street = Node.objects.get(pk=tree.street.pk)
    assert street.parent == district and street.path == "/D9/S/"
    for node in Node.objects.filter(path__startswith="/D9/S/").select_related("parent"):
        assert node.path == (node.parent.path if node.parent else "/") + node.code + "/"
    assert Node.objects.filter(path__startswith="/D9/S/").count() == 11  # the whole subtree
    assert not Node.objects.filter(path__startswith="/S/").exists()
    case.refresh_from_db()
    assert case.node_path == "/D9/S/S-K1/S-R1/S-R1-E1/S-R1-G1/S-R1-B1/"
    assert OutboxMessage.objects.get(kind="test").node_path == case.node_path
    for model in path_tables():  # no copy anywhere still names the old root
        assert not model._default_manager.filter(node_path__startswith="/S/").exists(), model
    assert NodeChange.objects.filter(node=street, kind=NodeChange.Kind.MOVE).exists()
    assert streets.street_code(case.node_path) == "S"
    # the street's staff see their case as before, and a district admin sees it too
    assert Case.objects.filter(cases_q(committee), pk=case.pk).exists()
    district_admin = make_staff("district-admin", PostRole.DISTRICT_ADMIN, district)
    assert Case.objects.filter(cases_q(district_admin), pk=case.pk).exists()
    text = out.getvalue()
    assert "/S/ → /D9/S/" in text and "cases_case 1" in text


def test_attach_refuses_and_writes_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    case = _case(tree.b1, "路灯坏了")
    node("X", Level.STREET)  # a second street standing alone: which one is meant?
    with pytest.raises(CommandError, match="--street"):
        call_command("district_attach", "--code", "D9", "--name", "示范区")
    with pytest.raises(CommandError, match="已存在"):  # the code is a node's already: nothing moves
        call_command("district_attach", "--code", "S-K1", "--name", "示范区", "--street", "S")
    assert Node.objects.get(pk=tree.street.pk).path == "/S/"
    assert Case.objects.get(pk=case.pk).node_path.startswith("/S/")
    call_command("district_attach", "--code", "D9", "--name", "示范区", "--street", "S", stdout=StringIO())
    with pytest.raises(CommandError, match="没有独立的街道"):
        call_command("district_attach", "--code", "D8", "--name", "第二区", "--street", "S")
    assert not Node.objects.filter(code="D8").exists()


def node(code: str, level: int) -> Node:
    from gongzhi.testing.factories import node as make_node

    return make_node(code, f"{code}街道", level, None)
