"""案例说: a problem solved through a meeting becomes a case study, with before/after photos
and its meeting record, told at the street's weekly meeting. And the day-before reminders
to a meeting's participants."""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.attachments import validate_files
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.meetings import notifications, workflow
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import CaseStudy, Meeting, MeetingState, Slip, SlipState
from gongzhi.meetings.services import _locked_meeting, actor_kinds, record


def case_study_create(
    *, actor: Actor, slip: Slip, title: str, story: str, before_photo: Any, after_photo: Any
) -> CaseStudy:
    """Only a done slip makes a case study: the problem is solved and the record shows how."""
    if workflow.CONVENER not in actor_kinds(actor, slip.node):
        raise PermissionDeniedError(_("您无权为该辖区整理案例"))
    if slip.state != SlipState.DONE:
        raise ConflictError(_("任务流转单办结后才能整理为案例"))
    if CaseStudy.objects.filter(slip=slip).exists():
        raise ConflictError(_("该任务流转单已整理为案例"))
    errors: dict[str, list[str]] = {}
    title, story = (title or "").strip(), (story or "").strip()
    if not title or len(title) > 120:
        errors["title"] = [_("请填写标题（不超过120字）")]
    if not story or len(story) > 8000:
        errors["story"] = [_("请填写经过（不超过8000字）")]
    if before_photo is None or after_photo is None:
        errors["files"] = [_("请上传整治前后照片各一张")]
    if errors:
        raise ValidationError(errors)
    validate_files([before_photo, after_photo])
    with transaction.atomic():
        study = CaseStudy(slip=slip, title=title, story=story, by=recorded(actor), at=clock.now())
        study.before_photo.save(before_photo.name, before_photo, save=False)
        study.after_photo.save(after_photo.name, after_photo, save=False)
        study.save()
        record(
            "case_study",
            actor=actor,
            slip=slip,
            meeting=slip.meeting,
            from_state=slip.state,
            data={"study": study.pk},
        )
    return study


def case_study_tell(*, actor: Actor, study: CaseStudy, meeting: Meeting) -> CaseStudy:
    """Put the case study on a street weekly meeting (案例说)."""
    if meeting.kind != MeetingKind.CASE_TALK:
        raise invalid("meeting", _("案例须在街道案例说例会上讲述"))
    if workflow.CONVENER not in actor_kinds(actor, meeting.node):
        raise PermissionDeniedError(_("您无权安排该例会"))
    if meeting.state == MeetingState.CANCELLED:
        raise invalid("meeting", _("该例会已取消"))
    with transaction.atomic():
        study.told_at = meeting
        study.save(update_fields=["told_at"])
        record("case_study", actor=actor, meeting=meeting, from_state=meeting.state, data={"study": study.pk})
    return study


def meetings_remind(now: datetime | None = None) -> int:
    """Participants of meetings starting within the next day are reminded once: under the
    meeting's row lock, checked again, so overlapping or redelivered runs remind once."""
    now = now or clock.now()
    soon = Meeting.objects.filter(
        state=MeetingState.PLANNED, starts_at__gt=now, starts_at__lte=now + timedelta(days=1)
    )
    count = 0
    for candidate in soon.exclude(events__action="remind"):
        with transaction.atomic():
            meeting = _locked_meeting(candidate)
            if meeting.state != MeetingState.PLANNED or meeting.events.filter(action="remind").exists():
                continue  # another run reminded it meanwhile
            record("remind", actor=None, meeting=meeting, from_state=meeting.state)
            outbox.enqueue_all(notifications.reminders(meeting))
            count += 1
    return count
