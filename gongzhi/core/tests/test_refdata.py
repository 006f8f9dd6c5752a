"""The reference snapshot (core.refdata): the database's triggers move the stamp on every change
to a watched table, however it is written, and a lookup after a change sees the change."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import routing
from gongzhi.core import refdata
from gongzhi.core.models import WorkDay
from gongzhi.geo import reference as geo_reference
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_staff, node

pytestmark = pytest.mark.django_db


def moves(change) -> bool:
    before = refdata.read_stamp()
    change()
    return refdata.read_stamp() != before


def test_every_kind_of_write_to_a_watched_table_moves_the_stamp(tree):
    street = tree.street
    category = Category.objects.get(code="LD01")
    made = Post.objects.create(
        code="P-X",
        unit=UnitFactory(node=street, kind=UnitKind.STREET_OFFICE),
        node=street,
        title="x",
        person=PersonFactory(),
        role=PostRole.STREET_CADRE,
        active_from=date(2020, 1, 1),
    )
    assert moves(lambda: node("S-NEW", "新区", Level.AREA, tree.k1))  # save()
    assert moves(lambda: Node.objects.bulk_create([Node(code="S-B", name="b", level=3, path="/S/S-B/")]))
    assert moves(lambda: Node.objects.filter(code="S-B").update(name="bb"))  # no signals
    assert moves(lambda: Node.objects.filter(code="S-B").delete())
    assert moves(lambda: Category.objects.filter(pk=category.pk).update(name="楼道堆物（改）"))
    assert moves(lambda: made.categories.add(category))  # the m2m table
    assert moves(lambda: Post.objects.filter(pk=made.pk).update(active_until=date(2021, 1, 1)))
    assert moves(lambda: WorkDay.objects.create(date=date(2026, 12, 7), is_workday=False))

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE geo_node SET name = name || '' WHERE code = %s", ["S"])

    assert moves(raw_sql)


def test_only_the_columns_the_snapshot_keeps_move_it_on_people_and_accounts(tree):
    person = PersonFactory()
    user = get_user_model().objects.create_user("someone")
    # a resident's phone, a login: frequent, and nothing the snapshot holds
    assert not moves(lambda: Person.objects.filter(pk=person.pk).update(phone_masked="138****0000"))
    assert not moves(
        lambda: get_user_model().objects.filter(pk=user.pk).update(last_login="2026-12-01T08:00Z")
    )
    person.phone_masked = "139****0000"
    assert not moves(person.save)  # a whole-row save that changes no watched value
    assert not moves(PersonFactory)  # a resident registered without an account
    other = get_user_model().objects.create_user("other")
    assert moves(lambda: Person.objects.create(code="P-ACC", name="有账号", user=other))
    # a holder's name or account, an account switched off or made superuser: they are kept
    assert moves(lambda: Person.objects.filter(pk=person.pk).update(name="新名字"))
    assert moves(lambda: Person.objects.filter(pk=person.pk).update(user=user))
    assert moves(lambda: get_user_model().objects.filter(pk=user.pk).update(is_active=False))


def test_a_rolled_back_change_leaves_the_stamp_and_the_next_change_gives_a_new_one(tree):
    before = refdata.read_stamp()
    inside = None
    with pytest.raises(RuntimeError), transaction.atomic():
        node("S-GONE", "回滚", Level.AREA, tree.k1)
        inside = refdata.read_stamp()
        raise RuntimeError
    assert inside != before
    assert refdata.read_stamp() == before
    node("S-KEPT", "保留", Level.AREA, tree.k1)
    assert refdata.read_stamp() not in (before, inside)  # never the value a process may hold


def test_a_route_follows_a_roster_change_without_clearing_anything(tree):
    ld01 = Category.objects.get(code="LD01")
    area = make_staff("area", PostRole.COMMITTEE_STAFF, tree.r1)
    Post.objects.get(person__user=area).categories.add(ld01)
    building = Node.objects.get(code="S-R1-B1")
    assert routing.route(category=ld01, node=building)[0].code == "POST-area"

    estate = make_staff("estate", PostRole.PROPERTY_STAFF, tree.e1, unit_kind=UnitKind.PROPERTY)
    Post.objects.get(person__user=estate).categories.add(ld01)  # more specific: it wins now
    assert routing.route(category=ld01, node=building)[0].code == "POST-estate"

    Post.objects.filter(code="POST-estate").update(active_until=date(2021, 1, 1))  # ended
    assert routing.route(category=ld01, node=building)[0].code == "POST-area"


def test_a_scope_follows_a_new_post(tree):
    user = make_staff("grid", PostRole.GRID_WORKER, tree.g1)
    assert not access.can(user, access.DISPATCH, tree.r1)
    Post.objects.create(
        code="P-R1-DISP",
        unit=UnitFactory(node=tree.r1),
        node=tree.r1,
        title="受理员",
        person=Person.objects.get(user=user),
        role=PostRole.COMMITTEE_STAFF,
        active_from=date(2020, 1, 1),
    )
    access.forget(user)  # the scope kept on the user object for its request
    assert access.can(user, access.DISPATCH, tree.r1)


def test_lookups_read_only_what_the_snapshot_lacks(tree):
    with CaptureQueriesContext(connection) as first, refdata.pinned():
        assert geo_reference.nodes_by_code(["S-R1", "S-R2", "NOPE"]).keys() == {"S-R1", "S-R2"}
    assert len(first.captured_queries) == 2  # the stamp, the three codes
    with CaptureQueriesContext(connection) as again, refdata.pinned():
        found = geo_reference.nodes_by_code(["S-R1", "NOPE", "S-R3"])
    assert found.keys() == {"S-R1", "S-R3"}
    assert len(again.captured_queries) == 2  # the stamp, S-R3 alone ("NOPE" is known absent)
    assert "S-R3" in again.captured_queries[1]["sql"] and "S-R1" not in again.captured_queries[1]["sql"]


def test_a_snapshot_keeps_at_most_max_entries_a_kind(monkeypatch):
    monkeypatch.setattr(refdata, "MAX_ENTRIES", 3)
    snapshot = refdata.Snapshot(stamp=1, day=date(2026, 12, 6))
    loads: list[list[int]] = []

    def load(keys: list[int]) -> dict[int, int]:
        loads.append(keys)
        return {k: k * 10 for k in keys if k != 2}

    assert snapshot.get_many("n", [1, 2, 3, 4], load) == {1: 10, 3: 30, 4: 40}  # 2 held as absent
    assert loads == [[1, 2, 3, 4]]  # four entries for three places: the oldest (1) went
    assert snapshot.get_many("n", [2, 3, 4], load) == {3: 30, 4: 40}  # held: no load
    assert snapshot.get_many("n", [1], load) == {1: 10}  # loaded again; 2, used least lately, goes
    assert snapshot.get_many("n", [3, 4, 1], load) == {1: 10, 3: 30, 4: 40}  # all held
    assert loads == [[1, 2, 3, 4], [1]]


def test_install_is_idempotent_and_recreates_a_lost_trigger(tree):
    refdata.install()
    if connection.vendor == "postgresql":
        drop = "DROP TRIGGER geo_node_refstamp ON geo_node"
    else:
        drop = "DROP TRIGGER geo_node_refstamp_u"
    with connection.cursor() as cursor:
        cursor.execute(drop)  # as a migration rebuilding the table would lose it on SQLite
    assert not moves(lambda: Node.objects.filter(code="S").update(name="街道"))
    refdata.install()
    assert moves(lambda: Node.objects.filter(code="S").update(name="枫林街道"))


def test_without_its_row_nothing_is_kept_between_calls(tree):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {refdata.TABLE}")
    assert refdata.snapshot() is not refdata.snapshot()
    assert geo_reference.node_by_code("S-R1") is not None
    Node.objects.filter(code="S-R1").update(name="改名")  # no row for the trigger to move
    assert geo_reference.node_by_code("S-R1").name == "改名"
