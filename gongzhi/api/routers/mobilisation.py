"""/api/v1/mobilisation: incidents (应急动员), their shifts and rota, the phone's "my shifts"
with check-in and check-out, swaps, no-shows, coverage items, the live board and the
after-action report (docs/mobilisation.md). Every read goes through mobilisation.selectors
(access.incidents_q: out of scope is a 404), every write through the mobilisation services.
An infeasible rota is a 422 listing the solver's unmet shifts and writes nothing."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from gongzhi.api.auth import DEFAULT_AUTH
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Slip
from gongzhi.mobilisation import board, duty, incidents, report, rostering, selectors
from gongzhi.mobilisation.models import Assignment, Incident
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Unit

router = Router(tags=["mobilisation"], auth=DEFAULT_AUTH)
PK = Path(..., ge=1, le=MAX_ID)


class MobilisationIncidentIn(Schema):
    kind: str = Field(..., max_length=12, description="epidemic / flood / fire / power_cut / other")
    title: str = Field(..., max_length=100)
    nodes: list[str] = Field(
        default_factory=list, max_length=60, description="动员范围：辖区编码（可跨居民区）"
    )
    slip: int | None = Field(None, ge=1, le=MAX_ID, description="依据的联合居务会任务流转单")
    units: list[str] = Field(default_factory=list, max_length=50, description="联合值守单位编码")
    note: str = Field("", max_length=500)


class MobilisationIncidentOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    state: str
    zone: list[str]
    units: list[str]
    slip: int | None
    lead: str
    declared_at: datetime
    closed_at: datetime | None
    posts: int
    shifts: int


class ShiftPlanIn(Schema):
    days: int = Field(..., ge=1, le=14)
    shift_hours: int = Field(8, ge=1, le=24)


class RotaSolveIn(Schema):
    time_limit_s: float = Field(10.0, ge=0.5, le=120)


class RotaRunOut(Schema):
    version: int
    kind: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    shifts: int
    people: int
    assignments: int


class DutyAssignmentOut(Schema):
    id: int
    incident: int
    post: str
    starts_at: datetime
    ends_at: datetime
    person: str
    source: str
    state: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class ShiftSwapIn(Schema):
    to_person: int = Field(..., ge=1, le=MAX_ID, description="接班人（人员编号）")
    reason: str = Field(..., max_length=200)


class SwapDecideIn(Schema):
    approve: bool
    answer: str = Field("", max_length=300)


class IncidentNoteIn(Schema):
    note: str = Field("", max_length=500)


class NoShowGapOut(Schema):
    assignment: int
    filled: list[int]
    unmet: list[str]


def _incident_out(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "number": i.number,
        "kind": i.kind,
        "title": i.title,
        "state": i.state,
        "zone": [n.code for n in i.zone.order_by("path")],
        "units": [u.code for u in i.units.order_by("code")],
        "slip": i.slip_id,
        "lead": i.lead.get_username(),
        "declared_at": i.declared_at,
        "closed_at": i.closed_at,
        "posts": i.posts.count(),
        "shifts": selectors.shifts(i).count(),
    }


def _assignment_out(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "incident": a.shift.post.incident_id,
        "post": a.shift.post.name,
        "starts_at": a.shift.starts_at,
        "ends_at": a.shift.ends_at,
        "person": a.person.name,
        "source": a.source,
        "state": a.state,
        "checked_in_at": a.checked_in_at,
        "checked_out_at": a.checked_out_at,
    }


def _incident(request: HttpRequest, pk: int) -> Incident:
    return found(selectors.incident_get(user=caller(request), pk=pk))


@router.get("/incidents", response=list[MobilisationIncidentOut], summary="应急动员列表")
def incident_list(request: HttpRequest, active: bool = False) -> list[dict[str, Any]]:
    return [_incident_out(i) for i in selectors.incidents(user=caller(request), active_only=active)[:100]]


@router.post("/incidents", response={201: MobilisationIncidentOut}, summary="启动应急动员")
def incident_declare(request: HttpRequest, payload: MobilisationIncidentIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    nodes = []
    for code in payload.nodes:
        node = Node.objects.filter(code=code).first()
        if node is None:
            raise invalid("nodes", _("没有这个辖区：%(code)s") % {"code": code[:40]})
        nodes.append(node)
    units = []
    for code in payload.units:
        unit = Unit.objects.filter(code=code).select_related("node").first()
        if unit is None:
            raise invalid("units", _("没有这个单位：%(code)s") % {"code": code[:40]})
        units.append(unit)
    slip = None
    if payload.slip is not None:
        slip = Slip.objects.filter(pk=payload.slip).select_related("meeting", "node").first()
        if slip is None or not access.can(user, access.VIEW_MEETINGS, slip.node):
            raise invalid("slip", _("没有这个任务流转单"))
    incident = incidents.incident_declare(
        actor=user,
        kind=payload.kind,
        title=payload.title,
        nodes=nodes,
        slip=slip,
        units=units,
        note=payload.note,
    )
    return 201, _incident_out(incident)


@router.get("/incidents/{incident_id}", response=MobilisationIncidentOut, summary="应急动员详情")
def incident_get(request: HttpRequest, incident_id: int = PK) -> dict[str, Any]:
    return _incident_out(_incident(request, incident_id))


@router.post("/incidents/{incident_id}/shifts", response=MobilisationIncidentOut, summary="生成班次")
def shifts_plan(request: HttpRequest, payload: ShiftPlanIn, incident_id: int = PK) -> dict[str, Any]:
    incident = _incident(request, incident_id)
    incidents.shifts_plan(
        actor=caller(request), incident=incident, days=payload.days, shift_hours=payload.shift_hours
    )
    return _incident_out(incident)


@router.post("/incidents/{incident_id}/rota", response={201: RotaRunOut}, summary="排班（求解并发布）")
def rota_solve(
    request: HttpRequest, payload: RotaSolveIn, incident_id: int = PK
) -> tuple[int, dict[str, Any]]:
    incident = _incident(request, incident_id)
    rota = rostering.rota_solve(actor=caller(request), incident=incident, time_limit_s=payload.time_limit_s)
    return 201, {
        "version": rota.version,
        "kind": rota.kind,
        "status": rota.status,
        "objective": rota.objective,
        "bound": rota.bound,
        "gap": rota.gap,
        "shifts": rota.shifts,
        "people": rota.people,
        "assignments": rota.assignments.count(),
    }


@router.get("/incidents/{incident_id}/assignments", response=list[DutyAssignmentOut], summary="排班表")
def assignment_list(request: HttpRequest, incident_id: int = PK) -> list[dict[str, Any]]:
    return [_assignment_out(a) for a in selectors.assignments(_incident(request, incident_id))[:2000]]


@router.get("/incidents/{incident_id}/board", summary="实时看板：在岗出入口、走访、物资、排查")
def incident_board(request: HttpRequest, incident_id: int = PK) -> dict[str, Any]:
    return board.figures(_incident(request, incident_id)).as_dict()


@router.post(
    "/incidents/{incident_id}/close", response=MobilisationIncidentOut, summary="结束动员（确认志愿服务时长）"
)
def incident_close(request: HttpRequest, payload: IncidentNoteIn, incident_id: int = PK) -> dict[str, Any]:
    incident = incidents.incident_close(
        actor=caller(request), incident=_incident(request, incident_id), note=payload.note
    )
    return _incident_out(incident)


@router.get("/incidents/{incident_id}/report.docx", summary="处置总结（Word）")
def incident_report(request: HttpRequest, incident_id: int = PK) -> HttpResponse:
    incident = _incident(request, incident_id)
    incidents.require_lead(caller(request), incident)
    response = HttpResponse(
        report.report_docx(incident),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}.docx"'
    return response


@router.get("/mine", response=list[DutyAssignmentOut], summary="我的值守班次")
def my_shifts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_assignment_out(a) for a in selectors.my_assignments(user=caller(request))[:200]]


def _mine(request: HttpRequest, pk: int) -> Assignment:
    return found(selectors.my_assignment(user=caller(request), pk=pk))


@router.post("/assignments/{assignment_id}/check-in", response=DutyAssignmentOut, summary="签到")
def check_in(request: HttpRequest, assignment_id: int = PK) -> dict[str, Any]:
    return _assignment_out(duty.check_in(actor=caller(request), assignment=_mine(request, assignment_id)))


@router.post("/assignments/{assignment_id}/check-out", response=DutyAssignmentOut, summary="签退")
def check_out(request: HttpRequest, assignment_id: int = PK) -> dict[str, Any]:
    return _assignment_out(duty.check_out(actor=caller(request), assignment=_mine(request, assignment_id)))


@router.post("/assignments/{assignment_id}/swap", response={201: dict[str, Any]}, summary="申请换班")
def swap_request(
    request: HttpRequest, payload: ShiftSwapIn, assignment_id: int = PK
) -> tuple[int, dict[str, Any]]:
    assignment = _mine(request, assignment_id)
    to_person = Person.objects.filter(pk=payload.to_person).first()
    if to_person is None:
        raise invalid("to_person", _("接班人不在本次动员的可排人员中"))
    swap = rostering.swap_request(
        actor=caller(request), assignment=assignment, to_person=to_person, reason=payload.reason
    )
    return 201, {"id": swap.pk, "state": swap.state}


@router.post("/swaps/{swap_id}/decide", summary="审批换班")
def swap_decide(request: HttpRequest, payload: SwapDecideIn, swap_id: int = PK) -> dict[str, Any]:
    swap = found(selectors.swap_get(user=caller(request), pk=swap_id))
    done = rostering.swap_decide(
        actor=caller(request), swap=swap, approve=payload.approve, answer=payload.answer
    )
    return {"id": done.pk, "state": done.state}


@router.post(
    "/assignments/{assignment_id}/no-show", response=NoShowGapOut, summary="登记缺岗（只重排该班次）"
)
def no_show(request: HttpRequest, assignment_id: int = PK) -> dict[str, Any]:
    assignment = found(selectors.assignment_get(user=caller(request), pk=assignment_id))
    gap = rostering.assignment_no_show(actor=caller(request), assignment=assignment)
    return {"assignment": gap.assignment.pk, "filled": [a.person_id for a in gap.filled], "unmet": gap.unmet}


@router.post(
    "/assignments/{assignment_id}/refill",
    response=NoShowGapOut,
    summary="缺口重新排班补位（请假释放或未补上的缺岗，只重排该班次）",
)
def refill(request: HttpRequest, assignment_id: int = PK) -> dict[str, Any]:
    assignment = found(selectors.assignment_get(user=caller(request), pk=assignment_id))
    gap = rostering.gap_resolve(actor=caller(request), assignment=assignment)
    return {"assignment": gap.assignment.pk, "filled": [a.person_id for a in gap.filled], "unmet": gap.unmet}


@router.post("/items/{item_id}/done", summary="登记走访、配送或排查完成")
def item_done(request: HttpRequest, payload: IncidentNoteIn, item_id: int = PK) -> dict[str, Any]:
    item = found(selectors.item_get(user=caller(request), pk=item_id))
    done = incidents.item_done(actor=caller(request), item=item, note=payload.note)
    return {"id": done.pk, "done_at": timezone.localtime(done.done_at).isoformat() if done.done_at else None}
