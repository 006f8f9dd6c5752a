"""Two doors around the consent (docs/care.md "Pages", "API"): the stored scan read back — only
by the serving posts, MANAGE_CARE over the home and the auditor, the access-log row written
first, never cached — and binding a home's registered device by its serial, where a device
bound twice, a serial of another home and a signal outside the consent are refused with a field
message and change nothing. Over real HTTP for the API, the Django client for the pages."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.test import Client

from gongzhi.care import services
from gongzhi.care.choices import ConsentBy, DeviceKind, Duty, Signal, SubjectKind
from gongzhi.care.models import Consent, Device
from gongzhi.care.tests.conftest import CareWorld, build_world, png_form
from gongzhi.care.tests.test_api_subjects import Api, fields
from gongzhi.core.models import PiiAccessLog
from gongzhi.geo.levels import Level
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PASSWORD, PersonFactory, make_staff, node


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[Api]:
    """The care world and a street cadre, who sees the subjects (VIEW_CARE) and manages none."""
    world = build_world()
    world.users["cadre"] = make_staff("cadre", PostRole.STREET_CADRE, world.tree.street)
    with httpx.Client(base_url=f"{live_server.url}/api/v1/care", timeout=30) as client:
        yield Api(client, world)


def scan_logs() -> list[tuple[str, int, str]]:
    rows = PiiAccessLog.objects.filter(subject_model="care.consent").order_by("pk")
    return list(rows.values_list("actor__username", "subject_id", "field"))


def test_the_scan_only_for_the_serving_posts_the_managers_and_the_auditor_logged_first(api):
    consent = Consent.objects.get()
    stored = consent.form.open("rb").read()
    url = f"/consents/{consent.pk}/form"
    for who in ("grid_other", "dept", "committee_r3"):  # out of scope: as if there were none
        assert api("GET", url, who).status_code == 404, who
    assert api("GET", url, "cadre").status_code == 403  # sees the subject on the board, not the form
    assert api("GET", "/consents/999999/form", "grid").status_code == 404
    assert scan_logs() == []
    for who in ("grid", "volunteer", "committee", "street_admin", "auditor"):
        answer = api("GET", url, who)
        assert answer.status_code == 200, who
        assert answer.content == stored and answer.headers["content-type"] == "image/png"
        assert answer.headers["cache-control"] == "no-store"
        assert "张阿婆" not in answer.headers.get("content-disposition", "")
    assert scan_logs() == [
        (who, consent.pk, "form") for who in ("grid", "volunteer", "committee", "street_admin", "auditor")
    ]


def test_a_withdrawn_consents_scan_stays_readable_as_its_proof(api):
    consent = Consent.objects.get()
    services.consent_withdraw(actor=api.world.users["committee"], subject=api.world.subject)
    assert api("GET", f"/consents/{consent.pk}/form", "auditor").status_code == 200


def second_subject(world: CareWorld) -> Any:
    """李老伯 in another home of the same building (1号楼102室), consenting to the door only."""
    h2 = node("S-R1-H102", "1号楼102室", Level.HOUSEHOLD, world.tree.b1)
    other = PersonFactory(name="李老伯", home=h2)
    subject = services.subject_enrol(
        actor=world.users["committee"], person=other, kind=SubjectKind.ALONE_60,
        posts=[(world.post("grid"), Duty.GRID)],
    )  # fmt: skip
    services.consent_record(
        actor=world.users["committee"], subject=subject, given_by=ConsentBy.SUBJECT, signals=[Signal.DOOR],
        given_on=subject.enrolled_at.date(), form=png_form(),
    )  # fmt: skip
    return subject


def bindings() -> dict[str, int | None]:
    return dict(Device.objects.values_list("serial", "subject_id"))


def test_binding_by_serial_refuses_twice_elsewhere_and_outside_the_consent(api):
    world = api.world
    li = second_subject(world)
    url = f"/subjects/{li.pk}/devices"
    services.device_register(actor=None, serial="DOOR-H2", kind=DeviceKind.DOOR, household=li.home)
    services.device_register(actor=None, serial="WM-H2", kind=DeviceKind.WATER_METER, household=li.home)
    before = bindings()
    twice = api("POST", url, "committee", json={"serial": "DEV-door"})  # 张阿婆's, in h1
    assert fields(twice) == {"serial": "此住处没有登记这个设备编号"}
    assert fields(api("POST", url, "committee", json={"serial": "NOPE"})) == {
        "serial": "此住处没有登记这个设备编号"
    }
    assert "device" in fields(api("POST", url, "committee", json={"serial": "WM-H2"}))  # water: not consented
    assert api("POST", url, "grid", json={"serial": "DOOR-H2"}).status_code == 403
    assert api("POST", url, "committee", json={"serial": ""}).status_code == 422
    assert bindings() == before
    done = api("POST", url, "committee", json={"serial": "DOOR-H2"})
    assert done.status_code == 201 and done.json()["kind"] == "door"
    again = api("POST", url, "committee", json={"serial": "DOOR-H2"})
    assert fields(again) == {"device": "设备已绑定其他关爱对象，请先解绑"}
    # 张阿婆's door sensor is at her home: bound already, refused, still hers
    zhang = api("POST", f"/subjects/{world.subject.pk}/devices", "committee", json={"serial": "DEV-door"})
    assert "device" in fields(zhang)
    assert bindings() == {**before, "DOOR-H2": li.pk}


def web(world: CareWorld, who: str) -> Client:
    client = Client()
    assert client.login(username=world.users[who].username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_the_consent_page_links_the_scan_and_binds_a_device(world):
    consent = Consent.objects.get()
    page = web(world, "grid").get(f"/care/subjects/{world.subject.pk}/consent/")
    link = f"/care/consents/{consent.pk}/form/"
    assert link in page.content.decode() and "DEV-sos" in page.content.decode()
    scan = web(world, "grid").get(link)
    assert scan.status_code == 200 and scan["Cache-Control"] == "no-store"
    assert b"".join(scan.streaming_content) == consent.form.open("rb").read()
    assert web(world, "dept").get(link).status_code == 404
    world.users["cadre"] = make_staff("cadre", PostRole.STREET_CADRE, world.tree.street)
    assert web(world, "cadre").get(link).status_code == 403
    assert scan_logs() == [("grid", consent.pk, "form")]

    li = second_subject(world)
    committee = web(world, "committee")
    refused = committee.post(f"/care/subjects/{li.pk}/devices/", {"serial": "DEV-door"})
    assert refused.status_code == 422 and "此住处没有登记这个设备编号" in refused.content.decode()
    services.device_register(actor=None, serial="DOOR-H2", kind=DeviceKind.DOOR, household=li.home)
    assert committee.post(f"/care/subjects/{li.pk}/devices/", {"serial": "DOOR-H2"}).status_code == 302
    twice = committee.post(f"/care/subjects/{li.pk}/devices/", {"serial": "DOOR-H2"})
    assert twice.status_code == 422 and "设备已绑定其他关爱对象" in twice.content.decode()
    assert (
        web(world, "grid").post(f"/care/subjects/{li.pk}/devices/", {"serial": "DOOR-H2"}).status_code == 403
    )
    assert Device.objects.get(serial="DOOR-H2").subject_id == li.pk
