"""Mobilisation over real HTTP (live server, people's tokens) and its pages: an incident over a
node outside the street is a 422 that writes nothing; another area's committee gets 404; the
rota, my shifts and a check-in far from the shift (422, nothing written); the pages render for
the lead, the volunteer, and the board at wall size."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.test import Client

from gongzhi.api import services as api_services
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.mobilisation import incidents, rostering
from gongzhi.mobilisation.choices import IncidentKind
from gongzhi.mobilisation.models import Assignment, Incident, IncidentEvent
from gongzhi.mobilisation.tests.conftest import T0, MobWorld, build_world
from gongzhi.testing.factories import PASSWORD, node


class Api:
    def __init__(self, client: httpx.Client, world: MobWorld):
        self.client, self.world = client, world
        self.keys = {k: api_services.token_create(user=u, name=k)[1] for k, u in world.users.items()}

    def __call__(self, method: str, path: str, who: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.keys[who]}"}, **kwargs
        )
        assert response.status_code < 500, response.text[:2000]
        return response


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[Api]:
    world = build_world()
    with httpx.Client(base_url=f"{live_server.url}/api/v1/mobilisation", timeout=60) as client:
        yield Api(client, world)


def fields(response: httpx.Response) -> dict[str, str]:
    return {str(d["loc"][-1]): d["msg"] for d in response.json()["detail"]}


def test_an_incident_outside_the_street_is_422_and_writes_nothing(api):
    node("X", "另一街道", Level.STREET, None)
    body = {"kind": "flood", "title": "内涝", "nodes": ["S-R1-E1", "X"]}
    r = api("POST", "/incidents", "street", json=body)
    assert r.status_code == 422 and fields(r) == {"nodes": "动员范围须在同一街道内"}
    r = api("POST", "/incidents", "street", json={**body, "nodes": ["NOPE"]})
    assert r.status_code == 422 and "没有这个辖区" in fields(r)["nodes"]
    r = api("POST", "/incidents", "street", json={**body, "nodes": ["S-R1-E1"], "kind": "meteor"})
    assert r.status_code == 422 and fields(r) == {"kind": "请选择事件类型"}
    assert api("POST", "/incidents", "committee", json={**body, "nodes": ["S-R1-E1"]}).status_code == 403
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_scope_rota_my_shifts_and_the_check_in_window(api):
    with clock.freeze(T0):
        r = api(
            "POST",
            "/incidents",
            "street",
            json={"kind": "epidemic", "title": "周边疫情", "nodes": ["S-R1-E1"]},
        )
    assert r.status_code == 201, r.text
    pk = r.json()["id"]
    assert api("GET", f"/incidents/{pk}", "committee").status_code == 200
    assert api("GET", f"/incidents/{pk}", "committee_r3").status_code == 404
    assert [i["id"] for i in api("GET", "/incidents", "committee_r3").json()] == []
    incident = Incident.objects.get(pk=pk)
    with clock.freeze(T0):
        incidents.shifts_plan(actor=api.world.users["street"], incident=incident, days=1)
        rostering.rota_solve(actor=api.world.users["street"], incident=incident, time_limit_s=5)
    a = (
        Assignment.objects.filter(shift__starts_at__gt=T0 + timedelta(hours=3))
        .select_related("person__user", "shift")
        .first()
    )
    who = next(k for k, u in api.world.users.items() if u == a.person.user)
    with clock.freeze(T0):  # the live server runs in this process: the same frozen clock
        _check_in_far_off(api, pk, a, who)


def _check_in_far_off(api, pk, a, who):
    mine = api("GET", "/mine", who).json()
    assert a.pk in {m["id"] for m in mine}
    assert api("GET", f"/incidents/{pk}", who).status_code == 200  # on the rota: sees the incident
    r = api("POST", f"/assignments/{a.pk}/check-in", who)  # now is far before the shift
    assert r.status_code == 422 and "开始前1小时" in fields(r)["at"]
    a.refresh_from_db()
    assert a.checked_in_at is None
    assert api("POST", f"/assignments/{a.pk}/check-in", "committee").status_code == 404
    board = api("GET", f"/incidents/{pk}/board", "committee").json()
    assert board["households_to_reach"] == 1 and board["doors_to_check"] == 1
    assert api("GET", f"/incidents/{pk}/report.docx", "committee").status_code == 403
    assert api("GET", f"/incidents/{pk}/report.docx", "street").status_code == 200


def _login(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_pages_render_for_the_lead_the_volunteer_and_the_wall(world):
    with clock.freeze(T0):
        incident = incidents.incident_declare(
            actor=world.users["street"], kind=IncidentKind.FIRE, title="火情", nodes=[world.tree.e1]
        )
    lead = _login(world.users["street"])
    assert lead.get("/mobilisation/").status_code == 200
    assert lead.get("/mobilisation/new/").status_code == 200
    r = lead.post(f"/mobilisation/{incident.pk}/act/", {"action": "plan", "days": "1", "shift_hours": "8"})
    assert r.status_code == 302
    r = lead.post(f"/mobilisation/{incident.pk}/act/", {"action": "plan", "days": "99", "shift_hours": "8"})
    assert r.status_code == 400 and "天数" in r.content.decode()
    page = lead.get(f"/mobilisation/{incident.pk}/").content.decode()
    assert "东安一村东门" in page and "张阿婆" not in page  # the household shows as its home, never the name
    wall = lead.get(f"/mobilisation/{incident.pk}/board/?screen=1").content.decode()
    assert "出入口在岗" in wall and 'hx-trigger="every 30s"' in wall
    volunteer = _login(world.users["v1"])
    assert volunteer.get("/mobilisation/mine/").status_code == 200
    assert "时间银行" in volunteer.get("/community/volunteer/").content.decode()
    assert volunteer.get(f"/mobilisation/{incident.pk}/").status_code == 404  # not on a rota yet
    assert _login(world.users["committee_r3"]).get(f"/mobilisation/{incident.pk}/board/").status_code == 404
