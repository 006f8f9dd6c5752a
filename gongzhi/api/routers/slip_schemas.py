"""The shapes of /api/v1/meetings/slips (slips.py): the slip in a list and in detail, the bodies
that draft, edit, sign and evaluate it, and its completion report."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from gongzhi.api.routers.meetings_common import AreaFilters, Id, IdItem, state_codes, today
from gongzhi.api.shortcuts import MAX_ID
from gongzhi.meetings.models import SlipState

# --- out ----------------------------------------------------------------------------------------


class PartyOut(Schema):
    unit: str
    unit_name: str
    role: str
    role_name: str
    post: str | None
    task: str
    verdict: str | None = Field(None, description="本单位对当前版本的会签意见（未签为空）")


class SlipOut(Schema):
    id: int
    number: str
    state: str
    state_name: str
    node: str
    node_name: str
    meeting: int
    topic: int
    action: str
    due: date
    overdue: bool
    version: int
    seq: int = Field(..., description="乐观锁：修改时带回")
    parties: list[PartyOut]
    cases_total: int
    cases_closed: int


class ProgressOut(Schema):
    total: int
    closed: int
    finished: int
    percent: int


class SignatureOut(Schema):
    id: int
    unit: str
    unit_name: str
    signer_name: str
    signer_post: str
    verdict: str
    verdict_name: str
    reason: str
    slip_version: int
    current: bool = Field(..., description="签的是当前版本（否则已被修订取代）")
    content_hash: str
    at: datetime


class EvaluationOut(Schema):
    id: int
    source: str
    source_name: str
    rating: str
    rating_name: str
    votes: int
    meeting: int | None
    note: str
    at: datetime


class NewCaseOut(Schema):
    category: str
    node: str
    text: str


class SlipDetailOut(SlipOut):
    cases: list[int]
    new_cases: list[NewCaseOut]
    content_hash: str
    unsigned_units: list[str]
    progress: ProgressOut
    signatures: list[SignatureOut]
    evaluations: list[EvaluationOut]
    created_at: datetime
    bound_at: datetime | None
    done_at: datetime | None
    allowed_actions: list[str]


# --- in -----------------------------------------------------------------------------------------


class SlipFilters(AreaFilters):
    state: list[SlipState] | None = None
    overdue: bool = Field(False, description="只看超过完成时限仍未办结的")

    def where(self) -> dict[str, Any]:
        return {
            **super().where(),
            "states": state_codes(self.state),
            "overdue_on": today() if self.overdue else None,
        }


class PartyIn(Schema):
    unit: str = Field(..., max_length=40, description="单位编码")
    role: str = Field("assist", max_length=10, description="lead 主办 | assist 协办")
    post: str | None = Field(None, max_length=40, description="责任岗位编码")
    task: str = Field("", max_length=300)


class NewCaseIn(Schema):
    category: str = Field(..., max_length=20, description="小类编码")
    node: str = Field(..., max_length=40, description="位置编码")
    text: str = Field(..., max_length=4000)


class SlipContentIn(Schema):
    action: str = Field("", max_length=2000, description="决定事项")
    due: date | None = Field(None, description="完成时限")
    parties: list[PartyIn] = Field([], max_length=50)
    cases: list[IdItem] = Field([], max_length=100, description="关联工单 id")
    new_cases: list[NewCaseIn] = Field([], max_length=50, description="生效时新建的工单")


class SlipCreateIn(SlipContentIn):
    topic: int = Id


class SlipEditIn(SlipContentIn):
    seq: int | None = Field(None, ge=0, le=MAX_ID, description="读取时的 seq（乐观锁）")


class SlipReviseIn(SlipEditIn):
    note: str = Field("", max_length=4000, description="修订理由")


class SeqIn(Schema):
    seq: int | None = Field(None, ge=0, le=MAX_ID, description="读取时的 seq（乐观锁）")


class SignIn(Schema):
    verdict: str = Field(..., max_length=10, description="agree | object")
    version: int = Field(..., ge=1, le=MAX_ID, description="所阅读的版本")
    reason: str = Field("", max_length=500, description="异议理由")
    unit: str | None = Field(None, max_length=40, description="代表的单位编码（身兼数职时）")


class LinkCaseIn(Schema):
    case: int = Id


class EvaluateIn(Schema):
    rating: str = Field(..., max_length=6, description="good | fair | poor")
    note: str = Field("", max_length=500)
    source: str = Field("party", max_length=10, description="party | residents")
    votes: int = Field(1, ge=0, le=1_000_000)
    meeting: int | None = Field(None, ge=1, le=MAX_ID, description="评议会 id（居民评议）")


# --- completion (办结报告) ------------------------------------------------------------------------


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
