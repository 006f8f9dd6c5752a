"""Meeting documents: minutes (会议纪要), task slips (任务流转单) and the printed sign-in sheet
(签到表), as Word files from docxtpl templates and as PDF from HTML through WeasyPrint.

Both formats render the same plain context (strings, numbers, lists of dicts; never model
objects), so a template cannot reach a field the document does not mean to show: participants
appear by name, seat and unit only, never with a phone number.

Word templates. The shipped ones are in `doc_templates/` (written by
scripts/make_doc_templates.py). A street replaces one by putting a file of the same name
(`minutes.docx`, `slip.docx`, `signin.docx`) in the directory named by the setting
MEETING_DOC_TEMPLATES_DIR (default None: the shipped templates only). Lookup order:
`<dir>/<street code>/<name>.docx`, then `<dir>/<name>.docx`, then the shipped file. A replaced
template may use any of these values, in any order, with docxtpl's tags (`{{ x }}`,
`{%p for ... %}`, `{%tr for ... %}`):

- every document: street, street_code, area, kind, title, starts_at, place, chair, state,
  quorum, joint, generated_at;
- minutes and sign-in sheet: participants (no, group, seat, unit, name, represents,
  standing, attendance, mark), the Party organisation first, then the standing seats, then
  X; groups and totals (label; invited = came + absent + unmarked, came = present + delegate);
  participant_count (应到), present_count (实到, delegates included), attended_count,
  delegate_count, absent_count, unmarked_count; x_seats (name, seat, unit) and x_names (the
  X participants named, one line); topics (no, title,
  business, source, state, detail, discussion, decisions); decisions and signatures (below);
  minutes_text, minutes_label;
- a decision / the slip: number, action, due, state, version, lead, assist, parties (role,
  unit, post, task), signatures (slip, unit, signer, verdict, agree, reason, at, version,
  hash, current, status); the slip adds meeting_title, topic, cases, bound_at, content_hash.

PDF needs WeasyPrint and Debian's pango (libpango-1.0-0, libpangoft2-1.0-0); Chinese needs a
CJK font (fonts-noto-cjk). Where WeasyPrint cannot load, the *_pdf functions raise
PdfUnavailable and the pages answer 503 with a message.
"""

import functools
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gongzhi.meetings import seating, selectors
from gongzhi.meetings.kinds import Attendance, MeetingKind
from gongzhi.meetings.models import (
    Meeting,
    MeetingState,
    Participant,
    PartyRole,
    Signature,
    Slip,
    SlipParty,
    Verdict,
)
from gongzhi.meetings.slips import content_hash
from gongzhi.meetings.texts import street_of

SHIPPED_DIR = Path(__file__).resolve().parent / "doc_templates"
DOC_NAMES = ("minutes", "slip", "signin")
HASH_SHOWN = 12  # characters of the SHA-256 content hash printed in signature tables

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"

# XML 1.0 refuses these control characters; docxtpl would also read \a and \f as paragraph
# and page breaks. User text loses them (tabs and newlines stay).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (pango) are not installed."""


# --- where the Word templates are ---------------------------------------------------------------


def template_path(name: str, street_code: str = "") -> Path:
    """The street's own template if it has one, else the shipped one."""
    if name not in DOC_NAMES:
        raise ValueError(f"unknown document template {name!r}")
    override = getattr(settings, "MEETING_DOC_TEMPLATES_DIR", None)
    if override:
        base = Path(override)
        simple = (
            street_code
            and "/" not in street_code
            and "\\" not in street_code
            and street_code not in {".", ".."}
        )
        candidates = [base / street_code / f"{name}.docx"] if simple else []
        candidates.append(base / f"{name}.docx")
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    return SHIPPED_DIR / f"{name}.docx"


# --- the context ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").replace("\r", "\n").strip()


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M") if value else ""


def _day(value: Any) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日" if value else ""


def _mark(p: Participant) -> str:
    if p.attendance == Attendance.PRESENT:
        return "√ 出席"
    if p.attendance == Attendance.ABSENT:
        return "× 缺席"
    if p.attendance == Attendance.DELEGATE:
        return f"委托出席（{_text(p.delegate_name)}）" if p.delegate_name else "委托出席"
    return ""  # invited, not yet marked: the printed sheet leaves it blank


def _participants(people: list[Participant]) -> list[dict[str, Any]]:
    return [
        {
            "no": i,
            "group": str(seating.GROUP_LABELS[seating.group_of(p)]),
            "seat": p.get_seat_display() if p.seat else "",
            "unit": _text(p.unit.name) if p.unit else "",
            "name": _text(p.name),
            "represents": _text(seating.represents(p)),
            "standing": p.standing,
            "attendance": p.get_attendance_display(),
            "attendance_code": p.attendance,
            "mark": _mark(p),
        }
        for i, p in enumerate(people, 1)
    ]


def _figures(f: seating.Figures) -> dict[str, int]:
    return {
        "invited": f.invited,
        "came": f.came,
        "present": f.present,
        "delegate": f.delegate,
        "absent": f.absent,
        "unmarked": f.unmarked,
    }


def _attendance(meeting: Meeting) -> dict[str, Any]:
    """The participants (Party organisation first), the figures per group (1, the standing
    seats, X) that add up to the total, and the X participants by name."""
    roll = seating.roll(seating.participants(meeting))
    people = [p for g in roll.groups for p in g.people]
    x_seats = [
        {
            "name": _text(p.name),
            "seat": p.get_seat_display() if p.seat else "",
            "unit": _text(p.unit.name) if p.unit else "",
        }
        for p in roll.x_people
    ]
    total = roll.total
    return {
        "participants": _participants(people),
        "groups": [{"label": str(g.label), **_figures(g.figures)} for g in roll.groups],
        "totals": _figures(total),
        "participant_count": total.invited,
        "present_count": total.came,  # 实到: present in person or by a delegate
        "attended_count": total.present,
        "delegate_count": total.delegate,
        "absent_count": total.absent,
        "unmarked_count": total.unmarked,
        "x_seats": x_seats,
        "x_names": "、".join(
            x["name"]
            + (
                "（" + "，".join(v for v in (x["seat"], x["unit"]) if v) + "）"
                if x["seat"] or x["unit"]
                else ""
            )
            for x in x_seats
        ),
    }


def _signature_rows(slip: Slip, signatures: list[Signature]) -> list[dict[str, Any]]:
    rows = []
    for s in sorted(signatures, key=lambda s: (s.at, s.pk)):
        current = s.slip_version == slip.version
        rows.append(
            {
                "slip": slip.number,
                "unit": _text(s.unit.name),
                "signer": _text(s.signer_name),
                "verdict": s.get_verdict_display(),
                "agree": s.verdict == Verdict.AGREE,
                "reason": _text(s.reason),
                "at": _when(s.at),
                "version": s.slip_version,
                "hash": s.content_hash[:HASH_SHOWN],
                "current": current,
                "status": "有效" if current else f"已被取代（现为第{slip.version}版）",
            }
        )
    return rows


def _slip_rows(slip: Slip) -> dict[str, Any]:
    """A slip's decision, parties and signatures (from prefetched relations)."""
    # lead first (the model's ordering by role string puts "assist" before "lead")
    parties: list[SlipParty] = sorted(slip.parties.all(), key=lambda p: (p.role != PartyRole.LEAD, p.pk))
    lead = [_text(p.unit.name) for p in parties if p.role == PartyRole.LEAD]
    assist = [_text(p.unit.name) for p in parties if p.role == PartyRole.ASSIST]
    return {
        "number": slip.number,
        "action": _text(slip.action),
        "due": _day(slip.due),
        "state": slip.get_state_display(),
        "version": slip.version,
        "lead": "、".join(lead),
        "assist": "、".join(assist),
        "parties": [
            {
                "role": p.get_role_display(),
                "unit": _text(p.unit.name),
                "post": _text(p.post.title) if p.post else "",
                "task": _text(p.task),
            }
            for p in parties
        ],
        "signatures": _signature_rows(slip, list(slip.signatures.all())),
    }


def _slip_prefetch() -> list[Any]:
    return [
        Prefetch("parties", SlipParty.objects.select_related("unit", "post")),
        Prefetch("signatures", Signature.objects.select_related("unit")),
    ]


def _header(meeting: Meeting) -> dict[str, Any]:
    node = meeting.node
    street = street_of(node)
    joint = ", ".join(n.name for n in meeting.joint_nodes.order_by("code"))
    if meeting.state in {MeetingState.HELD, MeetingState.FINAL}:
        quorum = "已达到法定出席人数" if meeting.quorum_met else "未达到法定出席人数，所作决定不具约束力"
    else:
        quorum = "会议尚未召开"
    chair = meeting.chair.person.name if meeting.chair and meeting.chair.person_id else ""
    return {
        "street": _text(street.name),
        "street_code": street.code,
        "area": "" if street.pk == node.pk else _text(node.name),
        "kind": MeetingKind(meeting.kind).label,
        "title": _text(meeting.title),
        "starts_at": _when(meeting.starts_at),
        "place": _text(meeting.place),
        "chair": _text(chair),
        "state": meeting.get_state_display(),
        "quorum": quorum,
        "joint": _text(joint),
        "generated_at": _when(timezone.now()),
    }


def meeting_context(meeting: Meeting) -> dict[str, Any]:
    """Everything the minutes and the sign-in sheet show, as plain values (in Chinese)."""
    with translation.override("zh-hans"):
        meeting = Meeting.objects.select_related("node", "chair__person").get(pk=meeting.pk)
        context = _header(meeting)
        context.update(_attendance(meeting))
        slips = list(
            meeting.slips.select_related("topic")
            .prefetch_related(*_slip_prefetch())
            .order_by("created_at", "pk")
        )
        by_topic: dict[int, list[dict[str, Any]]] = {}
        signatures: list[dict[str, Any]] = []
        for slip in slips:
            row = _slip_rows(slip)
            row["no"] = len(by_topic.setdefault(slip.topic_id, [])) + 1
            by_topic[slip.topic_id].append(row)
            signatures.extend(row["signatures"])
        topics: list[dict[str, Any]] = [
            {
                "no": i,
                "title": _text(t.title),
                "business": t.get_business_display(),
                "source": t.get_source_display(),
                "state": t.get_state_display(),
                "detail": _text(t.detail),
                "discussion": _text(t.discussion),
                "decisions": by_topic.get(t.pk, []),
            }
            for i, t in enumerate(meeting.topics.order_by("id"), 1)
        ]
        minutes = selectors.minutes_current(meeting)
        if minutes is None:
            label = "纪要尚未撰写"
        else:
            label = f"第{minutes.number}版，{'已定稿' if minutes.final else '草稿'}"
            if minutes.reason:
                label += f"；修改理由：{_text(minutes.reason)}"
        context.update(
            topics=topics,
            decisions=[d for t in topics for d in t["decisions"]],
            signatures=signatures,
            minutes_text=_text(minutes.text) if minutes else "",
            minutes_label=label,
        )
        return context


def slip_context(slip: Slip) -> dict[str, Any]:
    """Everything a task slip shows, as plain values (in Chinese)."""
    with translation.override("zh-hans"):
        slip = (
            Slip.objects.select_related("meeting__node", "meeting__chair__person", "topic", "node")
            .prefetch_related(*_slip_prefetch(), "cases")
            .get(pk=slip.pk)
        )
        context = _header(slip.meeting)
        context.update(_slip_rows(slip))
        street = street_of(slip.node)
        context.update(
            area="" if street.pk == slip.node_id else _text(slip.node.name),
            meeting_title=context["title"],
            title=f"任务流转单{slip.number}",
            topic=_text(slip.topic.title),
            cases="、".join(c.number for c in sorted(slip.cases.all(), key=lambda c: c.pk)),
            bound_at=_when(slip.bound_at),
            content_hash=content_hash(slip)[:HASH_SHOWN],
        )
        return context


# --- Word ----------------------------------------------------------------------------------------


def render_docx(name: str, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(template_path(name, context.get("street_code", ""))))
    template.render(context, autoescape=True)
    out = BytesIO()
    template.save(out)
    return out.getvalue()


def minutes_docx(meeting: Meeting) -> bytes:
    return render_docx("minutes", meeting_context(meeting))


def slip_docx(slip: Slip) -> bytes:
    return render_docx("slip", slip_context(slip))


def signin_docx(meeting: Meeting) -> bytes:
    return render_docx("signin", meeting_context(meeting))


# --- PDF -----------------------------------------------------------------------------------------


@functools.cache
def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango's shared libraries are missing
        raise PdfUnavailable(str(exc)) from exc
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def render_pdf(name: str, context: dict[str, Any]) -> bytes:
    weasyprint = _weasyprint()
    with translation.override("zh-hans"):
        html = render_to_string(f"meetings/pdf/{name}.html", context)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def minutes_pdf(meeting: Meeting) -> bytes:
    return render_pdf("minutes", meeting_context(meeting))


def slip_pdf(slip: Slip) -> bytes:
    return render_pdf("slip", slip_context(slip))


def signin_pdf(meeting: Meeting) -> bytes:
    return render_pdf("signin", meeting_context(meeting))
