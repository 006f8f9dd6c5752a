"""The care board's API over real HTTP (live server, people's tokens): the subjects list cut
by scope (a grid worker sees their own, a department none, another area's subject is a 404),
a subject's detail with its sensitive parts only for the serving posts and the auditor (each
view logged), enrolment, consent (multipart) and its withdrawal, away periods, contacts (add;
reveal with a purpose), the board's counts and the map's counts per building. Bad input is a
4xx with Chinese field messages and writes nothing."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.care import services
from gongzhi.care.choices import Door
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import AwayPeriod, CareSubject, Consent, EmergencyContact, Event
from gongzhi.care.tests.conftest import CareWorld, build_world, png_form
from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import PersonFactory


class Api:
    def __init__(self, client: httpx.Client, world: CareWorld):
        self.client, self.world = client, world
        self.keys = {k: api_services.token_create(user=u, name=k)[1] for k, u in world.users.items()}

    def __call__(self, method: str, path: str, who: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[who]}"}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 500, response.text[:2000]
        return response


def world_api(live_server: Any, consent: bool = True) -> Iterator[Api]:
    world = build_world(consent=consent)
    with httpx.Client(base_url=f"{live_server.url}/api/v1/care", timeout=30) as client:
        yield Api(client, world)


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[Api]:
    yield from world_api(live_server)


@pytest.fixture
def api_no_consent(live_server: Any, transactional_db: None) -> Iterator[Api]:
    yield from world_api(live_server, consent=False)


def fields(response: httpx.Response) -> dict[str, str]:
    return {str(d["loc"][-1]): d["msg"] for d in response.json()["detail"]}


def test_the_list_is_cut_by_scope(api):
    pk = api.world.subject.pk
    rows = api("GET", "/subjects", "grid").json()["rows"]
    assert [r["id"] for r in rows] == [pk]
    assert {s["signal"] for s in rows[0]["signs"]} == {"door", "water", "power", "life"}
    assert rows[0]["watched"] is True and rows[0]["name"] == "张阿婆"
    for who in ("grid_other", "dept", "committee_r3"):
        assert api("GET", "/subjects", who).json()["rows"] == [], who
        assert api("GET", f"/subjects/{pk}", who).status_code == 404, who
    assert api("GET", "/subjects", "committee", params={"node": "S-R1-G2"}).json()["rows"] == []
    assert fields(api("GET", "/subjects", "committee", params={"node": "NOPE"})) == {"node": "没有这个辖区"}
    assert api("GET", "/subjects", "committee", params={"limit": 0}).status_code == 422


def test_details_only_for_the_serving_posts_and_the_auditor_and_logged(api):
    pk = api.world.subject.pk
    AwayPeriod.objects.create(
        subject=api.world.subject,
        reason="hospital",
        starts_at=clock.now() - timedelta(days=1),
        ends_at=clock.now() + timedelta(days=3),
        note="第六人民医院",
    )
    committee = api("GET", f"/subjects/{pk}", "committee").json()
    assert committee["details"] is False and committee["away"][0]["reason"] is None
    assert committee["contacts"][0]["phone"] == "139****5678"
    assert not PiiAccessLog.objects.filter(subject_model="care.caresubject").exists()
    for who in ("grid", "auditor"):
        body = api("GET", f"/subjects/{pk}", who).json()
        assert body["details"] is True and body["away"][0]["note"] == "第六人民医院", who
        assert "13912345678" not in str(body)
    assert PiiAccessLog.objects.filter(subject_model="care.caresubject", field="detail").count() == 2


def test_enrolment_needs_a_responsible_post(api):
    zhao = PersonFactory(name="赵阿婆", home=api.world.tree.h1, birth_date="1938-01-01", lives_alone=True)
    body = {"person": zhao.pk, "kind": "alone_80", "posts": []}
    assert "请至少指定一个责任岗位" in fields(api("POST", "/subjects", "committee", json=body))["posts"]
    unknown = api(
        "POST", "/subjects", "committee", json={**body, "posts": [{"post": "NOPE", "duty": "grid"}]}
    )
    assert fields(unknown) == {"posts": "没有这个岗位：NOPE"}
    posts = [{"post": "POST-grid", "duty": "grid"}]
    bad_phone = {**body, "posts": posts, "contacts": [{"relation": "儿子", "name": "赵大", "phone": "1"}]}
    assert api("POST", "/subjects", "committee", json=bad_phone).status_code == 422
    assert api("POST", "/subjects", "grid", json={**body, "posts": posts}).status_code == 403
    assert not CareSubject.objects.filter(person=zhao).exists()
    candidates = api("GET", "/candidates", "committee").json()
    assert [c["name"] for c in candidates] == ["赵阿婆"]
    done = api("POST", "/subjects", "committee", json={**body, "posts": posts, "visit_every_days": 10})
    assert done.status_code == 201, done.text
    assert done.json()["posts"] == [
        {"post": "POST-grid", "title": "网格员", "holder": "grid", "duty": "grid"}
    ]
    assert done.json()["signals"] == [] and done.json()["consent"] is None


def test_consent_multipart_and_withdrawal(api_no_consent):
    api = api_no_consent
    url = f"/subjects/{api.world.subject.pk}/consent"
    data = {"given_by": "subject", "signals": ["door", "water"], "given_on": "2026-03-01"}
    missing = api("POST", url, "committee", data=data)
    assert fields(missing) == {"form": "请上传签字的同意书扫描件"} and not Consent.objects.exists()
    guardian = api("POST", url, "committee", data={**data, "given_by": "guardian"}, files={"form": form()})
    assert "guardian_name" in fields(guardian) and not Consent.objects.exists()
    assert api("POST", url, "grid", data=data, files={"form": form()}).status_code == 403
    done = api("POST", url, "committee", data=data, files={"form": form()})
    assert done.status_code == 201, done.text
    assert done.json()["signals"] == ["door", "water"]
    again = api("POST", url, "committee", data=data, files={"form": form()})
    assert "subject" in fields(again)
    CareSubject.objects.filter(pk=api.world.subject.pk).update(signals=["door", "water"])
    api.world.subject.refresh_from_db()
    services.device_bind(actor=None, device=api.world.devices["door"], subject=api.world.subject)
    ingest([Incoming(device="DEV-door", event_id="e1", at=clock.now())], door=Door.HTTP)
    unconfirmed = api("POST", f"{url}/withdraw", "committee", json={"confirm": False})
    assert "confirm" in fields(unconfirmed) and Event.objects.count() == 1
    withdrawn = api("POST", f"{url}/withdraw", "committee", json={"confirm": True})
    assert withdrawn.json() == {"events_deleted": 1} and not Event.objects.exists()


def form() -> tuple[str, bytes, str]:
    upload = png_form()
    return ("同意书.png", upload.read(), "image/png")


def test_away_end_before_start_is_refused(api):
    url = f"/subjects/{api.world.subject.pk}/away"
    now = clock.now()
    body = {"reason": "hospital", "starts_at": (now + timedelta(days=2)).isoformat()}
    backwards = api("POST", url, "committee", json={**body, "ends_at": (now + timedelta(days=1)).isoformat()})
    assert fields(backwards) == {"ends_at": "返回时间应晚于开始时间"} and not AwayPeriod.objects.exists()
    created = api(
        "POST", url, "committee", json={"reason": "family", "ends_at": (now + timedelta(days=5)).isoformat()}
    )
    assert created.status_code == 201 and created.json()["reason"] is None  # the committee does not serve her
    away_id = created.json()["id"]
    assert api("POST", f"/away/{away_id}/end", "committee_r3").status_code == 404
    ended = api("POST", f"/away/{away_id}/end", "committee")
    assert ended.status_code == 200 and ended.json()["ends_at"] < (now + timedelta(days=5)).isoformat()


def test_contacts_added_and_revealed_with_a_purpose(api):
    url = f"/subjects/{api.world.subject.pk}/contacts"
    bad = api("POST", url, "committee", json={"relation": "侄子", "name": "", "phone": "13811112222"})
    assert "name" in fields(bad)
    added = api("POST", url, "committee", json={"relation": "侄子", "name": "王强", "phone": "13811112222"})
    assert added.status_code == 201 and added.json()["phone"] == "138****2222"
    reveal = f"/contacts/{added.json()['id']}/reveal"
    assert api("POST", reveal, "committee", json={"purpose": "紧急情况联系"}).status_code == 403
    assert api("POST", reveal, "grid", json={"purpose": ""}).status_code == 422
    assert api("POST", reveal, "dept", json={"purpose": "紧急情况联系"}).status_code == 404
    assert not PiiAccessLog.objects.filter(subject_model="care.emergencycontact").exists()
    shown = api("POST", reveal, "grid", json={"purpose": "紧急情况联系"})
    assert shown.json() == {"relation": "侄子", "name": "王强", "phone": "13811112222"}
    assert PiiAccessLog.objects.filter(subject_model="care.emergencycontact").count() == 1
    assert EmergencyContact.objects.count() == 2


def test_board_counts_and_map_counts(api):
    ingest([Incoming(device="DEV-sos", event_id="s1", at=clock.now())], door=Door.HTTP)
    board = api("GET", "/board", "committee").json()
    # enrolled on T0 in March with a weekly visit, never visited since: overdue now
    assert (board["subjects"], board["watched"], board["overdue"]) == (1, 1, 1)
    assert [p["post"] for p in board["overdue_per_post"]] == ["POST-grid", "POST-volunteer"]
    assert board["alerts"] == {"open": 1, "acknowledged": 0, "visiting": 0}
    features = api("GET", "/board/map", "committee").json()["features"]
    assert [f["properties"] for f in features] == [{"code": "S-R1-B1", "name": "东安一村1号楼", "open": 1}]
    assert api("GET", "/board/map", "committee_r3").json()["features"] == []
    for who in ("grid", "dept"):
        assert api("GET", "/board", who).status_code == 403
        assert api("GET", "/board/map", who).status_code == 403
