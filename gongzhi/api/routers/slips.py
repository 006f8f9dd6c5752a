"""/api/v1/meetings/slips: 任务流转单 — a decision of a meeting turned into a task slip: drafted
from a topic, issued for countersignature (会签) by the units it names, revised, linked to cases,
voided or evaluated; and, for a binding slip without cases, its completion report: the lead unit
reports it done with evidence (multipart: note + files), the Party organisation confirms or
returns it. A slip with cases completes with its last case and needs none of that.

Every write goes through gongzhi.meetings.slips or gongzhi.meetings.completion; every read
through meetings.selectors (out of scope answers 404 like a missing one). Shapes are in
slip_schemas.py. Two routers, registered before the meetings router (its /{meeting_id} would
take /slips), the completion one first (as it was: /slips/evidence/{id} is its own); the slip
routes keep the operation ids they had in the meetings router.
"""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from gongzhi.api.pagination import Page
from gongzhi.api.routers.meetings_common import (
    MEETINGS_OPERATION_IDS,
    KeptIdsRouter,
    Listing,
    MeetingEventOut,
    MeetingNoteIn,
    SlipId,
    body_cases,
    body_meeting,
    body_node,
    event_out,
    offered,
    scoped_slip,
    today,
)
from gongzhi.api.routers.slip_schemas import (
    CompletionIn,
    CompletionOut,
    ConfirmIn,
    EvaluateIn,
    LinkCaseIn,
    ReturnIn,
    SeqIn,
    SignIn,
    SlipContentIn,
    SlipCreateIn,
    SlipDetailOut,
    SlipEditIn,
    SlipFilters,
    SlipOut,
    SlipReviseIn,
)
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.cases import selectors as case_selectors
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.meetings import completion, selectors, slips, workflow
from gongzhi.meetings.models import Evaluation, PartyRole, Slip, SlipEvidence
from gongzhi.orgs.models import Category, Post, Unit

router = KeptIdsRouter(ids_from=MEETINGS_OPERATION_IDS, tags=["meetings"])
completion_router = Router(tags=["任务流转单办结"])


# --- output -------------------------------------------------------------------------------------


def _overdue(slip: Slip) -> bool:
    return slip.state in selectors.OPEN_SLIP_STATES and slip.due < today()


def _lead_first(parties: Any) -> list[Any]:
    """主办 before 协办 (the model's ordering sorts the role codes alphabetically)."""
    return sorted(parties, key=lambda p: (p.role != PartyRole.LEAD, p.pk))


def _party_out(party: Any, verdicts: dict[int, str] | None = None) -> dict[str, Any]:
    return {
        "unit": party.unit.code,
        "unit_name": party.unit.name,
        "role": party.role,
        "role_name": str(party.get_role_display()),
        "post": party.post.code if party.post else None,
        "task": party.task,
        "verdict": (verdicts or {}).get(party.unit_id),
    }


def slip_out(slip: Slip) -> dict[str, Any]:
    """A list row; `case_total` and `case_done` come annotated by selectors.slip_list."""
    return {
        "id": slip.pk,
        "number": slip.number,
        "state": slip.state,
        "state_name": str(slip.get_state_display()),
        "node": slip.node.code,
        "node_name": slip.node.name,
        "meeting": slip.meeting_id,
        "topic": slip.topic_id,
        "action": slip.action,
        "due": slip.due,
        "overdue": _overdue(slip),
        "version": slip.version,
        "seq": slip.seq,
        "parties": [_party_out(p) for p in _lead_first(slip.parties.all())],
        "cases_total": getattr(slip, "case_total", 0),
        "cases_closed": getattr(slip, "case_done", 0),
    }


def _slip_kinds(user: Actor, slip: Slip) -> set[str]:
    kinds = completion.slip_kinds(user, slip)  # the meeting's roles, the Party organisation, LEAD
    signed = {s.unit_id for s in slips.valid_signatures(slip)}
    if any(p.unit_id not in signed for p in slips.signable_posts(user, slip)):
        kinds.add(workflow.SIGNER)
    kinds.discard(workflow.SYSTEM)
    return kinds


def slip_detail_out(slip: Slip, user: Actor) -> dict[str, Any]:
    parties = _lead_first(slip.parties.select_related("unit", "post"))
    current = slips.valid_signatures(slip)
    verdicts = {s.unit_id: s.verdict for s in current}
    progress = selectors.slip_progress(slip)
    return {
        **slip_out(slip),
        "parties": [_party_out(p, verdicts) for p in parties],
        "cases_total": progress.total,
        "cases_closed": progress.closed,
        "cases": [c.pk for c in selectors.visible_linked(user=user, owner=slip)],
        "new_cases": slips.slip_new_cases(slip),
        "content_hash": slips.content_hash(slip),
        "unsigned_units": [p.unit.code for p in parties if p.unit_id not in verdicts],
        "progress": {
            "total": progress.total,
            "closed": progress.closed,
            "finished": progress.finished,
            "percent": progress.percent,
        },
        "signatures": [
            {
                "id": row.signature.pk,
                "unit": row.signature.unit.code,
                "unit_name": row.signature.unit.name,
                "signer_name": row.signature.signer_name,
                "signer_post": row.signature.signer_post.code,
                "verdict": row.signature.verdict,
                "verdict_name": str(row.signature.get_verdict_display()),
                "reason": row.signature.reason,
                "slip_version": row.signature.slip_version,
                "current": row.current,
                "content_hash": row.signature.content_hash,
                "at": row.signature.at,
            }
            for row in selectors.signature_table(slip)
        ],
        "evaluations": [_evaluation_out(e) for e in selectors.evaluations(slip)],
        "created_at": slip.created_at,
        "bound_at": slip.bound_at,
        "done_at": slip.done_at,
        "allowed_actions": completion.offerable(
            slip, offered(workflow.SLIP, slip.state, _slip_kinds(user, slip))
        ),
    }


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "source": e.source,
        "source_name": str(e.get_source_display()),
        "rating": e.rating,
        "rating_name": str(e.get_rating_display()),
        "votes": e.votes,
        "meeting": e.meeting_id,
        "note": e.note,
        "at": e.at,
    }


def _slip_detail(user: Actor, slip_id: int) -> dict[str, Any]:
    return slip_detail_out(scoped_slip(user, slip_id), user)


def _draft(user: Actor, payload: SlipContentIn) -> slips.SlipDraft:
    """Resolve the codes and ids of a slip body; unknown ones are 422 on their field."""
    units = {u.code: u for u in Unit.objects.filter(code__in={p.unit for p in payload.parties})}
    post_codes = {p.post for p in payload.parties if p.post}
    posts = {p.code: p for p in Post.objects.filter(code__in=post_codes)} if post_codes else {}
    parties: list[slips.PartySpec] = []
    for p in payload.parties:
        unit = units.get(p.unit)
        if unit is None:
            raise invalid("parties", _("责任单位 %(code)s 不存在") % {"code": p.unit})
        post = None
        if p.post:
            post = posts.get(p.post)
            if post is None:
                raise invalid("parties", _("岗位 %(code)s 不存在") % {"code": p.post})
        parties.append(slips.PartySpec(unit=unit, role=p.role, post=post, task=p.task))
    new_cases: list[slips.NewCase] = []
    for spec in payload.new_cases:
        category = Category.objects.filter(code=spec.category).first()
        if category is None:
            raise invalid("new_cases", _("分类 %(code)s 不存在") % {"code": spec.category})
        node = body_node(spec.node, "new_cases")
        new_cases.append(slips.NewCase(category=category, node=node, text=spec.text))
    return slips.SlipDraft(
        action=payload.action,
        due=payload.due,
        parties=parties,
        cases=body_cases(user, payload.cases),
        new_cases=new_cases,
    )


SLIPS = Listing(
    selectors.slip_list, lambda s, _user: slip_out(s), prefetch=("parties__unit", "parties__post")
)


# --- routes: the slip ---------------------------------------------------------------------------


@router.get("/slips", response=Page[SlipOut], summary="任务流转单列表（含进度）")
def slip_list(request: HttpRequest, filters: Query[SlipFilters]) -> dict[str, Any]:
    return SLIPS.page(request, filters)


@router.post("/slips", response={201: SlipDetailOut}, summary="由议题形成任务流转单（草拟）")
def slip_create(request: HttpRequest, payload: SlipCreateIn) -> Status:
    user = caller(request)
    topic = selectors.topic_get(user=user, pk=payload.topic)
    if topic is None:
        raise invalid("topic", _("议题不存在"))
    slip = slips.slip_create(actor=user, topic=topic, draft=_draft(user, payload))
    return Status(201, _slip_detail(user, slip.pk))


@router.get("/slips/{slip_id}", response=SlipDetailOut, summary="任务流转单详情（会签表、进度、评议）")
def slip_detail(request: HttpRequest, slip_id: int = SlipId) -> dict[str, Any]:
    return _slip_detail(caller(request), slip_id)


@router.put("/slips/{slip_id}", response=SlipDetailOut, summary="修改草稿")
def slip_edit(request: HttpRequest, payload: SlipEditIn, slip_id: int = SlipId) -> dict[str, Any]:
    """409 when `seq` is stale or the slip is no longer a draft (use /revise once issued)."""
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    slips.slip_edit(actor=user, slip=slip, draft=_draft(user, payload), seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/issue", response=SlipDetailOut, summary="发出会签")
def slip_issue(request: HttpRequest, payload: SeqIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slips.slip_issue(actor=user, slip=scoped_slip(user, slip_id), seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/sign", response=SlipDetailOut, summary="会签（同意或有异议）")
def slip_sign(request: HttpRequest, payload: SignIn, slip_id: int = SlipId) -> dict[str, Any]:
    """`version` is the version the signer read: 409 if the slip has been revised since; 403
    for someone who holds no post in a unit named on the slip."""
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise invalid("unit", _("单位 %(code)s 不存在") % {"code": payload.unit})
    slips.slip_sign(
        actor=user,
        slip=slip,
        verdict=payload.verdict,
        version=payload.version,
        reason=payload.reason,
        unit=unit,
    )
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/revise", response=SlipDetailOut, summary="修订（新版本，须重新会签）")
def slip_revise(request: HttpRequest, payload: SlipReviseIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    slips.slip_revise(actor=user, slip=slip, draft=_draft(user, payload), note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/cases", response=SlipDetailOut, summary="关联工单")
def slip_link_case(request: HttpRequest, payload: LinkCaseIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    case = case_selectors.case_get(user=user, pk=payload.case)
    if case is None:
        raise invalid("case", _("关联的工单须是您可查看的工单"))
    slips.slip_link_case(actor=user, slip=slip, case=case)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/void", response=SlipDetailOut, summary="作废")
def slip_void(request: HttpRequest, payload: MeetingNoteIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slips.slip_void(actor=user, slip=scoped_slip(user, slip_id), note=payload.note)
    return _slip_detail(user, slip_id)


@router.post("/slips/{slip_id}/evaluate", response=SlipDetailOut, summary="评议办理结果")
def slip_evaluate(request: HttpRequest, payload: EvaluateIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    slips.slip_evaluate(
        actor=user,
        slip=slip,
        rating=payload.rating,
        note=payload.note,
        source=payload.source,
        votes=payload.votes,
        meeting=body_meeting(user, payload.meeting),
    )
    return _slip_detail(user, slip_id)


@router.get("/slips/{slip_id}/events", response=list[MeetingEventOut], summary="任务流转单记录")
def slip_events(request: HttpRequest, slip_id: int = SlipId) -> list[dict[str, Any]]:
    slip = scoped_slip(caller(request), slip_id)
    return [event_out(e) for e in selectors.events(slip=slip)]


# --- routes: completion report (办结报告) ---------------------------------------------------------


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


@completion_router.get("/slips/evidence/{evidence_id}", summary="下载办结佐证", response={200: None})
def evidence_file(
    request: HttpRequest, evidence_id: int = Path(..., ge=1, le=MAX_ID), thumbnail: bool = False
) -> FileResponse:
    evidence = found(SlipEvidence.objects.select_related("event").filter(pk=evidence_id).first())
    scoped_slip(caller(request), evidence.event.slip_id or 0)
    stored = evidence.thumbnail if thumbnail and evidence.thumbnail else evidence.file
    content_type = "image/jpeg" if stored is evidence.thumbnail else evidence.content_type
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@completion_router.get(
    "/slips/{slip_id}/completion", response=CompletionOut, summary="办结报告（主办单位的说明与佐证）"
)
def completion_report(request: HttpRequest, slip_id: int = SlipId) -> dict[str, Any]:
    slip = scoped_slip(caller(request), slip_id)
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


@completion_router.post(
    "/slips/{slip_id}/completion", response=SlipDetailOut, summary="主办单位报告办结（附佐证）"
)
def completion_submit(
    request: HttpRequest,
    payload: Form[CompletionIn],
    files: File[list[UploadedFile]],
    slip_id: int = SlipId,
) -> dict[str, Any]:
    """Multipart: `note`, `seq` and one to six `files` (JPEG, PNG, WebP or PDF). Only for a
    binding slip without cases (409 otherwise); 403 for anyone outside the lead unit."""
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    completion.slip_submit_completion(
        actor=user, slip=slip, note=payload.note, files=list(files), seq=payload.seq
    )
    return _slip_detail(user, slip_id)


@completion_router.post(
    "/slips/{slip_id}/completion/confirm", response=SlipDetailOut, summary="党组织确认办结"
)
def completion_confirm(request: HttpRequest, payload: ConfirmIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    completion.slip_confirm_completion(actor=user, slip=slip, note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)


@completion_router.post(
    "/slips/{slip_id}/completion/return", response=SlipDetailOut, summary="党组织退回办结报告"
)
def completion_return(request: HttpRequest, payload: ReturnIn, slip_id: int = SlipId) -> dict[str, Any]:
    user = caller(request)
    slip = scoped_slip(user, slip_id)
    completion.slip_return_completion(actor=user, slip=slip, note=payload.note, seq=payload.seq)
    return _slip_detail(user, slip_id)
