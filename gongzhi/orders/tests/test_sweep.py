"""The sweep with a frozen clock: an order nobody takes goes to the lead after one response
time (30 minutes here), to the area's committee after two, to the street after three, one
event and one message each; a taken order is left alone; running twice steps once. Whoever it
reached may then assign it to a team member."""

from datetime import timedelta

import pytest

from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.orders import selectors
from gongzhi.orders.choices import Escalation, OrderState
from gongzhi.orders.services import OrderAct, order_act, order_take
from gongzhi.orders.sweep import sweep
from gongzhi.orders.tests.conftest import NOW


def told(subject_part: str) -> set[str]:
    rows = OutboxMessage.objects.filter(kind="order.overdue", subject__contains=subject_part)
    return set(rows.values_list("recipient__username", flat=True))


def test_lead_then_committee_then_street(world):
    order = world.order()
    taken = world.order(text="另一单")
    order_take(actor=world.users["helper"], order=taken)
    with clock.freeze(NOW + timedelta(minutes=29)):
        assert sweep().escalated == 0
    with clock.freeze(NOW + timedelta(minutes=30)):
        assert sweep().escalated == 1
        assert sweep().escalated == 0  # idempotent
    order.refresh_from_db()
    assert order.escalation == Escalation.LEAD and told("请派单") == {"lead"}
    with pytest.raises(PermissionDeniedError):  # the committee's turn has not come
        order_act(
            actor=world.users["committee"],
            order=order,
            act=OrderAct(action="assign", server=world.person("helper")),
        )
    with clock.freeze(NOW + timedelta(minutes=60)):
        sweep()
    order.refresh_from_db()
    assert order.escalation == Escalation.COMMITTEE and told("居委会") == {"committee"}
    assert order in selectors.to_assign(world.users["committee"])
    with clock.freeze(NOW + timedelta(minutes=95)):
        sweep()
    order.refresh_from_db()
    assert order.escalation == Escalation.STREET and told("街道") == {"street"}
    assert selectors.order_get(user=world.users["street"], pk=order.pk) is not None
    assert [e.action for e in order.events.all()] == ["create", "escalate", "escalate", "escalate"]
    taken.refresh_from_db()
    assert taken.escalation == Escalation.POOL and taken.state == OrderState.TAKEN


def test_a_long_pause_steps_every_level_at_once(world):
    order = world.order()
    with clock.freeze(NOW + timedelta(hours=5)):
        assert sweep().escalated == 3
    order.refresh_from_db()
    assert order.escalation == Escalation.STREET


def test_the_lead_assigns_a_team_member_not_anyone(world):
    order = world.order()
    with clock.freeze(NOW + timedelta(minutes=31)):
        sweep()
    order.refresh_from_db()
    assert order in selectors.to_assign(world.users["lead"])
    outsider = world.person("lawyer")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        order_act(actor=world.users["lead"], order=order, act=OrderAct(action="assign", server=outsider))
    assert "所选人员不在该服务的团队中" in refused.value.message_dict["server"]
    done = order_act(
        actor=world.users["lead"], order=order, act=OrderAct(action="assign", server=world.person("member"))
    )
    assert done.state == OrderState.TAKEN and done.server == world.person("member")
    assert OutboxMessage.objects.filter(kind="order.assigned", recipient=world.users["member"]).exists()
    with pytest.raises(ConflictError, match="已被接单"):
        order_take(actor=world.users["helper"], order=order)


def test_the_committee_assigns_once_escalated_to_it(world):
    order = world.order()
    with clock.freeze(NOW + timedelta(minutes=61)):
        sweep()
    order.refresh_from_db()
    done = order_act(
        actor=world.users["committee"],
        order=order,
        act=OrderAct(action="assign", server=world.person("helper2")),
    )
    assert done.server == world.person("helper2")
    with pytest.raises(PermissionDeniedError):
        order_act(actor=world.users["committee3"], order=done, act=OrderAct(action="comment", note="?"))
