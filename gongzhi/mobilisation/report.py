"""The after-action report (处置总结): a Word file built with python-docx from the records —
the incident, its zone and lead, the coverage reached, the rota's runs, the gaps, and the
hours served per unit and per volunteer. Names only; no phone or ID number appears."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

from gongzhi.mobilisation import board, duty
from gongzhi.mobilisation.choices import AssignmentState, PersonSource
from gongzhi.mobilisation.models import Assignment, Incident


@dataclass
class Hours:
    by_unit: dict[str, Decimal] = field(default_factory=dict)
    by_volunteer: dict[str, Decimal] = field(default_factory=dict)
    shifts_served: int = 0
    no_shows: int = 0


def hours(incident: Incident) -> Hours:
    out = Hours()
    unit: dict[str, Decimal] = defaultdict(Decimal)
    vol: dict[str, Decimal] = defaultdict(Decimal)
    rows = Assignment.objects.filter(shift__post__incident=incident).select_related("shift", "unit", "person")
    for a in rows:
        if a.state == AssignmentState.NO_SHOW:
            out.no_shows += 1
        if a.state != AssignmentState.CHECKED_OUT:
            continue
        served = duty.served_hours(a)
        out.shifts_served += 1
        if a.source == PersonSource.VOLUNTEER:
            vol[f"{a.person.name}（{a.person.code}）"] += served
            unit[a.unit.name if a.unit else str(_("志愿者"))] += served
        else:
            unit[a.unit.name if a.unit else str(_("其他"))] += served
    out.by_unit = dict(sorted(unit.items(), key=lambda kv: -kv[1]))
    out.by_volunteer = dict(sorted(vol.items(), key=lambda kv: -kv[1]))
    return out


def _table(doc: object, head: tuple[str, str], rows: dict[str, Decimal]) -> None:
    table = doc.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = head
    for name, value in rows.items():
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, f"{value}"


def report_docx(incident: Incident) -> bytes:
    f = board.figures(incident, at=incident.closed_at)
    h = hours(incident)
    doc = Document()
    doc.add_heading(_("应急动员处置总结：%(title)s") % {"title": incident.title}, level=1)
    start = timezone.localtime(incident.declared_at)
    end = timezone.localtime(incident.closed_at) if incident.closed_at else None
    doc.add_paragraph(
        _("类型：%(kind)s；编号：%(number)s；负责人：%(lead)s")
        % {
            "kind": incident.get_kind_display(),
            "number": incident.number,
            "lead": incident.lead.get_username(),
        }
    )
    doc.add_paragraph(
        _("起止：%(start)s 至 %(end)s")
        % {"start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%Y-%m-%d %H:%M}" if end else _("进行中")}
    )
    doc.add_paragraph(
        _("动员范围：%(zone)s") % {"zone": "、".join(n.name for n in incident.zone.order_by("path"))}
    )
    units = "、".join(u.name for u in incident.units.order_by("code"))
    if units:
        doc.add_paragraph(_("联合值守单位：%(units)s") % {"units": units})
    if incident.slip_id is not None and incident.slip is not None:
        doc.add_paragraph(_("依据联合居务会决定：%(slip)s") % {"slip": incident.slip.number})
    doc.add_heading(_("覆盖情况"), level=2)
    doc.add_paragraph(_("困难群体走访：%(a)d / %(b)d 户") % {"a": f.households[0], "b": f.households[1]})
    doc.add_paragraph(_("物资配送：%(a)d / %(b)d 份") % {"a": f.supplies[0], "b": f.supplies[1]})
    doc.add_paragraph(_("逐户排查：%(a)d / %(b)d 栋") % {"a": f.doors[0], "b": f.doors[1]})
    doc.add_paragraph(
        _("值守点：%(n)d 个；完成班次 %(s)d 人次；缺岗 %(g)d 人次")
        % {"n": incident.posts.count(), "s": h.shifts_served, "g": h.no_shows}
    )
    for rota in incident.rotas.order_by("version"):
        doc.add_paragraph(
            _("第%(v)d版排班（%(kind)s）：%(status)s，差距 %(gap)s")
            % {
                "v": rota.version,
                "kind": rota.get_kind_display(),
                "status": rota.status,
                "gap": "—" if rota.gap is None else f"{rota.gap:.1%}",
            }
        )
    doc.add_heading(_("各单位值守时长（小时）"), level=2)
    _table(doc, (_("单位"), _("小时")), h.by_unit)
    doc.add_heading(_("志愿者服务时长（小时）"), level=2)
    _table(doc, (_("志愿者"), _("小时")), h.by_volunteer)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
