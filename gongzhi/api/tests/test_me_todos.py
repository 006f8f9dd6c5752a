# ruff: noqa: F811 (world, mworld and busy, the imported fixtures, are each test's arguments)
"""GET /api/v1/me/todos over real HTTP: the caller's to-dos with the very counts and links of
the home page's tiles (reports.todos), in the caller's language; none for a role without any."""

import httpx
import pytest

from gongzhi.api import services as api_services
from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import UserFactory, make_staff
from gongzhi.web.tests.test_todos import busy, client_for, tiles  # noqa: F401 (the fixture)


@pytest.fixture(autouse=True)
def _frozen(live_server):
    with clock.freeze(NOW):
        yield


def todos_of(live_server, user, language: str = "zh-hans") -> httpx.Response:
    key = api_services.token_create(user=user, name="todos-test")[1]
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": language}
    return httpx.get(f"{live_server.url}/api/v1/me/todos", headers=headers, timeout=30)


def test_the_api_gives_the_home_pages_counts_and_links(live_server, mworld, busy):
    w, users = mworld.cases, mworld.users
    for user in (w.dispatcher, w.handler, users["secretary"], users["cg"]):
        response = todos_of(live_server, user)
        assert response.status_code == 200
        rows = response.json()
        home = tiles(client_for(user))
        assert [r["key"] for r in rows] == list(home)
        for row in rows:
            assert (str(row["count"]), row["url"]) == (home[row["key"]]["n"], home[row["key"]]["url"])
    dispatcher = {r["key"]: r for r in todos_of(live_server, w.dispatcher).json()}
    assert dispatcher["accept"] == {
        "key": "accept",
        "label": "待受理",
        "count": 2,
        "warn": False,
        "url": "/cases/queue/?state=received",
    }
    assert dispatcher["overdue"]["warn"] is True and dispatcher["overdue"]["count"] == 1
    english = {r["key"]: r["label"] for r in todos_of(live_server, w.dispatcher, "en").json()}
    assert english["accept"] == "Awaiting acceptance"


def test_no_to_dos_for_an_auditor_or_an_account_without_a_post(live_server, mworld):
    auditor = make_staff("auditor", PostRole.AUDITOR, mworld.tree.street)
    assert todos_of(live_server, auditor).json() == []
    assert todos_of(live_server, UserFactory(username="plain")).json() == []
    anonymous = httpx.get(f"{live_server.url}/api/v1/me/todos", timeout=30)
    assert anonymous.status_code == 401
