"""案例说 pages: a done slip becomes a case study, its photos are scoped, the street's weekly
case-talk meeting lists it."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.cases.tests.conftest import world  # noqa: F401 (fixture)
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.meetings import services
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import CaseStudy
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (fixture)
from gongzhi.meetings.tests.test_studies import done_slip  # noqa: F401 (fixture)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_case_study_from_the_slip_page_to_the_weekly_meeting(mworld, done_slip):  # noqa: F811
    jwh = client_for(mworld.users["jwh"])
    assert "整理为案例" in jwh.get(f"/meetings/slips/{done_slip.pk}/").content.decode()
    bad = jwh.post(
        f"/meetings/slips/{done_slip.pk}/study/",
        {
            "title": "楼道清爽了",
            "story": "经过",
            "before_photo": SimpleUploadedFile("a.txt", b"x"),
            "after_photo": photo(),
        },
    )
    assert bad.status_code == 400 and "不是图片" in bad.content.decode()
    assert not CaseStudy.objects.exists()
    made = jwh.post(
        f"/meetings/slips/{done_slip.pk}/study/",
        {
            "title": "楼道清爽了",
            "story": "居务会议定物业牵头",
            "before_photo": photo("b.jpg"),
            "after_photo": photo("a.jpg"),
        },
    )
    assert made.status_code == 302
    study = CaseStudy.objects.get()
    page = jwh.get("/meetings/studies/").content.decode()
    assert "楼道清爽了" in page and done_slip.number in page
    assert jwh.get(f"/meetings/studies/{study.pk}/before.jpg").status_code == 200
    assert (
        client_for(mworld.cases.outsider).get(f"/meetings/studies/{study.pk}/before.jpg").status_code == 404
    )
    assert "整理为案例" not in jwh.get(f"/meetings/slips/{done_slip.pk}/").content.decode()

    street = client_for(mworld.cases.street)
    weekly = services.meeting_create(
        actor=mworld.cases.street,
        kind=MeetingKind.CASE_TALK,
        node=mworld.tree.street,
        starts_at=NOW + timedelta(days=5),
    )
    told = street.post(f"/meetings/studies/{study.pk}/tell/", {"meeting": weekly.pk})
    assert told.status_code == 302
    assert "楼道清爽了" in street.get(f"/meetings/{weekly.pk}/").content.decode()
    assert street.post(f"/meetings/studies/{study.pk}/tell/", {"meeting": "x"}).status_code == 400
