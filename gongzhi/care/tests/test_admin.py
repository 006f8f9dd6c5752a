"""The back office: a street admin creates a gateway (token shown once) and edits a rule through
the service; a committee registers a device in its area; a department sees none of it."""

import pytest
from django.test import Client

from gongzhi.care.choices import RuleKind
from gongzhi.care.models import Device, Gateway, Rule
from gongzhi.care.services import gateway_authenticate
from gongzhi.testing.factories import PASSWORD


def login(world, who: str) -> Client:
    user = world.users[who]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_gateway_token_is_shown_once_and_works(world):
    page = login(world, "street_admin").post("/admin/care/gateway/add/", {"name": "楼宇网关"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    start = text.index("gzgw_")
    token = text[start : start + 45].split("<")[0].split('"')[0].strip()
    assert gateway_authenticate(token) == Gateway.objects.get()


@pytest.mark.django_db
def test_rules_are_edited_through_the_service(world):
    client = login(world, "street_admin")
    rule = Rule.objects.get(kind=RuleKind.NO_DOOR)
    bad = client.post(f"/admin/care/rule/{rule.pk}/change/", {"enabled": "on", "hours": "0", "litres": "5"})
    assert bad.status_code == 200 and "hours" in bad.context["adminform"].form.errors
    ok = client.post(f"/admin/care/rule/{rule.pk}/change/", {"enabled": "on", "hours": "36"})
    assert ok.status_code == 302
    assert Rule.objects.get(pk=rule.pk).hours == 36


@pytest.mark.django_db
def test_devices_are_registered_in_scope(world):
    client = login(world, "committee")
    answer = client.post(
        "/admin/care/device/add/", {"serial": "WM-NEW", "kind": "water_meter", "household": world.tree.h1.pk}
    )
    assert answer.status_code == 302
    assert Device.objects.get(serial="WM-NEW").subject is None
    assert login(world, "committee_r3").get("/admin/care/device/").context["cl"].result_count == 0
    assert login(world, "dept").get("/admin/care/device/").status_code == 403
