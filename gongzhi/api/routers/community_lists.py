"""/api/v1/community: the three lists, matching, projects, claims, pledges, milestones,
residents' evaluations and 定点联系 (docs/community.md). Reads are scoped like the pages
(community.selectors: out of scope is a 404); every write goes through the community
services, so bad input answers 422 with the Chinese field messages and writes nothing, a
state that no longer allows the step (a claimed project, a superseded pledge version) 409."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.community import (
    contacts,
    evaluations,
    matching,
    needs,
    pledges,
    projects,
    resources,
    selectors,
)
from gongzhi.community.models import Need, Project, Resource
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.orgs import access
from gongzhi.orgs.models import Unit

router = Router(tags=["community"])
PAGE = 200


class NeedIn(Schema):
    title: str = Field(..., max_length=100)
    field: str = Field(..., max_length=20, description="服务领域：elderly / children / health / …")
    node: str | None = Field(None, max_length=40, description="地点编码；来自工单或议题时可不填")
    beneficiaries: str = Field(..., max_length=100)
    beneficiary_count: int = Field(0, ge=0, le=1_000_000)
    urgency: int = Field(1, ge=1, le=3, description="1 一般 / 2 较急 / 3 紧急")
    wants: str = Field("", max_length=20, description="所需资源类型；空为不限")
    text: str = Field("", max_length=2000)
    window_from: date | None = None
    window_until: date | None = None
    origin: str = Field("staff", max_length=10, description="staff / survey / case / topic")
    survey: str = Field("", max_length=100, description="origin=survey：需求调查名称")
    case: str = Field("", max_length=30, description="origin=case：工单编号（意见箱的也可）")
    topic: int | None = Field(None, ge=1, le=MAX_ID, description="origin=topic：居务会议题编号")


class NeedOut(Schema):
    id: int
    number: str
    title: str
    field: str
    wants: str
    source: str
    source_label: str
    case: int | None
    node: str
    beneficiaries: str
    beneficiary_count: int
    urgency: int
    window_from: date | None
    window_until: date | None
    state: str


class ResourceIn(Schema):
    title: str = Field(..., max_length=100)
    kind: str = Field(..., max_length=20, description="venue / professional / funds / hours / equipment")
    field: str = Field(..., max_length=20)
    unit: str = Field(..., max_length=40, description="提供单位编码")
    node: str | None = Field(None, max_length=40, description="服务范围编码；空为单位所在辖区")
    quantity: Decimal | None = Field(None, ge=0, le=Decimal("9999999999"))
    measure: str = Field("", max_length=20)
    available_from: date | None = None
    available_until: date | None = None
    schedule: str = Field("", max_length=100)
    text: str = Field("", max_length=2000)


class ResourceOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    field: str
    unit: str | None
    node: str
    quantity: Decimal | None
    measure: str
    available_from: date | None
    available_until: date | None
    active: bool


class ProposalOut(Schema):
    resource: int
    title: str
    rank: int
    place: str


class MatchIn(Schema):
    resource: int = Field(..., ge=1, le=MAX_ID)
    decision: str = Field("confirm", pattern="^(confirm|reject)$")
    note: str = Field("", max_length=200)


class StepIn(Schema):
    title: str = Field(..., max_length=100)
    due: date


class ProjectIn(Schema):
    title: str = Field(..., max_length=100)
    summary: str = Field(..., max_length=2000)
    field: str = Field(..., max_length=20)
    node: str = Field(..., max_length=40)
    budget: Decimal = Field(Decimal(0), ge=0, le=Decimal("9999999999"))
    starts_on: date
    ends_on: date
    needs: list[int] = Field(default_factory=list, max_length=100)
    resources: list[int] = Field(default_factory=list, max_length=100)
    milestones: list[StepIn] = Field(..., min_length=1, max_length=projects.MAX_MILESTONES)


class MilestoneOut(Schema):
    seq: int
    title: str
    due: date
    done_at: datetime | None
    evidence: str


class PledgeSignatureOut(Schema):
    side: str
    version: int
    signer_name: str
    content_hash: str
    at: datetime
    current: bool


class PledgeOut(Schema):
    version: int
    state: str
    unit: str
    content: dict[str, Any]
    content_hash: str
    signatures: list[PledgeSignatureOut]


class ProjectOut(Schema):
    id: int
    number: str
    title: str
    summary: str
    field: str
    node: str
    budget: Decimal
    state: str
    claimed_by: str | None
    starts_on: date
    ends_on: date
    milestones: list[MilestoneOut]
    pledge: PledgeOut | None


class ProjectClaimIn(Schema):
    unit: str = Field(..., max_length=40, description="认领单位编码")
    commitments: str = Field(..., max_length=2000)


class PledgeSignIn(Schema):
    version: int = Field(..., ge=1, le=10_000, description="签署人阅读的承诺书版本")
    side: str | None = Field(None, pattern="^(unit|community)$")


class ReviseIn(Schema):
    commitments: str = Field(..., max_length=2000)
    note: str = Field(..., max_length=500)


class EvidenceIn(Schema):
    evidence: str = Field(..., max_length=1000)


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class EvaluationIn(Schema):
    rating: str = Field(..., pattern="^(good|fair|poor)$")
    comment: str = Field("", max_length=200)


class PairIn(Schema):
    unit: str = Field(..., max_length=40)
    node: str = Field(..., max_length=40, description="居民区编码")
    note: str = Field("", max_length=200)


class PairOut(Schema):
    id: int
    unit: str
    node: str
    since: date
    until: date | None
    visits: int


class ContactVisitIn(Schema):
    on: date
    summary: str = Field(..., max_length=500)
    people: int = Field(1, ge=1, le=500)


# --- helpers ------------------------------------------------------------------------------------


def _node(user: User, code: str | None, field: str = "node") -> Node | None:
    if not code:
        return None
    # the tree the user sees; the service then asks whether they may place a row there
    node = Node.objects.filter(access.nodes_q(user, access.VIEW_TREE), code=code).first()
    if node is None:
        raise invalid(field, _("没有找到该地点"))
    return node


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise invalid("unit", _("没有找到该单位"))
    return unit


def _need_out(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk,
        "number": n.number,
        "title": n.title,
        "field": n.field,
        "wants": n.wants,
        "source": n.source,
        "source_label": n.source_label,
        "case": n.case_id,
        "node": n.node.code,
        "beneficiaries": n.beneficiaries,
        "beneficiary_count": n.beneficiary_count,
        "urgency": n.urgency,
        "window_from": n.window_from,
        "window_until": n.window_until,
        "state": n.state,
    }


def _resource_out(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "title": r.title,
        "kind": r.kind,
        "field": r.field,
        "unit": r.unit.code if r.unit else None,
        "node": r.node.code,
        "quantity": r.quantity,
        "measure": r.measure,
        "available_from": r.available_from,
        "available_until": r.available_until,
        "active": r.active,
    }


def _project_out(p: Project) -> dict[str, Any]:
    pledge = selectors.pledge_of(p)
    pledge_out = None
    if pledge is not None:
        version = pledges.current_version(pledge)
        pledge_out = {
            "version": pledge.version,
            "state": pledge.state,
            "unit": pledge.unit.code,
            "content": version.content,
            "content_hash": version.content_hash,
            "signatures": [
                {
                    "side": s.side,
                    "version": s.version,
                    "signer_name": s.signer_name,
                    "content_hash": s.content_hash,
                    "at": s.at,
                    "current": s.version == pledge.version,
                }
                for s in pledge.signatures.order_by("at", "pk")
            ],
        }
    return {
        "id": p.pk,
        "number": p.number,
        "title": p.title,
        "summary": p.summary,
        "field": p.field,
        "node": p.node.code,
        "budget": p.budget,
        "state": p.state,
        "claimed_by": p.claimed_by.code if p.claimed_by else None,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "milestones": [
            {"seq": m.seq, "title": m.title, "due": m.due, "done_at": m.done_at, "evidence": m.evidence}
            for m in p.milestones.order_by("seq")
        ],
        "pledge": pledge_out,
    }


def _project(request: HttpRequest, project_id: int) -> Project:
    return found(selectors.project(caller(request), project_id))


# --- needs and resources --------------------------------------------------------------------------


@router.get("/needs", response=list[NeedOut], summary="需求清单")
def community_need_list(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    qs = selectors.needs(caller(request))
    if state:
        qs = qs.filter(state=state[:10])
    return [_need_out(n) for n in qs.order_by("-created_at", "-pk")[:PAGE]]


@router.post(
    "/needs", response={201: NeedOut}, summary="登记需求（走访、需求调查、工单或意见箱、居务会议题）"
)
def community_need_create(request: HttpRequest, payload: NeedIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    draft = needs.NeedDraft(
        title=payload.title,
        field=payload.field,
        node=_node(user, payload.node),
        beneficiaries=payload.beneficiaries,
        beneficiary_count=payload.beneficiary_count,
        urgency=payload.urgency,
        wants=payload.wants,
        text=payload.text,
        window_from=payload.window_from,
        window_until=payload.window_until,
    )
    if payload.origin == "case":
        need = needs.need_from_case(actor=user, case=needs.case_by_number(user, payload.case), draft=draft)
    elif payload.origin == "topic":
        topic = meeting_selectors.topic_get(user=user, pk=payload.topic) if payload.topic else None
        if topic is None:
            raise invalid("topic", _("没有找到该议题（或您无权查看）"))
        ref = needs.TopicRef(pk=topic.pk, title=topic.title, node=topic.node)
        need = needs.need_from_topic(actor=user, topic=ref, draft=draft)
    else:
        need = needs.need_create(actor=user, draft=draft, source=payload.origin, survey=payload.survey)
    return 201, _need_out(need)


@router.get("/needs/{need_id}/proposals", response=list[ProposalOut], summary="为需求推荐的资源")
def community_need_proposals(
    request: HttpRequest, need_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, Any]]:
    need = found(selectors.needs(caller(request)).filter(pk=need_id).first())
    return [
        {"resource": p.resource.pk, "title": p.resource.title, "rank": p.rank, "place": p.place}
        for p in matching.candidates(need)
    ]


@router.post("/needs/{need_id}/matches", response={201: dict[str, Any]}, summary="确认或否决推荐的资源")
def community_need_match(
    request: HttpRequest, payload: MatchIn, need_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    need = found(selectors.needs(user).filter(pk=need_id).first())
    resource = Resource.objects.filter(pk=payload.resource).first()
    if resource is None:
        raise invalid("resource", _("没有找到该资源"))
    decide = matching.match_reject if payload.decision == "reject" else matching.match_confirm
    match = decide(actor=user, need=need, resource=resource, note=payload.note)
    return 201, {"id": match.pk, "state": match.state, "rank": match.rank}


@router.get("/resources", response=list[ResourceOut], summary="资源清单")
def community_resource_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _resource_out(r) for r in selectors.resources(caller(request)).order_by("-created_at", "-pk")[:PAGE]
    ]


@router.post("/resources", response={201: ResourceOut}, summary="登记资源")
def community_resource_create(request: HttpRequest, payload: ResourceIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    draft = resources.ResourceDraft(
        title=payload.title,
        kind=payload.kind,
        field=payload.field,
        unit=_unit(payload.unit),
        node=_node(user, payload.node),
        quantity=payload.quantity,
        measure=payload.measure,
        available_from=payload.available_from,
        available_until=payload.available_until,
        schedule=payload.schedule,
        text=payload.text,
    )
    return 201, _resource_out(resources.resource_create(actor=user, draft=draft))


# --- projects, claims, pledges ----------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut], summary="项目清单")
def community_project_list(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    qs = selectors.projects(caller(request))
    if state:
        qs = qs.filter(state=state[:10])
    return [_project_out(p) for p in qs.order_by("-created_at", "-pk")[:PAGE]]


@router.post("/projects", response={201: ProjectOut}, summary="新建项目（草稿）")
def community_project_create(request: HttpRequest, payload: ProjectIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    node = _node(user, payload.node)
    draft = projects.ProjectDraft(
        title=payload.title,
        summary=payload.summary,
        field=payload.field,
        node=node,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        budget=payload.budget,
        needs=list(selectors.open_needs(user).filter(pk__in=payload.needs)),
        resources=list(selectors.resources(user).filter(pk__in=payload.resources)),
        milestones=[projects.Step(s.title, s.due) for s in payload.milestones],
    )
    if len(draft.needs) != len(set(payload.needs)):
        raise invalid("needs", _("只能选择本辖区待对接的需求"))
    if len(draft.resources) != len(set(payload.resources)):
        raise invalid("resources", _("只能选择您可查看的资源"))
    return 201, _project_out(projects.project_create(actor=user, draft=draft))


@router.get("/projects/{project_id}", response=ProjectOut, summary="项目（含承诺书、签署和节点）")
def community_project_get(
    request: HttpRequest, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    return _project_out(_project(request, project_id))


@router.post("/projects/{project_id}/publish", response=ProjectOut, summary="发布项目供认领")
def community_project_publish(
    request: HttpRequest, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    project = projects.project_publish(actor=caller(request), project=_project(request, project_id))
    return _project_out(project)


@router.post("/projects/{project_id}/claim", response={201: ProjectOut}, summary="项目认领（生成共建承诺书）")
def community_project_claim(
    request: HttpRequest, payload: ProjectClaimIn, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    project = _project(request, project_id)
    pledges.project_claim(
        actor=caller(request), project=project, unit=_unit(payload.unit), commitments=payload.commitments
    )
    return 201, _project_out(_project(request, project_id))


@router.post(
    "/projects/{project_id}/pledge/sign", response={201: PledgeSignatureOut}, summary="签署共建承诺书"
)
def community_pledge_sign(
    request: HttpRequest, payload: PledgeSignIn, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    pledge = found(selectors.pledge_of(_project(request, project_id)))
    s = pledges.pledge_sign(actor=caller(request), pledge=pledge, version=payload.version, side=payload.side)
    out = {"side": s.side, "version": s.version, "signer_name": s.signer_name}
    return 201, {**out, "content_hash": s.content_hash, "at": s.at, "current": True}


@router.post(
    "/projects/{project_id}/pledge/revise", response=ProjectOut, summary="修订承诺书（双方重新签署）"
)
def community_pledge_revise(
    request: HttpRequest, payload: ReviseIn, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    pledge = found(selectors.pledge_of(_project(request, project_id)))
    pledges.pledge_revise(
        actor=caller(request), pledge=pledge, commitments=payload.commitments, note=payload.note
    )
    return _project_out(_project(request, project_id))


@router.post(
    "/projects/{project_id}/milestones/{seq}/done", response=ProjectOut, summary="报告节点完成（附完成情况）"
)
def community_milestone_done(
    request: HttpRequest,
    payload: EvidenceIn,
    project_id: int = Path(..., ge=1, le=MAX_ID),
    seq: int = Path(..., ge=1, le=1000),
) -> dict[str, Any]:
    project = _project(request, project_id)
    milestone = found(project.milestones.filter(seq=seq).first())
    projects.milestone_done(actor=caller(request), milestone=milestone, evidence=payload.evidence)
    return _project_out(_project(request, project_id))


@router.post("/projects/{project_id}/finish", response=ProjectOut, summary="确认项目完成")
def community_project_finish(
    request: HttpRequest, payload: NoteIn, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    projects.project_finish(actor=caller(request), project=_project(request, project_id), note=payload.note)
    return _project_out(_project(request, project_id))


@router.post(
    "/projects/{project_id}/evaluations", response={201: dict[str, Any]}, summary="居民评议（每人一次）"
)
def community_project_evaluate(
    request: HttpRequest, payload: EvaluationIn, project_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    """A signed-in resident's vote on a finished project (the public page takes devices)."""
    project = found(Project.objects.filter(pk=project_id).first())
    voter = evaluations.voter_key(user_id=caller(request).pk)
    evaluations.evaluate(project=project, rating=payload.rating, voter=voter, comment=payload.comment)
    return 201, evaluations.summary([project.pk])[project.pk]


# --- 定点联系 --------------------------------------------------------------------------------------


@router.get("/contacts", response=list[PairOut], summary="定点联系")
def community_pair_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = selectors.contact_pairs(caller(request)).prefetch_related("visits")[:PAGE]
    return [
        {
            "id": p.pk,
            "unit": p.unit.code,
            "node": p.node.code,
            "since": p.since,
            "until": p.until,
            "visits": len(p.visits.all()),
        }
        for p in rows
    ]


@router.post("/contacts", response={201: PairOut}, summary="新建定点联系")
def community_pair_create(request: HttpRequest, payload: PairIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    node = _node(user, payload.node)
    if node is None:
        raise invalid("node", _("请选择居民区"))
    p = contacts.pair_create(actor=user, unit=_unit(payload.unit), node=node, note=payload.note)
    return 201, {
        "id": p.pk,
        "unit": p.unit.code,
        "node": p.node.code,
        "since": p.since,
        "until": p.until,
        "visits": 0,
    }


@router.post("/contacts/{pair_id}/visits", response={201: dict[str, Any]}, summary="登记定点联系走访")
def community_visit_create(
    request: HttpRequest, payload: ContactVisitIn, pair_id: int = Path(..., ge=1, le=MAX_ID)
) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    pair = found(selectors.contact_pairs(user).filter(pk=pair_id).first())
    v = contacts.visit_record(
        actor=user, pair=pair, on=payload.on, summary=payload.summary, people=payload.people
    )
    return 201, {"id": v.pk, "on": v.on, "people": v.people}
