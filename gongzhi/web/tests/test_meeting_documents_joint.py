# ruff: noqa: F811 (mworld, jworld and world, the imported fixtures, are the tests' arguments)
"""Through the real URLs: a 联合居务会 on the joined area's pages (calendar, decisions, public
board), the meeting page's figures per seat group, and every document link on the meeting and
slip pages answering its file, for each reader who sees the link."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings import documents, services
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.meetings.tests.test_joint import bound_joint_slip, joint_meeting, jworld  # noqa: F401

DOC_LINK = re.compile(r'href="(/(?:meetings|reports)/[^"]+\.(?:docx|pdf|xlsx))"')
TYPES = {
    "docx": documents.DOCX_TYPE,
    "pdf": documents.PDF_TYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture(autouse=True)
def _frozen():
    with clock.freeze(NOW + timedelta(days=3)):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def doc_links(html: str) -> list[str]:
    return sorted(set(DOC_LINK.findall(html)))


def follow(client: Client, links: list[str]) -> None:
    """Each link answers 200 with its file's content type (PDF only where WeasyPrint loads)."""
    for url in links:
        ext = url.rsplit(".", 1)[1]
        if ext == "pdf" and not documents.pdf_available():
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == TYPES[ext], url
        assert response["Content-Disposition"].startswith("attachment;"), url


def test_the_joint_meeting_and_its_decisions_on_the_joined_area_pages(jworld):
    meeting, topic, slip = bound_joint_slip(jworld)
    neighbour = client_for(jworld.users["r2sec"])
    calendar = neighbour.get("/meetings/", {"node": "S-R2", "month": "2026-11"})
    assert calendar.status_code == 200 and f"/meetings/{meeting.pk}/" in calendar.content.decode()
    decisions = neighbour.get("/meetings/slips/", {"node": "S-R2"})
    assert decisions.status_code == 200 and slip.number in decisions.content.decode()
    topics = neighbour.get("/meetings/topics/", {"node": "S-R2"})
    assert topics.status_code == 200 and topic.title in topics.content.decode()
    page = neighbour.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "代表：东安居民区、西岸居民区" in page  # the officer serving both areas, invited once
    assert neighbour.get(f"/meetings/slips/{slip.pk}/").status_code == 200
    board = Client().get("/public/decisions/").content.decode()
    assert "东安居民区、西岸居民区" in board
    outsider = client_for(jworld.cases.outsider)
    assert outsider.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert outsider.get(f"/meetings/slips/{slip.pk}/").status_code == 404
    assert slip.number not in outsider.get("/meetings/slips/").content.decode()


def test_the_meeting_page_figures_add_up_party_first_x_named(jworld):
    meeting = joint_meeting(jworld)
    rows = list(meeting.participants.order_by("pk"))
    marks = {p.pk: (Attendance.PRESENT, "") for p in rows[:4]}
    marks[rows[4].pk] = (Attendance.DELEGATE, "王副主任")
    marks[rows[5].pk] = (Attendance.ABSENT, "")
    services.meeting_invite(actor=jworld.users["jwh"], meeting=meeting, guests=["律师老周"])
    services.attendance_record(actor=jworld.users["jwh"], meeting=meeting, marks=marks)
    response = client_for(jworld.users["jwh"]).get(f"/meetings/{meeting.pk}/")
    roll = response.context["roll"]
    assert [g.label for g in roll.groups] == ["党组织", "固定席位", "列席（X）"]
    for g in roll.groups:
        f = g.figures
        assert f.invited == f.present + f.delegate + f.absent + f.unmarked
    total = roll.total
    assert (total.invited, total.came, total.present, total.delegate, total.absent) == (12, 5, 4, 1, 1)
    html = response.content.decode()
    total_row = re.search(r'<tr class="roll-total">(.*?)</tr>', html).group(1)
    assert re.findall(r"<th>(\d+)</th>", total_row) == ["12", "5", "4", "1", "1", "6"]
    assert "列席（X）：律师老周" in html
    first = html.index('id="seat-group-party"')
    assert first < html.index('id="seat-group-standing"') < html.index('id="seat-group-x"')


def test_every_document_link_on_the_meeting_and_slip_pages_downloads(jworld):
    meeting, _topic, slip = bound_joint_slip(jworld)
    services.minutes_write(actor=jworld.users["jwh"], meeting=meeting, text="两个居民区共同整治。")
    expected = {
        f"/meetings/{meeting.pk}/signin.docx",
        f"/meetings/{meeting.pk}/signin.pdf",
        f"/meetings/{meeting.pk}/minutes.docx",
        f"/meetings/{meeting.pk}/minutes.pdf",
        f"/meetings/slips/{slip.pk}.docx",
        f"/meetings/slips/{slip.pk}.pdf",
    }
    for username in ("jwh", "secretary", "r2sec", "mj", "cg", "wy"):
        client = client_for(jworld.users[username])
        meeting_page = client.get(f"/meetings/{meeting.pk}/")
        assert meeting_page.status_code == 200, username
        links = doc_links(meeting_page.content.decode())
        assert set(links) == expected, username
        follow(client, links)
        slip_links = doc_links(client.get(f"/meetings/slips/{slip.pk}/").content.decode())
        # the same six links, each just downloaded by this user (rendering them twice, PDFs
        # included, was half of this test's time and proved nothing more)
        assert set(slip_links) == expected == set(links), username


def test_a_slip_reader_who_cannot_open_the_meeting_gets_only_the_slip(jworld):
    """A unit named on a slip follows it without being at the meeting: the slip page offers the
    slip's files and no meeting file that would answer 404."""
    from gongzhi.meetings.models import Participant

    meeting, _topic, slip = bound_joint_slip(jworld)
    Participant.objects.filter(meeting=meeting, person__user=jworld.users["wy"]).delete()
    client = client_for(jworld.users["wy"])
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    links = doc_links(client.get(f"/meetings/slips/{slip.pk}/").content.decode())
    assert links == [f"/meetings/slips/{slip.pk}.docx", f"/meetings/slips/{slip.pk}.pdf"]
    follow(client, links)


def test_a_planned_meeting_offers_the_sign_in_sheet_but_no_minutes(jworld):
    meeting = joint_meeting(jworld)
    client = client_for(jworld.users["jwh"])
    links = doc_links(client.get(f"/meetings/{meeting.pk}/").content.decode())
    assert links == [f"/meetings/{meeting.pk}/signin.docx", f"/meetings/{meeting.pk}/signin.pdf"]
    follow(client, links)
