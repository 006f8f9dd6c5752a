"""The order figures (reports.order_figures): by module, response and completion p50/p90,
satisfaction; on the KPI page's 订单服务 section and at /api/v1/reports/orders, for those who
see the place's orders (the committee, the street), never for another area's committee or a
department."""

from datetime import timedelta

from django.test import Client

from gongzhi.core import clock
from gongzhi.orders.services import OrderAct, order_act, order_confirm_by_link, order_take
from gongzhi.orders.tests.conftest import NOW
from gongzhi.reports import order_figures
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import node_subject


def serve(world, minutes_to_take: int, hours_to_serve: float, grade: str = ""):
    order = world.order()
    with clock.freeze(NOW + timedelta(minutes=minutes_to_take)):
        order = order_take(actor=world.users["helper"], order=order)
    with clock.freeze(NOW + timedelta(hours=hours_to_serve)):
        order = order_act(
            actor=world.users["helper"], order=order, act=OrderAct(action="serve", note="好", hours=1)
        )
    if grade:
        order_confirm_by_link(order=order, satisfaction=grade)
    return order


def test_response_completion_and_satisfaction_by_module(world):
    serve(world, 10, 2, "satisfied")
    serve(world, 20, 3, "basically")
    serve(world, 40, 10, "unsatisfied")
    world.order()  # still open
    found = order_figures.figures(
        node_subject(world.tree.street), Period(NOW.date(), NOW.date() + timedelta(days=1))
    )
    help_ = next(m for m in found.modules if m.code == "S-SVC-BF")
    assert (help_.posted, help_.taken, help_.served, help_.open, help_.rated) == (4, 3, 3, 1, 3)
    assert help_.response_p50 == 20 and help_.response_p90 == 40
    assert help_.completion_p50 == 3 and help_.completion_p90 == 10
    assert help_.satisfaction == 66.7 and found.total.posted == 4


def test_who_sees_the_figures(world):
    serve(world, 10, 2, "satisfied")
    area = node_subject(world.tree.r1)
    assert order_figures.may_see(world.users["committee"], area)
    assert order_figures.may_see(world.users["street"], node_subject(world.tree.street))
    for who in ("committee3", "dept", "grid", "helper", "block"):
        assert not order_figures.may_see(world.users[who], area), who
    client = Client()
    client.force_login(world.users["committee"])
    page = client.get("/reports/kpis/?node=S-R1").content.decode()
    assert "订单服务" in page and "生活帮扶" in page
    client.force_login(world.users["grid"])
    assert "kpi-orders" not in client.get("/reports/kpis/?node=S-R1-G1").content.decode()
