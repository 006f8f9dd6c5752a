"""Minutes, task slips and the sign-in sheet as Word (docxtpl) and PDF (WeasyPrint): what they
say, that a street's own template wins, and the download pages scoped like the rest."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import Client
from docx import Document

from gongzhi.core import clock
from gongzhi.meetings import documents, seating, services, slips
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import Participant, PartyRole, SlipState, Verdict
from gongzhi.meetings.slips import PartySpec, SlipDraft
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.meetings.tests.test_flow import hold, meeting_held, problem, topic_on_agenda

needs_pdf = pytest.mark.skipif(
    not documents.pdf_available(), reason="WeasyPrint cannot load (install libpango-1.0-0 libpangoft2-1.0-0)"
)

TOPIC = "3号楼楼道堆物反复回潮"
DECISION = "一周内清理3号楼楼道堆物；房管办先行认定违建"


@pytest.fixture
def bound(mworld):
    """A held meeting with minutes and one slip bound at version 2, after an objection to
    version 1 (which stays on record, superseded)."""
    users, units = mworld.users, mworld.units
    topic = topic_on_agenda(mworld, problem(mworld))
    services.topic_vet(actor=users["secretary"], topic=topic, approve=True)
    meeting = meeting_held(mworld)
    services.topic_schedule(actor=users["jwh"], topic=topic, meeting=meeting)
    meeting = hold(mworld, meeting)
    topic = services.topic_discuss(actor=users["jwh"], topic=topic, text="物业牵头清理，城管执法配合")
    with clock.freeze(NOW + timedelta(days=2)):
        services.minutes_write(actor=users["jwh"], meeting=meeting, text="会议由书记主持。\n议定清理楼道。")
        slip = slips.slip_create(
            actor=users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="一周内清理3号楼楼道堆物",
                due=date(2026, 12, 15),
                parties=[PartySpec(units["wy"], PartyRole.LEAD), PartySpec(units["cg"], PartyRole.ASSIST)],
            ),
        )
        slip = slips.slip_issue(actor=users["jwh"], slip=slip)
    with clock.freeze(NOW + timedelta(days=2, hours=1)):
        slips.slip_sign(actor=users["cg"], slip=slip, verdict=Verdict.OBJECT, version=1, reason="须先认定")
    with clock.freeze(NOW + timedelta(days=2, hours=2)):
        slip = slips.slip_revise(
            actor=users["secretary"],
            slip=slip,
            note="增加房管办认定",
            draft=SlipDraft(
                action=DECISION,
                due=date(2026, 12, 15),
                parties=[
                    PartySpec(units["wy"], PartyRole.LEAD, task="清理"),
                    PartySpec(units["cg"], PartyRole.ASSIST),
                    PartySpec(units["fg"], PartyRole.ASSIST, task="认定"),
                ],
            ),
        )
    with clock.freeze(NOW + timedelta(days=3)):
        for name in ("wy", "cg", "fg"):
            slips.slip_sign(actor=users[name], slip=slip, verdict=Verdict.AGREE, version=2)
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    meeting.refresh_from_db()
    return meeting, slip


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    doc = Document(BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def attendance(meeting):
    """The table's order: the Party organisation first, the standing seats, then X."""
    return seating.participants(meeting)


def test_minutes_docx_says_everything(bound):
    meeting, slip = bound
    text, tables = docx_text(documents.minutes_docx(meeting))
    assert "{{" not in text and "{%" not in text
    assert meeting.title in text and "会议纪要" in text
    assert "居委会议室" in text and "已达到法定出席人数" in text
    assert TOPIC in text and "物业牵头清理" in text
    assert DECISION in text and slip.number in text
    assert "会议由书记主持。\n议定清理楼道。" in text
    groups, people, signatures = tables
    assert groups[0] == ["席位", "应到", "实到", "出席", "委托出席", "缺席", "未登记"]
    assert [g[0] for g in groups[1:]] == ["党组织", "固定席位", "列席（X）"]
    figures = [[int(x) for x in g[1:]] for g in groups[1:]]
    for invited, came, present, delegate, absent, unmarked in figures:
        assert invited == came + absent + unmarked and came == present + delegate
    total = [sum(column) for column in zip(*figures, strict=True)]
    assert total[0] == meeting.participants.count()
    assert f"合计：应到 {total[0]}，实到 {total[1]}，出席 {total[2]}" in text
    assert people[0] == ["序号", "席位", "单位", "姓名", "出席情况"]
    expected = attendance(meeting)
    assert expected[0].seat == "party_org" and people[1][1] == "居民区党组织"
    assert len(people) == 1 + len(expected)
    for row, p in zip(people[1:], expected, strict=True):
        assert row[3] == p.name
        assert row[4] == ("√ 出席" if p.attendance == Attendance.PRESENT else "× 缺席")
    assert signatures[0][:4] == ["流转单", "单位", "签署人", "意见"]
    rows = signatures[1:]
    assert len(rows) == 4
    objection = rows[0]
    assert objection[1] == slip.signatures.get(slip_version=1).unit.name
    assert objection[3] == "有异议" and objection[4] == "须先认定" and objection[7].startswith("已被取代")
    for row, sig in zip(rows[1:], slip.signatures.filter(slip_version=2).order_by("at", "pk"), strict=True):
        assert row[1] == sig.unit.name and row[2] == sig.signer_name
        assert row[3] == "同意" and row[6] == sig.content_hash[:12] and row[7] == "有效"


def test_slip_docx_lists_parties_and_every_signature(bound):
    _meeting, slip = bound
    text, tables = docx_text(documents.slip_docx(slip))
    assert "任务流转单" in text and slip.number in text and DECISION in text and TOPIC in text
    assert "2026年12月15日" in text and "第2版" in text and slips.content_hash(slip)[:12] in text
    parties, signatures = tables
    assert [r[0] for r in parties[1:]] == ["主办", "协办", "协办"]
    assert {r[1] for r in parties[1:]} == {p.unit.name for p in slip.parties.all()}
    by_status = [(r[0], r[2], r[5], r[7]) for r in signatures[1:]]
    assert by_status[0][1:3] == ("有异议", "第1版") and by_status[0][3].startswith("已被取代")
    assert all(s[1] == "同意" and s[2] == "第2版" and s[3] == "有效" for s in by_status[1:])
    assert {s[0] for s in by_status[1:]} == {p.unit.name for p in slip.parties.all()}


def test_signin_docx_has_a_row_per_invitee_with_marks(bound, mworld):
    meeting, _slip = bound
    delegate = meeting.participants.filter(attendance=Attendance.ABSENT).first()
    Participant.objects.filter(pk=delegate.pk).update(attendance=Attendance.DELEGATE, delegate_name="李代表")
    text, tables = docx_text(documents.signin_docx(meeting))
    assert f"{meeting.title}签到表" in text
    (sheet,) = tables
    assert sheet[0] == ["序号", "席位", "单位", "姓名", "出席情况", "签名"]
    names = {row[3]: row[4] for row in sheet[1:]}
    assert names[delegate.name] == "委托出席（李代表）"
    assert len(names) == meeting.participants.count()
    assert all(row[5] == "" for row in sheet[1:])  # left blank for the pen


def test_user_text_is_escaped_and_control_characters_dropped(bound, mworld):
    meeting, _slip = bound
    with clock.freeze(NOW + timedelta(days=2)):
        services.minutes_write(actor=mworld.users["jwh"], meeting=meeting, text="A<b>&amp;\x07 <w:p/>")
    text, _tables = docx_text(documents.minutes_docx(meeting))
    assert "A<b>&amp; <w:p/>" in text


def test_a_street_template_replaces_the_shipped_one(bound, settings, tmp_path):
    from docxtpl import DocxTemplate  # noqa: F401 (the templates are docxtpl's)

    meeting, _slip = bound
    street_code = documents.meeting_context(meeting)["street_code"]
    own = Document()
    own.add_paragraph("本街道自定义纪要：{{ title }}")
    (tmp_path / street_code).mkdir()
    own.save(str(tmp_path / street_code / "minutes.docx"))
    settings.MEETING_DOC_TEMPLATES_DIR = str(tmp_path)
    text, _ = docx_text(documents.minutes_docx(meeting))
    assert text.strip() == f"本街道自定义纪要：{meeting.title}"
    # the other documents fall back to the shipped templates
    assert documents.template_path("slip", street_code) == documents.SHIPPED_DIR / "slip.docx"
    settings.MEETING_DOC_TEMPLATES_DIR = None
    assert documents.template_path("minutes", street_code) == documents.SHIPPED_DIR / "minutes.docx"


def test_no_phone_numbers_reach_the_context(bound):
    meeting, slip = bound
    for context in (documents.meeting_context(meeting), documents.slip_context(slip)):
        flat = repr(context)
        assert "phone" not in flat and "13800" not in flat


@needs_pdf
@pytest.mark.parametrize("kind", ["minutes", "signin", "slip"])
def test_pdfs_carry_the_chinese_text(bound, kind):
    meeting, slip = bound
    data = {
        "minutes": lambda: documents.minutes_pdf(meeting),
        "signin": lambda: documents.signin_pdf(meeting),
        "slip": lambda: documents.slip_pdf(slip),
    }[kind]()
    assert data.startswith(b"%PDF")
    text = "".join(pdf_text(data).split())  # table cells wrap: compare without whitespace
    expected = {"minutes": "会议纪要", "signin": "签到表", "slip": "任务流转单"}[kind]
    assert expected in text
    if kind != "signin":
        assert "有异议" in text and "须先认定" in text and "已被取代（现为第2版）" in text
    else:
        assert attendance(meeting)[0].name in text


# --- the download pages ------------------------------------------------------------------------


def urls(meeting, slip) -> list[tuple[str, str]]:
    docx, pdf = documents.DOCX_TYPE, documents.PDF_TYPE
    return [
        (f"/meetings/{meeting.pk}/minutes.docx", docx),
        (f"/meetings/{meeting.pk}/signin.docx", docx),
        (f"/meetings/slips/{slip.pk}.docx", docx),
        (f"/meetings/{meeting.pk}/minutes.pdf", pdf),
        (f"/meetings/{meeting.pk}/signin.pdf", pdf),
        (f"/meetings/slips/{slip.pk}.pdf", pdf),
    ]


def test_downloads_for_the_area_and_not_found_for_an_outsider(bound, mworld):
    meeting, slip = bound
    inside, outside = Client(), Client()
    inside.force_login(mworld.users["jwh"])
    outside.force_login(mworld.cases.outsider)
    for url, content_type in urls(meeting, slip):
        if content_type == documents.PDF_TYPE and not documents.pdf_available():
            continue
        response = inside.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment;")
        assert outside.get(url).status_code == 404, url
    assert inside.get("/meetings/999999/minutes.docx").status_code == 404
    assert inside.get(f"/meetings/slips/{slip.pk + 1000}.pdf").status_code == 404


def test_a_unit_named_on_the_slip_downloads_it(bound, mworld):
    _meeting, slip = bound
    client = Client()
    client.force_login(mworld.users["fg"])
    assert client.get(f"/meetings/slips/{slip.pk}.docx").status_code == 200


def test_downloads_need_a_login(bound):
    meeting, slip = bound
    client = Client()
    for url, _type in urls(meeting, slip):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_pdf_without_weasyprint_is_a_clear_503(bound, mworld, monkeypatch):
    meeting, slip = bound

    def missing() -> None:
        raise documents.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(documents, "_weasyprint", missing)
    client = Client()
    client.force_login(mworld.users["jwh"])
    response = client.get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert response.status_code == 503
    assert "PDF" in response.content.decode()
    assert client.get(f"/meetings/slips/{slip.pk}.docx").status_code == 200  # Word still works
