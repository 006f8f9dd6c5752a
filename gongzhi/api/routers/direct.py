"""/api/v1/direct: 直报 (docs/mobilisation.md "直报"), for the grid workers' and committees' apps
and the duty officer's. Scoped as the pages (mobilisation.direct_selectors: out of scope is a
404), written through mobilisation.direct: a place outside the street is a 422 naming the
field, nothing written; an action the state does not allow is a 409 with `allowed_actions`."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct, direct_chain, direct_selectors
from gongzhi.mobilisation.models import DirectReport
from gongzhi.orgs.models import Category

router = Router(tags=["direct"])
ReportId = Path(..., ge=1, le=MAX_ID)


class ReportIn(Schema):
    kind: str = Field(..., max_length=20, description="fire / injury / collapse / epidemic / crowd / other")
    text: str = Field(..., max_length=2000, description="现场情况")
    node: str | None = Field(None, max_length=60, description="事发地点的编码（或给出经纬度）")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class FollowUpIn(Schema):
    text: str = Field(..., max_length=2000)


class CloseIn(Schema):
    result: str = Field(..., max_length=500, description="处置结果")


class ConvertCaseIn(Schema):
    category: str = Field(..., max_length=20, description="工单小类编码")


class MisuseIn(Schema):
    reason: str = Field(..., max_length=200)


class FollowUpOut(Schema):
    text: str
    at: datetime


class DirectEventOut(Schema):
    seq: int
    action: str
    at: datetime
    to_state: str
    note: str


class DirectReportOut(Schema):
    id: int
    kind: str
    state: str
    node: str
    place: str
    reporter_post: str
    reported_at: datetime
    acknowledged_at: datetime | None
    escalation_level: int
    follow_up_due_at: datetime
    followed_up_at: datetime | None
    follow_up_overdue: bool
    closed_at: datetime | None
    result: str
    converted_to: str
    case: int | None
    incident: int | None
    misuse: bool
    misuse_reason: str
    actions: list[str]


class DirectReportDetailOut(DirectReportOut):
    text: str
    follow_ups: list[FollowUpOut]
    events: list[DirectEventOut]


def _out(report: DirectReport, user: Actor) -> dict[str, Any]:
    return {
        "id": report.pk,
        "kind": report.kind,
        "state": report.state,
        "node": report.node.code,
        "place": report.node.name,
        "reporter_post": direct_chain.reporter_post_label(report),
        "reported_at": report.reported_at,
        "acknowledged_at": report.acknowledged_at,
        "escalation_level": report.escalation_level,
        "follow_up_due_at": report.follow_up_due_at,
        "followed_up_at": report.followed_up_at,
        "follow_up_overdue": direct.follow_up_overdue(report),
        "closed_at": report.closed_at,
        "result": report.result,
        "converted_to": report.converted_to,
        "case": report.case_id,
        "incident": report.incident_id,
        "misuse": report.misuse,
        "misuse_reason": report.misuse_reason,
        "actions": direct.actions_for(user, report),
    }


def _detail(report: DirectReport, user: Actor) -> dict[str, Any]:
    fresh = found(direct_selectors.report_get(user=user, pk=report.pk))
    return {
        **_out(fresh, user),
        "text": fresh.text,
        "follow_ups": [{"text": f.text, "at": f.at} for f in fresh.follow_ups.all()],
        "events": [
            {"seq": e.seq, "action": e.action, "at": e.at, "to_state": e.to_state, "note": e.note}
            for e in fresh.events.all()
        ],
    }


def _report(request: HttpRequest, report_id: int) -> DirectReport:
    return found(direct_selectors.report_get(user=caller(request), pk=report_id))


def _create(request: HttpRequest, payload: ReportIn, files: list[Any]) -> dict[str, Any]:
    user = caller(request)
    node = None
    if payload.node:
        node = Node.objects.filter(code=payload.node).first()
        if node is None:
            raise invalid("node", _("没有这个地点"))
    report = direct.report_create(
        actor=user,
        kind=payload.kind,
        text=payload.text,
        node=node,
        lat=payload.lat,
        lon=payload.lon,
        files=files,
    )
    return _detail(report, user)


@router.get("", response=list[DirectReportOut], summary="直报列表（默认只列未办结的）")
def direct_list(request: HttpRequest, all: bool = False) -> list[dict[str, Any]]:
    user = caller(request)
    rows = direct_selectors.reports(user=user, open_only=not all)[: direct_selectors.LIST_LIMIT]
    return [_out(r, user) for r in rows]


@router.post("", response={201: DirectReportDetailOut}, summary="直报重大突发事件")
def direct_create(request: HttpRequest, payload: ReportIn) -> Status:
    return Status(201, _create(request, payload, []))


@router.post("/upload", response={201: DirectReportDetailOut}, summary="直报重大突发事件（带现场照片）")
def direct_create_upload(
    request: HttpRequest, payload: Form[ReportIn], files: File[list[UploadedFile]]
) -> Status:
    return Status(201, _create(request, payload, list(files)))


@router.get("/{report_id}", response=DirectReportDetailOut, summary="直报详情")
def direct_get(request: HttpRequest, report_id: int = ReportId) -> dict[str, Any]:
    return _detail(_report(request, report_id), caller(request))


def _acted(
    request: HttpRequest, report: DirectReport, service: Callable[..., DirectReport], **fields: Any
) -> dict[str, Any]:
    """One action on a report through its service (which checks who may), answered with the
    report as it now stands: the action handlers below are this call."""
    user = caller(request)
    return _detail(service(actor=user, report=report, **fields), user)


@router.post("/{report_id}/ack", response=DirectReportDetailOut, summary="确认收到（值班员、领导）")
def direct_ack(request: HttpRequest, report_id: int = ReportId) -> dict[str, Any]:
    return _acted(request, _report(request, report_id), direct.report_acknowledge)


@router.post("/{report_id}/follow-ups", response=DirectReportDetailOut, summary="书面续报")
def direct_follow_up(request: HttpRequest, payload: FollowUpIn, report_id: int = ReportId) -> dict[str, Any]:
    user = caller(request)
    report = _report(request, report_id)
    direct.follow_up_add(actor=user, report=report, text=payload.text)  # a follow-up, not the report
    return _detail(report, user)


@router.post("/{report_id}/close", response=DirectReportDetailOut, summary="办结直报")
def direct_close(request: HttpRequest, payload: CloseIn, report_id: int = ReportId) -> dict[str, Any]:
    return _acted(request, _report(request, report_id), direct.report_close, result=payload.result)


@router.post("/{report_id}/convert-case", response=DirectReportDetailOut, summary="转为工单")
def direct_convert_case(
    request: HttpRequest, payload: ConvertCaseIn, report_id: int = ReportId
) -> dict[str, Any]:
    report = _report(request, report_id)  # out of scope: 404 before any check of the input
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise invalid("category", _("没有这个小类"))
    return _acted(request, report, direct.report_convert_case, category=category)


@router.post("/{report_id}/convert-mobilisation", response=DirectReportDetailOut, summary="转为应急动员")
def direct_convert_mobilisation(request: HttpRequest, report_id: int = ReportId) -> dict[str, Any]:
    return _acted(request, _report(request, report_id), direct.report_convert_mobilisation)


@router.post("/{report_id}/misuse", response=DirectReportDetailOut, summary="标记为误用直报")
def direct_misuse(request: HttpRequest, payload: MisuseIn, report_id: int = ReportId) -> dict[str, Any]:
    return _acted(request, _report(request, report_id), direct.report_mark_misuse, reason=payload.reason)
