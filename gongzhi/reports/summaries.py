"""The figures of a 日报 / 周报: cases new, closed, overdue and escalated by category; the
period's main KPIs; meetings and task slips; care (关爱: alerts, their answer and visit
times, false alarms, regular visits done against those due; reports.care_figures); 共建 (双报到
rates, service hours against commitments, points per member type, needs met, projects;
reports.community_figures); 订单服务 (orders by module, response and completion times,
satisfaction; reports.order_figures); 志愿服务 (hours by source, volunteers active, median
hours; reports.volunteer_figures); 应急动员 (per incident: entrance shifts manned, households
reached, supplies delivered, hours per unit; reports.mobilisation_figures); 直报 (by kind,
acknowledged and followed up on time, converted, misuse; reports.direct_figures). Plain values
(strings, numbers, lists), so they can be frozen as JSON and rendered the same way on the
page, in Word and in Excel.

New, closed and escalated come from the same facts as the KPIs (a case closed, reopened and
closed again counts once, on its last closure); overdue is a snapshot: the open cases past a
deadline when the report is generated.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone, translation

from gongzhi.cases.models import Case
from gongzhi.cases.selectors_overdue import overdue_q
from gongzhi.core.i18n import localized
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.orgs.models import Category
from gongzhi.reports import (
    care_figures,
    community_figures,
    direct_figures,
    kpis,
    meeting_figures,
    mobilisation_figures,
    order_figures,
    volunteer_figures,
)
from gongzhi.reports import facts as f
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import node_subject, path_q

COLUMNS = ("new", "closed", "overdue", "escalated")
FACT_COLUMNS = {f.RECEIVE: "new", f.CLOSE: "closed", f.ESCALATE: "escalated"}
REPORT_KPIS = ("close_rate", "close_on_time", "dispatch_on_time", "satisfaction", "local_rate", "rework_rate")
MAX_MEETINGS = 50
UNCATEGORISED = "—"


def _when(at: datetime) -> str:
    return timezone.localtime(at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def case_rows(node: Node, period: Period, now: datetime) -> list[dict[str, Any]]:
    """One row per 小类 with any figure, largest first, and the totals (distinct cases)."""
    subject = node_subject(node)
    found: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    rows = (
        kpis.facts(subject, period)
        .filter(kind__in=list(FACT_COLUMNS))
        .values("kind", "case__category_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    for row in rows:
        found[row["case__category_id"]][FACT_COLUMNS[row["kind"]]] = row["n"]
    overdue = Case.objects.filter(path_q([node.path]), overdue_q(now)).values("category_id")
    for row in overdue.annotate(n=Count("pk")):
        found[row["category_id"]]["overdue"] = row["n"]
    names = {
        c.pk: (c.code, localized(c), localized(c.parent))
        for c in Category.objects.filter(pk__in=[k for k in found if k]).select_related("parent")
    }
    out: list[dict[str, Any]] = []
    for category_id, counts in found.items():
        code, name, group = names.get(category_id or 0, ("", UNCATEGORISED, ""))
        out.append({"code": code, "category": name, "group": group, **counts})
    out.sort(key=lambda r: (-sum(r[c] for c in COLUMNS), r["code"]))
    return out


def totals(rows: list[dict[str, Any]], node: Node, period: Period, now: datetime) -> dict[str, int]:
    """Column totals over distinct cases (a case counts once even if its category changed)."""
    subject = node_subject(node)
    out = dict.fromkeys(COLUMNS, 0)
    for kind, column in FACT_COLUMNS.items():
        out[column] = kpis.facts(subject, period).filter(kind=kind).values("case_id").distinct().count()
    out["overdue"] = sum(r["overdue"] for r in rows)
    return out


def meeting_rows(node: Node, period: Period) -> list[dict[str, Any]]:
    rows = meeting_figures.meetings(node_subject(node), period).select_related("node").order_by("starts_at")
    return [
        {
            "title": m.title,
            "kind": str(MeetingKind(m.kind).label),
            "node": m.node.name,
            "starts_at": _when(m.starts_at),
            "state": m.get_state_display(),
            "held": m.state in meeting_figures.HELD,
        }
        for m in rows[:MAX_MEETINGS]
    ]


def slip_figures(node: Node, period: Period, now: datetime) -> dict[str, int]:
    subject = node_subject(node)
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    return {
        "issued": meeting_figures.issued(subject, period).count(),
        "signed_on_time": meeting_figures.signed_on_time(subject, period).count(),
        "bound": meeting_figures.bound(subject, period).count(),
        "done": meeting_figures.done(subject, period).count(),
        "overdue": meeting_figures.late(subject, today).count(),
    }


def figures(node: Node, period: Period, now: datetime) -> dict[str, Any]:
    """Everything a report shows, in Chinese, as plain values; for a district (区) also one row
    per street (`street_rows`)."""
    found = place_figures(node, period, now)
    if node.level == Level.DISTRICT:
        for section in ("community", "volunteers"):  # the per-area tables: the streets' rows say it
            if found.get(section):
                found[section]["areas"] = []
        found["streets"] = street_rows(node, period, now)
    return found


# What a district report keeps of each street's figures: everything but the long lists (the
# 小类 table, the meetings, the rules, the modules, the incidents, the per-area tables), which
# the street's own report carries.
ROW_DROPS: dict[str, tuple[str, ...]] = {
    "care": ("by_rule",),
    "community": ("by_type", "areas"),
    "orders": ("modules",),
    "volunteers": ("areas",),
    "direct": ("by_kind",),
}
ROW_KEEPS = (
    "node",
    "totals",
    "kpis",
    "meetings_held",
    "meetings_scheduled",
    "slips",
    *ROW_DROPS,
    "mobilisation",
)


def street_row(found: dict[str, Any]) -> dict[str, Any]:
    """A street report's figures as one row of its district's report: the same values, the long
    lists left out (mobilisation: the incidents counted, and those still running)."""
    row: dict[str, Any] = {key: found.get(key) for key in ROW_KEEPS}
    for section, drops in ROW_DROPS.items():
        values = row[section]
        if values:
            row[section] = {k: v for k, v in values.items() if k not in drops}
    if row["mobilisation"]:
        m = row["mobilisation"]
        row["mobilisation"] = {"incidents": len(m.get("incidents", [])), "running": m.get("running", 0)}
    return row


def street_rows(district: Node, period: Period, now: datetime) -> list[dict[str, Any]]:
    """One row per street of the district: each street's report figures (`place_figures`, the
    very function its own 日报/周报 is made by, at the same `now`), so a district's figure is
    never a second formula and its rows add up to the streets' reports."""
    streets = Node.objects.filter(parent=district, level=Level.STREET).defer("geometry").order_by("path")
    return [street_row(place_figures(street, period, now)) for street in streets]


def place_figures(node: Node, period: Period, now: datetime) -> dict[str, Any]:
    """The figures of one place (a district, a street, a block area, a residential area)."""
    with translation.override("zh-hans"):
        rows = case_rows(node, period, now)
        kpi = kpis.kpi_set(node_subject(node), period, catch_up=False, only=REPORT_KPIS)
        meetings = meeting_rows(node, period)
        scheduled = meeting_figures.meetings(node_subject(node), period)
        return {
            "node": {"code": node.code, "name": node.name, "level": node.get_level_display()},
            "period": str(period),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "cases": rows,
            "totals": totals(rows, node, period, now),
            "kpis": [
                {
                    "key": v.key,
                    "label": v.label,
                    "value": v.value,
                    "numerator": v.numerator,
                    "denominator": v.denominator,
                    "grade": v.grade or "",
                }
                for v in kpi
            ],
            "meetings": meetings,
            "meetings_held": scheduled.filter(state__in=meeting_figures.HELD).count(),
            "meetings_scheduled": scheduled.count(),
            "slips": slip_figures(node, period, now),
            "care": care_figures.report_figures(node_subject(node), period, now),
            "community": community_figures.report_figures(node_subject(node), period, now),
            "orders": order_figures.report_figures(node_subject(node), period),
            "volunteers": volunteer_figures.report_figures(node_subject(node), period, now),
            "mobilisation": mobilisation_figures.report_figures(node_subject(node), period, now),
            "direct": direct_figures.report_figures(node_subject(node), period, now),
            "as_of": _when(now),
        }
