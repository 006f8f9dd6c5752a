"""The duty roster in the back office: the street admin sets a day and a leader through the
services' checks (a person without a login is refused with the message, nothing written); a
committee worker sees no roster; the reports are read-only and their text stays out."""

import pytest

from gongzhi.mobilisation.models import DutyDay, DutyLeader
from gongzhi.testing.clients import admin_client
from gongzhi.testing.factories import PersonFactory


@pytest.mark.django_db
def test_the_street_admin_keeps_the_roster(world):
    admin = admin_client(world.users["admin"])
    officer = world.person("leader2")
    response = admin.post(
        "/admin/mobilisation/dutyday/add/",
        {"street": world.tree.street.pk, "day": "2026-03-09", "officer": officer.pk, "leader": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DutyDay.objects.get(day="2026-03-09").officer == officer
    nobody = PersonFactory(name="无账号")
    refused = admin.post(
        "/admin/mobilisation/dutyday/add/",
        {"street": world.tree.street.pk, "day": "2026-03-10", "officer": nobody.pk, "leader": ""},
    )
    assert refused.status_code == 200 and "没有可用的登录账号" in refused.content.decode()
    assert not DutyDay.objects.filter(day="2026-03-10").exists()
    taken = admin.post(
        "/admin/mobilisation/dutyleader/add/",
        {
            "street": world.tree.street.pk,
            "person": world.person("officer").pk,
            "title": "主任",
            "order": 1,
            "active": "on",
        },
    )
    assert taken.status_code == 200 and "该顺序已有其他领导" in taken.content.decode()
    added = admin.post(
        "/admin/mobilisation/dutyleader/add/",
        {
            "street": world.tree.street.pk,
            "person": world.person("officer").pk,
            "title": "书记",
            "order": 4,
            "active": "on",
        },
    )
    assert added.status_code == 302 and DutyLeader.objects.filter(order=4).exists()


@pytest.mark.django_db
def test_others_see_no_roster_and_reports_are_read_only(world):
    report = world.report()
    committee = admin_client(world.users["committee"])
    assert committee.get("/admin/mobilisation/dutyday/").status_code == 403
    admin = admin_client(world.users["admin"])
    page = admin.get(f"/admin/mobilisation/directreport/{report.pk}/change/")
    assert page.status_code == 200 and "已拨119" not in page.content.decode()
    assert admin.post(f"/admin/mobilisation/directreport/{report.pk}/delete/").status_code == 403
