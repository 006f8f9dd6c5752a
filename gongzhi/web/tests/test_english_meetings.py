# ruff: noqa: F811 (mworld, the imported fixture, is each test's argument)
"""Meeting kinds (catalog) and the participants' posts (Post.title_en) in English on the
meeting pages; Chinese otherwise (issue 13 item 9)."""

import pytest
from django.test import Client

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings.models import Meeting
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.orgs.models import Post
from gongzhi.web.tests.test_english import english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with clock.freeze(NOW):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_meeting_pages_name_the_kind_and_the_posts_in_english(mworld):
    Post.objects.filter(code="POST-mj").update(title="片区民警", title_en="Neighbourhood police officer")
    jwh = client_for(mworld.users["jwh"])
    response = jwh.post(
        "/meetings/new/",
        {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-11-25T14:00", "place": "居委会议室"},
    )
    assert response.status_code == 303, response.content.decode()
    meeting = Meeting.objects.get()

    secretary = client_for(mworld.users["secretary"])
    english(secretary)
    page = secretary.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "<dd>Residential affairs meeting (居务会)</dd>" in page
    assert "Neighbourhood police officer" in page and "片区民警" not in page
    calendar = secretary.get("/meetings/", {"month": "2026-11"}).content.decode()
    assert "Residential affairs meeting (居务会) · " in calendar
    assert '<option value="block">Block-area working meeting</option>' in calendar
    assert '<option value="joint">Joint residential-area meeting</option>' in calendar
    assert "联合居务会" not in calendar and "块区工作会议" not in calendar

    chinese = client_for(mworld.users["secretary"]).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "<dd>居务会</dd>" in chinese and "片区民警" in chinese
    assert "Neighbourhood police officer" not in chinese
