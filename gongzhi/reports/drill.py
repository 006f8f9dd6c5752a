"""Drill-down: the exact cases (or meetings, or slips) behind a figure.

Two ways in, one list:
- `drill(subject, period, kpi, part)`: a KPI's numerator, denominator or the rest (the
  denominator's facts that fail the numerator's test: 超期结案 beside 按期结案);
- `figure(subject, period, measure)`: one counter of the 日报/周报 and the command centre
  (新增, 结案, 上报升级, 超期, meetings held, slips bound, ...), optionally for one 小类 or 大类.

A rate's figures count facts; the list shows each case once. For the facts that are events
(settled dispatches, verdicts, ratings, escalations, returns) a case that had two of them in
the period counts twice and is listed once (`events` says how many facts the listed cases
hold); docs/kpis.md says which KPIs these are. The list holds only the cases the asker may see
(orgs.access.cases_q), whatever the subject, and only the meetings and slips they may see
(meetings.selectors.meeting_q / slip_q, through meeting_figures.visible). The care figures
(alerts, visits due, subjects past their visit: reports.care_figures) list only the subjects
the asker may see (access.care_subjects_q); the figures count the whole place. The community
figures (members, units, commitments, needs, projects, ledger entries: reports.community_figures)
list only the rows of access.community_q / registrations_q / ledger_q, and so do the volunteer
hours (time-bank entries: reports.volunteer_figures). The 直报 figures (reports.direct_figures)
list the reports of access.direct_reports_q, to those who see the place's 直报 figures.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.care.choices import RuleKind
from gongzhi.cases.models import Case
from gongzhi.cases.selectors_overdue import overdue_q
from gongzhi.community.choices import HoursSource
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.mobilisation.models import DirectKind
from gongzhi.orgs import access
from gongzhi.orgs.roles import MemberType
from gongzhi.reports import (
    care_figures,
    community_figures,
    direct_figures,
    kpis,
    meeting_figures,
    rollup,
    volunteer_figures,
)
from gongzhi.reports import definitions as d
from gongzhi.reports import facts as f
from gongzhi.reports.models import Fact
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject

NUMERATOR, DENOMINATOR, REST = "numerator", "denominator", "rest"
PARTS = (NUMERATOR, DENOMINATOR, REST)
PER_EVENT = frozenset({f.SETTLE, f.VERDICT, f.RATE, f.ESCALATE, f.RETURN})

CASE, MEETING, SLIP = "case", "meeting", "slip"
ALERT, DUE, CARE_SUBJECT = "alert", "due", "care_subject"  # care: alerts, visits due, subjects
HOURS = "hours"  # volunteers: time-bank entries
DIRECT = "direct"  # 直报
VOLUNTEER_HOURS = "volunteer_hours"
NONE = "none"  # the category filter's value for cases with no 小类 (未分类)
OVERDUE = "overdue"  # a figure measure: open cases past due now (cases.selectors_overdue)

# The figures of the 日报/周报 and the command centre that are no KPI part: their lists.
MEASURES: dict[str, Promise] = {
    "received": gettext_lazy("新增（上报）"),
    "closed": gettext_lazy("结案"),
    "escalations": gettext_lazy("上报升级"),
    "returns": gettext_lazy("退单"),
    OVERDUE: gettext_lazy("超期（现在）"),
    "held": gettext_lazy("已召开的会议"),
    "scheduled": gettext_lazy("排期的会议"),
    "issued": gettext_lazy("发出会签的任务流转单"),
    "signed_on_time": gettext_lazy("按时全部会签的任务流转单"),
    "bound": gettext_lazy("生效的任务流转单"),
    "done": gettext_lazy("办结的任务流转单"),
    "late": gettext_lazy("逾期未办结的任务流转单（现在）"),
    "care_raised": gettext_lazy("触发的关爱预警"),
    "care_false_alarms": gettext_lazy("误报的关爱预警"),
    "care_open": gettext_lazy("未关闭的关爱预警（现在）"),
    "care_overdue": gettext_lazy("探访逾期的关爱对象（现在）"),
    "community_claimed": gettext_lazy("期间内认领的共建项目"),
    "community_finished": gettext_lazy("期间内完成的共建项目"),
    "community_points": gettext_lazy("期间内的积分记录"),
    VOLUNTEER_HOURS: gettext_lazy("期间内的志愿服务时长"),
    **dict.fromkeys(direct_figures.MEASURES, gettext_lazy("直报")),  # titled by direct_figures
}
CARE_MEASURES = frozenset({"care_raised", "care_false_alarms", "care_open", "care_overdue"})
COMMUNITY_MEASURES = frozenset(community_figures.COUNT_ROWS)


@dataclass
class DrillDown:
    kpi: d.Kpi | None  # None: a figure measure
    part: str  # numerator / denominator / rest, or the measure
    kind: str  # case / meeting / slip
    rows: QuerySet[Any] | list[Any]  # a list: the visits due, computed (care_figures.dues_behind)
    per_event: bool = False  # the figure counts events; each case is listed once
    bucket: str = ""
    label: str = ""  # what the list is: the part's or the measure's name
    events: int | None = None  # per-event figures: the facts the listed cases hold
    marked: str = ""  # rows carry `counted` (in the numerator): the tag's label, else ""

    @property
    def title(self) -> str:
        return str(self.kpi.label) if self.kpi else self.label


def kpi_for(key: str) -> d.Kpi:
    kpi = d.BY_KEY.get(key)
    if kpi is None:
        raise ValidationError({"kpi": [_("没有这项指标：%(key)s") % {"key": key[:40]}]})
    return kpi


def part_label(kpi: d.Kpi, part: str) -> str:
    labels = d.PART_LABELS.get(kpi.key)
    if labels is None:
        return str(_("分子") if part == NUMERATOR else _("分母"))
    return str(labels[(NUMERATOR, REST, DENOMINATOR).index(part)])  # PART_LABELS' order


def _cases(user: Actor, subject: Subject, ids: QuerySet[Any]) -> QuerySet[Case]:
    return (
        Case.objects.filter(pk__in=ids)
        .filter(_visible(user, subject))
        .select_related("node", "category", "post__unit")
        .order_by("-created_at", "-pk")
    )


def _visible(user: Actor, subject: Subject) -> Q:
    """The user's case scope: a unit's or a post's facts follow the post wherever its cases
    are, so a list of them may reach cases the asker cannot open; those are left out."""
    return access.cases_q(user, under=subject.paths)


def _events(facts: QuerySet[Fact], rows: QuerySet[Case]) -> int:
    """How many of these facts belong to the listed (visible) cases."""
    return facts.filter(case_id__in=rows.values("pk")).count()


def drill(
    subject: Subject, period: Period, key: str, part: str, *, user: Actor, bucket: str = ""
) -> DrillDown:
    """The rows behind one part of one KPI, only those `user` may see. Unknown KPI, part or
    bucket: a ValidationError."""
    kpi = kpi_for(key)
    if part not in PARTS:
        raise ValidationError(
            {"part": [_("part 应为 numerator（分子）、denominator（分母）或 rest（其余）")]}
        )
    label = part_label(kpi, part)
    if kpi.source == d.CARE:
        return _care(subject, period, kpi, part, user, label)
    if kpi.source == d.COMMUNITY:
        _community_place(subject, user)
        kind, rows = community_figures.kpi_behind(subject, period, kpi.key, part, user=user)
        return DrillDown(kpi, part, kind, rows, label=label)
    if kpi.source != d.CASES:
        kind = MEETING if kpi.source == d.MEETINGS else SLIP
        rows = meeting_figures.drill(
            subject, period, kpi.denominator if part == REST else _measure(kpi, part), user
        )
        if part == REST:
            rows = rows.exclude(pk__in=meeting_figures.drill(subject, period, kpi.numerator).values("pk"))
        return DrillDown(kpi, part, kind, rows, label=label)
    rollup.catch_up()
    if kpi.kind == d.BACKLOG:
        backlog = _backlog(subject, part, bucket).filter(_visible(user, subject))
        return DrillDown(kpi, part, CASE, backlog, bucket=bucket, label=label)
    closes = kpis.facts(subject, period).filter(kind=f.CLOSE)
    if kpi.kind == d.HOURS:
        if part != DENOMINATOR:
            counts = kpis.counters(subject, period)
            figure = kpis.percentile_hours(subject, period, kpi.percentile or 0.5, counts)
            slower = Q(value__gt=figure if figure is not None else 0)
            closes = closes.filter(slower) if part == NUMERATOR else closes.exclude(slower)
        return DrillDown(kpi, part, CASE, _cases(user, subject, closes.values("case_id")), label=label)
    numerator = f.COUNTERS[kpi.numerator]
    denominator = f.COUNTERS[kpi.denominator]
    facts = kpis.facts(subject, period).filter(**denominator.lookups())
    if part == NUMERATOR:
        facts = facts.filter(**numerator.lookups())
    elif part == REST:
        facts = facts.exclude(**_refinement(numerator, denominator))
    rows = _cases(user, subject, facts.values("case_id"))
    found = DrillDown(kpi, part, CASE, rows, per_event=denominator.kind in PER_EVENT, label=label)
    if found.per_event:
        found.events = _events(facts, rows)
    if part == DENOMINATOR:  # the split beside the rate: each row says whether it counts
        counted = kpis.facts(subject, period).filter(**numerator.lookups(), case_id=OuterRef("pk"))
        found.rows = rows.annotate(counted=Exists(counted))
        found.marked = part_label(kpi, NUMERATOR)
    return found


def _care_place(subject: Subject, user: Actor) -> None:
    """Care lists are for places, and for those who see the place's care figures."""
    if not care_figures.applies(subject):
        raise ValidationError({"node": [_("关爱统计只适用于辖区，不适用于单位或岗位")]})
    if not care_figures.may_see(user, subject):
        raise PermissionDeniedError(_("您无权查看该辖区的关爱统计"))


def _care(subject: Subject, period: Period, kpi: d.Kpi, part: str, user: Actor, label: str) -> DrillDown:
    """The alerts (or the visits due) behind a care KPI, of the subjects `user` may see."""
    _care_place(subject, user)
    if kpi.key == "care_visits_on_time":
        return DrillDown(
            kpi, part, DUE, care_figures.dues_behind(subject, period, part, user=user), label=label
        )
    rows = care_figures.alerts_behind(subject, period, kpi.key, part, user=user)
    return DrillDown(kpi, part, ALERT, rows, label=label)


def _community_place(subject: Subject, user: Actor) -> None:
    """Community lists are for places, and for those who see the place's community figures."""
    if not community_figures.applies(subject):
        raise ValidationError({"node": [_("共建统计只适用于辖区，不适用于单位或岗位")]})
    if not community_figures.may_see(user, subject):
        raise PermissionDeniedError(_("您无权查看该辖区的共建统计"))


def _care_figure(subject: Subject, period: Period, measure: str, user: Actor, rule: str) -> DrillDown:
    _care_place(subject, user)
    if rule and rule not in RuleKind.values:
        raise ValidationError({"rule": [_("没有这条关爱规则：%(key)s") % {"key": rule[:20]}]})
    label = str(MEASURES[measure])
    if measure == "care_overdue":
        return DrillDown(
            None, measure, CARE_SUBJECT, care_figures.overdue_behind(subject, user=user), label=label
        )
    part = {"care_raised": "raised", "care_open": "open", "care_false_alarms": "false_alarms"}[measure]
    alerts = care_figures.alerts_behind(subject, period, "", part, user=user, rule=rule)
    return DrillDown(None, measure, ALERT, alerts, label=label)


def _volunteer_hours(subject: Subject, period: Period, user: Actor, source: str, label: str) -> DrillDown:
    """The standing time-bank entries behind the hours (of one source), of the areas `user`
    keeps; for those who see the place's volunteer figures."""
    if not volunteer_figures.applies(subject):
        raise ValidationError({"node": [_("志愿服务统计只适用于辖区，不适用于单位或岗位")]})
    if not volunteer_figures.may_see(user, subject):
        raise PermissionDeniedError(_("您无权查看该辖区的志愿服务统计"))
    if source and source not in {s.value for s in volunteer_figures.SOURCES}:
        raise ValidationError({"source": [_("没有这个时长来源：%(key)s") % {"key": source[:20]}]})
    rows = volunteer_figures.hours_behind(subject, period, user=user, source=source)
    if source:
        label = f"{label}（{HoursSource(source).label}）"
    return DrillDown(None, VOLUNTEER_HOURS, HOURS, rows, label=label)


def _direct(subject: Subject, period: Period, measure: str, user: Actor, kind: str) -> DrillDown:
    """The 直报 behind a figure (of one kind), those `user` may open; for those who see the
    place's 直报 figures."""
    if not direct_figures.applies(subject):
        raise ValidationError({"node": [_("直报统计只适用于辖区，不适用于单位或岗位")]})
    if not direct_figures.may_see(user, subject):
        raise PermissionDeniedError(_("您无权查看该辖区的直报统计"))
    if kind and kind not in DirectKind.values:
        raise ValidationError({"kind": [_("没有这个直报类型：%(key)s") % {"key": kind[:20]}]})
    rows = direct_figures.behind(subject, period, measure, user=user, kind=kind)
    label = direct_figures.measure_label(measure)
    if kind:
        label = f"{label}（{DirectKind(kind).label}）"
    return DrillDown(None, measure, DIRECT, rows, label=label)


def _measure(kpi: d.Kpi, part: str) -> str:
    return kpi.numerator if part == NUMERATOR else kpi.denominator


def _refinement(numerator: f.Counter, denominator: f.Counter) -> dict[str, Any]:
    """The numerator's lookups beyond the denominator's (the facts the rest leaves out)."""
    extra = {k: v for k, v in numerator.lookups().items() if denominator.lookups().get(k) != v}
    extra.pop("ok__isnull", None)
    return extra


def _backlog(subject: Subject, part: str, bucket: str) -> QuerySet[Case]:
    rows = kpis.open_cases(subject)
    now = clock.now()
    if bucket:
        if bucket not in {b[0] for b in d.BACKLOG_BUCKETS}:
            raise ValidationError({"bucket": [_("没有这个分段：%(key)s") % {"key": bucket[:20]}]})
        rows = rows.filter(kpis.backlog_q(bucket, now))
    elif part == NUMERATOR:
        rows = rows.filter(created_at__lte=now - timedelta(days=d.BACKLOG_OLD_DAYS))
    elif part == REST:
        rows = rows.filter(created_at__gt=now - timedelta(days=d.BACKLOG_OLD_DAYS))
    return rows.select_related("node", "category", "post__unit").order_by("created_at", "pk")


# --- the figures of the reports and the command centre --------------------------------------------


def _category_q(category: str, group: str) -> Q:
    """A 小类 code, a 大类 code, or NONE for cases with no 小类."""
    q = Q()
    if category == NONE or group == NONE:
        return Q(category__isnull=True)
    if category:
        q &= Q(category__code=category)
    if group:
        q &= Q(category__parent__code=group)
    return q


def figure(
    subject: Subject,
    period: Period,
    measure: str,
    *,
    user: Actor,
    category: str = "",
    group: str = "",
    rule: str = "",
    member_type: str = "",
    source: str = "",
    kind: str = "",
) -> DrillDown:
    """The rows behind one counter of a report or of the command centre (MEASURES), for one
    小类 (`category`) or 大类 (`group`) if given, only those `user` may see. The case counts
    are distinct cases, as the reports count them."""
    if measure not in MEASURES:
        raise ValidationError({"measure": [_("没有这项数字：%(key)s") % {"key": measure[:40]}]})
    label = str(MEASURES[measure])
    if measure in direct_figures.MEASURES:
        return _direct(subject, period, measure, user, kind)
    if measure == VOLUNTEER_HOURS:
        return _volunteer_hours(subject, period, user, source, label)
    if measure in CARE_MEASURES:
        return _care_figure(subject, period, measure, user, rule)
    if measure in COMMUNITY_MEASURES:
        _community_place(subject, user)
        if member_type and member_type not in MemberType.values:
            raise ValidationError(
                {"member_type": [_("没有这个党员类型：%(key)s") % {"key": member_type[:20]}]}
            )
        kind, rows = community_figures.count_behind(
            subject, period, measure, user=user, member_type=member_type
        )
        return DrillDown(None, measure, kind, rows, label=label)
    if measure in meeting_figures.MEETING_MEASURES | meeting_figures.SLIP_MEASURES:
        kind = MEETING if measure in meeting_figures.MEETING_MEASURES else SLIP
        return DrillDown(
            None, measure, kind, meeting_figures.drill(subject, period, measure, user), label=label
        )
    where = _category_q(category, group)
    if measure == OVERDUE:
        rows = kpis.open_cases(subject).filter(overdue_q(clock.now())).filter(where)
        rows = rows.filter(_visible(user, subject)).select_related("node", "category", "post__unit")
        return DrillDown(None, measure, CASE, rows.order_by("created_at", "pk"), label=label)
    rollup.catch_up()
    counter = f.COUNTERS[measure]
    facts = kpis.facts(subject, period).filter(**counter.lookups())
    rows = _cases(user, subject, facts.values("case_id")).filter(where)
    return DrillDown(None, measure, CASE, rows, label=label)
