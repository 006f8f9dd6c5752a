"""Write the shipped Word templates for meeting documents (gongzhi/meetings/doc_templates/).

    .venv/bin/python scripts/make_doc_templates.py [OUT_DIR]

The templates are ordinary .docx files with Jinja tags that docxtpl renders: `{{ name }}` for
a value, `{%p ... %}` for a paragraph-level block and `{%tr ... %}` for a table row repeated
per item. A street that wants its own layout opens one of these files in Word, rearranges it,
keeps the tags it needs, and puts it in settings.MEETING_DOC_TEMPLATES_DIR (see
gongzhi/meetings/documents.py for the values each template receives). Run this script again
after changing it; commit the .docx files it writes.
"""

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "gongzhi" / "meetings" / "doc_templates"
BODY_FONT = "宋体"  # what Word in a Chinese office has; LibreOffice substitutes Noto Serif CJK
TITLE_FONT = "黑体"


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = "Times New Roman"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), TITLE_FONT)
    return doc


def title(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(18)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), TITLE_FONT)


def heading(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(13)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), TITLE_FONT)


def para(doc: Document, text: str, *, size: int | None = None) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)  # one run per tag, so docxtpl sees each tag whole
    if size:
        run.font.size = Pt(size)


def loop_table(doc: Document, loop: str, columns: list[tuple[str, str]], widths: list[float]) -> None:
    """A header row, then one row repeated for each item of `loop` ("x in items")."""
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, start, body, end = table.rows
    for i, (label, value) in enumerate(columns):
        header.cells[i].text = label
        for run in header.cells[i].paragraphs[0].runs:
            run.bold = True
        body.cells[i].text = value
    start.cells[0].text = "{%tr for " + loop + " %}"
    end.cells[0].text = "{%tr endfor %}"
    for row in table.rows:
        for i, width in enumerate(widths):
            row.cells[i].width = Cm(width)
    for cell in (*header.cells, *body.cells):
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(9.5)


def minutes() -> Document:
    doc = new_document()
    title(doc, "{{ street }}{{ area }}{{ kind }}会议纪要")
    para(doc, "会议名称：{{ title }}")
    para(doc, "时间：{{ starts_at }}　　地点：{{ place }}")
    para(doc, "主持人：{{ chair }}　　会议状态：{{ state }}")
    para(doc, "法定出席：{{ quorum }}")
    para(doc, "{%p if joint %}")
    para(doc, "联合居民区：{{ joint }}")
    para(doc, "{%p endif %}")
    heading(doc, "一、出席情况")
    para(
        doc,
        "应到 {{ totals.invited }} 人，实到 {{ totals.came }} 人（出席 {{ totals.present }} 人，"
        "委托出席 {{ totals.delegate }} 人），缺席 {{ totals.absent }} 人"
        "{{ '，未登记 %d 人' % totals.unmarked if totals.unmarked else '' }}。",
    )
    loop_table(
        doc,
        "g in groups",
        [
            ("席位", "{{ g.label }}"),
            ("应到", "{{ g.invited }}"),
            ("实到", "{{ g.came }}"),
            ("出席", "{{ g.present }}"),
            ("委托出席", "{{ g.delegate }}"),
            ("缺席", "{{ g.absent }}"),
            ("未登记", "{{ g.unmarked }}"),
        ],
        [3.4, 1.9, 1.9, 1.9, 2.2, 1.9, 2.0],
    )
    para(
        doc,
        "合计：应到 {{ totals.invited }}，实到 {{ totals.came }}，出席 {{ totals.present }}，"
        "委托出席 {{ totals.delegate }}，缺席 {{ totals.absent }}，未登记 {{ totals.unmarked }}。",
    )
    para(doc, "列席（X）：{{ x_names or '无' }}")
    loop_table(
        doc,
        "p in participants",
        [
            ("序号", "{{ p.no }}"),
            ("席位", "{{ p.seat }}"),
            ("单位", "{{ p.unit }}"),
            ("姓名", "{{ p.name }}{{ '（代表：' + p.represents + '）' if p.represents else '' }}"),
            ("出席情况", "{{ p.mark }}"),
        ],
        [1.2, 3.2, 5.2, 3.0, 4.0],
    )
    heading(doc, "二、议题与决定")
    para(doc, "{%p if not topics %}")
    para(doc, "本次会议无议题。")
    para(doc, "{%p endif %}")
    para(doc, "{%p for t in topics %}")
    para(doc, "议题{{ t.no }}：{{ t.title }}（{{ t.business }}；{{ t.state }}）")
    para(doc, "{%p if t.detail %}")
    para(doc, "情况说明：{{ t.detail }}")
    para(doc, "{%p endif %}")
    para(doc, "讨论情况：{{ t.discussion or '（未记录）' }}")
    para(doc, "{%p for d in t.decisions %}")
    para(
        doc,
        "决定{{ t.no }}.{{ d.no }}：{{ d.action }}（任务流转单{{ d.number }}；主办：{{ d.lead }}；"
        "协办：{{ d.assist or '无' }}；完成时限：{{ d.due }}；{{ d.state }}）",
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    heading(doc, "三、纪要")
    para(doc, "{{ minutes_text or '（纪要尚未撰写）' }}")
    para(doc, "{{ minutes_label }}", size=9)
    heading(doc, "四、会签记录")
    para(doc, "{%p if not signatures %}")
    para(doc, "尚无会签记录。")
    para(doc, "{%p endif %}")
    loop_table(
        doc,
        "s in signatures",
        [
            ("流转单", "{{ s.slip }}"),
            ("单位", "{{ s.unit }}"),
            ("签署人", "{{ s.signer }}"),
            ("意见", "{{ s.verdict }}"),
            ("理由", "{{ s.reason }}"),
            ("签署时间", "{{ s.at }}"),
            ("内容摘要", "{{ s.hash }}"),
            ("状态", "{{ s.status }}"),
        ],
        [2.4, 2.6, 1.6, 1.4, 2.6, 2.4, 2.2, 2.8],
    )
    para(doc, "内容摘要为所签版本内容的 SHA-256 摘要前 12 位；“已被取代”的签署针对旧版本，不再有效。", size=9)
    para(doc, "生成时间：{{ generated_at }}", size=9)
    return doc


def slip() -> Document:
    doc = new_document()
    title(doc, "任务流转单")
    para(doc, "编号：{{ number }}　　状态：{{ state }}　　版本：第{{ version }}版")
    para(doc, "辖区：{{ street }}{{ area }}")
    para(doc, "来源会议：{{ meeting_title }}（{{ kind }}，{{ starts_at }}）")
    para(doc, "议题：{{ topic }}")
    para(doc, "决定事项：{{ action }}")
    para(doc, "完成时限：{{ due }}")
    heading(doc, "责任单位")
    loop_table(
        doc,
        "p in parties",
        [
            ("分工", "{{ p.role }}"),
            ("责任单位", "{{ p.unit }}"),
            ("责任岗位", "{{ p.post }}"),
            ("承担任务", "{{ p.task }}"),
        ],
        [2.0, 5.0, 4.0, 5.6],
    )
    para(doc, "关联工单：{{ cases or '无' }}")
    para(doc, "生效时间：{{ bound_at or '尚未生效' }}")
    heading(doc, "会签记录")
    para(doc, "{%p if not signatures %}")
    para(doc, "尚无会签记录。")
    para(doc, "{%p endif %}")
    loop_table(
        doc,
        "s in signatures",
        [
            ("单位", "{{ s.unit }}"),
            ("签署人", "{{ s.signer }}"),
            ("意见", "{{ s.verdict }}"),
            ("理由", "{{ s.reason }}"),
            ("签署时间", "{{ s.at }}"),
            ("版本", "第{{ s.version }}版"),
            ("内容摘要", "{{ s.hash }}"),
            ("状态", "{{ s.status }}"),
        ],
        [2.8, 1.8, 1.5, 2.8, 2.6, 1.3, 2.2, 2.4],
    )
    para(doc, "当前版本内容摘要：{{ content_hash }}", size=9)
    para(doc, "各责任单位逐一签署“同意”或“有异议（附理由）”，全部同意同一版本后生效。", size=9)
    para(doc, "生成时间：{{ generated_at }}", size=9)
    return doc


def signin() -> Document:
    doc = new_document()
    title(doc, "{{ title }}签到表")
    para(doc, "{{ street }}{{ area }}　　{{ kind }}")
    para(doc, "时间：{{ starts_at }}　　地点：{{ place }}　　主持人：{{ chair }}")
    loop_table(
        doc,
        "p in participants",
        [
            ("序号", "{{ p.no }}"),
            ("席位", "{{ p.seat }}"),
            ("单位", "{{ p.unit }}"),
            ("姓名", "{{ p.name }}{{ '（代表：' + p.represents + '）' if p.represents else '' }}"),
            ("出席情况", "{{ p.mark }}"),
            ("签名", ""),
        ],
        [1.2, 2.8, 4.4, 2.6, 2.8, 3.0],
    )
    para(
        doc,
        "应到 {{ participant_count }} 人，实到 {{ present_count }} 人（含委托出席 {{ delegate_count }} 人），"
        "缺席 {{ absent_count }} 人{{ '，未登记 %d 人' % unmarked_count if unmarked_count else '' }}。",
    )
    para(doc, "生成时间：{{ generated_at }}", size=9)
    return doc


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, build in (("minutes", minutes), ("slip", slip), ("signin", signin)):
        path = out / f"{name}.docx"
        build().save(str(path))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
