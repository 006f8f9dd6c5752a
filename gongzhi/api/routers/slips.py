"""/api/v1/meetings/slips/{id}/completion…: a task slip without cases is reported done by its
lead unit with evidence (multipart: note + files), then confirmed or returned by the Party
organisation. A slip with cases completes with its last case and needs none of this.

Every write goes through gongzhi.meetings.completion; the slip is found through
meetings.selectors (out of scope answers 404 like a missing one); the answers are the slip's
detail as /api/v1/meetings/slips/{id} gives it.
"""

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Path, Router, Schema
from ninja.files import UploadedFile

from gongzhi.api.routers.meetings import SeqIn, SlipDetailOut, SlipId, _scoped_slip, _slip_detail
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.meetings import completion
from gongzhi.meetings.models import SlipEvidence

router = Router(tags=["任务流转单办结"])


class CompletionIn(Schema):
    note: str = Field(..., max_length=4000, description="办理情况")
    seq: int | None = Field(None, ge=0, le=MAX_ID, description="读取时的 seq（乐观锁）")


class ConfirmIn(SeqIn):
    note: str = Field("", max_length=500)


class ReturnIn(SeqIn):
    note: str = Field(..., max_length=500, description="退回理由")


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str
    thumbnail_url: str | None


class CompletionOut(Schema):
    state: str = Field(..., description="任务流转单当前状态")
    awaiting_confirmation: bool
    note: str | None
    reported_by: str | None
    reported_at: datetime | None
    evidence: list[EvidenceOut]


def _evidence_out(e: SlipEvidence) -> dict[str, Any]:
    url = f"/api/v1/meetings/slips/evidence/{e.pk}"
    return {
        "id": e.pk,
        "name": e.name,
        "content_type": e.content_type,
        "size": e.size,
        "url": url,
        "thumbnail_url": f"{url}?thumbnail=true" if e.thumbnail else None,
    }


@router.get("/slips/evidence/{evidence_id}", summary="下载办结佐证", response={200: None})
def evidence_file(
    request: HttpRequest, evidence_id: int = Path(..., ge=1, le=MAX_ID), thumbnail: bool = False
) -> FileResponse:
    evidence = found(SlipEvidence.objects.select_related("event").filter(pk=evidence_id).first())
    _scoped_slip(caller(request), evidence.event.slip_id or 0)
    stored = evidence.thumbnail if thumbnail and evidence.thumbnail else evidence.file
    content_type = "image/jpeg" if stored is evidence.thumbnail else evidence.content_type
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/slips/{slip_id}/completion", response=CompletionOut, summary="办结报告（主办单位的说明与佐证）")
def completion_report(request: HttpRequest, slip_id: int = SlipId) -> dict[str, Any]:
    slip = _scoped_slip(caller(request), slip_id)
    report = completion.latest_report(slip)
    person = getattr(report.actor, "person", None) if report is not None and report.actor else None
    return {
        "state": slip.state,
        "awaiting_confirmation": completion.awaiting(slip),
        "note": report.note if report else None,
        "reported_by": person.name if person is not None else None,
        "reported_at": report.at if report else None,
        "evidence": [_evidence_out(e) for e in report.evidence.all()] if report else [],
    }


@router.post("/slips/{slip_id}/completion", response=SlipDetailOut, summary="主办单位报告办结（附佐证）")
def completion_submit(
    request: HttpRequest,
    payload: Form[CompletionIn],
    files: File[list[UploadedFile]],
    slip_id: int = SlipId,
) -> dict[str, Any]:
    """Multipart: `note`, `seq` and one to six `files` (JPEG, PNG, WebP or PDF). Only for a
    binding slip without cases (409 otherwise); 403 for anyone outside the lead unit."""
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    completion.slip_submit_completion(
        actor=user, slip=slip, note=payload.note, files=list(files), seq=payload.seq
    )
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/completion/confirm", response=SlipDetailOut, summary="党组织确认办结")
def completion_confirm(request: HttpRequest, payload: ConfirmIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    completion.slip_confirm_completion(actor=user, slip=slip, note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/completion/return", response=SlipDetailOut, summary="党组织退回办结报告")
def completion_return(request: HttpRequest, payload: ReturnIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = _scoped_slip(user, slip_id)
    completion.slip_return_completion(actor=user, slip=slip, note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)
