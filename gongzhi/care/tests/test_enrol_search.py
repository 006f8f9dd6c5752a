"""Enrolment beyond the suggestions: the committee finds a resident by name on the enrolment
page (and the API's candidates by `name`), scoped to the people it may see under its MANAGE_CARE
subtrees and leaving out those enrolled; a number never rides in the URL (400); a person's page
offers 纳入关爱 to MANAGE_CARE holders and links an enrolled person to the subject's page."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from django.test import Client

from gongzhi.care.tests.conftest import CareWorld, build_world
from gongzhi.care.tests.test_api_subjects import Api
from gongzhi.geo.levels import Level
from gongzhi.testing.factories import PASSWORD, PersonFactory, node


def web(world: CareWorld, who: str) -> Client:
    client = Client()
    assert client.login(username=world.users[who].username, password=PASSWORD)
    return client


def residents(world: CareWorld) -> dict[str, Any]:
    """李老伯 (70, living with family: never suggested) in 张阿婆's building, 李阿姨 in another
    area (R3), 李先生 without a registered home."""
    estate = node("S-R3-E1", "南丹一村", Level.ESTATE, world.tree.r3)
    building = node("S-R3-B1", "南丹一村1号楼", Level.BUILDING, estate)
    flat = node("S-R3-H101", "南丹一村1号楼101室", Level.HOUSEHOLD, building)
    return {
        "li": PersonFactory(
            name="李老伯", home=world.tree.h1, birth_date=date(1956, 1, 1), lives_alone=False
        ),
        "r3": PersonFactory(name="李阿姨", home=flat, birth_date=date(1940, 1, 1), lives_alone=True),
        "homeless": PersonFactory(name="李先生", home=None),
    }


@pytest.mark.django_db
def test_the_committee_finds_a_resident_the_suggestions_leave_out(world):
    people = residents(world)
    committee = web(world, "committee")
    page = committee.get("/care/enrol/", {"q": "李"})
    text = page.content.decode()
    assert page.status_code == 200
    assert f'id="found-{people["li"].pk}"' in text and f"/care/enrol/{people['li'].pk}/" in text
    assert "李阿姨" not in text and "李先生" not in text  # another area's; no home to watch
    assert f'id="candidate-{people["li"].pk}"' not in text  # not a suggestion: found by name only
    enrolled = committee.get("/care/enrol/", {"q": "张阿婆"}).content.decode()
    assert f'id="found-{world.subject.person.pk}"' not in enrolled
    refused = committee.get("/care/enrol/", {"q": "13912345678"})
    assert refused.status_code == 400 and "found-" not in refused.content.decode()
    assert 'value="13912345678"' not in refused.content.decode()  # not put back into the form
    assert web(world, "grid").get("/care/enrol/", {"q": "李"}).status_code == 403


@pytest.mark.django_db
def test_the_person_page_offers_enrolment_or_the_subject(world):
    people = residents(world)
    li, zhang = people["li"], world.subject.person
    committee = web(world, "committee")
    page = committee.get(f"/people/{li.pk}/").content.decode()
    assert f'href="/care/enrol/{li.pk}/"' in page and "纳入关爱" in page
    page = committee.get(f"/people/{zhang.pk}/").content.decode()
    assert f'href="/care/subjects/{world.subject.pk}/"' in page and "纳入关爱" not in page
    grid = web(world, "grid")
    assert f'href="/care/subjects/{world.subject.pk}/"' in grid.get(f"/people/{zhang.pk}/").content.decode()
    assert "person-care" not in grid.get(f"/people/{li.pk}/").content.decode()  # no MANAGE_CARE


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[Api]:
    world = build_world()
    residents(world)
    with httpx.Client(base_url=f"{live_server.url}/api/v1/care", timeout=30) as client:
        yield Api(client, world)


def test_the_api_finds_candidates_by_name(api):
    found = api("GET", "/candidates", "committee", params={"name": "李"})
    assert [(c["name"], c["kind"]) for c in found.json()] == [("李老伯", "")]
    assert api("GET", "/candidates", "committee", params={"name": "138 1234 5678"}).status_code == 400
    assert api("GET", "/candidates", "grid", params={"name": "李"}).json() == []
    assert api("GET", "/candidates", "committee", params={"name": "x" * 31}).status_code == 422
