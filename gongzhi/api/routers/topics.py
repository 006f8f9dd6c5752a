"""/api/v1/meetings/topics: 议题 — the problem list a meeting takes up: proposed from cases, a
suggestion or freely, vetted by the Party organisation (党组织把关), scheduled into a meeting,
discussed, or referred to the next meeting up the ladder.

Every write goes through gongzhi.meetings.services; every read through meetings.selectors
(scoped by orgs.access). Registered before the meetings router (its /{meeting_id} would take
/topics); the operations keep the ids they had in the meetings router.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from gongzhi.api.pagination import Page, PageParams
from gongzhi.api.routers.meetings_common import (
    MEETINGS_OPERATION_IDS,
    AreaFilters,
    Id,
    IdItem,
    KeptIdsRouter,
    Listing,
    TopicId,
    body_cases,
    body_meeting,
    body_node,
    fields_as,
    offered,
    scoped_topic,
    state_codes,
)
from gongzhi.api.shortcuts import MAX_ID, caller
from gongzhi.core.actors import Actor
from gongzhi.meetings import selectors, services, workflow
from gongzhi.meetings.models import Topic, TopicState

router = KeptIdsRouter(ids_from=MEETINGS_OPERATION_IDS, tags=["meetings"])


# --- schemas ------------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    node: str
    node_name: str
    meeting: int | None
    title: str
    detail: str
    business: str
    business_name: str
    source: str
    source_name: str
    state: str
    state_name: str
    cases: list[int]
    vet_reason: str
    discussion: str
    origin: int | None
    version: int
    created_at: datetime
    allowed_actions: list[str]


class ReferralOut(Schema):
    topic: TopicOut
    referred_to: int = Field(..., description="上级会议的新议题 id（由上级党组织审核）")
    referred_node: str


class TopicFilters(AreaFilters):
    state: list[TopicState] | None = None

    def where(self) -> dict[str, Any]:
        return {**super().where(), "states": state_codes(self.state)}


class TopicIn(Schema):
    node: str = Field(..., max_length=40)
    title: str = Field(..., max_length=120)
    business: str = Field(..., max_length=12)
    detail: str = Field("", max_length=4000)
    source: str = Field("free", max_length=10, description="cases | suggestion | free")
    cases: list[IdItem] = Field([], max_length=100, description="关联工单 id")
    meeting: int | None = Field(None, ge=1, le=MAX_ID, description="排入的会议 id（可空）")


class VetIn(Schema):
    approve: bool
    reason: str = Field("", max_length=300)


class ScheduleIn(Schema):
    meeting: int = Id


class DiscussIn(Schema):
    text: str = Field(..., max_length=8000)


class ReferIn(Schema):
    kind: str = Field(..., max_length=20, description="上一级会议类型")
    note: str = Field("", max_length=4000, description="本级为何无法解决")


# --- output -------------------------------------------------------------------------------------


def topic_out(topic: Topic, user: Actor) -> dict[str, Any]:
    kinds = services.actor_kinds(user, topic.node, topic.meeting)
    return {
        "id": topic.pk,
        "node": topic.node.code,
        "node_name": topic.node.name,
        "meeting": topic.meeting_id,
        "title": topic.title,
        "detail": topic.detail,
        "business": topic.business,
        "business_name": str(topic.get_business_display()),
        "source": topic.source,
        "source_name": str(topic.get_source_display()),
        "state": topic.state,
        "state_name": str(topic.get_state_display()),
        "cases": [c.pk for c in selectors.visible_linked(user=user, owner=topic)],
        "vet_reason": topic.vet_reason,
        "discussion": topic.discussion,
        "origin": topic.origin_id,
        "version": topic.version,
        "created_at": topic.created_at,
        "allowed_actions": offered(workflow.TOPIC, topic.state, kinds),
    }


def _topic_detail(user: Actor, topic_id: int) -> dict[str, Any]:
    return topic_out(scoped_topic(user, topic_id), user)


TOPICS = Listing(selectors.topic_list, topic_out, related=("meeting__chair",))
TOPICS_TO_VET = replace(TOPICS, select=selectors.to_vet)


# --- routes -------------------------------------------------------------------------------------


@router.get("/topics", response=Page[TopicOut], summary="议题列表")
def topic_list(request: HttpRequest, filters: Query[TopicFilters]) -> dict[str, Any]:
    return TOPICS.page(request, filters)


@router.post("/topics", response={201: TopicOut}, summary="提出议题")
def topic_propose(request: HttpRequest, payload: TopicIn) -> Status:
    user = caller(request)
    node = body_node(payload.node)
    meeting = body_meeting(user, payload.meeting)
    cases = body_cases(user, payload.cases)
    topic = services.topic_propose(
        actor=user,
        node=node,
        meeting=meeting,
        draft=services.TopicDraft(
            title=payload.title,
            business=payload.business,
            detail=payload.detail,
            source=payload.source,
            cases=cases,
        ),
    )
    return Status(201, _topic_detail(user, topic.pk))


@router.get("/topics/to-vet", response=Page[TopicOut], summary="待我审核的议题（党组织把关）")
def topic_to_vet(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    return TOPICS_TO_VET.page(request, params)


@router.get("/topics/{topic_id}", response=TopicOut, summary="议题详情")
def topic_detail(request: HttpRequest, topic_id: int = TopicId) -> dict[str, Any]:
    return _topic_detail(caller(request), topic_id)


@router.post("/topics/{topic_id}/vet", response=TopicOut, summary="审核议题（通过或不通过）")
def topic_vet(request: HttpRequest, payload: VetIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    topic = scoped_topic(user, topic_id)
    with fields_as(note="reason"):
        services.topic_vet(actor=user, topic=topic, approve=payload.approve, reason=payload.reason)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/schedule", response=TopicOut, summary="排入会议")
def topic_schedule(request: HttpRequest, payload: ScheduleIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    topic = scoped_topic(user, topic_id)
    meeting = body_meeting(user, payload.meeting)
    assert meeting is not None
    services.topic_schedule(actor=user, topic=topic, meeting=meeting)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/discuss", response=TopicOut, summary="记录会上讨论情况")
def topic_discuss(request: HttpRequest, payload: DiscussIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    services.topic_discuss(actor=user, topic=scoped_topic(user, topic_id), text=payload.text)
    return _topic_detail(user, topic_id)


@router.post("/topics/{topic_id}/refer", response=ReferralOut, summary="提交上一级会议")
def topic_refer(request: HttpRequest, payload: ReferIn, topic_id: int = TopicId) -> dict[str, Any]:
    user = caller(request)
    higher = services.topic_refer(
        actor=user, topic=scoped_topic(user, topic_id), kind=payload.kind, note=payload.note
    )
    return {
        "topic": _topic_detail(user, topic_id),
        "referred_to": higher.pk,
        "referred_node": higher.node.code,
    }
