"""The demo's reset takes the order mode's rows with its street: modules, teams, orders, events
(their foreign keys would otherwise hold the nodes, posts and people it deletes)."""

from gongzhi.demo.reset import reset_demo
from gongzhi.geo.levels import Level
from gongzhi.orders.models import Order, OrderEvent, ServiceModule, TeamMember
from gongzhi.orders.seeding import seed_modules
from gongzhi.orders.services import OrderDraft, order_create, order_take
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import make_staff, node


def test_reset_deletes_the_demo_streets_orders(db):
    street = node("FL", "枫林街道", Level.STREET, None)
    area = node("FL-R01", "一居", Level.AREA, street)
    estate = node("FL-R01-E1", "一村", Level.ESTATE, area)
    helper = make_staff("FL-helper", PostRole.PARTNER, area, unit_kind=UnitKind.SOCIAL_ORG)
    module = seed_modules(street)[0]
    TeamMember.objects.create(module=module, post=Post.objects.get(code="POST-FL-helper"))
    order = order_create(
        actor=None, draft=OrderDraft(module=module, node=estate, text="查燃气", contact_phone="10012345678")
    )
    order_take(actor=helper, order=order)
    deleted = reset_demo()
    assert deleted["orders"] == 1 and deleted["modules"] == 6
    assert not (Order.objects.exists() or OrderEvent.objects.exists() or ServiceModule.objects.exists())
