# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The overdue list honours ?node= (page and export), and the case list's ?overdue=1 /
?due_soon=1 list exactly what the overdue list and the home counts count: one definition
(cases.selectors_overdue)."""

import re

import pytest
from django.test import Client

from gongzhi.cases.selectors_overdue import overdue_cases, soon_until
from gongzhi.core import clock
from gongzhi.reports import todos
from gongzhi.reports.tests.conftest import DAY1, DAY3, at
from gongzhi.reports.tests.test_kpis import NOW, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


@pytest.fixture
def late(scenario):
    """F (R1) and J (R3) wait past their dispatch deadline; K (R1) was reported ten minutes
    ago, its dispatch deadline still ahead, within the day."""
    scenario.report("J", at(DAY1, "09:00"), node=scenario.tree.r3)
    scenario.report("K", at(DAY3, "17:50"))
    return scenario


def client(user):
    c = Client()
    c.force_login(user)
    return c


def listed(user, url, **params):
    with clock.freeze(NOW):
        response = client(user).get(url, params)
    assert response.status_code == 200, response.content.decode()[:300]
    return {int(pk) for pk in CASE_LINK.findall(response.content.decode())}


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_the_overdue_list_keeps_to_the_node(late):
    c = late.cases
    everywhere = ids(overdue_cases(user=late.street, now=NOW))
    assert {c["F"].pk, c["J"].pk} <= everywhere and c["K"].pk not in everywhere
    r1 = listed(late.street, "/cases/overdue/", node="S-R1")
    assert r1 == ids(overdue_cases(user=late.street, now=NOW, under=[late.tree.r1.path]))
    assert c["F"].pk in r1 and c["J"].pk not in r1
    assert listed(late.street, "/cases/overdue/", node="S-R3") == {c["J"].pk}
    assert listed(late.street, "/cases/overdue/") == everywhere
    assert listed(late.street, "/cases/overdue/", node="S-R1", deadline="handle") <= r1
    with clock.freeze(NOW):
        body = client(late.street).get("/cases/overdue/", {"node": "S-R1"}).content.decode()
    assert "?deadline=dispatch&amp;node=S-R1" in body  # the step chips keep the place


def test_a_node_outside_the_scope_is_refused_like_an_unknown_one(late):
    with clock.freeze(NOW):
        outside = client(late.dispatcher).get("/cases/overdue/", {"node": "S-R3"})
        unknown = client(late.dispatcher).get("/cases/overdue/", {"node": "NOPE"})
        export = client(late.dispatcher).get("/cases/overdue/export.csv", {"node": "S-R3"})
    for response in (outside, unknown):
        assert response.status_code == 400 and "没有找到该位置" in response.content.decode()
    assert late.cases["J"].number not in outside.content.decode()
    assert export.status_code == 400 and late.cases["J"].number not in export.content.decode()


def test_the_export_holds_what_the_page_lists(late):
    with clock.freeze(NOW):
        response = client(late.street).get("/cases/overdue/export.csv", {"node": "S-R1"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert late.cases["F"].number in text and late.cases["J"].number not in text


def test_the_case_list_filters_overdue_and_due_soon(late):
    c = late.cases
    assert c["K"].dispatch_due is not None and NOW < c["K"].dispatch_due <= soon_until(NOW)
    overdue = listed(late.street, "/cases/", overdue="1")
    assert overdue == ids(overdue_cases(user=late.street, now=NOW))
    assert listed(late.street, "/cases/", overdue="1", node="S-R1") == listed(
        late.street, "/cases/overdue/", node="S-R1"
    )
    soon = listed(late.street, "/cases/", due_soon="1")
    assert c["K"].pk in soon and not soon & overdue
    with clock.freeze(NOW):
        tile = todos.count(late.street, todos.OVERDUE, NOW)
    assert tile == len(overdue)  # the home page's 超期 tile counts the same cases
    narrow = listed(late.dispatcher, "/cases/", overdue="1")  # the committee: its area only
    assert c["F"].pk in narrow and c["J"].pk not in narrow


def test_the_filter_form_carries_the_flags(late):
    with clock.freeze(NOW):
        response = client(late.street).post("/cases/", {"overdue": "1", "node": "S-R1"})
    assert response.status_code == 303 and "overdue=1" in response["Location"]
    assert "due_soon" not in response["Location"]
