"""/api/v1/community over real HTTP (live server, bearer tokens): bad input answers 422 with the
Chinese field messages and writes nothing; claiming twice and signing a superseded pledge
answer 409; another area's project is a 404; the happy path from project to signed pledge."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.community.models import Need, Pledge, PledgeSignature, Project, Resource
from gongzhi.community.tests.lists.conftest import CommunityWorld, build_world, open_project

Call = Callable[..., httpx.Response]


@pytest.fixture
def api_world(transactional_db: None, live_server: Any) -> Iterator[tuple[CommunityWorld, Call]]:
    w = build_world()
    keys = {k: api_services.token_create(user=u, name=f"{k}-test")[1] for k, u in w.users.items()}
    with httpx.Client(base_url=f"{live_server.url}/api/v1/community", timeout=30) as client:

        def call(method: str, path: str, as_: str, **kwargs: Any) -> httpx.Response:
            answer = client.request(method, path, headers={"Authorization": f"Bearer {keys[as_]}"}, **kwargs)
            assert answer.status_code < 500, answer.text
            return answer

        yield w, call


def fields(answer: httpx.Response) -> dict[str, str]:
    return {str(e["loc"][-1]): e["msg"] for e in answer.json()["detail"]}


def test_bad_input_is_a_422_in_chinese_and_writes_nothing(api_world: tuple[CommunityWorld, Call]) -> None:
    w, api = api_world
    answer = api("POST", "/needs", "committee", json={"title": "助餐", "field": "elderly", "urgency": 9})
    assert answer.status_code == 422
    assert fields(answer) == {"beneficiaries": "此项必填", "urgency": "不能大于3"}

    answer = api(
        "POST",
        "/needs",
        "committee",
        json={"title": "助餐", "field": "nope", "node": w.tree.r1.code, "beneficiaries": "老人"},
    )
    assert answer.status_code == 422 and fields(answer) == {"field": "请选择服务领域"}
    answer = api(
        "POST",
        "/needs",
        "committee",
        json={
            "title": "助餐",
            "field": "elderly",
            "node": w.tree.r1.code,
            "beneficiaries": "老人",
            "window_from": "2026-05-01",
            "window_until": "2026-04-01",
        },
    )
    assert answer.status_code == 422 and fields(answer) == {"window_until": "截止日期不能早于开始日期"}
    answer = api(
        "POST",
        "/needs",
        "committee",
        json={"title": "助餐", "field": "elderly", "beneficiaries": "老人", "origin": "case", "case": "1"},
    )
    assert answer.status_code == 422 and fields(answer) == {"case": "没有找到该工单（或您无权查看）"}
    answer = api(
        "POST",
        "/resources",
        "logistics",
        json={"title": "车", "kind": "car", "field": "elderly", "unit": "NOPE"},
    )
    assert answer.status_code == 422 and fields(answer) == {"unit": "没有找到该单位"}
    answer = api(
        "POST",
        "/projects",
        "committee",
        json={
            "title": "扶手",
            "summary": "装扶手",
            "field": "elderly",
            "node": w.tree.r1.code,
            "starts_on": "2026-03-05",
            "ends_on": "2026-04-30",
            "milestones": [{"title": "安装", "due": "2026-06-01"}],
        },
    )
    assert answer.status_code == 422 and fields(answer) == {"due": "节点日期须在项目起止日期之内"}
    assert not Need.objects.exists() and not Resource.objects.exists() and not Project.objects.exists()


def test_claim_sign_and_the_409s(api_world: tuple[CommunityWorld, Call]) -> None:
    w, api = api_world
    project = open_project(w)
    # open for claiming, a project is public (the public board lists it): any unit's staff see it
    assert api("GET", f"/projects/{project.pk}", "committee_r3").status_code == 200
    assert api("GET", "/projects/999999", "committee").status_code == 404

    answer = api(
        "POST",
        f"/projects/{project.pk}/claim",
        "logistics",
        json={"unit": w.unit("logistics").code, "commitments": ""},
    )
    assert answer.status_code == 422 and fields(answer) == {"commitments": "请填写本单位的共建承诺"}
    answer = api(
        "POST",
        f"/projects/{project.pk}/claim",
        "logistics",
        json={"unit": w.unit("logistics").code, "commitments": "提供车辆"},
    )
    assert answer.status_code == 201 and answer.json()["pledge"]["version"] == 1
    again = api(
        "POST",
        f"/projects/{project.pk}/claim",
        "committee",
        json={"unit": w.unit("hospital").code, "commitments": "再认领"},
    )
    assert again.status_code == 409 and "已被认领" in again.json()["detail"]
    assert Pledge.objects.count() == 1
    # claimed, it belongs to its area, the street and the claiming unit: another area sees nothing
    assert api("GET", f"/projects/{project.pk}", "committee_r3").status_code == 404

    revised = api(
        "POST",
        f"/projects/{project.pk}/pledge/revise",
        "committee",
        json={"commitments": "车辆和司机", "note": "补充"},
    )
    assert revised.status_code == 200 and revised.json()["pledge"]["version"] == 2
    stale = api("POST", f"/projects/{project.pk}/pledge/sign", "logistics", json={"version": 1})
    assert (
        stale.status_code == 409
        and "第2版" in stale.json()["detail"]
        and not PledgeSignature.objects.exists()
    )
    assert (
        api("POST", f"/projects/{project.pk}/pledge/sign", "logistics", json={"version": 2}).status_code
        == 201
    )
    assert (
        api("POST", f"/projects/{project.pk}/pledge/sign", "hospital", json={"version": 2}).status_code == 404
    )
    signed = api("POST", f"/projects/{project.pk}/pledge/sign", "secretary", json={"version": 2})
    assert signed.status_code == 201 and signed.json()["side"] == "community"
    detail = api("GET", f"/projects/{project.pk}", "committee").json()
    assert detail["state"] == "active" and detail["pledge"]["state"] == "in_force"
    assert {s["content_hash"] for s in detail["pledge"]["signatures"]} == {detail["pledge"]["content_hash"]}
    done = api("POST", f"/projects/{project.pk}/milestones/1/done", "logistics", json={"evidence": "装好了"})
    assert done.status_code == 200 and done.json()["milestones"][0]["done_at"] is not None
