"""A served order's hours in the server's time bank (community.volunteers.hours_record): posted
once when the resident confirms — signed in or through the link — or when the module's lead
confirms them, only for a server who is a registered volunteer; the serve form's hours default
to the module's, except for a volunteer server, who must give them. A served order nobody confirms closes by the sweep after
ORDER_AUTO_CONFIRM_DAYS, rated nothing, banking nothing, and the resident's link says so. The
link page shows the photos of what was done through signed links, never the phone."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.community import volunteers
from gongzhi.community.choices import HoursSource, VolunteerKind
from gongzhi.community.models import HoursEntry
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orders import links
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import OrderEvent, ServiceModule
from gongzhi.orders.services import (
    OrderAct,
    order_act,
    order_confirm_by_link,
    order_confirm_hours,
    order_take,
)
from gongzhi.orders.sweep import sweep
from gongzhi.orders.tests.conftest import NOW, PHONE
from gongzhi.orgs.models import Post


def photo() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (800, 600), (40, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile("done.jpg", out.getvalue(), content_type="image/jpeg")


def enrol(world, key="helper"):
    """The team member registers as a volunteer of S-R1 (a unit's staff member)."""
    unit = Post.objects.get(code=f"POST-{key}").unit
    return volunteers.volunteer_register(
        actor=world.users[key],
        person=world.person(key),
        kind=VolunteerKind.UNIT_STAFF,
        area=world.tree.r1,
        unit=unit,
    )


def served(world, hours="2", key="helper", files=()):
    order = world.order(actor=world.users["resident"], resident=world.resident)
    order = order_take(actor=world.users[key], order=order)
    act = OrderAct(action="serve", note="已上门助浴", hours=hours, files=list(files))
    return order_act(actor=world.users[key], order=order, act=act)


def test_the_residents_confirmation_banks_a_volunteers_hours_once(world):
    volunteer = enrol(world)
    order = served(world, hours="2.5")
    order = order_confirm_by_link(order=order, satisfaction="satisfied")
    entry = HoursEntry.objects.get()
    assert (entry.volunteer, entry.source, entry.source_key, entry.hours) == (
        volunteer,
        HoursSource.ORDER,
        f"order:{order.pk}",
        Decimal("2.5"),
    )
    assert entry.confirmed_by is None and order.number in entry.label  # confirmed through the link
    assert volunteers.balance(volunteer) == Decimal("2.5")
    with pytest.raises(ConflictError):
        order_confirm_by_link(order=order, satisfaction="unsatisfied")
    with pytest.raises(ValidationError) as again:  # the lead cannot post it a second time
        order_confirm_hours(actor=world.users["lead"], order=order)
    assert "已计入时间银行" in str(again.value)
    assert HoursEntry.objects.count() == 1


def test_a_server_who_is_no_volunteer_banks_nothing_and_the_lead_is_told_why(world):
    order = served(world)
    signed_in = order_act(
        actor=world.users["resident"], order=order, act=OrderAct(action="confirm", satisfaction="basically")
    )
    assert signed_in.state == OrderState.CLOSED and not HoursEntry.objects.exists()
    with pytest.raises(ValidationError) as refused:
        order_confirm_hours(actor=world.users["lead"], order=signed_in)
    assert refused.value.message_dict == {"server": ["服务人员不是登记的志愿者，时长不计入时间银行"]}


def test_the_serve_form_defaults_to_the_modules_hours_and_refuses_bad_ones(world):
    ServiceModule.objects.filter(pk=world.help.pk).update(default_hours=Decimal("1.5"))
    order = order_take(actor=world.users["helper"], order=world.order())
    for bad in ("0", "25", "两小时"):
        with pytest.raises(ValidationError) as refused:
            order_act(actor=world.users["helper"], order=order, act=OrderAct("serve", note="好了", hours=bad))
        assert list(refused.value.message_dict) == ["hours"]
    assert OrderEvent.objects.filter(order=order, action="serve").count() == 0
    client = Client()
    client.force_login(world.users["helper"])
    form = client.get(f"/orders/{order.pk}/serve/").content.decode()
    assert 'placeholder="1.5"' in form
    answer = client.post(f"/orders/{order.pk}/serve/", {"note": "已助浴", "hours": ""})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.SERVED and order.hours == Decimal("1.50")


def test_a_volunteer_server_must_give_the_hours(world):
    enrol(world)
    order = order_take(actor=world.users["helper"], order=world.order())
    client = Client()
    client.force_login(world.users["helper"])
    form = client.get(f"/orders/{order.pk}/serve/").content.decode()
    assert "计入时间银行" in form and 'placeholder="1.0"' not in form
    answer = client.post(f"/orders/{order.pk}/serve/", {"note": "已助浴", "hours": ""})
    assert answer.status_code == 422 and "您是登记的志愿者" in answer.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.TAKEN and not order.events.filter(action="serve").exists()
    done = order_act(actor=world.users["helper"], order=order, act=OrderAct("serve", note="好了", hours="2"))
    assert done.state == OrderState.SERVED and done.hours == Decimal("2.00")


def test_unconfirmed_orders_close_after_the_days_and_the_lead_banks_the_hours(world, settings):
    settings.ORDER_AUTO_CONFIRM_DAYS = 3
    volunteer = enrol(world)
    order = served(world, hours="1")
    link = links.path(order)
    with clock.freeze(NOW + timedelta(days=3) - timedelta(minutes=1)):
        assert sweep().closed == 0
    with clock.freeze(NOW + timedelta(days=3)):
        assert sweep().closed == 1
        assert sweep().closed == 0  # once
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.satisfaction == "" and order.closed_at is not None
    event = order.events.get(action="auto_close")
    assert event.actor is None and event.from_state == OrderState.SERVED
    assert not HoursEntry.objects.exists()  # nobody confirmed the hours
    page = Client().get(link)
    text = page.content.decode()
    assert "服务完成后3天内未确认，订单已自动结束（未评价）" in text and 'name="satisfaction"' not in text
    assert Client().post(link, {"satisfaction": "satisfied"}).status_code == 409
    with pytest.raises(PermissionDeniedError):  # the server is not the lead
        order_confirm_hours(actor=world.users["helper"], order=order)
    detail = Client()
    detail.force_login(world.users["lead"])
    assert "计入时间银行" in detail.get(f"/orders/{order.pk}/").content.decode()
    answer = detail.post(f"/orders/{order.pk}/act/", {"action": "confirm_hours"})
    assert answer.status_code == 302
    entry = HoursEntry.objects.get()
    assert entry.volunteer == volunteer and entry.confirmed_by == world.users["lead"]
    assert "计入时间银行" not in detail.get(f"/orders/{order.pk}/").content.decode()


def test_the_link_page_shows_the_photos_through_signed_links_and_no_phone(world):
    order = served(world, files=[photo()])
    page = Client().get(links.path(order)).content.decode()
    urls = re.findall(r'src="(/orders/photos/[^"]+/)"', page)
    assert len(urls) == 1 and PHONE not in page and "138****8000" not in page
    image = Client().get(urls[0])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert Image.open(BytesIO(b"".join(image.streaming_content))).size[0] <= 800
    forged = urls[0].replace("/orders/photos/", "/orders/photos/x")
    assert Client().get(forged).status_code == 404
    case_link = urls[0].replace("/orders/photos/", "/track/photos/")  # another salt: no case photo
    assert Client().get(case_link).status_code == 404
