"""The 直报 chain on the wall clock (docs/mobilisation.md "直报", ADR 0029):

1. At once: the duty officer and the day's leader (or, nobody on duty, the first leader) hear on
   every channel they have: the inbox and email (one outbox row per person), a text to their
   phone (an `sms.direct` row naming the person; the phone is decrypted by the SMS channel at
   send time), and the group robots whose scope covers the place (a row with no recipient).
2. Nobody acknowledges within DIRECT_ACK_MINUTES: the next leader of the street's ladder hears
   the same way, and again every DIRECT_ACK_MINUTES until someone acknowledges or the ladder
   ends. A sweep that was down catches up: every step whose time has come is taken at once.
3. No 续报 by DIRECT_FOLLOW_UP_MINUTES after the report: the reporter and the duty officer are
   reminded once, and the report shows as overdue until one comes.

Messages carry the kind, the place, the time and the reporter's post, never the report's text
(names and phones get written there; robots post into group chats; texts pass a gateway).
`advance` (beat every minute, `gongzhi direct_sweep`) takes steps 2 and 3 for every report
that needs them, each in its own transaction under a row lock: overlapping runs act once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.cases import notifications as case_notifications
from gongzhi.core import clock, outbox
from gongzhi.core.outbox import OutboxSpec
from gongzhi.mobilisation.direct_roster import chain_for
from gongzhi.mobilisation.models.direct import OPEN_STATES, DirectEvent, DirectKind, DirectReport
from gongzhi.orgs.models import Person

SMS_KIND = "sms.direct"  # the SMS channel reads the person's phone at send time


def ack_minutes() -> int:
    return int(getattr(settings, "DIRECT_ACK_MINUTES", 15))


def follow_up_minutes() -> int:
    return int(getattr(settings, "DIRECT_FOLLOW_UP_MINUTES", 60))


def report_link(report_id: int) -> str:
    try:
        return reverse("web:direct_detail", args=[report_id])
    except NoReverseMatch:
        return f"/direct/{report_id}/"


@dataclass
class SweepResult:
    escalated: int = 0
    reminded: int = 0

    def __str__(self) -> str:
        return f"直报巡检：升级通知 {self.escalated} 次，续报催报 {self.reminded} 件"


# --- events -----------------------------------------------------------------------------------


def append(
    report: DirectReport,
    action: str,
    *,
    actor: User | None,
    at: datetime,
    from_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> DirectEvent:
    """Append one event (the report row is locked by the caller, so seq is free)."""
    last = DirectEvent.objects.filter(report=report).order_by("-seq").values_list("seq", flat=True).first()
    return DirectEvent.objects.create(
        report=report,
        seq=(last or 0) + 1,
        action=action,
        from_state=from_state,
        to_state=report.state,
        actor=actor,
        at=at,
        note=note[:500],
        data=data or {},
    )


# --- messages ---------------------------------------------------------------------------------


def reporter_post_label(report: DirectReport) -> str:
    post = report.reporter_post
    if post is None:
        return ""
    return f"{post.unit.name}·{post.title}" if post.unit_id else post.title


def _headline(report: DirectReport) -> str:
    return f"{DirectKind(report.kind).label}（{report.node.name}）"


def _body(report: DirectReport, extra: str = "") -> str:
    when = timezone.localtime(report.reported_at).strftime("%m-%d %H:%M")
    who = reporter_post_label(report)
    parts = [
        f"{when} {who} 直报：{DirectKind(report.kind).label}，地点 {report.node.name}。",
        extra,
        f"请在 {ack_minutes()} 分钟内打开直报页面点“确认收到”，逾时将逐级报告领导。",
    ]
    return "".join(p for p in parts if p)


def person_messages(
    report: DirectReport, people: list[Person], *, kind: str, subject: str, body: str
) -> list[OutboxSpec]:
    """Every channel each person has: one inbox/email row, and a text when the gateway is on
    and they have a phone. No row names a phone."""
    payload = {"direct_id": report.pk, "link": report_link(report.pk)}
    specs: list[OutboxSpec] = []
    for person in people:
        user = person.user
        if user is not None and user.is_active:
            specs.append(
                OutboxSpec(
                    kind=kind,
                    recipient=user,
                    subject=subject,
                    body=body,
                    node_path=report.node_path,
                    payload=payload,
                )
            )
        if case_notifications.sms_enabled() and person.phone_enc:
            specs.append(
                OutboxSpec(
                    kind=SMS_KIND,
                    subject=f"短信告知直报 {report.pk}：{person.code}",
                    body=f"【直报】{subject}。{body}",
                    node_path=report.node_path,
                    payload={**payload, "person_id": person.pk},
                )
            )
    return specs


def robot_message(report: DirectReport, *, kind: str, subject: str, body: str) -> OutboxSpec:
    """The group robots covering the place (no recipient: never the inbox)."""
    return OutboxSpec(
        kind=kind,
        subject=subject,
        body=body,
        node_path=report.node_path,
        payload={"direct_id": report.pk, "link": report_link(report.pk)},
    )


def tell(report: DirectReport, people: list[Person], *, level: int, now: datetime) -> None:
    """Tell `people` (level 0: at once; n: the n-th escalation) and record whom."""
    if level == 0:
        kind, subject = "direct.reported", f"直报：{_headline(report)}"
        body = _body(report)
    else:
        minutes = ack_minutes() * level
        kind, subject = "direct.escalated", f"直报 {minutes} 分钟无人确认：{_headline(report)}"
        body = _body(report, f"已 {minutes} 分钟无人确认，现报告您。")
    specs = person_messages(report, people, kind=kind, subject=subject, body=body)
    specs.append(robot_message(report, kind=kind, subject=subject, body=body))
    outbox.enqueue_all(specs)
    append(
        report,
        "notify" if level == 0 else "escalate",
        actor=None,
        at=now,
        from_state=report.state,
        data={"level": level, "people": [p.pk for p in people], "names": [p.name for p in people]},
    )


def start(report: DirectReport, now: datetime) -> None:
    """Step 1, in the report's own transaction: tell the first ones, time the next step."""
    chain = chain_for(report.street, report.duty_day)
    tell(report, list(chain.first), level=0, now=now)
    report.escalation_level = 0
    report.next_escalation_at = now + timedelta(minutes=ack_minutes()) if chain.ladder else None
    report.save(update_fields=["escalation_level", "next_escalation_at"])


def stop(report: DirectReport) -> None:
    """Someone acknowledged (or the report ended): the chain climbs no further."""
    report.next_escalation_at = None


# --- the sweep ---------------------------------------------------------------------------------


def _locked(pk: int) -> DirectReport | None:
    return (
        DirectReport.objects.select_for_update(of=("self",))
        .select_related("node", "street", "reporter_post__unit")
        .filter(pk=pk)
        .first()
    )


def _escalate(report: DirectReport, now: datetime) -> int:
    """Take every step whose time has come; the number taken."""
    ladder = list(chain_for(report.street, report.duty_day).ladder)
    taken = 0
    while (
        report.next_escalation_at is not None
        and report.next_escalation_at <= now
        and report.acknowledged_at is None
        and report.state in OPEN_STATES
    ):
        index = report.escalation_level  # the ladder's next rung (0-based)
        if index >= len(ladder):
            report.next_escalation_at = None
            break
        report.escalation_level = index + 1
        tell(report, [ladder[index].person], level=report.escalation_level, now=now)
        taken += 1
        more = report.escalation_level < len(ladder)
        report.next_escalation_at = (
            report.reported_at + timedelta(minutes=ack_minutes() * (report.escalation_level + 1))
            if more
            else None
        )
    report.save(update_fields=["escalation_level", "next_escalation_at"])
    return taken


def _remind(report: DirectReport, now: datetime) -> None:
    from gongzhi.mobilisation.direct_roster import duty

    subject = f"直报续报逾期：{_headline(report)}"
    body = f"直报已满 {follow_up_minutes()} 分钟尚未续报，请立即书面续报现场情况。"
    people: list[Any] = []
    reporter = getattr(report.reporter_user, "person", None)
    if reporter is not None:
        people.append(reporter)
    roster = duty(report.street, report.duty_day)
    if roster is not None and roster.officer_id not in {p.pk for p in people}:
        people.append(roster.officer)
    specs = [s for s in person_messages(report, people, kind="direct.follow_up_overdue", subject=subject, body=body)
             if s.recipient is not None]  # fmt: skip
    outbox.enqueue_all(specs)
    report.follow_up_reminded_at = now
    report.save(update_fields=["follow_up_reminded_at"])
    append(report, "remind_follow_up", actor=None, at=now, from_state=report.state)


def advance(now: datetime | None = None) -> SweepResult:
    """One pass: escalate the unacknowledged reports whose step is due, remind late 续报."""
    now = now or clock.now()
    result = SweepResult()
    due = DirectReport.objects.filter(
        state__in=OPEN_STATES, acknowledged_at__isnull=True, next_escalation_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            report = _locked(pk)
            if report is not None:
                result.escalated += _escalate(report, now)
    late = DirectReport.objects.filter(
        state__in=OPEN_STATES,
        followed_up_at__isnull=True,
        follow_up_reminded_at__isnull=True,
        follow_up_due_at__lte=now,
        misuse=False,
    ).values_list("pk", flat=True)
    for pk in list(late):
        with transaction.atomic():
            report = _locked(pk)
            if (
                report is not None
                and report.state in OPEN_STATES
                and report.followed_up_at is None
                and report.follow_up_reminded_at is None
            ):
                _remind(report, now)
                result.reminded += 1
    return result
