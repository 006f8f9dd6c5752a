"""The KPIs as data: what each one divides by what, which way is better, how it is graded.

docs/kpis.md writes each definition out (numerator, denominator, events, period attribution);
this table is what the code reads, so the page, the API, the rankings and the reports all
show the same figure under the same name.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RATE = "rate"  # numerator / denominator, in percent, graded
HOURS = "hours"  # a percentile of the hours from report to closure
COUNT = "count"  # a number (with a denominator to compare it with), not graded
BACKLOG = "backlog"  # open cases now, by age

CASES = "cases"
MEETINGS = "meetings"
SLIPS = "slips"
CARE = "care"  # 关爱: alerts and visits (reports.care_figures), a place's figures only
COMMUNITY = "community"  # 共建: 双报到, service, needs, projects (reports.community_figures), places only


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Promise
    kind: str
    numerator: str  # a counter of reports.facts.COUNTERS, or a meeting/slip measure
    denominator: str
    help: Promise
    higher_is_better: bool = True
    source: str = CASES
    percentile: float | None = None  # for HOURS


KPIS: tuple[Kpi, ...] = (
    Kpi("dispatch_on_time", _("按时派遣率"), RATE, "dispatched_on_time", "dispatched",
        _("首次派遣在派遣时限内的工单 / 期间内首次派遣的工单")),
    Kpi("dispatch_accuracy", _("准确派遣率"), RATE, "settled_accurate", "settled",
        _("被处置岗位受理的派遣 / 期间内有了结果的派遣（受理、退单或改派）")),
    Kpi("close_on_time", _("按期结案率"), RATE, "closed_on_time", "closed",
        _("在处置时限（含批准的延期）内结案的工单 / 期间内结案的工单")),
    Kpi("close_rate", _("结案率"), RATE, "cohort_closed", "cohort",
        _("期间内受理、现已结案的工单 / 期间内受理的工单（不含作废、合并）")),
    Kpi("rework_rate", _("返工率"), RATE, "reworks", "verdicts",
        _("核查不通过或回访不满意重办的次数 / 核查与重办的总次数"), higher_is_better=False),
    Kpi("satisfaction", _("满意率"), RATE, "satisfied", "rated",
        _("满意与基本满意的评价 / 期间内的评价")),
    Kpi("local_rate", _("本级解决率"), RATE, "closed_local", "closed",
        _("从未上报升级就结案的工单 / 期间内结案的工单")),
    Kpi("close_hours_median", _("结案用时中位数"), HOURS, "slower", "closed",
        _("期间内结案的工单从上报到结案的小时数，取中位数（精确值）"), higher_is_better=False,
        percentile=0.5),
    Kpi("close_hours_p90", _("结案用时P90"), HOURS, "slower", "closed",
        _("九成工单在此小时数内结案（精确值）"), higher_is_better=False, percentile=0.9),
    Kpi("backlog", _("积压工单"), BACKLOG, "old", "open",
        _("现在未结的工单，按上报至今的天数分段；分子为超过7天的"), higher_is_better=False),
    Kpi("meetings_held", _("召开会议"), COUNT, "held", "scheduled",
        _("期间内已召开的会议 / 期间内排期的会议"), source=MEETINGS),
    Kpi("slips_signed_on_time", _("会签及时率"), RATE, "signed_on_time", "issued",
        _("发出会签后按时全部会签生效的任务流转单 / 期间内发出会签的任务流转单"), source=SLIPS),
    Kpi("slips_done_on_time", _("任务流转单按期办结率"), RATE, "done_on_time", "due",
        _("完成时限前办结的任务流转单 / 完成时限在期间内的任务流转单"), source=SLIPS),
    Kpi("care_ack_on_time", _("预警30分钟内响应率"), RATE, "acked_on_time", "ack_due",
        _("触发后30分钟内有人响应（我来处理、登记结果或上报）的预警 / 期间内触发、已过30分钟或已响应的预警"),
        source=CARE),
    Kpi("care_visit_on_time", _("预警2小时内上门率"), RATE, "visited_on_time", "visit_due",
        _("转为探访工单后（或未转工单的，自触发起）2小时内有人上门的预警 / 期间内触发、已过2小时或已上门的预警"),
        source=CARE),
    Kpi("care_false_alarm", _("预警误报率"), RATE, "false_alarms", "closed",
        _("探访结果标记为误报的预警 / 期间内触发、现已关闭的预警"), higher_is_better=False, source=CARE),
    Kpi("care_visits_on_time", _("定期探访按时率"), RATE, "visits_met", "visits_due",
        _("按时完成的定期探访 / 期间内到期的定期探访（上次探访或电话后按频次到期，外出暂停期间不计）"),
        source=CARE),
    Kpi("community_member_rate", _("党员报到率"), RATE, "members_registered", "members_eligible",
        _("双报到在期末有效的党员 / 住在辖区内、应当报到的党员（在职、流动、新经济组织党员）"),
        source=COMMUNITY),
    Kpi("community_unit_rate", _("单位报到率"), RATE, "units_registered", "units_located",
        _("双报到在期末有效的单位 / 位于辖区内、设有党组织的驻区单位（不含街道机关、居委会、业委会和群众团队）"),
        source=COMMUNITY),
    Kpi("community_service_hours", _("服务时长履约率"), RATE, "hours_done", "hours_committed",
        _("期间内登记的服务小时 / 按报到承诺（每年小时数）折算到期间内报到有效天数的应服务小时"),
        source=COMMUNITY),
    Kpi("community_needs_met", _("需求满足率"), RATE, "needs_met", "needs_listed",
        _("期间内列入需求清单、现已满足的需求 / 期间内列入且未关闭的需求"), source=COMMUNITY),
    Kpi("community_projects_on_time", _("项目按期完成率"), RATE, "projects_on_time", "projects_finished",
        _("期间内完成且不晚于计划结束日期的共建项目 / 期间内完成的共建项目"), source=COMMUNITY),
)  # fmt: skip
BY_KEY = {k.key: k for k in KPIS}

# What each part of a KPI's fraction is called on its drill-down lists: (numerator, the rest of
# the denominator, denominator). The rate opens the denominator with the split beside it.
PART_LABELS: dict[str, tuple[Promise, Promise, Promise]] = {
    "dispatch_on_time": (_("按时派遣"), _("超时派遣"), _("首次派遣")),
    "dispatch_accuracy": (_("准确派遣（被受理）"), _("退单或改派"), _("有结果的派遣")),
    "close_on_time": (_("按期结案"), _("超期结案"), _("结案")),
    "close_rate": (_("已结案"), _("未结案"), _("受理的工单")),
    "rework_rate": (_("返工（核查不通过或重办）"), _("核查通过"), _("核查与重办")),
    "satisfaction": (_("满意或基本满意"), _("不满意"), _("评价")),
    "local_rate": (_("本级解决"), _("上报升级后结案"), _("结案")),
    "close_hours_median": (_("用时超过中位数"), _("用时不超过中位数"), _("结案")),
    "close_hours_p90": (_("用时超过P90"), _("用时不超过P90"), _("结案")),
    "backlog": (_("超过7天"), _("7天内"), _("未结工单")),
    "meetings_held": (_("已召开"), _("未召开"), _("排期的会议")),
    "slips_signed_on_time": (_("按时全部会签"), _("未按时会签"), _("发出会签")),
    "slips_done_on_time": (_("按期办结"), _("未按期办结"), _("完成时限在期间内")),
    "care_ack_on_time": (_("30分钟内响应"), _("超时或无人响应"), _("应响应的预警")),
    "care_visit_on_time": (_("2小时内上门"), _("超时或未上门"), _("应上门的预警")),
    "care_false_alarm": (_("误报"), _("非误报"), _("已关闭的预警")),
    "care_visits_on_time": (_("按时探访"), _("逾期探访"), _("到期的探访")),
    "community_member_rate": (_("已报到的党员"), _("未报到的党员"), _("应报到的党员")),
    "community_unit_rate": (_("已报到的单位"), _("未报到的单位"), _("驻区单位")),
    "community_service_hours": (_("有服务记录的承诺"), _("期间内无服务记录的承诺"), _("按小时的报到承诺")),
    "community_needs_met": (_("已满足的需求"), _("未满足的需求"), _("列入清单的需求")),
    "community_projects_on_time": (_("按期完成的项目"), _("逾期完成的项目"), _("完成的项目")),
}
CARE_KPIS = tuple(k for k in KPIS if k.source == CARE)
COMMUNITY_KPIS = tuple(k for k in KPIS if k.source == COMMUNITY)
PLACE_SOURCES = (CARE, COMMUNITY)  # a place's own sections of the KPI page, beside the main grid
RANKABLE = tuple(k for k in KPIS if k.kind == RATE and k.source == CASES)
COMPOSITE = "composite"  # the rankings' 综合得分: the mean of the rankable rates' scores

BACKLOG_BUCKETS: tuple[tuple[str, Promise, int, int | None], ...] = (
    ("d1", _("1天内"), 0, 1),
    ("d3", _("1至3天"), 1, 3),
    ("d7", _("3至7天"), 3, 7),
    ("d30", _("7至30天"), 7, 30),
    ("older", _("30天以上"), 30, None),
)
BACKLOG_OLD_DAYS = 7

DEFAULT_GRADES = (("A", 90.0), ("B", 80.0), ("C", 60.0), ("D", 0.0))


def grades() -> tuple[tuple[str, float], ...]:
    """The grade bands, best first: settings.REPORTS_GRADES or A ≥ 90, B ≥ 80, C ≥ 60, D."""
    bands = getattr(settings, "REPORTS_GRADES", None) or DEFAULT_GRADES
    return tuple(sorted(((str(g), float(m)) for g, m in bands), key=lambda b: -b[1]))


def score(kpi: Kpi, percent: float) -> float:
    """How good a rate is, 0..100 (a lower 返工率 is better)."""
    return percent if kpi.higher_is_better else 100.0 - percent


def grade_of(points: float | None) -> str | None:
    if points is None:
        return None
    bands = grades()
    for name, minimum in bands:
        if points >= minimum:
            return name
    return bands[-1][0]


def slip_sign_days() -> int:
    """Days after a slip goes out for countersigning within which it should bind (会签及时)."""
    return int(getattr(settings, "REPORTS_SLIP_SIGN_DAYS", 3))


def care_visit_hours() -> float:
    """Hours within which an alert should see someone at the door (the 上门探访 case's limit)."""
    return float(getattr(settings, "REPORTS_CARE_VISIT_HOURS", 2))


def rank_min() -> int:
    """The smallest denominator a rate needs to be graded in a ranking (1/1 is not 100%)."""
    return int(getattr(settings, "REPORTS_RANK_MIN", 5))


def board_size() -> int:
    """How many areas or units the 点赞榜 and the 亮丑榜 show."""
    return int(getattr(settings, "REPORTS_BOARD_SIZE", 5))
