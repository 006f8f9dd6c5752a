"""A person on a published rota finds their shift on the home page (web/common/personal.py),
one tap from check-in, whether they are a volunteer without a post or a property company's staff."""

from django.test import Client

from gongzhi.core import clock
from gongzhi.mobilisation.tests.conftest import T0
from gongzhi.mobilisation.tests.test_incident_flow import _on, planned


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    with clock.freeze(T0):
        return client.get("/").content.decode()


def test_the_people_on_the_rota_find_their_shifts_on_the_home_page(world):
    incident, _rota = planned(world)
    for post, hour in (("东门", 9), ("东门", 16), ("西门", 9), ("西门", 14)):
        assignment = _on(incident, post, hour)
        body = _home(assignment.person.user)
        assert "我的值守班次" in body and f"东安一村{post}" in body
        assert 'href="/mobilisation/mine/"' in body
    assert "我的值守班次" not in _home(world.users["committee"])  # not on the rota
