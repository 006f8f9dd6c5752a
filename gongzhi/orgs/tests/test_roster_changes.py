"""The tree's and the roster's services check the actor's power and record who changed what
(issue 12, item 4): whoever calls them — page, API, admin, import — gets the same answer."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from gongzhi.core import powers
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs import access, services
from gongzhi.orgs.imports.run import run_import
from gongzhi.orgs.models import Category, Post, RosterChange, Unit
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.orgs.tests.test_imports import POST_HEADERS, xlsx
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_staff


def test_the_core_power_name_is_the_access_one():
    assert powers.MANAGE_TREE == access.MANAGE_TREE


# --- the tree ------------------------------------------------------------------------------------


def test_node_writes_need_manage_tree_over_every_node_touched(tree):
    grid = make_staff("grid", PostRole.GRID_WORKER, tree.g1)  # sees the tree, may not change it
    block = make_staff("k1admin", PostRole.STREET_ADMIN, tree.k1)  # a street admin posted at K1
    count = NodeChange.objects.count()
    with pytest.raises(PermissionDeniedError):
        geo_services.node_create(
            actor=grid, code="S-R1-E9", name="新小区", level=Level.ESTATE, parent=tree.r1
        )
    with pytest.raises(PermissionDeniedError):
        geo_services.node_update(actor=grid, node=tree.r1, name="改名")
    with pytest.raises(PermissionDeniedError):  # from K1 into K2: K2 is not theirs
        geo_services.node_move(actor=block, node=tree.r1, new_parent=tree.k2)
    with pytest.raises(PermissionDeniedError):
        geo_services.node_create(
            actor=AnonymousUser(), code="X", name="X", level=Level.ESTATE, parent=tree.r1
        )
    with pytest.raises(PermissionDeniedError):  # a new street is the superuser's
        geo_services.node_create(actor=block, code="T", name="另一街道", level=Level.STREET, parent=None)
    assert NodeChange.objects.count() == count and not Node.objects.filter(code__in=["S-R1-E9", "X", "T"])
    assert Node.objects.get(pk=tree.r1.pk).name == "东安居民区"

    renamed = geo_services.node_update(actor=block, node=tree.r1, name="东安新村居民区")
    change = NodeChange.objects.filter(node=renamed).latest("id")
    assert change.actor == block and change.kind == NodeChange.Kind.RENAME
    assert change.before["name"] == "东安居民区" and change.after["name"] == "东安新村居民区"


# --- the roster ----------------------------------------------------------------------------------


def _post_values(tree, **extra):
    return {
        "code": "R1-SG",
        "unit": UnitFactory(node=tree.r1, kind=UnitKind.RESIDENTS_COMMITTEE),
        "node": tree.r1,
        "title": "社工",
        "person": PersonFactory(code="P-SG"),
        "role": PostRole.COMMITTEE_STAFF,
        "active_from": date(2024, 1, 1),
        **extra,
    }


def test_a_post_is_written_only_by_whoever_manages_its_node(tree):
    outsider = make_staff("r3staff", PostRole.COMMITTEE_STAFF, tree.r3)
    grid = make_staff("g1", PostRole.GRID_WORKER, tree.g1)
    values = _post_values(tree)
    for actor in (outsider, grid, AnonymousUser()):
        with pytest.raises(PermissionDeniedError):
            services.post_upsert(actor=actor, **values)
    assert not Post.objects.filter(code="R1-SG").exists() and not RosterChange.objects.exists()


def test_each_roster_change_records_who_when_before_and_after(tree):
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    values = _post_values(tree, categories=[Category.objects.get(code="LD01")])
    services.post_upsert(actor=committee, **values)
    created = RosterChange.objects.get()
    assert (created.subject, created.code, created.kind, created.actor) == (
        "post",
        "R1-SG",
        "create",
        committee,
    )
    assert (
        created.before == {} and created.after["person"] == "P-SG" and created.after["categories"] == ["LD01"]
    )
    assert created.node == tree.r1

    services.post_upsert(actor=committee, **values)  # the same values again: nothing to record
    assert RosterChange.objects.count() == 1

    successor = PersonFactory(code="P-NEW")
    services.post_upsert(actor=committee, **{**values, "person": successor, "categories": []})
    update = RosterChange.objects.latest("id")
    assert update.kind == "update" and update.actor == committee
    assert (update.before["person"], update.after["person"]) == ("P-SG", "P-NEW")
    assert (update.before["categories"], update.after["categories"]) == (["LD01"], [])


def test_moving_a_post_needs_the_power_at_both_ends(tree):
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    values = _post_values(tree)
    services.post_upsert(actor=committee, **values)
    with pytest.raises(PermissionDeniedError):
        services.post_upsert(actor=committee, **{**values, "node": tree.r3})
    assert Post.objects.get(code="R1-SG").node == tree.r1 and RosterChange.objects.count() == 1


def test_units_and_the_party_side_check_the_power_too(tree):
    outsider = make_staff("r3staff", PostRole.COMMITTEE_STAFF, tree.r3)
    with pytest.raises(PermissionDeniedError):
        services.unit_upsert(
            actor=outsider, code="U-R1", name="东安物业", kind=UnitKind.PROPERTY, node=tree.r1
        )
    with pytest.raises(PermissionDeniedError):
        services.party_org_upsert(
            actor=outsider, code="PO-R1", name="东安党总支", kind="general_branch", node=tree.r1
        )
    with pytest.raises(PermissionDeniedError):
        services.person_upsert(actor=outsider, code="P-R1", name="王阿姨", home=tree.h1)
    assert not Unit.objects.filter(code="U-R1").exists() and not RosterChange.objects.exists()
    unit = services.unit_upsert(
        actor=None, code="U-R1", name="东安物业", kind=UnitKind.PROPERTY, node=tree.r1
    )
    change = RosterChange.objects.get()
    assert change.subject == "unit" and change.actor is None and change.after["name"] == unit.name


def test_an_import_records_its_user(tree):
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    UnitFactory(code="U-JW", node=tree.r1)
    PersonFactory(code="P-HOLD")
    row = [
        "POST1",
        "U-JW",
        "S-R1",
        "社工",
        None,
        "LD01",
        "P-HOLD",
        None,
        "居委会社工",
        None,
        "2024-01-01",
        None,
    ]
    report = run_import(
        kind="posts", data=xlsx("三定岗位", POST_HEADERS, [row]), actor=committee, scope_user=committee
    )
    assert report.ok, report.errors
    change = RosterChange.objects.get(code="POST1")
    assert change.actor == committee and change.kind == "create"


# --- the admin goes through the services ---------------------------------------------------------


def _admin_client(client, user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    return client


def _post_form(post: Post, **changes) -> dict:
    data = {
        "unit": post.unit_id,
        "node": post.node_id,
        "title": post.title,
        "duty": post.duty,
        "person": post.person_id,
        "deputy": "",
        "role": post.role,
        "meeting_role": post.meeting_role,
        "active_from": post.active_from.isoformat(),
        "active_until": "",
        "categories": [],
    }
    data.update(changes)
    return data


def test_admin_post_change_is_checked_and_recorded(client, tree):
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    post = services.post_upsert(actor=None, **_post_values(tree))
    c = _admin_client(client, committee)
    url = f"/admin/orgs/post/{post.pk}/change/"
    refused = c.post(url, _post_form(post, node=tree.r3.pk))
    assert refused.status_code == 200 and "您无权修改该辖区的名册" in refused.content.decode()
    assert Post.objects.get(pk=post.pk).node == tree.r1 and RosterChange.objects.count() == 1

    saved = c.post(url, _post_form(post, title="楼组长联络员"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    change = RosterChange.objects.latest("id")
    assert change.actor == committee and (change.before["title"], change.after["title"]) == (
        "社工",
        "楼组长联络员",
    )

    history = c.get("/admin/orgs/rosterchange/")
    assert history.status_code == 200 and "R1-SG" in history.content.decode()
    assert c.post(f"/admin/orgs/rosterchange/{change.pk}/change/", {"note": "x"}).status_code == 403
    assert RosterChange.objects.get(pk=change.pk).note == ""


def test_admin_forms_refuse_a_node_outside_the_users_power(client, tree):
    committee = make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    admin_k1 = make_staff("k1admin", PostRole.STREET_ADMIN, tree.k1)
    c = _admin_client(client, committee)
    party = c.post(
        "/admin/orgs/partyorg/add/",
        {"code": "PO-R3", "name": "南丹党总支", "kind": "general_branch", "node": tree.r3.pk},
    )
    assert party.status_code == 200 and "您无权修改该辖区的名册" in party.content.decode()
    c.logout()
    c = _admin_client(client, admin_k1)
    moved = c.post(
        f"/admin/geo/node/{tree.r1.pk}/change/",
        {"name": "东安居民区", "parent": tree.k2.pk, "address": "", "geometry": "null"},
    )
    assert moved.status_code == 200 and "您无权修改该辖区的结构" in moved.content.decode()
    root = c.post(
        "/admin/geo/node/add/", {"code": "T", "name": "另一街道", "level": Level.STREET, "geometry": "null"}
    )
    assert root.status_code == 200 and "您无权修改该辖区的结构" in root.content.decode()
    assert (
        Node.objects.get(pk=tree.r1.pk).parent_id == tree.k1.pk and not Node.objects.filter(code="T").exists()
    )
    from gongzhi.orgs.models import PartyOrg

    assert not PartyOrg.objects.filter(code="PO-R3").exists()
