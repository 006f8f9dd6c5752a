"""GET /api/v1/cases?overdue=true|due_soon=true&node=… over real HTTP: the same cases as the
overdue page (cases.selectors_overdue), kept to the node and to the caller's scope; and
GET /api/v1/reports/figures/{measure}/cases, the lists behind the reports' figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.selectors_overdue import overdue_cases
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.orgs.models import Category


@pytest.fixture
def late(world):
    """One case in S-R1 and one in S-R3, reported now and never registered: overdue in three days."""
    category = Category.objects.get(code="LD01")
    made = {}
    for key, node in (("r1", world.tree.b1), ("r3", world.h3)):
        intake = Intake(node=node, text="楼道堆物", source=Source.PATROL, category=category)
        made[key] = case_create(actor=None, intake=intake)
    return made


def numbers(response):
    assert response.status_code == 200, response.text[:300]
    return {item["number"] for item in response.json()["items"]}


def test_overdue_cases_by_node_and_scope(api, world, late):
    later = timezone.now() + timedelta(days=3)
    with clock.freeze(later):
        everywhere = numbers(api("GET", "/cases", as_="street", params={"overdue": True}))
        r1 = numbers(api("GET", "/cases", as_="street", params={"overdue": True, "node": "S-R1"}))
        mine = numbers(api("GET", "/cases", as_="committee", params={"overdue": True}))
        outside = api("GET", "/cases", as_="committee", params={"overdue": True, "node": "S-R3"})
        soon = numbers(api("GET", "/cases", as_="street", params={"due_soon": True}))
        expected = {c.number for c in overdue_cases(user=world.users["street"], now=later)}
    assert everywhere == expected == {late["r1"].number, late["r3"].number}
    assert r1 == mine == {late["r1"].number}
    assert numbers(outside) == set()  # the node intersected with the scope (as without the flag)
    assert soon == set()
    with clock.freeze(timezone.now()):  # just reported: neither overdue nor, after hours, due soon
        assert numbers(api("GET", "/cases", as_="street", params={"overdue": True})) == set()


def test_a_bad_flag_is_422(api, late):
    response = api("GET", "/cases", as_="street", params={"overdue": "perhaps"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "overdue"


def test_report_figures_list_their_cases(api, world, late):
    today = timezone.localdate()
    params = {"node": "S", "start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    received = api("GET", "/reports/figures/received/cases", as_="street", params=params)
    assert numbers(received) == {late["r1"].number, late["r3"].number} and received.json()["count"] == 2
    mine = api("GET", "/reports/figures/received/cases", as_="committee", params={**params, "node": "S-R1"})
    assert numbers(mine) == {late["r1"].number}
    grouped = api("GET", "/reports/figures/received/cases", as_="street", params={**params, "group": "LD"})
    assert grouped.json()["count"] == 2
    none = api("GET", "/reports/figures/received/cases", as_="street", params={**params, "category": "none"})
    assert none.json()["count"] == 0
    bad = api("GET", "/reports/figures/nope/cases", as_="street", params=params)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "measure"
    outside = api(
        "GET", "/reports/figures/received/cases", as_="committee", params={**params, "node": "S-R3"}
    )
    assert outside.status_code == 403 and late["r3"].number not in outside.text
