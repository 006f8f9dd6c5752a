"""The back office is scoped like every other view."""

import pytest
from django.contrib.auth import get_user_model

from gongzhi.geo.models import Node
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, make_staff


def staff_client(client, username, role, node):
    user = make_staff(username, role, node)
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def resident(tree):
    return PersonFactory(name="李老伯", phone="13900139000", home=tree.h1)


def test_committee_admin_lists_only_its_area(client, tree):
    c = staff_client(client, "r3staff", PostRole.COMMITTEE_STAFF, tree.r3)
    page = c.get("/admin/geo/node/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "南丹居民区" in body and "东安居民区" not in body


def test_out_of_scope_node_is_not_found_in_admin(client, tree):
    c = staff_client(client, "r3staff", PostRole.COMMITTEE_STAFF, tree.r3)
    response = c.get(f"/admin/geo/node/{tree.r1.pk}/change/")
    assert response.status_code == 302  # admin redirects a missing object to the index
    assert c.get(f"/admin/geo/node/{tree.r3.pk}/change/").status_code == 200


def test_admin_person_list_is_masked_and_scoped(client, tree, resident):
    c = staff_client(client, "r1staff", PostRole.COMMITTEE_STAFF, tree.r1)
    body = c.get("/admin/orgs/person/").content.decode()
    assert "李老伯" in body and "139****9000" in body and "13900139000" not in body
    other = staff_client(client, "r3staff2", PostRole.COMMITTEE_STAFF, tree.r3)
    assert "李老伯" not in other.get("/admin/orgs/person/").content.decode()


def test_admin_move_goes_through_the_service(client, tree):
    c = staff_client(client, "admin1", PostRole.STREET_ADMIN, tree.street)
    response = c.post(
        f"/admin/geo/node/{tree.r1.pk}/change/",
        {"name": "东安居民区", "parent": tree.k2.pk, "address": "", "geometry": "null"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Node.objects.get(code="S-R1-H101").path.startswith("/S/S-K2/S-R1/")


def test_admin_refuses_a_move_under_its_own_child(client, tree):
    # Levels only go down the tree, so a cycle is always also a wrong level: both are refused.
    c = staff_client(client, "admin2", PostRole.STREET_ADMIN, tree.street)
    response = c.post(
        f"/admin/geo/node/{tree.k1.pk}/change/",
        {"name": "第一块区", "parent": tree.r1.pk, "address": "", "geometry": "null"},
    )
    assert response.status_code == 200
    assert "块区不能挂在居民区下" in response.content.decode()
    assert Node.objects.get(code="S-K1").path == "/S/S-K1/"


def test_auditor_sees_access_log_others_do_not(client, tree):
    c = staff_client(client, "auditor", PostRole.AUDITOR, tree.street)
    assert c.get("/admin/core/piiaccesslog/").status_code == 200
    c2 = staff_client(client, "gw", PostRole.GRID_WORKER, tree.g1)
    assert c2.get("/admin/core/piiaccesslog/").status_code == 403
