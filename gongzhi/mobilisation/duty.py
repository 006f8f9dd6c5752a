"""On duty: check in and out of a shift (docs/mobilisation.md "On duty"). Only the person
assigned does it, and only near the shift's time: from an hour before it starts until it ends
(a check-in further off is refused, writing nothing)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.mobilisation.choices import AssignmentState, IncidentState
from gongzhi.mobilisation.models import Assignment
from gongzhi.orgs import access

EARLY = timedelta(hours=1)


def _mine(actor: Actor, assignment: Assignment) -> None:
    if access.scope(actor).person_id != assignment.person_id:
        raise PermissionDeniedError(_("只能为自己的班次签到签退"))


def check_in(*, actor: Actor, assignment: Assignment) -> Assignment:
    _mine(actor, assignment)
    now = clock.now()
    shift = assignment.shift
    if now < shift.starts_at - EARLY or now > shift.ends_at:
        raise invalid("at", _("签到须在班次开始前1小时内至班次结束前"))
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update()
            .select_related("shift__post__incident")
            .get(pk=assignment.pk)
        )
        if locked.shift.post.incident.state != IncidentState.ACTIVE:
            raise ConflictError(_("该动员已结束"))
        if locked.state != AssignmentState.ASSIGNED:
            raise ConflictError(_("该班次已签到或已不在排班中"))
        locked.state, locked.checked_in_at = AssignmentState.CHECKED_IN, now
        locked.save(update_fields=["state", "checked_in_at"])
    return locked


def check_out(*, actor: Actor, assignment: Assignment) -> Assignment:
    _mine(actor, assignment)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.state != AssignmentState.CHECKED_IN:
            raise ConflictError(_("尚未签到，不能签退"))
        locked.state, locked.checked_out_at = AssignmentState.CHECKED_OUT, clock.now()
        locked.save(update_fields=["state", "checked_out_at"])
    return locked


def served_hours(assignment: Assignment) -> Decimal:
    """Hours on duty within the shift: from the later of check-in and the start to the earlier
    of check-out and the end, to a tenth of an hour (arriving early or staying late is not
    counted: the shift is the duty)."""
    a = assignment
    if a.checked_in_at is None or a.checked_out_at is None:
        return Decimal(0)
    start = max(a.checked_in_at, a.shift.starts_at)
    end = min(a.checked_out_at, a.shift.ends_at)
    seconds = max((end - start).total_seconds(), 0)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))
