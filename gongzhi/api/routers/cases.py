"""/api/v1/cases: intake, lists, details, events, actions and attachments of cases (工单).

Every write goes through gongzhi.cases.services; every read through gongzhi.cases.selectors,
which scope by orgs.access. A case outside the caller's scope answers 404 like a missing one.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.api.pagination import PageParams
from gongzhi.api.shortcuts import MAX_ID, caller, found, refuse_number_in_url
from gongzhi.cases import contact, suggestions
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Attachment, Case, CaseEvent
from gongzhi.cases.states import Source, State
from gongzhi.core import paging, refdata
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.core.i18n import localized
from gongzhi.geo import locate
from gongzhi.geo import reference as geo_reference
from gongzhi.geo.models import Node
from gongzhi.orgs import access, reference
from gongzhi.orgs.models import Category, Post

router = Router(tags=["cases"])
CaseId = Path(..., ge=1, le=MAX_ID, description="工单 id")


class CasePostOut(Schema):
    code: str
    title: str
    unit: str
    person: str


class CaseOut(Schema):
    id: int
    number: str
    state: str
    state_name: str
    node: str
    node_name: str
    category: str | None
    category_name: str | None
    text: str
    source: str
    rung: int
    version: int
    post: CasePostOut | None
    assisting: list[CasePostOut] = Field(..., description="协办岗位")
    contact_phone: str = Field(..., description="脱敏")
    created_at: datetime
    dispatch_due: datetime | None
    handle_due: datetime | None
    verify_due: datetime | None
    closed_at: datetime | None
    satisfaction: str
    rework_count: int
    allowed_actions: list[str]


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    url: str
    thumbnail_url: str


class CaseEventOut(Schema):
    seq: int
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: datetime
    note: str
    data: dict[str, Any]
    attachments: list[AttachmentOut]


class CaseIn(Schema):
    node: str = Field(..., max_length=40, description="位置：辖区节点编码（楼栋、小区……）")
    text: str = Field(..., max_length=4000, description="问题描述")
    category: str | None = Field(None, max_length=20, description="小类编码（可空，由受理员分类）")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    external_id: str = Field("", max_length=64, description="外部编号（重复提交返回同一工单）")

    def intake(self, node: Node, category: Category | None) -> case_services.Intake:
        """What the API knows of a report, for the one intake service (place and category
        already looked up)."""
        return case_services.Intake(
            node=node,
            text=self.text,
            source=Source.API,
            category=category,
            lat=self.lat,
            lon=self.lon,
            address=self.address,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            external_id=self.external_id,
        )


class BatchIn(Schema):
    cases: list[CaseIn] = Field(
        ..., min_length=1, max_length=case_services.MAX_BATCH, description="至多200条；全部成功或全部不写"
    )


class BatchItemOut(Schema):
    id: int
    number: str
    state: str
    post: str | None = Field(..., description="派往的岗位编码")
    dispatch_due: datetime | None
    created: bool = Field(..., description="false：外部编号已登记过，返回原工单")


MAX_ASSISTING = 10  # assisting posts one dispatch may name


class ActionIn(Schema):
    action: str = Field(..., max_length=30)
    version: int = Field(..., ge=1, description="读取时的版本号（乐观锁）")
    note: str = Field("", max_length=4000)
    category: str | None = Field(None, max_length=20)
    post: str | None = Field(None, max_length=40, description="岗位编码")
    assisting: list[str] | None = Field(
        None,
        max_length=MAX_ASSISTING,
        description="协办岗位编码（派遣、改派时；不传则保留原协办，空列表清除协办）",
    )
    master: int | None = Field(None, ge=1, le=MAX_ID, description="主案 id")
    review_date: date | None = None
    until: datetime | None = None
    approved: bool | None = None


class SuggestionOut(Schema):
    code: str = Field(..., description="小类编码")
    name: str
    confidence: float = Field(..., ge=0, le=1)


class DuplicateOut(Schema):
    id: int
    number: str
    state: str
    state_name: str
    node: str
    node_name: str
    category: str | None
    text: str = Field(..., description="问题描述（前200字）")
    created_at: datetime
    score: float = Field(..., description="综合得分（文本相似度与位置）")
    similarity: float = Field(..., description="描述相似度（字二元组 Jaccard）")
    same_building: bool
    distance_m: float | None = Field(..., description="两案坐标相距（米），缺坐标时为空")


class SuggestionsOut(Schema):
    case_id: int
    category: str | None = Field(..., description="已定的小类；为空时才给分类建议")
    suggestions: list[SuggestionOut] = Field(..., description="分类建议，前3个，按置信度排列")
    needs_triage: bool = Field(..., description="最高置信度低于阈值：须人工分诊")
    stored: bool = Field(..., description="上报时记录的建议（否则为当场计算）")
    duplicates: list[DuplicateOut] = Field(..., description="并单候选（调用者可见的未办结工单）")


class SuggestIn(Schema):
    text: str = Field(..., max_length=4000, description="问题描述（正在填写的也可以）")


class SuggestOut(Schema):
    suggestions: list[SuggestionOut] = Field(
        ..., description="最可能的3个小类，按置信度排列；置信度之和不超过1"
    )
    needs_triage: bool = Field(..., description="没有足够可信的小类（或像是与问题无关的内容）：须人工分诊")


class CaseFilters(PageParams):
    state: State | None = None
    category: str | None = Field(None, max_length=20)
    node: str | None = Field(None, max_length=40, description="辖区编码（含下级）")
    q: str | None = Field(None, max_length=100, description="描述包含")
    overdue: bool = Field(False, description="只看超期：当前环节已过时限的未办结工单（与超期工单页同一口径）")
    due_soon: bool = Field(False, description="只看即将超期：当前环节时限在一天内的未办结工单")
    cursor: str | None = Field(
        None, max_length=60, description="上一页返回的 next_cursor：从其后接着取（深翻页用它，不用 offset）"
    )


class CasePage(Schema):
    count: int = Field(..., description="符合条件的工单数，最多数到10000")
    count_more: bool = Field(..., description="true：多于 count（显示为“10000+”）")
    next_cursor: str | None = Field(..., description="下一页的翻页标记；最后一页为空")
    items: list[CaseOut]


def _post_out(post: Post) -> dict[str, str]:
    return {"code": post.code, "title": post.title, "unit": post.unit.name, "person": post.person.name}


def _assisting_of(case: Case) -> list[Post]:
    """The case's 协办 posts; no query when the intake or an action knows there are none."""
    if getattr(case, "_assisting_post_ids", None) == frozenset():
        return []
    return list(case.assisting_posts.all())


def case_out(case: Case, user: Actor) -> dict[str, Any]:
    post = case.post
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_name": str(case.get_state_display()),
        "node": case.node.code,
        "node_name": case.node.name,
        "category": case.category.code if case.category else None,
        "category_name": localized(case.category) if case.category else None,
        "text": case.text,
        "source": case.source,
        "rung": case.rung,
        "version": case.version,
        "post": _post_out(post) if post else None,
        "assisting": [_post_out(p) for p in _assisting_of(case)],
        "contact_phone": case.contact_phone_masked,
        "created_at": case.created_at,
        "dispatch_due": case.dispatch_due,
        "handle_due": case.handle_due,
        "verify_due": case.verify_due,
        "closed_at": case.closed_at,
        "satisfaction": case.satisfaction,
        "rework_count": case.rework_count,
        "allowed_actions": case_services.allowed_for(user, case),
    }


def event_out(event: CaseEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor.get_username() if event.actor else None,
        "at": event.at,
        "note": event.note,
        "data": event.data,
        "attachments": [
            {
                "id": a.pk,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/cases/attachments/{a.pk}",
                "thumbnail_url": f"/api/v1/cases/attachments/{a.pk}?thumbnail=true",
            }
            for a in event.attachments.all()
        ],
    }


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = reference.categories_by_code([code]).get(code)
    if category is None:
        raise invalid("category", _("分类 %(code)s 不存在") % {"code": code})
    return category


def _intake_errors(user: Actor, item: CaseIn, node: Node | None, prefix: str = "") -> dict[str, list[str]]:
    """What the API refuses that the other channels refuse too: a place the caller may not
    report at (the patrol page's rule: VIEW_CASES over the node), and a map point outside the
    street, (0, 0) included (the resident page's and Open311's check: geo.locate)."""
    errors: dict[str, list[str]] = {}
    if node is None:
        errors[f"{prefix}node"] = [_("位置 %(code)s 不存在") % {"code": item.node}]
    elif not access.can(user, access.VIEW_CASES, node):
        errors[f"{prefix}node"] = [_("您无权在位置 %(code)s 上报") % {"code": item.node}]
    if (item.lat is None) != (item.lon is None):
        errors[f"{prefix}lat"] = [_("经纬度须同时提供")]
    elif item.lat is not None and item.lon is not None and locate.pk_for_point(item.lat, item.lon) is None:
        errors[f"{prefix}lat"] = [_("坐标不在本街道范围内")]
    return errors


def _scoped_case(user: Actor, case_id: int) -> Case:
    return found(case_selectors.case_get(user=user, pk=case_id))


@router.get("", response=CasePage, summary="工单列表（新的在前）")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Counted up to 10,000; deep pages follow `next_cursor` (a keyset page costs the same
    however deep it is), `offset` still works for the first pages."""
    user = caller(request)
    refuse_number_in_url(filters.q)
    wanted: dict[str, Any] = {
        "state": filters.state,
        "category": filters.category,
        "q": filters.q,
        "overdue": filters.overdue,
        "due_soon": filters.due_soon,
    }
    if filters.node:
        node = found(Node.objects.filter(code=filters.node).first())
        wanted["node_path"] = node.path
    if filters.cursor and filters.offset:
        raise invalid("offset", _("使用翻页标记时不能同时指定 offset"))
    qs = case_selectors.case_list(user=user, filters=wanted).select_related("post__unit", "post__person")
    qs = qs.prefetch_related("assisting_posts__unit", "assisting_posts__person")
    count, more = paging.capped_count(qs)
    if filters.cursor:
        qs = paging.after(qs, filters.cursor)
    rows = list(qs.order_by("-created_at", "-pk")[filters.offset : filters.offset + filters.limit + 1])
    next_cursor = paging.cursor_of(rows[filters.limit - 1]) if len(rows) > filters.limit else None
    return {
        "count": count,
        "count_more": more,
        "next_cursor": next_cursor,
        "items": [case_out(c, user) for c in rows[: filters.limit]],
    }


@router.post("", response={201: CaseOut, 200: CaseOut}, summary="上报问题（立一个工单）")
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    user = caller(request)
    with refdata.pinned():  # place, category, route, dispatchers and scope: one stamp read
        node = geo_reference.node_by_code(payload.node)
        errors = _intake_errors(user, payload, node)
        if errors or node is None:  # a missing node is among the errors
            raise ValidationError(errors)
        intake = payload.intake(node, _category(payload.category))
        case, created = case_services.case_intake(actor=user, intake=intake)
        return Status(201 if created else 200, case_out(case, user))


@router.post("/suggest", response=SuggestOut, summary="分类建议（按问题描述）")
def case_suggest(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    """The 3 likeliest 小类 of a description with calibrated confidences, before any case
    exists (a client suggests while the reporter types). Only a suggestion: the category is
    set by the dispatcher, or by the client sending `category` with the case."""
    caller(request)
    text = payload.text.strip()
    if not text:
        raise invalid("text", _("请填写问题描述"))
    suggested = suggestions.for_text(text)
    return {
        "suggestions": [
            {"code": s.code, "name": s.name, "confidence": s.confidence} for s in suggested.suggestions
        ],
        "needs_triage": suggested.needs_triage,
    }


@router.post("/batch", response={201: list[BatchItemOut]}, summary="批量上报（热线、感知设备网关）")
def case_create_batch(request: HttpRequest, payload: BatchIn) -> Status:
    """One transaction for the whole batch: a bad item rejects all of them, its errors located
    as ["body", "payload", "cases", index, field]."""
    user = caller(request)
    with refdata.pinned():
        return _create_batch(user, payload)


def _create_batch(user: Actor, payload: BatchIn) -> Status:
    nodes = geo_reference.nodes_by_code([c.node for c in payload.cases])
    categories = reference.categories_by_code(c.category for c in payload.cases if c.category)
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(payload.cases):
        errors.update(_intake_errors(user, item, nodes.get(item.node), prefix=f"cases.{i}."))
        if item.category and item.category not in categories:
            errors[f"cases.{i}.category"] = [_("分类 %(code)s 不存在") % {"code": item.category}]
    if errors:
        raise ValidationError(errors)
    intakes = [item.intake(nodes[item.node], categories.get(item.category or "")) for item in payload.cases]
    try:
        recorded = case_services.case_intake_many(actor=user, intakes=intakes)
    except ValidationError as exc:  # the service names items by index alone
        raise ValidationError({f"cases.{k}": v for k, v in exc.message_dict.items()}) from exc
    return Status(
        201,
        [
            {
                "id": case.pk,
                "number": case.number,
                "state": case.state,
                "post": case.post.code if case.post else None,
                "dispatch_due": case.dispatch_due,
                "created": created,
            }
            for case, created in recorded
        ],
    )


@router.get("/{case_id}", response=CaseOut, summary="工单详情")
def case_detail(request: HttpRequest, case_id: int = CaseId) -> dict[str, Any]:
    user = caller(request)
    return case_out(_scoped_case(user, case_id), user)


class ContactRevealIn(Schema):
    purpose: str = Field(..., max_length=200, description="查看用途，如“电话回访”")


class ContactRevealOut(Schema):
    contact_name: str
    contact_phone: str = Field(..., description="完整号码（本次查看已留痕）")


@router.post("/{case_id}/reveal-contact", response=ContactRevealOut, summary="查看联系人完整号码（留痕）")
def case_contact_reveal(
    request: HttpRequest, payload: ContactRevealIn, case_id: int = CaseId
) -> dict[str, Any]:
    """For REVEAL_PII + VIEW_CASES over the case's place or the dispatched post's holders
    (cases.contact); the access-log row is written before the number is returned."""
    user = caller(request)
    case = _scoped_case(user, case_id)
    phone = contact.case_contact_reveal(actor=user, case=case, purpose=payload.purpose)
    return {"contact_name": case.contact_name, "contact_phone": phone}


@router.get("/{case_id}/events", response=list[CaseEventOut], summary="工单记录（时间线）")
def case_events(request: HttpRequest, case_id: int = CaseId) -> list[dict[str, Any]]:
    case = _scoped_case(caller(request), case_id)
    return [event_out(e) for e in case_selectors.case_events(case)]


@router.get("/{case_id}/suggestions", response=SuggestionsOut, summary="分类建议与并单候选")
def case_suggestions(request: HttpRequest, case_id: int = CaseId) -> dict[str, Any]:
    """Only suggestions: the dispatcher registers with a category (`register`) and merges into a
    master (`merge`, `master` = a candidate's id) through the actions endpoint."""
    user = caller(request)
    case = _scoped_case(user, case_id)
    suggested = suggestions.for_case(case)
    return {
        "case_id": case.pk,
        "category": case.category.code if case.category else None,
        "suggestions": [
            {"code": s.code, "name": s.name, "confidence": s.confidence}
            for s in (suggested.suggestions if suggested else [])
        ],
        "needs_triage": bool(suggested and suggested.needs_triage),
        "stored": bool(suggested and suggested.stored),
        "duplicates": [
            {
                "id": d.case.pk,
                "number": d.case.number,
                "state": d.case.state,
                "state_name": str(d.case.get_state_display()),
                "node": d.case.node.code,
                "node_name": d.case.node.name,
                "category": d.case.category.code if d.case.category else None,
                "text": d.case.text[:200],
                "created_at": d.case.created_at,
                "score": d.score,
                "similarity": d.similarity,
                "same_building": d.same_building,
                "distance_m": round(d.distance_m, 1) if d.distance_m is not None else None,
            }
            for d in suggestions.duplicates_for(user=user, case=case)
        ],
    }


def _assisting_posts(codes: list[str] | None) -> list[Post] | None:
    """The assisting posts named by code (None keeps the case's); the service checks each is
    one the case may go to (cases.choices, the one door)."""
    if codes is None:
        return None
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    posts = {p.code: p for p in Post.objects.filter(code__in=wanted).select_related("unit", "node")}
    unknown = [c for c in wanted if c not in posts]
    if unknown:
        raise invalid("assisting", _("岗位 %(code)s 不存在") % {"code": "、".join(u[:40] for u in unknown)})
    return [posts[c] for c in wanted]


def _act(request: HttpRequest, case_id: int, payload: ActionIn, files: list[Any]) -> dict[str, Any]:
    user = caller(request)
    case = _scoped_case(user, case_id)
    post = None
    if payload.post:
        post = Post.objects.filter(code=payload.post).first()
        if post is None:
            raise invalid("post", _("岗位 %(code)s 不存在") % {"code": payload.post})
    assisting = _assisting_posts(payload.assisting)
    master = None
    if payload.master:
        master = case_selectors.case_get(user=user, pk=payload.master)
        if master is None:
            raise invalid("master", _("主案不存在"))
    act = case_services.Act(
        action=payload.action,
        version=payload.version,
        note=payload.note,
        category=_category(payload.category),
        post=post,
        assisting=assisting,
        master=master,
        review_date=payload.review_date,
        until=payload.until,
        approved=payload.approved,
        files=files,
    )
    case = case_services.case_act(actor=user, case=case, act=act)
    return case_out(found(case_selectors.case_get(user=user, pk=case.pk)), user)


@router.post("/{case_id}/actions", response=CaseOut, summary="办理工单（受理、派遣、处置、核查……）")
def case_action(request: HttpRequest, payload: ActionIn, case_id: int = CaseId) -> dict[str, Any]:
    """409 when the action is not allowed in the case's state (the body lists `allowed_actions`)
    or when `version` is stale; 403 when the caller may not take it; 422 when something it needs
    is missing."""
    return _act(request, case_id, payload, [])


@router.post("/{case_id}/actions/upload", response=CaseOut, summary="办理工单并上传照片")
def case_action_upload(
    request: HttpRequest,
    payload: Form[ActionIn],
    files: File[list[UploadedFile]],
    case_id: int = CaseId,
) -> dict[str, Any]:
    return _act(request, case_id, payload, list(files))


@router.get("/attachments/{attachment_id}", summary="下载附件", response={200: None})
def attachment_file(
    request: HttpRequest, attachment_id: int = Path(..., ge=1, le=MAX_ID), thumbnail: bool = False
) -> FileResponse:
    attachment = found(Attachment.objects.select_related("event").filter(pk=attachment_id).first())
    _scoped_case(caller(request), attachment.event.case_id)
    stored = attachment.thumbnail if thumbnail and attachment.thumbnail else attachment.file
    content_type = "image/jpeg" if stored is attachment.thumbnail else attachment.content_type
    return FileResponse(stored.open("rb"), content_type=content_type)
