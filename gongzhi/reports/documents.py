"""日报 / 周报 as Word (docxtpl, like the meeting documents) and as Excel (openpyxl).

Both render the report's frozen figures plus its commentary, as plain values (strings,
numbers, lists of dicts), never model objects. A street replaces the Word template by putting
`report.docx` (or `<street code>/report.docx`) in settings.REPORT_DOC_TEMPLATES_DIR. The
template may use: node, kind, period, generated_at, totals (new, closed, overdue, escalated),
cases (group, category, code, new, closed, overdue, escalated), kpis (label, text, ratio,
grade), meetings_held, meetings_scheduled, meetings (title, kind, node, starts_at, state),
slips (issued, signed_on_time, bound, done, overdue), care (raised, false_alarms, open_alerts,
visits_done, visits_due, visits_met, overdue_visits, rates (label, text, ratio, grade), by_rule
(label, raised, closed, false_alarms); empty in reports generated before care counted),
community (as_of, units_serving, needs_open, projects_claimed, projects_finished,
projects_active, rates (label, text, ratio, grade), by_type (label, members, total, average,
median, highest, lowest, deductions), areas (name, rates (label, text)); empty in reports
generated before community counted, and for a reader without VIEW_COMMUNITY there), orders
(total and modules: name, posted, taken, served, converted, response_text, completion_text,
satisfaction_text; empty without VIEW_ORDERS there), volunteers (hours_text, sources_text,
registered, active, median_text, sources (label, hours), areas (name, hours_text, registered,
active, median_text); empty without VIEW_COMMUNITY there), mobilisation (running, incidents
(number, title, kind, state, declared_at, closed_at, filled_text, checked_in_text,
households_text, supplies_text, doors_text, hours_text, hours_by_unit (unit, hours)); empty
without VIEW_MOBILISATION there), direct (直报: reported, ack_span, follow_up_span, ack_text,
follow_up_text, to_case, to_mobilisation, misuse, open_now, by_kind (label, reported, misuse);
empty for a reader who does not see the place's 直报, reports.direct_figures.may_see), notes
(by, at, text). The last four are empty in reports generated before they were counted.
A district's report also has streets (one row per street: name, code, totals, kpis as above,
kpi (the same by key), meetings_held, slips, the sections care, community, orders (total),
volunteers, mobilisation (incidents, running), direct as the reader may see them, and the short
texts care_raised, care_visits, community_projects, community_needs, orders_posted,
orders_served, orders_satisfaction, volunteer_hours, mobilisation_incidents, direct_reported,
direct_ack: "—" where a section is not shown); empty for any other place.
"""

from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor
from gongzhi.core.exports import xlsx_row
from gongzhi.geo import streets as geo_streets
from gongzhi.reports import (
    care_figures,
    community_figures,
    direct_figures,
    mobilisation_figures,
    order_figures,
    volunteer_figures,
)
from gongzhi.reports.models import Report
from gongzhi.reports.selectors import report_notes
from gongzhi.reports.subjects import node_subject

SHIPPED = Path(__file__).resolve().parent / "doc_templates" / "report.docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_path(street_code: str = "") -> Path:
    override = getattr(settings, "REPORT_DOC_TEMPLATES_DIR", None)
    if override:
        base = Path(override)
        simple = (
            street_code
            and "/" not in street_code
            and "\\" not in street_code
            and street_code not in {".", ".."}
        )
        for candidate in ([base / street_code / "report.docx"] if simple else []) + [base / "report.docx"]:
            if candidate.is_file():
                return candidate
    return SHIPPED


def sections(user: Actor, report: Report) -> dict[str, bool]:
    """Which of a report's place sections `user` sees (`context`'s keywords): 关爱 for those who
    take part in care at its node, 共建 and 志愿服务 for VIEW_COMMUNITY over it, 订单服务 for
    VIEW_ORDERS, 应急动员 for VIEW_MOBILISATION, 直报 for who sees the place's 直报. The page, the files and the API alike."""
    subject = node_subject(report.node)
    return {
        "care": care_figures.may_see(user, subject),
        "community": community_figures.may_see(user, subject),
        "orders": order_figures.may_see(user, subject),
        "volunteers": volunteer_figures.may_see(user, subject),
        "mobilisation": mobilisation_figures.may_see(user, subject),
        "direct": direct_figures.may_see(user, subject),
    }


def visible_figures(user: Actor, report: Report) -> dict[str, Any]:
    """The report's frozen figures without the place sections `user` may not see (`sections`),
    in a district report's street rows too: what the API returns."""
    hidden = {name for name, shown in sections(user, report).items() if not shown}
    out = {k: v for k, v in report.figures.items() if k not in hidden}
    if out.get("streets"):
        out["streets"] = [{k: v for k, v in row.items() if k not in hidden} for row in out["streets"]]
    return out


def _kpi_text(k: dict[str, Any]) -> dict[str, Any]:
    value = k.get("value")
    return {
        **k,
        "text": "—" if value is None else f"{value:.1f}%",
        "ratio": f"{k.get('numerator') or 0}/{k.get('denominator') or 0}",
        "grade": k.get("grade") or "—",
    }


def _care(care: dict[str, Any] | None) -> dict[str, Any]:
    """The 关爱 section: counts only (no names are ever frozen in a report)."""
    if not care:
        return {}
    return {**care, "rates": [_kpi_text(k) for k in care.get("rates", [])]}


def _community(found: dict[str, Any] | None) -> dict[str, Any]:
    """The 共建 section: counts and rates, no names."""
    if not found:
        return {}
    areas = [{**a, "rates": [_kpi_text(k) for k in a.get("rates", [])]} for a in found.get("areas", [])]
    return {**found, "rates": [_kpi_text(k) for k in found.get("rates", [])], "areas": areas}


def _number(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _share(part: int, whole: int) -> str:
    """ "12/16（75.0%）", or "0/0" when nothing was needed."""
    if not whole:
        return f"{part}/{whole}"
    return f"{part}/{whole}（{100.0 * part / whole:.1f}%）"


def _order_row(m: dict[str, Any]) -> dict[str, Any]:
    return {
        **m,
        "response_text": f"{_number(m.get('response_minutes_p50'), 0)} / {_number(m.get('response_minutes_p90'), 0)}",
        "completion_text": f"{_number(m.get('completion_hours_p50'))} / {_number(m.get('completion_hours_p90'))}",
        "satisfaction_text": "—" if m.get("satisfaction") is None else f"{m['satisfaction']:.1f}%",
    }


def _orders(found: dict[str, Any] | None) -> dict[str, Any]:
    """The 订单服务 section: counts and times by module, no names."""
    if not found:
        return {}
    return {"total": _order_row(found["total"]), "modules": [_order_row(m) for m in found.get("modules", [])]}


def _volunteer_row(a: dict[str, Any]) -> dict[str, Any]:
    return {**a, "hours_text": _number(a.get("hours")), "median_text": _number(a.get("median_hours"))}


def _volunteers(found: dict[str, Any] | None) -> dict[str, Any]:
    """The 志愿服务 section: hours by source, volunteers registered and active, no names."""
    if not found:
        return {}
    sources = "，".join(f"{s['label']} {s['hours']:.1f}" for s in found.get("sources", []))
    return {
        **_volunteer_row(found),
        "sources_text": sources,
        "areas": [_volunteer_row(a) for a in found.get("areas", [])],
    }


def _mobilisation(found: dict[str, Any] | None) -> dict[str, Any]:
    """The 应急动员 section: per incident, shares of the entrance shifts and of the coverage."""
    if not found:
        return {}
    rows = [
        {
            **i,
            "filled_text": _share(i["slots_filled"], i["slots_needed"]),
            "checked_in_text": _share(i["slots_checked_in"], i["slots_needed"]),
            "households_text": f"{i['households_reached']}/{i['households_to_reach']}",
            "supplies_text": f"{i['supplies_delivered']}/{i['supplies_to_deliver']}",
            "doors_text": f"{i['doors_checked']}/{i['doors_to_check']}",
            "hours_text": _number(i.get("hours")),
        }
        for i in found.get("incidents", [])
    ]
    return {**found, "incidents": rows}


def _direct(found: dict[str, Any] | None) -> dict[str, Any]:
    """The 直报 section: counts by kind and the two rates, no text and no names."""
    if not found:
        return {}
    ack, follow = found["acked_on_time"], found["followed_up_on_time"]
    return {
        **found,
        "ack_text": _share(ack["numerator"], ack["denominator"]),
        "follow_up_text": _share(follow["numerator"], follow["denominator"]),
    }


DASH = "—"


def _street(row: dict[str, Any], shown: dict[str, bool]) -> dict[str, Any]:
    """One street of a district report: its figures as the street's report has them (a place
    section the reader may not see left out, as in the report itself), and short texts for the
    tables of the page, Word and Excel ("—" where the section is not shown or not counted)."""
    node = row.get("node") or {}
    kpis = [_kpi_text(k) for k in row.get("kpis") or []]
    care = (row.get("care") or {}) if shown["care"] else {}
    community = (row.get("community") or {}) if shown["community"] else {}
    orders = ((row.get("orders") or {}).get("total") or {}) if shown["orders"] else {}
    volunteers = (row.get("volunteers") or {}) if shown["volunteers"] else {}
    mobilisation = (row.get("mobilisation") or {}) if shown["mobilisation"] else {}
    direct = (row.get("direct") or {}) if shown["direct"] else {}
    ack = direct.get("acked_on_time") or {}
    return {
        "name": node.get("name", ""),
        "code": node.get("code", ""),
        "totals": row.get("totals") or {},
        "kpis": kpis,
        "kpi": {k["key"]: k for k in kpis},
        "meetings_held": row.get("meetings_held", 0),
        "slips": row.get("slips") or {},
        "care": _care(care),
        "community": _community(community),
        "orders": _orders({"total": orders}) if orders else {},
        "volunteers": _volunteers(volunteers),
        "mobilisation": mobilisation,
        "direct": _direct(direct),
        "care_raised": care.get("raised", DASH),
        "care_visits": _share(care["visits_met"], care["visits_due"]) if care else DASH,
        "community_projects": community.get("projects_finished", DASH),
        "community_needs": community.get("needs_open", DASH),
        "orders_posted": orders.get("posted", DASH),
        "orders_served": orders.get("served", DASH),
        "orders_satisfaction": _order_row(orders)["satisfaction_text"] if orders else DASH,
        "volunteer_hours": _number(volunteers.get("hours")) if volunteers else DASH,
        "mobilisation_incidents": mobilisation.get("incidents", DASH),
        "direct_reported": direct.get("reported", DASH),
        "direct_ack": _share(ack.get("numerator", 0), ack.get("denominator", 0)) if direct else DASH,
    }


def context(
    report: Report,
    *,
    care: bool = True,
    community: bool = True,
    orders: bool = True,
    volunteers: bool = True,
    mobilisation: bool = True,
    direct: bool = True,
) -> dict[str, Any]:
    """The report's values; `care=False` leaves out the 关爱 section (a reader who takes no
    part in care there: reports.care_figures.may_see), `community=False` the 共建 section
    (reports.community_figures.may_see), and likewise `orders`, `volunteers` and
    `mobilisation` and `direct` (order_figures / volunteer_figures / mobilisation_figures /
    direct_figures.may_see)."""
    f = report.figures
    shown = {"care": care, "community": community, "orders": orders, "volunteers": volunteers,
             "mobilisation": mobilisation, "direct": direct}  # fmt: skip
    notes = [
        {"by": n.by_name, "at": timezone.localtime(n.at).strftime("%Y-%m-%d %H:%M"), "text": n.text}
        for n in report_notes(report)
    ]
    return {
        "node": f.get("node", {}).get("name", report.node.name),
        "street_code": geo_streets.street_code(report.node_path) or report.node_path.strip("/").split("/")[0],
        "kind": report.get_kind_display(),
        "period": f.get("period", ""),
        "generated_at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M"),
        "totals": f.get("totals", {}),
        "cases": f.get("cases", []),
        "kpis": [_kpi_text(k) for k in f.get("kpis", [])],
        "meetings": f.get("meetings", []),
        "meetings_held": f.get("meetings_held", 0),
        "meetings_scheduled": f.get("meetings_scheduled", 0),
        "slips": f.get("slips", {}),
        "care": _care(f.get("care")) if care else {},
        "community": _community(f.get("community")) if community else {},
        "orders": _orders(f.get("orders")) if orders else {},
        "volunteers": _volunteers(f.get("volunteers")) if volunteers else {},
        "mobilisation": _mobilisation(f.get("mobilisation")) if mobilisation else {},
        "direct": _direct(f.get("direct")) if direct else {},
        # a district's report: one row per street (empty for any other place)
        "streets": [_street(row, shown) for row in f.get("streets") or []],
        "notes": notes,
    }


def report_docx(report: Report, **sections: bool) -> bytes:
    """`sections`: which place sections the reader sees (`context`'s keywords)."""
    from docxtpl import DocxTemplate

    ctx = context(report, **sections)
    template = DocxTemplate(str(template_path(ctx["street_code"])))
    template.render(ctx, autoescape=True)
    out = BytesIO()
    template.save(out)
    return out.getvalue()


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(xlsx_row(row))  # titles and 点评 are typed by people
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def report_xlsx(report: Report, **sections: bool) -> bytes:
    """`sections`: which place sections the reader sees (`context`'s keywords)."""
    from openpyxl import Workbook

    ctx = context(report, **sections)
    wb = Workbook()
    wb.remove(wb.active)
    t, s = ctx["totals"], ctx["slips"]
    summary = [
        ["辖区", ctx["node"]],
        ["报表", ctx["kind"]],
        ["统计期间", ctx["period"]],
        ["生成时间", ctx["generated_at"]],
        ["新增工单", t.get("new", 0)],
        ["结案工单", t.get("closed", 0)],
        ["超期工单", t.get("overdue", 0)],
        ["上报升级", t.get("escalated", 0)],
        ["召开会议", ctx["meetings_held"]],
        ["排期会议", ctx["meetings_scheduled"]],
        ["发出会签的任务流转单", s.get("issued", 0)],
        ["按时全部会签", s.get("signed_on_time", 0)],
        ["生效", s.get("bound", 0)],
        ["办结", s.get("done", 0)],
        ["逾期未办结", s.get("overdue", 0)],
    ]
    _sheet(wb, "概况", ["项目", "数值"], summary, [22, 30])
    cases = [
        [r["group"], r["category"], r["new"], r["closed"], r["overdue"], r["escalated"]] for r in ctx["cases"]
    ]
    _sheet(wb, "分类", ["大类", "小类", "新增", "结案", "超期", "上报"], cases, [16, 20, 8, 8, 8, 8])
    kpis = [[k["label"], k["value"], k["numerator"], k["denominator"], k["grade"]] for k in ctx["kpis"]]
    _sheet(wb, "指标", ["指标", "数值（%）", "分子", "分母", "等级"], kpis, [20, 12, 8, 8, 8])
    if ctx["streets"]:
        _streets_sheet(wb, ctx)
    meetings = [[m["title"], m["kind"], m["node"], m["starts_at"], m["state"]] for m in ctx["meetings"]]
    _sheet(wb, "会议", ["会议", "类型", "辖区", "时间", "状态"], meetings, [30, 14, 16, 18, 12])
    if ctx["care"]:
        _care_sheet(wb, ctx["care"])
    if ctx["community"]:
        _community_sheet(wb, ctx["community"])
    if ctx["orders"]:
        _orders_sheet(wb, ctx["orders"])
    if ctx["volunteers"]:
        _volunteers_sheet(wb, ctx["volunteers"])
    if ctx["mobilisation"]:
        _mobilisation_sheet(wb, ctx["mobilisation"])
    if ctx["direct"]:
        _direct_sheet(wb, ctx["direct"])
    notes = [[n["by"], n["at"], n["text"]] for n in ctx["notes"]]
    _sheet(wb, "点评", ["填写人", "时间", "点评"], notes, [12, 18, 60])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# the per-street columns of a district report beyond the cases and KPIs: (section, header, key);
# the headers follow the page's language, the Excel sheet is Chinese like the rest of the file
STREET_COLUMNS = (
    ("care", gettext_lazy("关爱预警"), "care_raised"),
    ("care", gettext_lazy("按时探访"), "care_visits"),
    ("community", gettext_lazy("完成的共建项目"), "community_projects"),
    ("community", gettext_lazy("待对接的需求"), "community_needs"),
    ("orders", gettext_lazy("下单"), "orders_posted"),
    ("orders", gettext_lazy("完成服务"), "orders_served"),
    ("orders", gettext_lazy("订单满意率"), "orders_satisfaction"),
    ("volunteers", gettext_lazy("志愿服务小时"), "volunteer_hours"),
    ("mobilisation", gettext_lazy("应急动员"), "mobilisation_incidents"),
    ("direct", gettext_lazy("直报"), "direct_reported"),
    ("direct", gettext_lazy("直报按时确认"), "direct_ack"),
)


def street_columns(ctx: dict[str, Any]) -> list[tuple[str, str]]:
    """(header, key) of the section columns the reader sees (the sections of `ctx`), the
    headers in the active language."""
    return [
        (str(header), key)
        for section, header, key in STREET_COLUMNS
        if any(r[section] for r in ctx["streets"])
    ]


def _streets_sheet(wb: Any, ctx: dict[str, Any]) -> None:
    """各街道: a district report's row per street — cases, the KPIs (value, numerator and
    denominator), meetings, slips and the place sections the reader sees."""
    labels = [k["label"] for k in ctx["kpis"]]
    keys = [k["key"] for k in ctx["kpis"]]
    with translation.override("zh-hans"):
        extra = street_columns(ctx)
    header = [
        "街道",
        "新增",
        "结案",
        "超期",
        "上报",
        *labels,
        "召开会议",
        "流转单办结",
        *(h for h, _k in extra),
    ]

    def kpi(row: dict[str, Any], key: str) -> str:
        k = row["kpi"].get(key)
        return f"{k['text']}（{k['ratio']}）" if k else DASH

    rows = [
        [r["name"], r["totals"].get("new", 0), r["totals"].get("closed", 0), r["totals"].get("overdue", 0),
         r["totals"].get("escalated", 0), *(kpi(r, key) for key in keys), r["meetings_held"],
         r["slips"].get("done", 0), *(r[key] for _h, key in extra)]
        for r in ctx["streets"]
    ]  # fmt: skip
    t = ctx["totals"]
    rows.append(
        [f"合计（{ctx['node']}）", t.get("new", 0), t.get("closed", 0), t.get("overdue", 0), t.get("escalated", 0),
         *(f"{k['text']}（{k['ratio']}）" for k in ctx["kpis"]), ctx["meetings_held"], ctx["slips"].get("done", 0),
         *("" for _e in extra)]
    )  # fmt: skip
    _sheet(wb, "各街道", header, rows, [14, 8, 8, 8, 8, *([16] * len(labels)), 10, 10, *([12] * len(extra))])


def _care_sheet(wb: Any, care: dict[str, Any]) -> None:
    rows: list[list[Any]] = [
        ["触发的关爱预警", care.get("raised", 0), "", "", ""],
        ["误报", care.get("false_alarms", 0), "", "", ""],
        ["未关闭的预警（生成时）", care.get("open_alerts", 0), "", "", ""],
        ["上门和电话探访", care.get("visits_done", 0), "", "", ""],
        ["到期的定期探访", care.get("visits_due", 0), "", "", ""],
        ["按时探访", care.get("visits_met", 0), "", "", ""],
        ["探访逾期的对象（生成时）", care.get("overdue_visits", 0), "", "", ""],
    ]
    rows += [[k["label"], k["value"], k["numerator"], k["denominator"], k["grade"]] for k in care["rates"]]
    rows += [
        [f"预警：{r['label']}", r["raised"], r["closed"], r["false_alarms"], ""] for r in care["by_rule"]
    ]
    header = ["项目", "数值（%或次数）", "分子 / 已关闭", "分母 / 误报", "等级"]
    _sheet(wb, "关爱", header, rows, [26, 16, 14, 14, 8])


def _community_sheet(wb: Any, found: dict[str, Any]) -> None:
    rows: list[list[Any]] = [
        ["报到率计算日", found.get("as_of", ""), "", "", ""],
        ["在此报到服务的单位", found.get("units_serving", 0), "", "", ""],
        ["认领的项目", found.get("projects_claimed", 0), "", "", ""],
        ["完成的项目", found.get("projects_finished", 0), "", "", ""],
        ["实施中的项目（生成时）", found.get("projects_active", 0), "", "", ""],
        ["待对接的需求（生成时）", found.get("needs_open", 0), "", "", ""],
    ]
    rows += [[k["label"], k["value"], k["numerator"], k["denominator"], k["grade"]] for k in found["rates"]]
    header = ["项目", "数值（%或个数）", "分子", "分母", "等级"]
    _sheet(wb, "共建", header, rows, [26, 16, 10, 10, 8])
    types = [
        [
            r["label"],
            r["members"],
            r["total"],
            r["average"],
            r["median"],
            r["highest"],
            r["lowest"],
            r["deductions"],
        ]
        for r in found.get("by_type", [])
    ]
    header = ["党员类型", "有积分的党员", "合计", "平均", "中位数", "最高", "最低", "扣分记录"]
    _sheet(wb, "积分分布", header, types, [24, 12, 8, 8, 8, 8, 8, 10])
    if found.get("areas"):
        labels = [k["label"] for k in found["areas"][0]["rates"]]
        areas = [[a["name"], *(k["text"] for k in a["rates"])] for a in found["areas"]]
        _sheet(wb, "共建·居民区", ["居民区", *labels], areas, [18] + [14] * len(labels))


def _orders_sheet(wb: Any, found: dict[str, Any]) -> None:
    header = [
        "服务模块",
        "下单",
        "接单",
        "完成",
        "转工单",
        "取消",
        "响应（分钟）p50/p90",
        "完成（小时）p50/p90",
        "满意率",
    ]
    rows = [
        [m["name"] or "合计", m["posted"], m["taken"], m["served"], m["converted"], m["cancelled"],
         m["response_text"], m["completion_text"], m["satisfaction_text"]]
        for m in [*found["modules"], found["total"]]
    ]  # fmt: skip
    _sheet(wb, "订单服务", header, rows, [18, 8, 8, 8, 8, 8, 18, 18, 10])


def _volunteers_sheet(wb: Any, found: dict[str, Any]) -> None:
    labels = [s["label"] for s in found.get("sources", [])]
    keys = [s["source"] for s in found.get("sources", [])]
    header = ["居民区", "服务小时", *labels, "登记志愿者", "有时长的志愿者", "人均小时中位数"]

    def row(name: str, a: dict[str, Any]) -> list[Any]:
        by = a.get("by_source", {})
        return [
            name,
            a["hours"],
            *(by.get(k, 0) for k in keys),
            a["registered"],
            a["active"],
            a["median_hours"],
        ]

    rows = [row(a["name"], a) for a in found.get("areas", [])] + [row("合计", found)]
    _sheet(wb, "志愿服务", header, rows, [18, 10] + [10] * len(labels) + [12, 14, 14])


def _mobilisation_sheet(wb: Any, found: dict[str, Any]) -> None:
    header = ["编号", "名称", "类型", "状态", "启动", "结束", "出入口班次", "有人到岗的班次", "排班满员",
              "到岗", "走访", "物资", "排查", "值守小时"]  # fmt: skip
    rows = [
        [i["number"], i["title"], i["kind"], i["state"], i["declared_at"], i["closed_at"], i["shifts"],
         i["shifts_manned"], i["filled_text"], i["checked_in_text"], i["households_text"], i["supplies_text"],
         i["doors_text"], i["hours"]]
        for i in found["incidents"]
    ]  # fmt: skip
    _sheet(wb, "应急动员", header, rows, [14, 24, 10, 8, 16, 16, 10, 12, 14, 14, 8, 8, 8, 10])
    units = [[i["number"], u["unit"], u["hours"]] for i in found["incidents"] for u in i["hours_by_unit"]]
    _sheet(wb, "应急动员·各单位时长", ["编号", "单位", "小时"], units, [14, 24, 10])


def _direct_sheet(wb: Any, found: dict[str, Any]) -> None:
    ack, follow = found["acked_on_time"], found["followed_up_on_time"]
    rows: list[list[Any]] = [
        ["直报", found["reported"], "", ""],
        [f"{found['ack_span']}内确认", ack["value"], ack["numerator"], ack["denominator"]],
        [f"{found['follow_up_span']}内续报", follow["value"], follow["numerator"], follow["denominator"]],
        ["转为工单", found["to_case"], "", ""],
        ["转为应急动员", found["to_mobilisation"], "", ""],
        ["误用直报", found["misuse"], "", ""],
        ["未办结（生成时）", found["open_now"], "", ""],
    ]
    rows += [[f"类型：{k['label']}（误用 {k['misuse']}）", k["reported"], "", ""] for k in found["by_kind"]]
    _sheet(wb, "直报", ["项目", "数值（件或%）", "分子", "分母"], rows, [30, 14, 8, 8])


def filename(report: Report, ext: str) -> str:
    return f"{report.get_kind_display()}-{report.node.code}-{report.start:%Y%m%d}.{ext}"
