"""The order workflow through its services: intake, take, serve, confirm, release, cancel, and
what each refuses (writing nothing)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.contributions import SERVE_ORDER, on_service_facts
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.orders import services
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order, OrderEvent
from gongzhi.orders.services import OrderAct, order_act, order_take
from gongzhi.orders.tests.conftest import NOW, PHONE


def test_an_order_is_sealed_opened_in_the_pool_and_the_team_told(world):
    order = world.order()
    assert order.state == OrderState.OPEN and order.take_due == NOW + timedelta(minutes=30)
    assert order.contact_phone_masked == "138****8000" and PHONE not in order.contact_phone_enc
    assert order.contact_phone_hash and order.number.startswith("D20261207")
    told = set(OutboxMessage.objects.filter(kind="order.new").values_list("recipient__username", flat=True))
    assert told == {"lead", "helper", "helper2", "member"}
    assert [e.action for e in order.events.all()] == ["create"]


@pytest.mark.parametrize(
    ("place", "field", "message"),
    [("r3", "node", "所选地点不在该服务的服务范围内"), (None, "node", "请选择服务地点")],
)
def test_a_place_the_module_does_not_serve_is_refused_and_nothing_written(world, place, field, message):
    node = getattr(world.tree, place) if place else None
    with pytest.raises(ValidationError) as refused:
        world.order(node=node)
    assert message in refused.value.message_dict[field]
    assert not Order.objects.exists() and not OutboxMessage.objects.exists()


def test_a_missing_need_and_a_bad_phone_are_refused(world):
    with pytest.raises(ValidationError) as refused:
        world.order(text=" ", contact_phone="12345")
    assert set(refused.value.message_dict) == {"text", "contact_phone"}
    assert not Order.objects.exists()


def test_take_serve_confirm_announces_the_service_with_its_hours(world):
    facts = []
    on_service_facts.register(facts.extend)
    try:
        order = world.order(actor=world.users["resident"], resident=world.resident)
        order = order_take(actor=world.users["helper"], order=order)
        assert order.state == OrderState.TAKEN and order.server == world.person("helper")
        with pytest.raises(ValidationError) as refused:
            order_act(
                actor=world.users["helper"],
                order=order,
                act=OrderAct(action="serve", note="已助浴", hours="0"),
            )
        assert "hours" in refused.value.message_dict
        order = order_act(
            actor=world.users["helper"], order=order, act=OrderAct(action="serve", note="已助浴", hours="1.5")
        )
        assert order.state == OrderState.SERVED and str(order.hours) == "1.50"
        order = order_act(
            actor=world.users["resident"],
            order=order,
            act=OrderAct(action="confirm", satisfaction="satisfied"),
        )
        assert order.state == OrderState.CLOSED and order.satisfaction == "satisfied"
    finally:
        on_service_facts.unregister(facts.extend)
    assert [(f.kind, f.person_id, f.hours) for f in facts] == [(SERVE_ORDER, world.person("helper").pk, 1.5)]
    seqs = list(OrderEvent.objects.filter(order=order).values_list("seq", "action"))
    assert seqs == [(1, "create"), (2, "take"), (3, "serve"), (4, "confirm")]


def test_rating_twice_is_refused(world):
    order = world.order(actor=world.users["resident"], resident=world.resident)
    order = order_take(actor=world.users["helper"], order=order)
    order = order_act(
        actor=world.users["helper"], order=order, act=OrderAct(action="serve", note="好", hours=1)
    )
    act = OrderAct(action="confirm", satisfaction="satisfied")
    order = services.order_confirm_by_link(order=order, satisfaction="satisfied")
    with pytest.raises(ConflictError, match="已评价过"):
        order_act(actor=world.users["resident"], order=order, act=act)


def test_a_second_take_is_told_the_order_is_gone(world):
    order = world.order()
    order_take(actor=world.users["helper"], order=order)
    with pytest.raises(ConflictError, match="已被接单"):
        order_take(actor=world.users["helper2"], order=order)
    assert Order.objects.get().server == world.person("helper")


@pytest.mark.parametrize("who", ["lawyer", "committee", "grid", "dept", "resident", "nobody"])
def test_only_the_team_takes(world, who):
    order = world.order()
    with pytest.raises(PermissionDeniedError):
        order_take(actor=world.users[who], order=order)
    assert Order.objects.get().state == OrderState.OPEN


def test_the_server_may_give_it_back_and_the_resident_cancel(world):
    order = world.order(actor=world.users["resident"], resident=world.resident)
    order = order_take(actor=world.users["member"], order=order)
    order = order_act(
        actor=world.users["member"], order=order, act=OrderAct(action="release", note="临时有事")
    )
    assert order.state == OrderState.OPEN and order.server is None
    order = order_act(actor=world.users["resident"], order=order, act=OrderAct(action="cancel"))
    assert order.state == OrderState.CANCELLED


def test_the_resident_is_texted_when_taken_and_served_without_the_number_in_the_outbox(world, settings):
    from gongzhi.notify import channels
    from gongzhi.orders import links

    settings.SMS_GATEWAY_URL = "https://sms.example.invalid/send"
    order = world.order()
    order = order_take(actor=world.users["helper"], order=order)
    order_act(actor=world.users["helper"], order=order, act=OrderAct(action="serve", note="好", hours=1))
    texts = list(OutboxMessage.objects.filter(kind__startswith="sms.order_").order_by("pk"))
    assert [m.kind for m in texts] == ["sms.order_take", "sms.order_serve"]
    assert all(PHONE not in f"{m.subject}{m.body}{m.payload}" for m in texts)
    phone, link = channels._order_phone_and_link(texts[-1])
    assert phone == PHONE and links.order_for(link.rstrip("/").rsplit("/", 1)[-1]) == order


def test_a_registered_volunteer_joins_a_team_and_takes_from_the_pool(world):
    """Issue 16 item 1: a team is units and people from the roster, registered members and
    volunteers. A person row must name a confirmed 双报到 member or an active volunteer of the
    module's street; anyone else is refused by the admin's check."""
    from gongzhi.community import volunteers
    from gongzhi.community.choices import VolunteerKind
    from gongzhi.orders import modules
    from gongzhi.orders.models import TeamMember
    from gongzhi.orgs.models import Person
    from gongzhi.testing.factories import PersonFactory, UserFactory

    user = UserFactory(username="vol")
    person = PersonFactory(name="王志愿", home=world.tree.h1)
    Person.objects.filter(pk=person.pk).update(user=user)
    row = TeamMember(module=world.help, person=person)
    assert "志愿者" in modules.member_errors(row)["person"][0]  # not registered yet
    volunteer = volunteers.volunteer_register(
        actor=user, person=person, kind=VolunteerKind.RESIDENT, area=world.tree.r1
    )
    assert modules.member_errors(row) == {}
    row.save()
    taken = order_take(actor=user, order=world.order())
    assert taken.server == person and taken.state == OrderState.TAKEN
    volunteers.volunteer_end(actor=user, volunteer=volunteer)
    assert "person" in modules.member_errors(row)  # an ended volunteer no longer qualifies
