"""/api/v1/orders over real HTTP: a resident's order, bad input (422, nothing written), the take
and its loser's 409, serve and confirm, access (404 outside access.orders_q), convert to a case."""

from typing import Any

import pytest

from gongzhi.cases.models import Case
from gongzhi.orders.choices import OrderState
from gongzhi.orders.models import Order
from gongzhi.orders.tests.conftest import PHONE, build_world
from gongzhi.orders.tests.http import caller, tokens
from gongzhi.orders.tests.test_hours import enrol


@pytest.fixture
def w(transactional_db: None) -> Any:
    return build_world()


@pytest.fixture
def api(live_server: Any, w: Any) -> Any:
    return caller(live_server.url, tokens(w.users))


def body(**extra: Any) -> dict[str, Any]:
    return {
        "module": "S-SVC-BF",
        "node": "S-R1-B1",
        "text": "想请人上门理发",
        "contact_phone": PHONE,
        **extra,
    }


def test_a_resident_orders_and_sees_only_the_masked_phone(api, w):
    assert {m["code"] for m in api("GET", "/modules", "resident").json()} >= {"S-SVC-BF", "S-SVC-FL"}
    answer = api("POST", "", "resident", json=body())
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert order["state"] == "open" and order["contact_phone"] == "138****8000"
    assert order["allowed_actions"] == ["cancel"]
    assert PHONE not in answer.text
    mine = api("GET", "", "resident").json()
    assert [o["id"] for o in mine] == [order["id"]]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"node": "S-R3"}, "node", "所选地点不在该服务的服务范围内"),
        ({"node": "NOWHERE"}, "node", "没有这个地点"),
        ({"module": "S-SVC-XX"}, "module", "没有这项服务"),
        ({"contact_phone": "10086"}, "contact_phone", "手机号应为11位数字，以1开头"),
        ({"text": "  "}, "text", "请说明需要什么服务"),
    ],
)
def test_bad_input_is_a_422_with_a_chinese_message_and_writes_nothing(api, changes, field, message):
    answer = api("POST", "", "resident", json=body(**changes))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert any(d["loc"][-1] == field and d["msg"] == message for d in detail), detail
    assert not Order.objects.exists()


def test_take_then_a_second_take_is_a_409_already_taken(api, w):
    order = api("POST", "", "resident", json=body()).json()
    pool = api("GET", "?pool=true", "helper").json()
    assert [o["id"] for o in pool] == [order["id"]] and "take" in pool[0]["allowed_actions"]
    taken = api("POST", f"/{order['id']}/take", "helper")
    assert taken.status_code == 200 and taken.json()["server"] == "helper"
    lost = api("POST", f"/{order['id']}/take", "member")
    assert lost.status_code == 409 and lost.json()["detail"] == "已被接单"
    assert api("GET", "?pool=true", "member").json() == []


def test_serve_confirm_and_rate_once(api, w):
    enrol(w)  # a volunteer's hours go to the time bank: they must say them
    order = api("POST", "", "resident", json=body()).json()
    api("POST", f"/{order['id']}/take", "helper")
    refused = api("POST", f"/{order['id']}/serve", "helper", json={"note": "理好了"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "hours"
    assert "计入时间银行" in refused.json()["detail"][0]["msg"]
    assert Order.objects.get().state == OrderState.TAKEN
    served = api("POST", f"/{order['id']}/serve", "helper", json={"note": "理好了", "hours": 0.5})
    assert served.json()["state"] == "served" and served.json()["hours"] == 0.5
    not_yours = api("POST", f"/{order['id']}/confirm", "helper", json={"satisfaction": "satisfied"})
    assert not_yours.status_code == 403
    rated = api("POST", f"/{order['id']}/confirm", "resident", json={"satisfaction": "satisfied"})
    assert rated.json()["state"] == "closed" and rated.json()["satisfaction"] == "satisfied"
    again = api("POST", f"/{order['id']}/confirm", "resident", json={"satisfaction": "unsatisfied"})
    assert again.status_code == 409
    assert Order.objects.get().satisfaction == "satisfied"
    events = api("GET", f"/{order['id']}/events", "resident").json()
    assert [e["action"] for e in events] == ["create", "take", "serve", "confirm"]


def test_a_server_who_is_no_volunteer_may_leave_the_hours_to_the_modules_default(api, w):
    order = api("POST", "", "resident", json=body()).json()
    api("POST", f"/{order['id']}/take", "helper")
    served = api("POST", f"/{order['id']}/serve", "helper", json={"note": "理好了"})
    assert served.status_code == 200 and served.json()["state"] == "served"
    default = float(Order.objects.get().module.default_hours)
    assert served.json()["hours"] == default


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("resident", True),
        ("helper", True),  # the team (a social organisation's staff)
        ("helper2", True),  # the team (a post at another area)
        ("member", True),  # the team (a registered member in person)
        ("lead", True),
        ("committee", True),  # the committee of the order's area
        ("committee3", False),  # another area's committee
        ("lawyer", False),  # another module's team
        ("street", False),  # the street: only once escalated to it
        ("block", False),
        ("grid", False),
        ("dept", False),
        ("nobody", False),
    ],
)
def test_orders_are_private_to_the_resident_the_team_and_the_committee(api, w, who, sees):
    order = api("POST", "", "resident", json=body()).json()
    answer = api("GET", f"/{order['id']}", who)
    assert answer.status_code == (200 if sees else 404)
    listed = [o["id"] for o in api("GET", "", who).json()]
    assert (order["id"] in listed) is sees
    if not sees:
        assert api("POST", f"/{order['id']}/take", who).status_code == 404
        assert api("GET", f"/{order['id']}/events", who).status_code == 404


def test_convert_to_a_case_with_the_orders_history(api, w):
    order = api("POST", "", "resident", json=body(text="楼上漏水到我家，协商不成")).json()
    api("POST", f"/{order['id']}/take", "helper")
    refused = api("POST", f"/{order['id']}/convert", "helper", json={"note": ""})
    assert refused.status_code == 422 and not Case.objects.exists()
    done = api("POST", f"/{order['id']}/convert", "helper", json={"note": "涉及楼上住户和物业，需居委会协调"})
    assert done.status_code == 200 and done.json()["state"] == OrderState.CONVERTED
    case = Case.objects.get(pk=done.json()["case"])
    assert "楼上漏水到我家" in case.text and order["number"] in case.text and "take" in case.text
    assert case.node.code == "S-R1-B1" and case.contact_phone_masked == "138****8000"
    assert case.events.get(seq=1).data["order"] == order["id"]


def test_an_unknown_action_and_a_huge_id_are_clear_answers(api, w):
    order = api("POST", "", "resident", json=body()).json()
    assert api("POST", f"/{order['id']}/fly", "helper", json={}).status_code == 422
    assert api("GET", f"/{2**63}", "helper").status_code in (404, 422)


def test_the_order_figures_over_http(api, w, live_server):
    import httpx

    from gongzhi.orders.tests.http import tokens

    order = api("POST", "", "resident", json=body()).json()
    api("POST", f"/{order['id']}/take", "helper")
    keys = tokens({k: w.users[k] for k in ("committee", "committee3", "dept")})

    def figures(who: str) -> httpx.Response:
        return httpx.get(
            f"{live_server.url}/api/v1/reports/orders?node=S-R1",
            headers={"Authorization": f"Bearer {keys[who]}"},
            timeout=30,
        )

    seen = figures("committee")
    assert seen.status_code == 200, seen.text
    assert seen.json()["total"]["posted"] == 1 and seen.json()["total"]["taken"] == 1
    assert seen.json()["modules"][0]["response_minutes_p50"] is not None
    assert figures("committee3").status_code == 403
    assert figures("dept").status_code == 403
