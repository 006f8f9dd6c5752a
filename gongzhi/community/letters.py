"""The yearly feedback letter (双报到反馈函): one per registered member, addressed to the Party
organisation of their workplace, with the year's figures from the records: the registration,
each commitment against the service recorded, the points and the grade. A Word file (what
offices use), built with python-docx from plain values; no phone or ID number appears."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db.models import Sum
from django.utils.translation import gettext as _
from docx import Document

from gongzhi.community import places, statements
from gongzhi.community.member_types import treatment
from gongzhi.community.models import GradeBand, ServiceRecord
from gongzhi.orgs.models import DualRegistration, PartyMember


@dataclass
class LetterFigures:
    member: str
    workplace_org: str
    area: str
    registered_on: date | None
    commitments: list[tuple[str, Decimal, Decimal, str]]  # title, per year, done, unit label
    points: int
    grade: str


def figures(member: PartyMember, year: int) -> LetterFigures:
    registration = (
        DualRegistration.objects.filter(
            member=member, state__in=["confirmed", "ended"], registered_on__year__lte=year
        )
        .select_related("node")
        .order_by("-registered_on", "-id")
        .first()
    )
    rows: list[tuple[str, Decimal, Decimal, str]] = []
    if registration is not None:
        for c in registration.commitments.order_by("id"):
            done = ServiceRecord.objects.filter(commitment=c, done_on__year=year).aggregate(
                s=Sum("quantity")
            )["s"]
            done = Decimal(done or 0).quantize(Decimal("0.1"))
            rows.append((c.title, c.per_year, done, str(c.get_unit_display())))
    points = statements.year_total(member, year)
    grade = ""
    branch = places.branch_of(member)
    if branch is not None and treatment(member.member_type).graded:
        bands = list(
            GradeBand.objects.filter(street__code=places.street_code(branch.node)).order_by("-min_points")
        )
        grade = statements.grade_for(points, bands)
    return LetterFigures(
        member=member.person.name,
        workplace_org=member.org.name,
        area=registration.node.name if registration else "",
        registered_on=registration.registered_on if registration else None,
        commitments=rows,
        points=points,
        grade=grade,
    )


def letter_docx(member: PartyMember, year: int) -> bytes:
    f = figures(member, year)
    doc = Document()
    doc.add_heading(_("%(year)d年度在职党员双报到情况反馈函") % {"year": year}, level=1)
    doc.add_paragraph(_("%(org)s：") % {"org": f.workplace_org})
    if f.registered_on:
        doc.add_paragraph(
            _("贵单位党员%(name)s同志于%(day)s到%(area)s报到。现将其%(year)d年度在社区服务情况反馈如下。")
            % {"name": f.member, "day": f.registered_on.strftime("%Y-%m-%d"), "area": f.area, "year": year}
        )
    else:
        doc.add_paragraph(_("贵单位党员%(name)s同志本年度未在本街道报到。") % {"name": f.member})
    if f.commitments:
        table = doc.add_table(rows=1, cols=3)
        head = table.rows[0].cells
        head[0].text, head[1].text, head[2].text = _("承诺事项"), _("每年承诺"), _("本年完成")
        for title, per_year, done, unit in f.commitments:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = title, f"{per_year}{unit}", f"{done}{unit}"
    doc.add_paragraph(_("本年度积分：%(points)d分") % {"points": f.points})
    if f.grade:
        doc.add_paragraph(_("考核等次：%(grade)s") % {"grade": f.grade})
    doc.add_paragraph(_("特此函告。"))
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
