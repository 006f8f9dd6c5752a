"""案例说 from a done slip, and the day-before reminders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.meetings import services, slips, studies
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import CaseStudy, PartyRole, SlipState, Verdict
from gongzhi.meetings.slips import PartySpec, SlipDraft
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.meetings.tests.test_flow import close_case, hold, meeting_held, problem, topic_on_agenda


@pytest.fixture
def done_slip(mworld, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    users = mworld.users
    case = problem(mworld)
    topic = topic_on_agenda(mworld, case)
    services.topic_vet(actor=users["secretary"], topic=topic, approve=True)
    meeting = meeting_held(mworld)
    services.topic_schedule(actor=users["jwh"], topic=topic, meeting=meeting)
    hold(mworld, meeting)
    topic = services.topic_discuss(actor=users["jwh"], topic=topic, text="物业牵头清理")
    with clock.freeze(NOW + timedelta(days=2)):
        slip = slips.slip_create(
            actor=users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="清理楼道",
                due=date(2026, 12, 1),
                parties=[PartySpec(mworld.units["wy"], PartyRole.LEAD)],
                cases=[case],
            ),
        )
        slips.slip_issue(actor=users["jwh"], slip=slip)
        slips.slip_sign(actor=users["wy"], slip=slip, verdict=Verdict.AGREE, version=1)
    close_case(mworld, case)
    slips.slips_follow_up(NOW + timedelta(days=3))
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE
    return slip


def test_a_done_slip_becomes_a_case_study_told_at_the_street(mworld, done_slip):
    with pytest.raises(ValidationError):
        studies.case_study_create(
            actor=mworld.users["jwh"],
            slip=done_slip,
            title="楼道清爽了",
            story="经过",
            before_photo=SimpleUploadedFile("a.txt", b"not an image"),
            after_photo=photo(),
        )
    with pytest.raises(PermissionDeniedError):
        studies.case_study_create(
            actor=mworld.cases.outsider,
            slip=done_slip,
            title="x",
            story="y",
            before_photo=photo(),
            after_photo=photo(),
        )
    assert not CaseStudy.objects.exists()
    study = studies.case_study_create(
        actor=mworld.users["jwh"],
        slip=done_slip,
        title="楼道清爽了",
        story="居务会议定物业牵头……",
        before_photo=photo("before.jpg"),
        after_photo=photo("after.jpg"),
    )
    with pytest.raises(ConflictError):
        studies.case_study_create(
            actor=mworld.users["jwh"],
            slip=done_slip,
            title="again",
            story="y",
            before_photo=photo(),
            after_photo=photo(),
        )
    weekly = services.meeting_create(
        actor=mworld.cases.street,
        kind=MeetingKind.CASE_TALK,
        node=mworld.tree.street,
        starts_at=NOW + timedelta(days=5),
    )
    studies.case_study_tell(actor=mworld.cases.street, study=study, meeting=weekly)
    assert list(weekly.case_studies.all()) == [study]
    wrong = services.meeting_create(
        actor=mworld.users["jwh"],
        kind=MeetingKind.JUWUHUI,
        node=mworld.tree.r1,
        starts_at=NOW + timedelta(days=5),
    )
    with pytest.raises(ValidationError):
        studies.case_study_tell(actor=mworld.cases.street, study=study, meeting=wrong)


def test_a_slip_not_done_is_no_case_study(mworld, done_slip):
    done_slip.state = SlipState.BINDING
    done_slip.save()
    with pytest.raises(ConflictError):
        studies.case_study_create(
            actor=mworld.users["jwh"],
            slip=done_slip,
            title="x",
            story="y",
            before_photo=photo(),
            after_photo=photo(),
        )


def test_participants_are_reminded_once_the_day_before(mworld):
    with clock.freeze(NOW):
        meeting = services.meeting_create(
            actor=mworld.users["jwh"],
            kind=MeetingKind.JUWUHUI,
            node=mworld.tree.r1,
            starts_at=NOW + timedelta(hours=30),
        )
    assert studies.meetings_remind(NOW) == 0  # more than a day ahead
    assert studies.meetings_remind(NOW + timedelta(hours=8)) == 1
    assert studies.meetings_remind(NOW + timedelta(hours=9)) == 0  # once
    assert OutboxMessage.objects.filter(kind="meeting.reminder", recipient=mworld.users["mj"]).count() == 1
    assert meeting.events.filter(action="remind").count() == 1
