"""Who hears about a served order nobody confirmed, through the outbox: when the sweep closes it
the resident (inbox when signed in, a text when the gateway is set), the module's leads (who
are told when a volunteer's hours still wait) and the server (once, as the server, when they
lead the module too); a volunteer's hours waiting
ORDER_HOURS_REMIND_DAYS remind the leads once; and the lead's home page has a 待确认时长 tile
counting exactly the list it opens, which empties when the hours are confirmed."""

from datetime import timedelta

from django.test import Client

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.orders import selectors
from gongzhi.orders.services import order_confirm_by_link, order_confirm_hours
from gongzhi.orders.sweep import sweep
from gongzhi.orders.tests.conftest import NOW
from gongzhi.orders.tests.test_hours import enrol, served
from gongzhi.reports import todos
from gongzhi.web.tests.test_todos import list_length, tiles


def kinds(user=None, **kw):
    qs = OutboxMessage.objects.filter(**kw)
    if user is not None:
        qs = qs.filter(recipient=user)
    return list(qs.values_list("kind", flat=True))


def test_the_sweeps_close_tells_the_resident_and_the_lead_that_hours_wait(world, settings):
    settings.ORDER_AUTO_CONFIRM_DAYS = 3
    settings.ORDER_HOURS_REMIND_DAYS = 10  # no reminder in this test
    settings.SMS_GATEWAY_URL = "https://sms.example.cn/send"
    enrol(world)
    order = served(world, hours="1.5")
    OutboxMessage.objects.all().delete()
    with clock.freeze(NOW + timedelta(days=3)):
        assert sweep().closed == 1
    resident = OutboxMessage.objects.get(kind="order.auto_close", recipient=world.users["resident"])
    assert order.number in resident.subject and "3天内未确认，已自动结束" in resident.subject
    text = OutboxMessage.objects.get(kind="sms.order_auto_close")
    assert text.payload == {"order_id": order.pk, "order_number": order.number} and "138" not in text.body
    lead = OutboxMessage.objects.get(kind="order.auto_closed", recipient=world.users["lead"])
    assert "志愿者服务时长待您确认" in lead.subject and lead.payload["link"] == f"/orders/{order.pk}/"
    server = OutboxMessage.objects.get(recipient=world.users["helper"])  # the server, no lead
    assert server.kind == "order.server_auto_closed" and server.payload["link"] == f"/orders/{order.pk}/"
    assert (
        "3天内未确认，您服务的订单已自动结束（未评价）" in server.subject and order.number in server.subject
    )
    assert "您的服务时长待负责人确认" in server.subject and "138" not in server.subject


def test_an_order_closed_with_nothing_waiting_tells_the_lead_only_of_the_close(world, settings):
    settings.ORDER_AUTO_CONFIRM_DAYS = 3
    served(world)  # the helper is no volunteer: no hours to confirm
    with clock.freeze(NOW + timedelta(days=3)):
        sweep()
    lead = OutboxMessage.objects.get(kind="order.auto_closed", recipient=world.users["lead"])
    assert "待您确认" not in lead.subject
    assert not OutboxMessage.objects.filter(kind="order.hours_waiting").exists()
    server = OutboxMessage.objects.get(kind="order.server_auto_closed")
    assert server.recipient == world.users["helper"] and "已自动结束（未评价）" in server.subject
    assert "服务时长" not in server.subject


def test_a_lead_who_served_it_hears_once_as_the_server(world, settings):
    settings.ORDER_AUTO_CONFIRM_DAYS = 3
    settings.ORDER_HOURS_REMIND_DAYS = 10  # no reminder in this test
    enrol(world, key="lead")
    served(world, hours="1", key="lead")
    OutboxMessage.objects.all().delete()
    with clock.freeze(NOW + timedelta(days=3)):
        assert sweep().closed == 1
    mine = OutboxMessage.objects.filter(recipient=world.users["lead"])
    assert list(mine.values_list("kind", flat=True)) == ["order.server_auto_closed"]
    assert "您的服务时长待您确认" in mine.get().subject


def test_the_lead_is_reminded_once_of_a_volunteers_hours_and_has_the_to_do(world, settings):
    settings.ORDER_HOURS_REMIND_DAYS = 2
    enrol(world)
    order = served(world, hours="2")
    other = served(world, hours="1")
    order_confirm_by_link(order=other, satisfaction="satisfied")  # banked: nothing waits
    with clock.freeze(NOW + timedelta(days=2) - timedelta(minutes=1)):
        assert sweep().reminded == 0
    with clock.freeze(NOW + timedelta(days=2)):
        assert sweep().reminded == 1
        assert sweep().reminded == 0  # once
    with clock.freeze(NOW + timedelta(days=4)):
        assert sweep().reminded == 0
    reminder = OutboxMessage.objects.get(kind="order.hours_waiting")
    assert reminder.recipient == world.users["lead"] and order.number in reminder.subject
    assert order.events.filter(action="remind_hours", actor=None).count() == 1
    lead = Client()
    lead.force_login(world.users["lead"])
    tile = tiles(lead)[todos.ORDER_HOURS]
    assert tile["url"] == "/orders/?todo=hours" and int(tile["n"]) == 1 == list_length(lead, tile["url"])
    assert [o.pk for o in selectors.hours_waiting(world.users["lead"])] == [order.pk]
    helper = Client()
    helper.force_login(world.users["helper"])
    assert todos.ORDER_HOURS not in tiles(helper)  # no lead: never this to-do
    committee = Client()
    committee.force_login(world.users["committee"])
    assert todos.ORDER_HOURS not in tiles(committee)
    order_confirm_hours(actor=world.users["lead"], order=order)
    assert int(tiles(lead)[todos.ORDER_HOURS]["n"]) == 0 == list_length(lead, "/orders/?todo=hours")
