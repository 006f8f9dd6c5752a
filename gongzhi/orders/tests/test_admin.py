"""The back office of the order mode: the street admin adds a service module with its team
through orders.modules' checks (hours that end before they start, a place outside the street, a
person row naming someone who is neither a 双报到 member nor a volunteer: refused with the
field's message, nothing written); a committee worker, who keeps the roster of an area only,
is not offered the modules; orders are read-only, cut by access.orders_q, the phone masked."""

import pytest

from gongzhi.orders.models import ServiceModule, TeamMember
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.clients import admin_client
from gongzhi.testing.factories import PersonFactory, make_staff

pytestmark = pytest.mark.django_db


def form(tree, **changes):
    data = {
        "street": tree.street.pk,
        "code": "S-M-NEW",
        "name": "家电维修",
        "name_en": "Appliance repair",
        "kind": "convenience",
        "description": "上门维修小家电",
        "places": [tree.r1.pk],
        "weekdays": "[1, 2, 3, 4, 5]",
        "opens_at": "08:00",
        "closes_at": "18:00",
        "response_minutes": "60",
        "default_hours": "1.5",
        "active": "on",
        "position": "0",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-post": "",
        "members-0-unit": "",
        "members-0-person": "",
    }
    data.update(changes)
    return data


def test_the_street_admin_adds_a_module_checked_as_a_whole(world):
    tree = world.tree
    admin = admin_client(make_staff("street_admin", PostRole.STREET_ADMIN, tree.street))
    url = "/admin/orders/servicemodule/add/"
    late = admin.post(url, form(tree, closes_at="07:00"))
    assert late.status_code == 200 and "服务结束时间须晚于开始时间" in late.content.decode()
    stranger = PersonFactory(name="路人")
    nobody = admin.post(url, form(tree, **{"members-0-person": stranger.pk}))
    assert nobody.status_code == 200 and "个人成员须是已确认报到的党员" in nobody.content.decode()
    assert not ServiceModule.objects.filter(code="S-M-NEW").exists()
    member = world.person("member")  # a confirmed 双报到 member
    added = admin.post(url, form(tree, **{"members-0-person": member.pk}))
    assert added.status_code == 302, added.content.decode()[:3000]
    module = ServiceModule.objects.get(code="S-M-NEW")
    assert list(module.places.all()) == [tree.r1] and module.weekdays == [1, 2, 3, 4, 5]
    assert list(TeamMember.objects.filter(module=module).values_list("person", flat=True)) == [member.pk]


def test_a_committee_worker_is_not_offered_the_modules_and_orders_are_read_only(world):
    committee = admin_client(world.users["committee"])  # MANAGE_ROSTER over S-R1 only
    listed = committee.get("/admin/orders/servicemodule/")
    assert listed.status_code == 200 and world.help.code not in listed.content.decode()
    assert committee.get(f"/admin/orders/servicemodule/{world.help.pk}/change/").status_code != 200
    order = world.order()
    page = committee.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "13800138000" not in body and "138****8000" in body
    assert committee.post(f"/admin/orders/order/{order.pk}/delete/").status_code == 403
    outsider = admin_client(world.users["committee3"])  # another area's committee
    assert outsider.get(f"/admin/orders/order/{order.pk}/change/").status_code != 200
