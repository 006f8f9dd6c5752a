"""Meeting documents: minutes, sign-in sheet and task slip, as Word (docxtpl) and PDF
(WeasyPrint with Noto CJK), per meeting, p50 over the rounds.

The world is built through the services in the bench database, inside a transaction that is
rolled back at the end: a residential area with its 1+8 seats and a property unit, a 居务会
held with quorum (some seats absent, one by delegate), three topics discussed, a slip on each,
signed by every named unit; the first slip was objected to, revised and signed again, so its
table has a superseded signature.

Baselines, measured in the same run: for Word, a plain python-docx document holding the same
paragraphs and tables (no template, no database); for PDF, WeasyPrint rendering a minimal
page with one line of Chinese (so the fixed cost of loading and subsetting the CJK font shows).
"""

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.measure import Results, no_query_log, percentile

NAME = "documents"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
SEATS = [
    # username, post role, meeting seat, unit kind
    ("bd_secretary", "party_secretary", "party_org", "residents_committee"),
    ("bd_jwh", "committee_staff", "residents_committee", "residents_committee"),
    ("bd_ywh", "partner", "owners_committee", "owners_committee"),
    ("bd_wy", "property_staff", "property", "property"),
    ("bd_mj", "department", "police", "police"),
    ("bd_cg", "department", "urban_management", "urban_management"),
    ("bd_sc", "department", "market_supervision", "market_supervision"),
    ("bd_fg", "department", "housing", "housing"),
    ("bd_lly", "street_cadre", "street_liaison", "street_office"),
]
ABSENT = {"bd_sc"}
DELEGATED = {"bd_lly": "街道联络员助理"}
TOPICS = [
    ("3号楼楼道堆物反复回潮", "bottleneck", "物业牵头清理，城管执法配合，居委会入户宣传。"),
    ("小区非机动车充电棚选址", "key_matter", "拟在东门绿地旁建设，需征求低层住户意见。"),
    ("5号楼漏水引发邻里纠纷", "dispute", "律师调解，物业先行维修公共管道，费用按责任分担。"),
]


class _Rollback(Exception):
    pass


def run(results: Results, options: dict[str, Any]) -> None:
    from gongzhi.meetings import documents

    rounds = max(3, int(options.get("rounds", 10)))
    try:
        with no_query_log(), transaction.atomic():
            meeting, slip = _world()
            _measure(results, documents, meeting, slip, rounds)
            raise _Rollback
    except _Rollback:
        pass


def _world() -> tuple[Any, Any]:
    from gongzhi.core import clock
    from gongzhi.meetings import services, slips
    from gongzhi.meetings.kinds import Attendance, MeetingKind
    from gongzhi.meetings.models import PartyRole, Verdict
    from gongzhi.meetings.services import TopicDraft
    from gongzhi.meetings.slips import PartySpec, SlipDraft
    from gongzhi.orgs.models import Post
    from gongzhi.testing.factories import make_staff, make_tree

    with clock.freeze(NOW):
        tree = make_tree()
        users, units = {}, {}
        for username, role, seat, kind in SEATS:
            at = tree.e1 if seat == "property" else tree.r1
            users[username] = make_staff(username, role, at, unit_kind=kind, meeting_role=seat)
            units[username] = Post.objects.get(code=f"POST-{username}").unit
        convener, chair = users["bd_jwh"], users["bd_secretary"]
        topics = []
        for title, business, _discussion in TOPICS:
            topic = services.topic_propose(
                actor=convener, node=tree.r1, draft=TopicDraft(title=title, business=business, detail=title)
            )
            topics.append(services.topic_vet(actor=chair, topic=topic, approve=True))
        meeting = services.meeting_create(
            actor=convener,
            kind=MeetingKind.JUWUHUI,
            node=tree.r1,
            starts_at=NOW + timedelta(days=2),
            place="居委会议室",
        )
        marks: dict[int, tuple[str, str]] = {}
        for p in meeting.participants.select_related("person"):
            username = p.person.user.username if p.person and p.person.user else ""
            if username in ABSENT:
                marks[p.pk] = (Attendance.ABSENT, "")
            elif username in DELEGATED:
                marks[p.pk] = (Attendance.DELEGATE, DELEGATED[username])
            else:
                marks[p.pk] = (Attendance.PRESENT, "")
        services.attendance_record(actor=convener, meeting=meeting, marks=marks)
        for topic in topics:
            services.topic_schedule(actor=convener, topic=topic, meeting=meeting)
    with clock.freeze(NOW + timedelta(days=2)):
        meeting = services.meeting_hold(actor=convener, meeting=meeting)
        assert meeting.quorum_met, "the bench meeting must be quorate to decide"
        made = []
        for topic, (_title, _business, discussion) in zip(topics, TOPICS, strict=True):
            topic = services.topic_discuss(actor=convener, topic=topic, text=discussion)
            slip = slips.slip_create(
                actor=convener,
                topic=topic,
                draft=SlipDraft(
                    action=f"{discussion}两周内完成并向居务会报告。",
                    due=date(2026, 12, 15),
                    parties=[
                        PartySpec(units["bd_wy"], PartyRole.LEAD, task="牵头落实"),
                        PartySpec(units["bd_cg"], PartyRole.ASSIST, task="执法配合"),
                        PartySpec(units["bd_jwh"], PartyRole.ASSIST, task="宣传与回访"),
                    ],
                ),
            )
            made.append(slips.slip_issue(actor=convener, slip=slip))
        services.minutes_write(
            actor=convener,
            meeting=meeting,
            text="\n".join(f"议题{i}：{t[0]}。{t[2]}" for i, t in enumerate(TOPICS, 1)),
        )
    first = made[0]
    with clock.freeze(NOW + timedelta(days=2, hours=1)):
        slips.slip_sign(
            actor=users["bd_cg"], slip=first, verdict=Verdict.OBJECT, version=1, reason="须先认定"
        )
        first = slips.slip_revise(
            actor=chair,
            slip=first,
            note="增加房管办认定",
            draft=SlipDraft(
                action="一周内清理3号楼楼道堆物；房管办先行认定违建",
                due=date(2026, 12, 15),
                parties=[
                    PartySpec(units["bd_wy"], PartyRole.LEAD, task="清理"),
                    PartySpec(units["bd_cg"], PartyRole.ASSIST),
                    PartySpec(units["bd_fg"], PartyRole.ASSIST, task="认定"),
                ],
            ),
        )
    made[0] = first
    with clock.freeze(NOW + timedelta(days=3)):
        for slip in made:
            for party in slip.parties.select_related("unit"):
                signer = next(u for name, u in users.items() if units[name].pk == party.unit_id)
                slips.slip_sign(actor=signer, slip=slip, verdict=Verdict.AGREE, version=slip.version)
    first.refresh_from_db()
    return meeting, first


def _p50_ms(fn: Callable[[], Any], rounds: int) -> float:
    fn()  # warm: templates parsed, fonts found, caches filled
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return percentile(samples, 50) * 1000


def _plain_docx(data: bytes) -> Callable[[], bytes]:
    """A python-docx document with the same paragraphs and tables as `data`, built directly."""
    from docx import Document

    source = Document(BytesIO(data))
    paragraphs = [p.text for p in source.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in source.tables]

    def build() -> bytes:
        doc = Document()
        for text in paragraphs:
            doc.add_paragraph(text)
        for rows in tables:
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            for row, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
        out = BytesIO()
        doc.save(out)
        return out.getvalue()

    return build


def _measure(results: Results, documents: Any, meeting: Any, slip: Any, rounds: int) -> None:
    targets = {
        "minutes": (lambda: documents.meeting_context(meeting), meeting),
        "signin": (lambda: documents.meeting_context(meeting), meeting),
        "slip": (lambda: documents.slip_context(slip), slip),
    }
    pdf_ok = documents.pdf_available()
    if not pdf_ok:
        print("  WeasyPrint cannot load (no pango): PDF figures skipped", flush=True)
    for name, (context_of, obj) in targets.items():
        with CaptureQueriesContext(connection) as queries:
            context = context_of()
        context_ms = _p50_ms(context_of, rounds)
        docx_fn = getattr(documents, f"{name}_docx")
        data = docx_fn(obj)
        detail = {
            "rounds": rounds,
            "context_ms_p50": round(context_ms, 2),
            "context_queries": len(queries),
            "participants": context.get("participant_count"),
            "signatures": len(context.get("signatures", [])),
        }
        results.add(
            f"documents.{name}_docx.p50",
            value=_p50_ms(lambda fn=docx_fn, o=obj: fn(o), rounds),
            unit="ms",
            baseline=_p50_ms(_plain_docx(data), rounds),
            baseline_is="plain python-docx: the same paragraphs and tables, no template, no database",
            bytes=len(data),
            **detail,
        )
        if pdf_ok:
            pdf_fn = getattr(documents, f"{name}_pdf")
            pdf = pdf_fn(obj)
            results.add(
                f"documents.{name}_pdf.p50",
                value=_p50_ms(lambda fn=pdf_fn, o=obj: fn(o), rounds),
                unit="ms",
                baseline=_p50_ms(_minimal_pdf, rounds),
                baseline_is="WeasyPrint: a minimal HTML page with one line in Noto Sans CJK SC",
                bytes=len(pdf),
                **detail,
            )


def _minimal_pdf() -> bytes:
    import weasyprint

    html = "<html><body style=\"font-family: 'Noto Sans CJK SC'\"><h1>会议纪要</h1></body></html>"
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
