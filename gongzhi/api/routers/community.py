"""/api/v1/community: 双报到 as a process and the points ledger (docs/community.md).

Reads go through community.selectors (orgs.access.registrations_q / ledger_q: an object
outside the caller's scope is a 404 like a missing one); every write is a community service,
which checks who may and answers bad input with 422 and Chinese field messages, writing nothing.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.api.shortcuts import MAX_ID, caller, found, require
from gongzhi.community import ledger, places, registrations, selectors, statements
from gongzhi.community.models import Commitment, PointEntry, PointRule
from gongzhi.core import clock
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Unit

router = Router(tags=["community"])
NO_FILE = File(None)  # the optional evidence file of a multipart claim


class CommitmentIn(Schema):
    kind: str = F(..., max_length=10, description="post / service / venue / funds / hours")
    title: str = F(..., max_length=100)
    per_year: Decimal = F(..., description="每年数量")
    unit: str = F(..., max_length=10, description="times / hours / yuan")


class ApplyIn(Schema):
    node: str = F(..., max_length=60, description="报到的居民区编码")
    unit: str | None = F(None, max_length=40, description="单位编码（单位报到）")
    member: int | None = F(None, ge=1, le=MAX_ID, description="党员编号（党员报到）")
    service_offer: str = F("", max_length=200)
    commitments: list[CommitmentIn] = F(default_factory=list, max_length=10)


class DecideIn(Schema):
    confirm: bool
    reason: str = F("", max_length=500)


class ReasonIn(Schema):
    reason: str = F(..., max_length=500)


class MoveIn(Schema):
    node: str = F(..., max_length=60)
    reason: str = F("", max_length=500)


class ServiceIn(Schema):
    done_on: date
    quantity: Decimal
    note: str = F("", max_length=300)


class CommitmentOut(Schema):
    id: int
    kind: str
    title: str
    per_year: Decimal
    unit: str


class RegistrationOut(Schema):
    id: int
    state: str
    node: str
    unit: str | None
    member: int | None
    name: str
    registered_on: date
    ended_on: date | None
    commitments: list[CommitmentOut]


class PointClaimIn(Schema):
    member: int = F(..., ge=1, le=MAX_ID)
    rule: str = F(..., max_length=20, description="积分规则编码")
    occurred_on: date
    note: str = F(..., max_length=300)


class ClaimDecideIn(Schema):
    approve: bool
    reason: str = F("", max_length=300)


class ClaimOut(Schema):
    id: int
    member: int
    rule: str
    state: str
    entry: int | None


class AppealIn(Schema):
    statement: str = F(..., max_length=500)


class AppealDecideIn(Schema):
    overturn: bool
    reason: str = F(..., max_length=300)


class AppealOut(Schema):
    id: int
    entry: int
    state: str


class LedgerEntryOut(Schema):
    id: int
    occurred_on: date
    rule: str
    item: str
    kind: str
    points: int
    label: str
    reverses: int | None


class StatementOut(Schema):
    member: int
    name: str
    year: int
    month: int
    opening: int
    month_total: int
    closing: int
    entries: list[LedgerEntryOut]


def _registration_out(r: DualRegistration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "state": r.state,
        "node": r.node.code,
        "unit": r.unit.code if r.unit_id and r.unit else None,
        "member": r.member_id,
        "name": r.unit.name if r.unit_id and r.unit else (r.member.person.name if r.member else ""),
        "registered_on": r.registered_on,
        "ended_on": r.ended_on,
        "commitments": [
            {"id": c.pk, "kind": c.kind, "title": c.title, "per_year": c.per_year, "unit": c.unit}
            for c in r.commitments.all()
        ],
    }


def _entry_out(e: PointEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "occurred_on": e.occurred_on,
        "rule": e.rule.code,
        "item": e.rule.item,
        "kind": e.kind,
        "points": e.points,
        "label": e.label,
        "reverses": e.reverses_id,
    }


def _registration(request: HttpRequest, pk: int) -> DualRegistration:
    return found(selectors.registration_get(user=caller(request), pk=pk))


def _area(code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None:
        raise invalid("node", _("没有这个居民区"))
    return node


# --- 双报到 -----------------------------------------------------------------------------------------


@router.get("/registrations", response=list[RegistrationOut], summary="双报到（我能看到的）")
def registration_list(
    request: HttpRequest, state: str | None = Query(None, max_length=10)
) -> list[dict[str, Any]]:
    rows = selectors.registrations(user=caller(request), state=state).prefetch_related("commitments")[:500]
    return [_registration_out(r) for r in rows]


@router.get("/registrations/queue", response=list[RegistrationOut], summary="待党组织确认的双报到")
def registration_queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [_registration_out(r) for r in selectors.confirm_queue(user=caller(request))[:500]]


@router.post("/registrations", response={201: RegistrationOut}, summary="申请双报到（单位或党员）")
def registration_apply(request: HttpRequest, payload: ApplyIn) -> Status:
    user = caller(request)
    node = _area(payload.node)
    unit = member = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise invalid("unit", _("没有这个单位"))
    if payload.member:
        member = PartyMember.objects.select_related("person__home").filter(pk=payload.member).first()
        if member is None:
            raise invalid("member", _("没有这名党员"))
    r = registrations.registration_apply(
        actor=user,
        node=node,
        unit=unit,
        member=member,
        service_offer=payload.service_offer,
        commitments=[registrations.CommitmentIn(**c.dict()) for c in payload.commitments],
    )
    return Status(201, _registration_out(r))


@router.post(
    "/registrations/{registration_id}/decide", response=RegistrationOut, summary="党组织确认或不予确认"
)
def registration_decide(
    request: HttpRequest, payload: DecideIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    r = registrations.registration_decide(
        actor=caller(request),
        registration=_registration(request, registration_id),
        confirm=payload.confirm,
        reason=payload.reason,
    )
    return _registration_out(r)


@router.post(
    "/registrations/{registration_id}/commitments", response={201: CommitmentOut}, summary="增加承诺"
)
def commitment_add(
    request: HttpRequest, payload: CommitmentIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status:
    c = registrations.commitment_add(
        actor=caller(request),
        registration=_registration(request, registration_id),
        commitment=registrations.CommitmentIn(**payload.dict()),
    )
    return Status(201, {"id": c.pk, "kind": c.kind, "title": c.title, "per_year": c.per_year, "unit": c.unit})


@router.post("/commitments/{commitment_id}/service", response={201: dict[str, Any]}, summary="登记履诺服务")
def service_record(
    request: HttpRequest, payload: ServiceIn, commitment_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status:
    user = caller(request)
    seen = selectors.registrations(user=user).values("pk")
    commitment = found(Commitment.objects.filter(pk=commitment_id, registration__in=seen).first())
    rec = registrations.service_record(
        actor=user,
        commitment=commitment,
        done_on=payload.done_on,
        quantity=payload.quantity,
        note=payload.note,
    )
    return Status(201, {"id": rec.pk, "quantity": str(rec.quantity)})


@router.post("/registrations/{registration_id}/end", response=RegistrationOut, summary="结束双报到")
def registration_end(
    request: HttpRequest, payload: ReasonIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    r = registrations.registration_end(
        actor=caller(request), registration=_registration(request, registration_id), reason=payload.reason
    )
    return _registration_out(r)


@router.post(
    "/registrations/{registration_id}/move", response={201: RegistrationOut}, summary="党员迁居：报到随迁"
)
def registration_move(
    request: HttpRequest, payload: MoveIn, registration_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status:
    new = registrations.registration_move(
        actor=caller(request),
        registration=_registration(request, registration_id),
        to=_area(payload.node),
        reason=payload.reason,
    )
    return Status(201, _registration_out(new))


# --- the points ledger ---------------------------------------------------------------------------


def _statement(member: PartyMember, year: int | None, month: int | None) -> dict[str, Any]:
    today = clock.today()
    y, m = year or today.year, month or today.month
    s = statements.month_statement(member, y, m)
    return {
        "member": member.pk,
        "name": member.person.name,
        "year": y,
        "month": m,
        "opening": s.opening,
        "month_total": s.month_total,
        "closing": s.closing,
        "entries": [_entry_out(e) for e in s.entries],
    }


@router.get("/members/{member_id}/statement", response=StatementOut, summary="党员积分月度明细")
def member_statement(
    request: HttpRequest,
    member_id: int = Path(..., ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
) -> dict[str, Any]:
    member = found(selectors.member_get(user=caller(request), pk=member_id))
    return _statement(member, year, month)


@router.get("/me/statement", response=StatementOut, summary="我的积分月度明细")
def my_statement(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
) -> dict[str, Any]:
    member = found(selectors.my_member(user=caller(request)))
    return _statement(member, year, month)


@router.post("/claims", response={201: ClaimOut}, summary="申报加分或扣分（附佐证，党组织书记审核）")
def claim_propose(
    request: HttpRequest, payload: Form[PointClaimIn], evidence: UploadedFile | None = NO_FILE
) -> Status:
    user = caller(request)
    member = PartyMember.objects.select_related("person", "org__node").filter(pk=payload.member).first()
    if member is None or not selectors.sees_member(user, member):
        raise invalid("member", _("没有这名党员"))
    branch = ledger.ledger_branch(member)
    rule = PointRule.objects.filter(street__code=places.street_code(branch.node), code=payload.rule).first()
    if rule is None:
        raise invalid("rule", _("没有这个积分项目"))
    claim = ledger.claim_propose(
        actor=user,
        member=member,
        rule=rule,
        occurred_on=payload.occurred_on,
        note=payload.note,
        evidence=evidence,
    )
    entry = PointEntry.objects.filter(claim=claim).values_list("pk", flat=True).first()
    return Status(
        201, {"id": claim.pk, "member": member.pk, "rule": rule.code, "state": claim.state, "entry": entry}
    )


@router.post("/claims/{claim_id}/decide", response=ClaimOut, summary="审核积分申报")
def claim_decide(
    request: HttpRequest, payload: ClaimDecideIn, claim_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = caller(request)
    claim = found(selectors.claim_get(user=user, pk=claim_id))
    claim = ledger.claim_decide(actor=user, claim=claim, approve=payload.approve, reason=payload.reason)
    entry = PointEntry.objects.filter(claim=claim).values_list("pk", flat=True).first()
    return {
        "id": claim.pk,
        "member": claim.member_id,
        "rule": claim.rule.code,
        "state": claim.state,
        "entry": entry,
    }


@router.post(
    "/entries/{entry_id}/reverse", response={201: LedgerEntryOut}, summary="冲正一条积分记录（须说明理由）"
)
def entry_reverse(
    request: HttpRequest, payload: ReasonIn, entry_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status:
    user = caller(request)
    entry = found(selectors.entry_get(user=user, pk=entry_id))
    return Status(201, _entry_out(ledger.entry_reverse(actor=user, entry=entry, reason=payload.reason)))


@router.post("/entries/{entry_id}/appeal", response={201: AppealOut}, summary="对扣分提出申诉")
def appeal_file(
    request: HttpRequest, payload: AppealIn, entry_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status:
    user = caller(request)
    entry = found(selectors.entry_get(user=user, pk=entry_id))
    a = ledger.appeal_file(actor=user, entry=entry, statement=payload.statement)
    return Status(201, {"id": a.pk, "entry": a.entry_id, "state": a.state})


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, summary="处理申诉（维持或撤销扣分）")
def appeal_decide(
    request: HttpRequest, payload: AppealDecideIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = caller(request)
    appeal = found(selectors.appeal_get(user=user, pk=appeal_id))
    a = ledger.appeal_decide(actor=user, appeal=appeal, overturn=payload.overturn, reason=payload.reason)
    return {"id": a.pk, "entry": a.entry_id, "state": a.state}


def _scope_node(request: HttpRequest, code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None:
        raise invalid("node", _("没有这个辖区"))
    require(access.can(caller(request), access.VIEW_COMMUNITY, node))
    return node


@router.get("/assessment", response=list[dict[str, Any]], summary="年度考核（街道设定的等次）")
def assessment(
    request: HttpRequest, node: str = Query(..., max_length=60), year: int = Query(..., ge=2000, le=2100)
) -> list[dict[str, Any]]:
    where = _scope_node(request, node)
    return statements.assessment(where.path, places.street_code(where), year)


@router.get("/rankings", response=dict[str, Any], summary="支部排名、点赞榜和亮丑（只有支部汇总）")
def rankings(
    request: HttpRequest, node: str = Query(..., max_length=60), year: int = Query(..., ge=2000, le=2100)
) -> dict[str, Any]:
    where = _scope_node(request, node)
    statement = statements.branch_statement(where.path, year, 1)
    return {"branches": statement.branches, "likes": statement.likes, "shame": statement.shame}
