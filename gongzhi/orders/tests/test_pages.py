"""The order pages through Django's test client: a resident's order without a login, refused
places (422, nothing written), the link that confirms and rates once, the pool and its take
(409 page for the loser), 404 for an order outside the user's scope."""

import re

import pytest
from django.test import Client

from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order
from gongzhi.orders.services import OrderAct, order_act, order_take
from gongzhi.orders.tests.conftest import PHONE


def form(**extra):
    return {
        "module": "S-SVC-BF",
        "text": "想请人上门助浴",
        "estate": "S-R1-E1",
        "building": "S-R1-B1",
        "contact_phone": PHONE,
        **extra,
    }


def signed_in(world, key):
    client = Client()
    client.force_login(world.users[key])
    return client


def test_a_resident_orders_without_a_login_and_gets_the_link_once(world):
    client = Client()
    page = client.get("/orders/new/")
    assert page.status_code == 200 and "生活帮扶" in page.content.decode()
    answer = client.post("/orders/new/", form())
    assert answer.status_code == 302 and answer["Location"] == "/orders/new/done/"
    order = Order.objects.get()
    assert order.node.code == "S-R1-B1" and order.resident_user is None
    done = client.get("/orders/new/done/").content.decode()
    assert order.number in done
    link = re.search(r'href="(/orders/t/[^"]+/)"', done).group(1)
    assert "/orders/t/" not in client.get("/orders/new/done/").content.decode()  # shown once
    follow = client.get(link).content.decode()
    assert "待接单" in follow and PHONE not in follow and "138****8000" not in follow


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"estate": "", "building": "", "lat": "0", "lon": "0"}, "地图上选的位置不在本街道范围内"),
        ({"estate": "NOPE", "building": ""}, "请选择小区"),
        ({"module": "S-SVC-XX"}, "请选择一项服务"),
        ({"contact_phone": ""}, "请留下手机号"),
    ],
)
def test_a_refused_order_is_a_422_with_the_reason_and_writes_nothing(world, changes, message):
    answer = Client().post("/orders/new/", form(**changes))
    assert answer.status_code == 422 and message in answer.content.decode()
    assert not Order.objects.exists()


def test_a_place_the_module_does_not_serve_is_refused(world, db):
    from gongzhi.geo.levels import Level
    from gongzhi.testing.factories import node

    node("S-R3-E1", "南丹小区", Level.ESTATE, world.tree.r3)
    answer = Client().post("/orders/new/", form(estate="S-R3-E1", building=""))
    assert answer.status_code == 422 and "所选地点不在该服务的服务范围内" in answer.content.decode()
    assert not Order.objects.exists()


def test_the_link_confirms_and_rates_once(world):
    client = Client()
    client.post("/orders/new/", form())
    link = re.search(r'href="(/orders/t/[^"]+/)"', client.get("/orders/new/done/").content.decode()).group(1)
    order = order_take(actor=world.users["helper"], order=Order.objects.get())
    early = client.post(link, {"satisfaction": "satisfied"})
    assert early.status_code == 409
    order_act(
        actor=world.users["helper"], order=order, act=OrderAct(action="serve", note="助浴完成", hours="1")
    )
    page = client.get(link).content.decode()
    assert "助浴完成" in page and 'name="satisfaction"' in page
    assert client.post(link, {"satisfaction": "nonsense"}).status_code == 422
    rated = client.post(link, {"satisfaction": "basically", "note": "挺好"})
    assert rated.status_code == 200 and "感谢您的评价" in rated.content.decode()
    again = client.post(link, {"satisfaction": "unsatisfied"})
    assert again.status_code == 409 and "已评价过" in again.content.decode()
    assert Order.objects.get().satisfaction == "basically"
    assert Client().get("/orders/t/forged:token/").status_code == 404


def test_the_pool_take_and_the_losers_409_page(world):
    order = world.order()
    helper = signed_in(world, "helper")
    pool = helper.get("/orders/").content.decode()
    assert f'action="/orders/{order.pk}/take/"' in pool
    assert helper.post(f"/orders/{order.pk}/take/").status_code == 302
    lost = signed_in(world, "member").post(f"/orders/{order.pk}/take/")
    assert lost.status_code == 409 and "已被接单" in lost.content.decode()
    serve = helper.post(f"/orders/{order.pk}/serve/", {"note": "做好了", "hours": "abc"})
    assert serve.status_code == 422 and "服务时长" in serve.content.decode()
    assert helper.post(f"/orders/{order.pk}/serve/", {"note": "做好了", "hours": "2"}).status_code == 302
    assert Order.objects.get().state == OrderState.SERVED


@pytest.mark.parametrize("who", ["committee3", "lawyer", "dept", "grid", "block"])
def test_an_order_outside_the_scope_is_a_404(world, who):
    order = world.order()
    client = signed_in(world, who)
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.post(f"/orders/{order.pk}/take/").status_code == 404
    assert order.number not in client.get("/orders/").content.decode()
