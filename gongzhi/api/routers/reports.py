"""/api/v1/reports: KPIs of a node, unit or post for a period, the cases behind each figure,
rankings of areas and units, and the stored 日报 / 周报 with their commentary.

Every read goes through gongzhi.reports (subjects check orgs.access): a node outside the
caller's case scope is a 403 and no figure counts a case the caller could not open; an
unknown node, unit or post code, a period whose end is not after its start, an unknown KPI
are 422 with the field named. Periods are local days [start, end): `end` is not included.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gongzhi.api.pagination import Page, PageParams, paginate
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.cases.models import Case
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.i18n import localized
from gongzhi.reports import (
    community_figures,
    definitions,
    documents,
    drill,
    kpis,
    mobilisation_figures,
    order_figures,
    rankings,
    selectors,
    services,
    volunteer_figures,
)
from gongzhi.reports.models import Report
from gongzhi.reports.periods import Period, period
from gongzhi.reports.subjects import Subject, subject_for

router = Router(tags=["reports"])

ReportId = Path(..., ge=1, le=MAX_ID, description="报表 id")
COMMUNITY_KINDS = frozenset(community_figures.KPI_ROWS.values()) | frozenset(
    community_figures.COUNT_ROWS.values()
)
UNITS = {definitions.RATE: "%", definitions.HOURS: "小时", definitions.COUNT: "次", definitions.BACKLOG: "件"}


class SubjectQuery(Schema):
    node: str | None = Field(None, max_length=40, description="辖区编码（统计其下全部）；缺省为本人辖区")
    unit: str | None = Field(None, max_length=40, description="单位编码")
    post: str | None = Field(None, max_length=40, description="岗位编码")
    start: date | None = Field(None, description="起始日期（含），缺省为本月1日")
    end: date | None = Field(None, description="截止日期（不含），缺省为明天")


class DrillQuery(SubjectQuery, PageParams):
    part: Literal["numerator", "denominator", "rest"] = Field(
        "denominator", description="分子、分母或其余（分母中不计入分子的，如超期结案）"
    )
    bucket: str = Field("", max_length=10, description="积压工单的账龄分段（d1/d3/d7/d30/older）")


class FigureQuery(SubjectQuery, PageParams):
    category: str = Field("", max_length=20, description="小类编码；none 为未分类")
    group: str = Field("", max_length=20, description="大类编码；none 为未分类")
    rule: str = Field("", max_length=20, description="关爱数字（care_raised、care_false_alarms）的预警规则")
    member_type: str = Field("", max_length=20, description="共建积分记录（community_points）的党员类型")
    source: str = Field(
        "", max_length=20, description="志愿服务时长（volunteer_hours）的来源：order、shift、task"
    )
    kind: str = Field(
        "", max_length=20, description="直报数字（direct_*）的事件类型：fire、injury、collapse……"
    )


class RankQuery(SubjectQuery):
    by: Literal["streets", "areas", "units"] = Field("areas", description="按街道（区级）、居民区或单位排名")
    kpi: str = Field(definitions.COMPOSITE, max_length=30, description="排名指标，缺省为综合得分")


class BucketOut(Schema):
    key: str
    label: str
    count: int


class KpiOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="rate 比率 / hours 用时 / count 计数 / backlog 积压")
    numerator: int | None
    denominator: int | None
    value: float | None = Field(..., description="比率为百分数，用时为小时")
    unit: str
    grade: str | None
    higher_is_better: bool
    help: str
    buckets: list[BucketOut] = []
    numerator_cases: str
    denominator_cases: str


class SubjectOut(Schema):
    label: str
    node: str | None
    unit: str | None
    post: str | None


class CareRuleOut(Schema):
    kind: str
    label: str
    raised: int
    closed: int
    false_alarms: int


class CareOut(Schema):
    """A place's care counts (no names); the care rates are among `kpis` (source care)."""

    raised: int = Field(..., description="期间内触发的关爱预警")
    by_rule: list[CareRuleOut]
    visits_done: int = Field(..., description="期间内的上门探访和电话问候")
    open_alerts: int = Field(..., description="现在未关闭的预警")
    overdue_visits: int = Field(..., description="现在探访逾期的关爱对象")


class TypeRowOut(Schema):
    member_type: str
    label: str
    members: int = Field(..., description="期间内有积分记录的党员")
    total: int
    average: float | None
    median: float | None
    highest: int | None
    lowest: int | None
    deductions: int = Field(..., description="期间内未冲正的扣分记录")


class AreaRateOut(Schema):
    key: str
    value: float | None
    numerator: int
    denominator: int


class CommunityAreaOut(Schema):
    code: str
    name: str
    rates: list[AreaRateOut]


class CommunityOut(Schema):
    """A place's community counts; the community rates are among `kpis` (source community)."""

    as_of: date = Field(..., description="报到率按这一天有效的双报到计算")
    measures: dict[str, int] = Field(..., description="各指标的分子分母和计数")
    units_serving: int = Field(..., description="在辖区内居民区报到、期末有效的单位")
    needs_open: int = Field(..., description="现在待对接或已匹配的需求")
    projects_active: int = Field(..., description="现在实施中的项目")
    by_type: list[TypeRowOut] = Field(..., description="积分分布（按党员类型）")
    areas: list[CommunityAreaOut] = Field(..., description="各居民区的共建指标（辖区含多个居民区时）")


class VolunteerAreaOut(Schema):
    code: str
    name: str
    hours: float = Field(..., description="期间内已确认、未冲正的志愿服务小时")
    by_source: dict[str, float] = Field(..., description="按来源：order 订单、shift 值守班次、task 志愿任务")
    registered: int = Field(..., description="期末（或现在）登记在册的志愿者")
    active: int = Field(..., description="期间内有服务时长的志愿者")
    median_hours: float | None = Field(..., description="有时长的志愿者的小时数中位数")


class VolunteersOut(VolunteerAreaOut):
    """A place's volunteer hours; counts only, the list is /figures/volunteer_hours/cases."""

    entries: int = Field(..., description="计入的时长记录")
    areas: list[VolunteerAreaOut] = Field(..., description="各居民区（辖区含多个居民区时）")


class UnitHoursOut(Schema):
    unit: str
    hours: float


class IncidentFiguresOut(Schema):
    """One incident's figures under the place (its posts and items there)."""

    id: int
    number: str
    title: str
    kind: str
    state: str
    declared_at: str
    closed_at: str
    shifts: int = Field(..., description="期间内已开始的出入口班次")
    shifts_manned: int = Field(..., description="其中有人签到的班次")
    slots_needed: int = Field(..., description="这些班次需要的人次")
    slots_filled: int = Field(..., description="已排班人次（每班不超过所需人数）")
    slots_checked_in: int = Field(..., description="签到人次（每班不超过所需人数）")
    filled_share: float | None
    checked_in_share: float | None
    households_reached: int
    households_to_reach: int
    supplies_delivered: int
    supplies_to_deliver: int
    doors_checked: int
    doors_to_check: int
    hours: float = Field(..., description="签到签退计的值守小时")
    hours_by_unit: list[UnitHoursOut]


class OrderModuleOut(Schema):
    code: str
    name: str
    posted: int
    taken: int
    served: int
    converted: int
    cancelled: int
    open: int
    rated: int
    satisfaction: float | None
    response_minutes_p50: float | None
    response_minutes_p90: float | None
    completion_hours_p50: float | None
    completion_hours_p90: float | None


class OrdersBlockOut(Schema):
    total: OrderModuleOut
    modules: list[OrderModuleOut]


class KpiSetOut(Schema):
    subject: SubjectOut
    start: date
    end: date
    as_of: datetime | None = Field(..., description="统计数据更新时间")
    stale: bool = Field(..., description="新记录较多，数据截至 as_of，稍后更新")
    kpis: list[KpiOut]
    counts: dict[str, int]
    care: CareOut | None = Field(None, description="关爱计数：只对辖区、且只给参与该辖区关爱的人")
    community: CommunityOut | None = Field(
        None, description="共建计数：只对辖区、且只给有该辖区共建查看权限的人"
    )
    orders: OrdersBlockOut | None = Field(
        None, description="订单服务：只对辖区、且只给有该辖区订单查看权限的人"
    )
    volunteers: VolunteersOut | None = Field(
        None, description="志愿服务时长：只对辖区、且只给有该辖区共建查看权限的人"
    )
    mobilisation: list[IncidentFiguresOut] | None = Field(
        None, description="应急动员（期间内、范围涉及本辖区的每起）：只给有该辖区应急动员查看权限的人"
    )


class DrillItemOut(Schema):
    type: str = Field(
        ...,
        description="case / meeting / slip / alert / due / care_subject / member / unit / commitment / need / "
        "project / entry / hours",
    )
    id: int
    number: str
    title: str
    node: str
    node_name: str
    state: str
    state_name: str
    at: datetime | date | None


class EntryOut(Schema):
    rank: int | None
    code: str
    name: str
    value: float | None
    numerator: int | None
    denominator: int | None
    grade: str | None


class RankingOut(Schema):
    by: str
    kpi: str
    label: str
    entries: list[EntryOut]
    praise: list[EntryOut] = Field(..., description="点赞榜")
    shame: list[EntryOut] = Field(..., description="亮丑榜")


class NoteOut(Schema):
    id: int
    text: str
    by: str
    at: datetime


class ReportOut(Schema):
    id: int
    kind: str
    kind_name: str
    node: str
    node_name: str
    start: date
    end: date
    generated_at: datetime
    revision: int


class ReportDetailOut(ReportOut):
    figures: dict[str, Any]
    notes: list[NoteOut]
    may_comment: bool


class ReportNoteIn(Schema):
    text: str = Field(..., max_length=4000)


# --- helpers --------------------------------------------------------------------------------------


def _subject(request: HttpRequest, q: SubjectQuery) -> tuple[Subject, Period]:
    subject = subject_for(caller(request), node=q.node or "", unit=q.unit or "", post=q.post or "")
    return subject, period(q.start, q.end)


def _query(subject: Subject, p: Period) -> str:
    from urllib.parse import urlencode

    return urlencode({**subject.query(), "start": p.start.isoformat(), "end": p.end.isoformat()})


def kpi_out(value: kpis.KpiValue, query: str) -> dict[str, Any]:
    kpi = value.kpi
    base = f"/api/v1/reports/kpis/{kpi.key}/cases?{query}"
    return {
        "key": kpi.key,
        "label": str(kpi.label),
        "kind": kpi.kind,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": value.value,
        "unit": UNITS[kpi.kind],
        "grade": value.grade,
        "higher_is_better": kpi.higher_is_better,
        "help": str(kpi.help),
        "buckets": [{"key": b.key, "label": b.label, "count": b.count} for b in value.buckets],
        "numerator_cases": f"{base}&part=numerator",
        "denominator_cases": f"{base}&part=denominator",
    }


def care_item_out(kind: str, row: Any) -> dict[str, Any]:
    """A care row: the alert, the visit due or the subject by id and home, never a name (the
    care API gives the rest to those who serve the subject)."""
    if kind == drill.ALERT:
        subject, number, title = row.subject, f"YJ{row.pk:06d}", row.get_kind_display()
        state, state_name, at = row.state, row.get_state_display(), row.opened_at
    elif kind == drill.DUE:
        subject, number, title = row.subject, "", _("定期探访到期")
        state = "met" if row.met_at else "missed"
        state_name, at = (_("按时") if row.met_at else _("逾期")), row.due_at
    else:
        subject, number, title = row, "", _("探访逾期")
        state, state_name, at = "overdue", _("探访逾期"), row.visit_due_at
    return {
        "type": kind,
        "id": row.pk,
        "number": number,
        "title": str(title),
        "node": subject.home.code,
        "node_name": subject.home.name,
        "state": state,
        "state_name": str(state_name),
        "at": at,
    }


def community_item_out(kind: str, row: Any) -> dict[str, Any]:
    """A row behind a community figure, as the community pages show it to the same user."""
    if kind == community_figures.MEMBER:
        home = row.person.home
        title, node, state, state_name, at = (
            row.person.name,
            home,
            row.member_type,
            row.get_member_type_display(),
            None,
        )
        number = f"DY{row.pk:06d}"
    elif kind == community_figures.UNIT:
        title, node, state, state_name, at = row.name, row.node, row.kind, row.get_kind_display(), None
        number = row.code
    elif kind == community_figures.COMMITMENT:
        reg = row.registration
        who = reg.unit.name if reg.unit else reg.member.person.name
        title, node, state, state_name, at = (
            f"{who}：{row.title}",
            reg.node,
            reg.state,
            reg.get_state_display(),
            None,
        )
        number = f"CN{row.pk:06d}"
    elif kind == community_figures.ENTRY:
        title, node, at = f"{row.member.person.name}：{row.rule.item}", None, row.occurred_on
        state, state_name, number = row.kind, row.get_kind_display(), f"{row.points:+d}"
    else:  # a need or a project
        title, node, state, state_name = row.title, row.node, row.state, row.get_state_display()
        number, at = row.number, row.created_at
    return {
        "type": kind,
        "id": row.pk,
        "number": number,
        "title": title,
        "node": node.code if node else "",
        "node_name": node.name if node else "",
        "state": state,
        "state_name": str(state_name),
        "at": at,
    }


def drill_page(found_rows: drill.DrillDown, params: PageParams) -> dict[str, Any]:
    rows = found_rows.rows
    if isinstance(rows, list):  # the visits due, computed
        page: dict[str, Any] = {
            "count": len(rows),
            "items": rows[params.offset : params.offset + params.limit],
        }
    else:
        page = paginate(rows, params)
    page["items"] = [item_out(found_rows.kind, row) for row in page["items"]]
    return page


def item_out(kind: str, row: Any) -> dict[str, Any]:
    if kind in (drill.ALERT, drill.DUE, drill.CARE_SUBJECT):
        return care_item_out(kind, row)
    if kind in COMMUNITY_KINDS:
        return community_item_out(kind, row)
    if kind == drill.DIRECT:  # a 直报: kind, place, state; never its text (GET /api/v1/direct/{id})
        return {
            "type": kind,
            "id": row.pk,
            "number": "",
            "title": row.get_kind_display(),
            "node": row.node.code,
            "node_name": row.node.name,
            "state": row.state,
            "state_name": row.get_state_display(),
            "at": row.reported_at,
        }
    if kind == drill.HOURS:  # a time-bank entry, as the volunteer pages show it to the same user
        area = row.volunteer.area
        return {
            "type": kind,
            "id": row.pk,
            "number": f"{row.hours}",
            "title": f"{row.volunteer.person.name}：{row.label}",
            "node": area.code,
            "node_name": area.name,
            "state": row.source,
            "state_name": row.get_source_display(),
            "at": row.occurred_on,
        }
    if kind == drill.CASE:
        case: Case = row
        title = localized(case.category) if case.category else _("未分类")
        return {
            "type": kind,
            "id": case.pk,
            "number": case.number,
            "title": title,
            "node": case.node.code,
            "node_name": case.node.name,
            "state": case.state,
            "state_name": case.get_state_display(),
            "at": case.created_at,
        }
    if kind == drill.MEETING:
        return {
            "type": kind,
            "id": row.pk,
            "number": f"HY{row.pk:06d}",
            "title": row.title,
            "node": row.node.code,
            "node_name": row.node.name,
            "state": row.state,
            "state_name": row.get_state_display(),
            "at": row.starts_at,
        }
    return {
        "type": kind,
        "id": row.pk,
        "number": row.number,
        "title": row.action[:60],
        "node": row.node.code,
        "node_name": row.node.name,
        "state": row.state,
        "state_name": row.get_state_display(),
        "at": row.due,
    }


def report_out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "kind": report.kind,
        "kind_name": report.get_kind_display(),
        "node": report.node.code,
        "node_name": report.node.name,
        "start": report.start,
        "end": report.end,
        "generated_at": report.generated_at,
        "revision": report.revision,
    }


# --- KPIs -------------------------------------------------------------------------------------------


class OrderFiguresOut(Schema):
    start: date
    end: date
    total: OrderModuleOut
    modules: list[OrderModuleOut]


@router.get(
    "/orders",
    response=OrderFiguresOut,
    summary="订单服务：按服务模块的下单、接单、完成、转工单，响应与完成用时（p50/p90），满意率",
)
def order_figures_get(request: HttpRequest, q: Query[SubjectQuery]) -> dict[str, Any]:
    """Counts only, for whoever sees the place's orders as a whole (reports.order_figures)."""
    subject, p = _subject(request, q)
    if not order_figures.may_see(caller(request), subject):
        raise PermissionDeniedError(_("您无权查看该辖区的订单服务统计"))
    found_figures = order_figures.figures(subject, p)
    return {
        "start": p.start,
        "end": p.end,
        "total": found_figures.total.as_dict(),
        "modules": [m.as_dict() for m in found_figures.modules],
    }


@router.get("/kpis", response=KpiSetOut, summary="指标：辖区、单位或岗位在某期间的全部指标")
def kpi_list(request: HttpRequest, q: Query[SubjectQuery]) -> dict[str, Any]:
    subject, p = _subject(request, q)
    found_set = kpis.kpi_set(subject, p, viewer=caller(request))
    query = _query(subject, p)
    care = found_set.care_counts
    return {
        "subject": {
            "label": subject.label,
            "node": subject.node.code if subject.node else None,
            "unit": subject.unit.code if subject.unit else None,
            "post": subject.post.code if subject.post else None,
        },
        "start": p.start,
        "end": p.end,
        "as_of": found_set.as_of,
        "stale": found_set.stale,
        "kpis": [kpi_out(v, query) for v in found_set],
        "counts": found_set.counts,
        "care": None
        if care is None
        else {
            "raised": care.raised,
            "by_rule": [vars(r) for r in care.by_rule],
            "visits_done": care.visits_done,
            "open_alerts": care.open_alerts,
            "overdue_visits": care.overdue_visits,
        },
        "community": community_out(found_set.community_counts),
        **place_blocks(caller(request), subject, p),
    }


def place_blocks(user: Actor, subject: Subject, p: Period) -> dict[str, Any]:
    """The orders, volunteer and mobilisation blocks, each for those who see it (else None)."""
    orders = None
    if order_figures.may_see(user, subject):
        orders = order_figures.report_figures(subject, p)
    volunteers = None
    if volunteer_figures.may_see(user, subject):
        found = volunteer_figures.figures(subject, p)
        volunteers = {
            **found.total.as_dict(),
            "entries": found.entries,
            "areas": [a.as_dict() for a in found.areas],
        }
    mobilisation = None
    if mobilisation_figures.may_see(user, subject):
        mobilisation = [r.as_dict() for r in mobilisation_figures.figures(subject, p)]
    return {"orders": orders, "volunteers": volunteers, "mobilisation": mobilisation}


def community_out(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "as_of": found.as_of,
        "measures": found.measures,
        "units_serving": found.units_serving,
        "needs_open": found.needs_open,
        "projects_active": found.projects_active,
        "by_type": [vars(r) for r in found.by_type],
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "rates": [
                    {
                        "key": r["key"],
                        "value": r["value"],
                        "numerator": r["numerator"],
                        "denominator": r["denominator"],
                    }
                    for r in (community_figures.rate(k.key, a.measures) for k in definitions.COMMUNITY_KPIS)
                ],
            }
            for a in found.areas
        ],
    }


@router.get(
    "/kpis/{kpi}/cases", response=Page[DrillItemOut], summary="指标明细：分子或分母背后的工单（会议、流转单）"
)
def kpi_cases(request: HttpRequest, kpi: str, q: Query[DrillQuery]) -> dict[str, Any]:
    subject, p = _subject(request, q)
    found_rows = drill.drill(subject, p, kpi[:40], q.part, user=caller(request), bucket=q.bucket)
    return drill_page(found_rows, q)


@router.get(
    "/figures/{measure}/cases",
    response=Page[DrillItemOut],
    summary="报表数字明细：日报周报、指挥中心的新增、结案、上报升级、超期等背后的工单（会议、流转单）",
)
def figure_cases(request: HttpRequest, measure: str, q: Query[FigureQuery]) -> dict[str, Any]:
    subject, p = _subject(request, q)
    found_rows = drill.figure(
        subject,
        p,
        measure[:40],
        user=caller(request),
        category=q.category,
        group=q.group,
        rule=q.rule,
        member_type=q.member_type,
        source=q.source,
        kind=q.kind,
    )
    return drill_page(found_rows, q)


@router.get("/rankings", response=RankingOut, summary="排名与点赞榜、亮丑榜（街道、居民区或单位）")
def ranking(request: HttpRequest, q: Query[RankQuery]) -> dict[str, Any]:
    subject, p = _subject(request, q)
    result = rankings.ranking(subject, p, by=q.by, kpi=q.kpi)

    def entry(e: rankings.Entry) -> dict[str, Any]:
        return {
            "rank": e.rank,
            "code": e.code,
            "name": e.name,
            "value": e.value,
            "numerator": e.numerator,
            "denominator": e.denominator,
            "grade": e.grade,
        }

    return {
        "by": result.by,
        "kpi": result.kpi,
        "label": result.label,
        "entries": [entry(e) for e in result.entries],
        "praise": [entry(e) for e in result.praise],
        "shame": [entry(e) for e in result.shame],
    }


# --- 日报 / 周报 ------------------------------------------------------------------------------------------


class ReportFilters(PageParams):
    kind: Literal["daily", "weekly"] | None = None
    node: str | None = Field(None, max_length=40, description="辖区编码（含下级）")


@router.get("/reports", response=Page[ReportOut], summary="日报周报列表")
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    user = caller(request)
    node_path = ""
    if filters.node:
        node_path = subject_for(user, node=filters.node).paths[0]
    rows = selectors.report_list(user=user, kind=filters.kind or "", node_path=node_path)
    page = paginate(rows, filters)
    page["items"] = [report_out(r) for r in page["items"]]
    return page


def _detail(user: Actor, report_id: int) -> dict[str, Any]:
    report = found(selectors.report_get(user=user, pk=report_id))
    notes = [
        {"id": n.pk, "text": n.text, "by": n.by_name, "at": n.at} for n in selectors.report_notes(report)
    ]
    return {
        **report_out(report),
        # a place section the reader may not see is left out (as on the page and in the files)
        "figures": documents.visible_figures(user, report),
        "notes": notes,
        "may_comment": services.may_comment(user, report),
    }


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="日报周报详情（数据已固定）")
def report_detail(request: HttpRequest, report_id: int = ReportId) -> dict[str, Any]:
    return _detail(caller(request), report_id)


@router.post("/reports/{report_id}/notes", response={201: ReportDetailOut}, summary="点评日报周报")
def report_note(request: HttpRequest, payload: ReportNoteIn, report_id: int = ReportId) -> Status:
    user = caller(request)
    report = found(selectors.report_get(user=user, pk=report_id))
    services.report_note_add(actor=user, report=report, text=payload.text)
    return Status(201, _detail(user, report_id))
