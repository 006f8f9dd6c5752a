"""Write the shipped Word template of the 日报 / 周报 (gongzhi/reports/doc_templates/report.docx).

    .venv/bin/python scripts/make_report_template.py [OUT_DIR]

Built with the same helpers as the meeting templates (scripts/make_doc_templates.py); the
values it may use are listed in gongzhi/reports/documents.py. A street replaces it by putting
its own report.docx in settings.REPORT_DOC_TEMPLATES_DIR. Run again after changing this
script and commit the .docx it writes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_doc_templates import heading, loop_table, new_document, para, title

OUT = Path(__file__).resolve().parent.parent / "gongzhi" / "reports" / "doc_templates"


def report() -> object:
    doc = new_document()
    title(doc, "{{ node }}{{ kind }}")
    para(doc, "统计期间：{{ period }}　　生成时间：{{ generated_at }}")
    streets(doc)
    heading(doc, "一、工单情况")
    para(
        doc,
        "新增 {{ totals.new }} 件，结案 {{ totals.closed }} 件，超期 {{ totals.overdue }} 件，"
        "上报升级 {{ totals.escalated }} 件。",
    )
    loop_table(
        doc,
        "r in cases",
        [
            ("大类", "{{ r.group }}"),
            ("小类", "{{ r.category }}"),
            ("新增", "{{ r.new }}"),
            ("结案", "{{ r.closed }}"),
            ("超期", "{{ r.overdue }}"),
            ("上报", "{{ r.escalated }}"),
        ],
        [3.2, 4.2, 2.0, 2.0, 2.0, 2.0],
    )
    heading(doc, "二、主要指标")
    loop_table(
        doc,
        "k in kpis",
        [
            ("指标", "{{ k.label }}"),
            ("数值", "{{ k.text }}"),
            ("分子/分母", "{{ k.ratio }}"),
            ("等级", "{{ k.grade }}"),
        ],
        [5.0, 3.0, 4.0, 2.0],
    )
    heading(doc, "三、会议和任务流转单")
    para(
        doc,
        "召开会议 {{ meetings_held }} 次（排期 {{ meetings_scheduled }} 次）。任务流转单：发出会签 "
        "{{ slips.issued }} 份，按时全部会签 {{ slips.signed_on_time }} 份，生效 {{ slips.bound }} 份，"
        "办结 {{ slips.done }} 份，逾期未办结 {{ slips.overdue }} 份。",
    )
    loop_table(
        doc,
        "m in meetings",
        [
            ("会议", "{{ m.title }}"),
            ("类型", "{{ m.kind }}"),
            ("辖区", "{{ m.node }}"),
            ("时间", "{{ m.starts_at }}"),
            ("状态", "{{ m.state }}"),
        ],
        [5.0, 2.6, 3.0, 3.2, 2.2],
    )
    heading(doc, "四、关爱")
    para(doc, "{%p if care %}")
    para(
        doc,
        "触发关爱预警 {{ care.raised }} 次，其中误报 {{ care.false_alarms }} 次；现未关闭 {{ care.open_alerts }} 次。"
        "定期探访：上门和电话 {{ care.visits_done }} 次，到期 {{ care.visits_due }} 次，按时 {{ care.visits_met }} 次；"
        "现探访逾期 {{ care.overdue_visits }} 人。",
    )
    loop_table(
        doc,
        "k in care.rates",
        [
            ("指标", "{{ k.label }}"),
            ("数值", "{{ k.text }}"),
            ("分子/分母", "{{ k.ratio }}"),
            ("等级", "{{ k.grade }}"),
        ],
        [5.0, 3.0, 4.0, 2.0],
    )
    loop_table(
        doc,
        "r in care.by_rule",
        [
            ("预警规则", "{{ r.label }}"),
            ("触发", "{{ r.raised }}"),
            ("已关闭", "{{ r.closed }}"),
            ("误报", "{{ r.false_alarms }}"),
        ],
        [6.0, 2.6, 2.6, 2.6],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表生成时尚无关爱统计。")
    para(doc, "{%p endif %}")
    heading(doc, "五、共建")
    para(doc, "{%p if community %}")
    para(
        doc,
        "认领共建项目 {{ community.projects_claimed }} 个，完成 {{ community.projects_finished }} 个，"
        "现实施中 {{ community.projects_active }} 个；待对接的需求 {{ community.needs_open }} 项；"
        "在本辖区报到服务的单位 {{ community.units_serving }} 个（报到率按 {{ community.as_of }} 计算）。",
    )
    loop_table(
        doc,
        "k in community.rates",
        [
            ("指标", "{{ k.label }}"),
            ("数值", "{{ k.text }}"),
            ("分子/分母", "{{ k.ratio }}"),
            ("等级", "{{ k.grade }}"),
        ],
        [5.0, 3.0, 4.0, 2.0],
    )
    loop_table(
        doc,
        "r in community.by_type",
        [
            ("党员类型", "{{ r.label }}"),
            ("有积分的党员", "{{ r.members }}"),
            ("合计", "{{ r.total }}"),
            ("平均", "{{ r.average if r.average is not none else '—' }}"),
            ("扣分", "{{ r.deductions }}"),
        ],
        [5.4, 2.6, 2.2, 2.2, 2.2],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表未含共建统计。")
    para(doc, "{%p endif %}")
    heading(doc, "六、订单服务")
    para(doc, "{%p if orders %}")
    para(
        doc,
        "居民下单 {{ orders.total.posted }} 个，接单 {{ orders.total.taken }} 个，完成服务 {{ orders.total.served }} 个，"
        "转为工单 {{ orders.total.converted }} 个；响应用时（分钟，p50/p90）{{ orders.total.response_text }}，"
        "完成用时（小时，p50/p90）{{ orders.total.completion_text }}，满意率 {{ orders.total.satisfaction_text }}。",
    )
    loop_table(
        doc,
        "m in orders.modules",
        [
            ("服务模块", "{{ m.name }}"),
            ("下单", "{{ m.posted }}"),
            ("完成", "{{ m.served }}"),
            ("响应（分钟）", "{{ m.response_text }}"),
            ("完成（小时）", "{{ m.completion_text }}"),
            ("满意率", "{{ m.satisfaction_text }}"),
        ],
        [3.6, 1.8, 1.8, 3.0, 3.0, 2.2],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表未含订单服务统计。")
    para(doc, "{%p endif %}")
    heading(doc, "七、志愿服务")
    para(doc, "{%p if volunteers %}")
    para(
        doc,
        "志愿服务 {{ volunteers.hours_text }} 小时（{{ volunteers.sources_text }}）；登记志愿者 "
        "{{ volunteers.registered }} 人，期间内有服务时长的 {{ volunteers.active }} 人，人均时长中位数 "
        "{{ volunteers.median_text }} 小时。",
    )
    loop_table(
        doc,
        "a in volunteers.areas",
        [
            ("居民区", "{{ a.name }}"),
            ("服务小时", "{{ a.hours_text }}"),
            ("登记", "{{ a.registered }}"),
            ("有时长", "{{ a.active }}"),
            ("中位数", "{{ a.median_text }}"),
        ],
        [5.0, 2.6, 2.2, 2.2, 2.2],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表未含志愿服务统计。")
    para(doc, "{%p endif %}")
    heading(doc, "八、应急动员")
    para(doc, "{%p if mobilisation %}")
    para(
        doc,
        "期间内的应急动员 {{ mobilisation.incidents|length }} 起，生成时仍在动员的 {{ mobilisation.running }} 起。",
    )
    loop_table(
        doc,
        "i in mobilisation.incidents",
        [
            ("动员", "{{ i.number }} {{ i.title }}"),
            ("出入口班次到岗", "{{ i.checked_in_text }}"),
            ("排班满员", "{{ i.filled_text }}"),
            ("走访", "{{ i.households_text }}"),
            ("物资", "{{ i.supplies_text }}"),
            ("值守小时", "{{ i.hours_text }}"),
        ],
        [4.4, 2.4, 2.4, 1.8, 1.8, 2.0],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表未含应急动员统计。")
    para(doc, "{%p endif %}")
    heading(doc, "九、直报")
    para(doc, "{%p if direct %}")
    para(
        doc,
        "期间内直报 {{ direct.reported }} 件；{{ direct.ack_span }}内确认 {{ direct.ack_text }}，"
        "{{ direct.follow_up_span }}内书面续报 {{ direct.follow_up_text }}；转为工单 {{ direct.to_case }} 件，"
        "转为应急动员 {{ direct.to_mobilisation }} 件；误用直报 {{ direct.misuse }} 件；生成时未办结 "
        "{{ direct.open_now }} 件。",
    )
    loop_table(
        doc,
        "k in direct.by_kind",
        [("事件类型", "{{ k.label }}"), ("直报", "{{ k.reported }}"), ("误用", "{{ k.misuse }}")],
        [5.0, 2.6, 2.6],
    )
    para(doc, "{%p else %}")
    para(doc, "本报表未含直报统计。")
    para(doc, "{%p endif %}")
    heading(doc, "十、点评")
    para(doc, "{%p for n in notes %}")
    para(doc, "{{ n.by }}（{{ n.at }}）：{{ n.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if not notes %}")
    para(doc, "暂无点评。")
    para(doc, "{%p endif %}")
    para(
        doc,
        "本报表数据由系统根据工单、会议、任务流转单、关爱、共建、订单、志愿服务、应急动员和直报的记录自动生成"
        "（关爱、共建、订单、志愿服务、应急动员和直报只有计数，不含姓名），数据不可修改。",
        size=9,
    )
    return doc


def streets(doc: object) -> None:
    """A district's report: one row per street, the figures of each street's own report (the
    section shows nothing for a street, a block area or a residential area)."""
    para(doc, "{%p if streets %}")
    heading(doc, "各街道概况")
    para(doc, "下表每行是该街道同期日报周报的数字；全区合计见后文各节。")
    loop_table(
        doc,
        "s in streets",
        [
            ("街道", "{{ s.name }}"),
            ("新增", "{{ s.totals.new }}"),
            ("结案", "{{ s.totals.closed }}"),
            ("超期", "{{ s.totals.overdue }}"),
            ("上报", "{{ s.totals.escalated }}"),
            ("结案率", "{{ s.kpi.close_rate.text }}"),
            ("本级解决率", "{{ s.kpi.local_rate.text }}"),
            ("满意率", "{{ s.kpi.satisfaction.text }}"),
        ],
        [3.0, 1.6, 1.6, 1.6, 1.6, 2.2, 2.4, 2.0],
    )
    loop_table(
        doc,
        "s in streets",
        [
            ("街道", "{{ s.name }}"),
            ("按期结案率", "{{ s.kpi.close_on_time.text }}"),
            ("按时派遣率", "{{ s.kpi.dispatch_on_time.text }}"),
            ("返工率", "{{ s.kpi.rework_rate.text }}"),
            ("召开会议", "{{ s.meetings_held }}"),
            ("流转单办结", "{{ s.slips.done }}"),
        ],
        [3.0, 2.6, 2.6, 2.2, 2.2, 2.4],
    )
    loop_table(
        doc,
        "s in streets",
        [
            ("街道", "{{ s.name }}"),
            ("关爱预警", "{{ s.care_raised }}"),
            ("按时探访", "{{ s.care_visits }}"),
            ("订单完成", "{{ s.orders_served }}"),
            ("订单满意率", "{{ s.orders_satisfaction }}"),
            ("志愿服务小时", "{{ s.volunteer_hours }}"),
            ("直报", "{{ s.direct_reported }}"),
            ("直报按时确认", "{{ s.direct_ack }}"),
        ],
        [2.6, 1.8, 2.2, 1.8, 2.0, 2.0, 1.4, 2.4],
    )
    para(doc, "{%p endif %}")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.docx"
    report().save(str(path))  # type: ignore[attr-defined]
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
