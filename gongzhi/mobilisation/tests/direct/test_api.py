"""/api/v1/direct over real HTTP (live server, one token per person): report → the duty
officer acknowledges → 续报 → convert to a case; bad input is a 422 naming the field with
nothing written; a department is refused; another street sees nothing; wrong states are 409."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import direct_roster
from gongzhi.mobilisation.models import DirectReport
from gongzhi.mobilisation.tests.direct.conftest import DirectWorld, build_world, png

Call = Callable[..., httpx.Response]


@pytest.fixture
def api_world(transactional_db: None, live_server: Any) -> Iterator[tuple[DirectWorld, Call]]:
    world = build_world()
    today = direct_roster.duty_day_of(clock.now())  # the live server's clock runs: today's duty
    direct_roster.duty_set(actor=None, street=world.tree.street, day=today, officer=world.person("officer"))
    keys = {k: api_services.token_create(user=u, name=f"{k}-t")[1] for k, u in world.users.items()}
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:

        def call(method: str, path: str, as_: str, **kwargs: Any) -> httpx.Response:
            headers = {"Authorization": f"Bearer {keys[as_]}"}
            response = client.request(method, "/direct" + path, headers=headers, **kwargs)
            assert response.status_code < 500, response.text[:2000]
            return response

        yield world, call


FIRE = {"kind": "fire", "text": "1号楼三楼冒烟", "node": "S-R1-B1"}


def test_report_acknowledge_follow_up_convert(api_world):
    _world, api = api_world
    created = api("POST", "", "grid", json=FIRE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "reported" and body["place"] == "东安一村1号楼"
    assert body["reporter_post"].endswith("网格员") and body["actions"] == ["follow_up"]
    rid = body["id"]
    assert api("POST", f"/{rid}/close", "officer", json={"result": "x"}).status_code == 409
    acked = api("POST", f"/{rid}/ack", "officer").json()
    assert acked["state"] == "acknowledged" and acked["acknowledged_at"]
    again = api("POST", f"/{rid}/ack", "leader1")
    assert again.status_code == 409
    assert api("POST", f"/{rid}/follow-ups", "grid", json={"text": "已扑灭"}).json()["state"] == "followed_up"
    listed = api("GET", "", "officer").json()
    assert [r["id"] for r in listed] == [rid]
    bad = api("POST", f"/{rid}/convert-case", "officer", json={"category": "LD"})
    assert bad.status_code == 422  # a 大类, not a 小类
    done = api("POST", f"/{rid}/convert-case", "officer", json={"category": "LD01"}).json()
    assert done["state"] == "converted" and done["case"] == Case.objects.get().pk
    assert api("GET", "", "officer").json() == []  # converted: no longer open
    assert [r["id"] for r in api("GET", "?all=true", "officer").json()] == [rid]


def test_upload_with_photos(api_world):
    _world, api = api_world
    response = api(
        "POST", "/upload", "committee", data=FIRE, files=[("files", ("a.png", png().read(), "image/png"))]
    )
    assert response.status_code == 201, response.text
    assert DirectReport.objects.get().photos.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**FIRE, "node": "T-R1"}, "node"),  # another street
        ({**FIRE, "node": "NOPE"}, "node"),
        ({**FIRE, "kind": "rain"}, "kind"),
        ({**FIRE, "text": "  "}, "text"),
        ({"kind": "fire", "text": "x", "lat": 31.0, "lon": 121.0}, "lat"),  # outside the street
    ],
)
def test_bad_input_is_422_and_writes_nothing(api_world, payload, field):
    _world, api = api_world
    response = api("POST", "", "grid", json=payload)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert not DirectReport.objects.exists() and not OutboxMessage.objects.exists()


def test_a_department_cannot_report_and_another_street_sees_nothing(api_world):
    _world, api = api_world
    assert api("POST", "", "dept", json=FIRE).status_code == 403
    rid = api("POST", "", "grid", json=FIRE).json()["id"]
    assert api("GET", "", "grid_t").json() == []
    assert api("GET", f"/{rid}", "grid_t").status_code == 404
    assert api("GET", f"/{rid}", "dept").status_code == 404
    assert api("POST", f"/{rid}/ack", "grid_t").status_code == 404
    assert api("POST", f"/{rid}/ack", "grid").status_code == 403  # sees it, may not acknowledge


def test_misuse_over_http(api_world):
    _world, api = api_world
    rid = api("POST", "", "grid", json={**FIRE, "kind": "other", "text": "路灯坏了"}).json()["id"]
    assert api("POST", f"/{rid}/misuse", "officer", json={"reason": ""}).status_code == 422
    marked = api("POST", f"/{rid}/misuse", "officer", json={"reason": "一般报修"}).json()
    assert marked["misuse"] and marked["misuse_reason"] == "一般报修"
    assert api("POST", f"/{rid}/misuse", "officer", json={"reason": "再"}).status_code == 409
