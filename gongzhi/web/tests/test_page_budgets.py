"""Statement budgets of the pages everyone opens all day (issue 17's targets, ADR 0045): what
each page may ask the database once the process's reference snapshot is warm. A page that
starts reading something again per request (a category, the user's posts, a permission) fails
here rather than in a load test. Every page pays the session, the user, the reference stamp
and the unread count (the session comes from Redis in production, settings.SESSION_ENGINE)."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.orgs import figures
from gongzhi.orgs.models import Category, NodeFigure, Person
from gongzhi.reports import tasks
from gongzhi.testing.factories import PersonFactory
from gongzhi.web.tests.conftest import born

pytestmark = pytest.mark.django_db

EVERY_PAGE = 4  # session, user, reference stamp, unread count
BUDGETS = {
    "my cases": ("committee", "/cases/mine/", EVERY_PAGE + 2),  # count, page
    "dispatch queue": ("committee", "/cases/queue/", EVERY_PAGE + 3),  # 待受理, count, page
    "case list": ("street", "/cases/?state=received", EVERY_PAGE + 2),  # count, page (places: the snapshot)
}


def reading(sqls: list[str], table: str) -> list[str]:
    """The statements whose main table is `table` (a join to it is not a read of its own)."""
    return [s for s in sqls if (m := re.search(r'FROM "(\w+)"', s)) and m.group(1) == table]


def statements(client: Any, url: str) -> list[str]:
    client.get(url)  # warm: the reference snapshot, the scope
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


def new_case(world: Any, text: str) -> Any:
    intake = case_services.Intake(
        node=world.tree.b1, text=text, source=Source.HOTLINE, category=Category.objects.get(code="LD01")
    )
    return case_services.case_create(actor=None, intake=intake)


@pytest.fixture
def cases(world: Any) -> None:
    for i in range(3):
        new_case(world, f"{i}号楼楼道堆物")


@pytest.mark.parametrize("page", list(BUDGETS))
def test_list_pages_keep_their_budget(page, as_role, cases):
    role, url, budget = BUDGETS[page]
    client, _user = as_role(role)
    sqls = statements(client, url)
    assert len(sqls) <= budget, "\n".join(sqls)
    for table in ("orgs_category", "auth_permission", "orgs_post", "orgs_person", "geo_node"):
        assert not reading(sqls, table), table


def test_case_page_reads_its_case_once(as_role, world):
    client, _user = as_role("committee")
    pk = new_case(world, "楼道堆放纸箱").pk
    sqls = statements(client, f"/cases/{pk}/")
    # the case, its events (3), attachments, 协办 posts, merged reports, the care alert
    assert len(sqls) <= EVERY_PAGE + 8, "\n".join(sqls)
    # the category, its 大类 and policy, the post's place and holder come with the case
    assert not reading(sqls, "orgs_category") and not reading(sqls, "cases_categorypolicy")
    assert not reading(sqls, "orgs_person")
    assert len([s for s in reading(sqls, "orgs_post") if 'JOIN "cases_case_assisting_posts"' in s]) == 1


def test_the_header_and_menu_ask_nothing_per_page_and_follow_changes(as_role):
    client, user = as_role("committee")
    sqls = statements(client, "/inbox/")
    assert not reading(sqls, "auth_permission") and not reading(sqls, "orgs_person")
    assert "/city/" not in client.get("/inbox/").content.decode()
    # a grant and a rename show on the next page: both move the reference stamp
    user.user_permissions.add(Permission.objects.get(codename="view_city", content_type__app_label="city"))
    Person.objects.filter(user=user).update(name="新名字")
    body = client.get("/inbox/").content.decode()
    assert "/city/" in body and "新名字" in body


def test_home_figures_are_kept_per_node_and_follow_the_rollup(as_role, world):
    client, _user = as_role("committee")
    first = statements(client, "/")  # the first view counted R1 and kept it; this one reads it
    assert not reading(first, "orgs_person")  # the residents by age
    assert not [s for s in reading(first, "geo_node") if "GROUP BY" in s]  # the descendants by level
    card = card_of(client.get("/"), "S-R1")
    assert (card.residents, card.aged_80) == (5, 3)
    PersonFactory(name="新居民", home=world.tree.h1, birth_date=born(90))
    assert card_of(client.get("/"), "S-R1").residents == 5  # as of the last count
    tasks.rollup_refresh()  # the scheduled rollup counts every kept node again
    card = card_of(client.get("/"), "S-R1")
    assert (card.residents, card.aged_80) == (6, 4)
    # a count of another day is not served: the ages move with the date
    NodeFigure.objects.update(counted_on=date(2020, 1, 1), residents=999)
    assert card_of(client.get("/"), "S-R1").residents == 6


def card_of(response: Any, code: str) -> Any:
    return next(c["figures"] for c in response.context["cards"] if c["node"].code == code)


def test_figures_below_the_area_are_counted_again_after_a_while(as_role, world):
    client, _user = as_role("grid")
    assert card_of(client.get("/"), "S-R1-G1").residents == 4
    PersonFactory(name="新居民", home=world.tree.h1, birth_date=born(40))
    assert card_of(client.get("/"), "S-R1-G1").residents == 4  # kept
    tasks.rollup_refresh()  # the rollup leaves the grid's row alone: a count on view is cheap
    assert card_of(client.get("/"), "S-R1-G1").residents == 4
    with clock.freeze(clock.now() + figures.KEEP_BELOW_AREA + timedelta(minutes=1)):
        assert card_of(client.get("/"), "S-R1-G1").residents == 5
