"""Sensitive details of a care subject (visit notes, alert outcomes, away reasons) are shown only
to the posts that serve the subject and the auditor, and every showing is logged first."""

from gongzhi.care.models import CareSubject
from gongzhi.core import accesslog
from gongzhi.core.actors import Actor
from gongzhi.orgs import access

SUBJECT_MODEL = "care.caresubject"
PURPOSE = "关爱服务：查看探访情况"


def details_logged(user: Actor, subject: CareSubject, *, field: str) -> bool:
    """Whether `user` sees the subject's sensitive details; when so, the view is logged."""
    if not access.can_see_care_details(user, subject):
        return False
    accesslog.record(
        actor=user,
        subject_model=SUBJECT_MODEL,
        subject_id=subject.pk,
        subject_label=f"关爱对象 {subject.person.name}",
        field=field,
        purpose=PURPOSE,
    )
    return True
