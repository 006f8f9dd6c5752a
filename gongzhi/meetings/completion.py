"""A task slip without cases finishes by report and confirmation: the lead unit (主办) reports
it done with evidence (a text and photos or PDFs) → 待确认; the Party organisation of its node
confirms (→ 已办结) or returns it with a reason (→ 已生效 again). A slip with cases finishes
with its last case instead (`slips.complete_on_case_finished`)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import attachments
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, invalid
from gongzhi.meetings import facts, notifications, workflow
from gongzhi.meetings.models import MeetingEvent, PartyRole, Slip, SlipEvidence, SlipState
from gongzhi.meetings.services import actor_kinds, check_step
from gongzhi.meetings.slips import _advance, _expect, _locked, signable_posts

MAX_FILES = 6
MAX_NOTE = 2000
PDF_MAGIC = b"%PDF-"


def is_lead(user: Actor, slip: Slip) -> bool:
    """Whether the user holds (or deputises) an active post in the slip's lead unit."""
    lead = slip.parties.filter(role=PartyRole.LEAD).values_list("unit_id", flat=True).first()
    return lead is not None and any(p.unit_id == lead for p in signable_posts(user, slip))


def slip_kinds(user: Actor, slip: Slip) -> set[str]:
    """Who the user is to this slip: the meeting's roles, the Party organisation of the slip's
    node or the meeting's, and LEAD for the lead unit's staff."""
    kinds = actor_kinds(user, slip.meeting.node, slip.meeting)
    kinds |= actor_kinds(user, slip.node, None) & {workflow.PARTY, workflow.CONVENER}
    if user is not None and is_lead(user, slip):
        kinds.add(workflow.LEAD)
    return kinds


def offerable(slip: Slip, actions: list[str]) -> list[str]:
    """The slip's actions the table allows, less a completion report on a slip with cases
    (the service refuses it: such a slip completes with its last case)."""
    if "submit_completion" in actions and slip.cases.exists():
        return [a for a in actions if a != "submit_completion"]
    return actions


def _is_pdf(upload: Any) -> bool:
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    return bool(head == PDF_MAGIC)


def validate_evidence(files: list[Any]) -> None:
    """At least one file, at most MAX_FILES: photos as cases accept them (type from the header,
    size and pixel caps), or PDF documents within the same size cap."""
    if not files:
        raise invalid("files", _("请上传办结佐证（照片或PDF文件）"))
    if len(files) > MAX_FILES:
        raise invalid("files", _("最多上传%(n)d个文件") % {"n": MAX_FILES})
    errors: list[str] = []
    images = []
    for upload in files:
        if upload.size > attachments.max_bytes():
            errors.append(
                _("%(name)s 超过 %(mb)d MB")
                % {"name": getattr(upload, "name", ""), "mb": attachments.max_bytes() // (1024 * 1024)}
            )
        elif not _is_pdf(upload):
            images.append(upload)
    try:
        attachments.validate_files(images)
    except ValidationError as exc:
        errors += exc.message_dict.get("files", [])
    if errors:
        raise ValidationError({"files": errors})


def _store(event: MeetingEvent, files: list[Any]) -> None:
    for upload in files:
        name = (getattr(upload, "name", "") or "file")[-120:]
        image_type = None if _is_pdf(upload) else attachments.image_content_type(upload)
        evidence = SlipEvidence(
            event=event, name=name, content_type=image_type or "application/pdf", size=upload.size
        )
        evidence.file.save(name, upload, save=False)
        if image_type:
            evidence.thumbnail.save(f"thumb_{name}.jpg", attachments.thumbnail(upload), save=False)
        evidence.save()


def slip_submit_completion(
    *, actor: Actor, slip: Slip, note: str, files: list[Any], seq: int | None = None
) -> Slip:
    """The lead unit reports a binding slip without cases done, with evidence → 待确认."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = check_step(
            workflow.SLIP, slip.state, "submit_completion", slip_kinds(actor, slip), _("任务流转单")
        )
        if slip.cases.exists():
            raise ConflictError(_("该任务流转单有关联工单，工单全部办结时自动办结，无须报告"))
        text = (note or "").strip()
        if not text:
            raise invalid("note", _("请说明办理情况"))
        if len(text) > MAX_NOTE:
            raise invalid("note", _("办理情况不能超过%(n)d字") % {"n": MAX_NOTE})
        validate_evidence(files)
        event = _advance(slip, "submit_completion", actor, rule, note=text, files=len(files))
        _store(event, files)
        outbox.enqueue_all(notifications.completion_submitted(slip))
    return slip


def slip_confirm_completion(*, actor: Actor, slip: Slip, note: str = "", seq: int | None = None) -> Slip:
    """The Party organisation confirms the lead unit's report: the slip is done."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = check_step(
            workflow.SLIP, slip.state, "confirm_completion", slip_kinds(actor, slip), _("任务流转单")
        )
        if len((note or "").strip()) > 500:
            raise invalid("note", _("说明不能超过500字"))
        slip.done_at = clock.now()
        _advance(slip, "confirm_completion", actor, rule, note=(note or "").strip())
        outbox.enqueue_all(notifications.completion_confirmed(slip))
        facts.announce_slip(slip)  # points for the bound units' post-holders (community)
    return slip


def slip_return_completion(*, actor: Actor, slip: Slip, note: str, seq: int | None = None) -> Slip:
    """The Party organisation returns the report with a reason: the slip is binding again."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = check_step(
            workflow.SLIP, slip.state, "return_completion", slip_kinds(actor, slip), _("任务流转单")
        )
        reason = (note or "").strip()
        if not reason:
            raise invalid("note", _("退回须说明理由"))
        if len(reason) > 500:
            raise invalid("note", _("理由不能超过500字"))
        _advance(slip, "return_completion", actor, rule, note=reason)
        outbox.enqueue_all(notifications.completion_returned(slip))
    return slip


def latest_report(slip: Slip) -> MeetingEvent | None:
    """The lead unit's latest completion report, with its evidence (None before any)."""
    return (
        slip.events.filter(action="submit_completion")
        .select_related("actor__person")
        .prefetch_related("evidence")
        .order_by("-id")
        .first()
    )


def awaiting(slip: Slip) -> bool:
    return slip.state == SlipState.CONFIRMING
