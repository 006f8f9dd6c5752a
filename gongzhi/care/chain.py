"""The alert chain (docs/care.md), on the wall clock:

1. An alert opens (the rule pass, or an SOS/smoke/gas event): the emergency contacts get a
   text (SMS through the outbox; the phone is decrypted only by the SMS channel at send time)
   and the responsible posts an inbox message.
2. A responsible post acknowledges it (`acknowledge`): the chain stops there; the post goes
   and records the outcome.
3. Nobody acknowledges within CARE_ACK_MINUTES: the alert becomes a 上门探访 case (category
   CARE_VISIT_CATEGORY, 为老上门探视: 2 hours on the wall clock) through the cases intake,
   registered and dispatched by the system to the responsible post. If the post misses the
   deadline, the SLA sweep tells the committee, then the street supervises (cases.timers).
4. The visitor records the outcome (`outcome_record`): safe, needs help (a case of the right
   category), hospital, died close the alert and conclude the visit case; not at home and
   unreachable keeps it open and calls in the committee and the street at once.

`advance` runs steps 1 and 3 for every alert that needs them (the care sweep, every minute).
A visit case that closes some other way (verified by the committee) closes its alert through
the cases hook (`close_on_case_finished`, registered in CareConfig.ready()).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gongzhi.care.choices import CLOSING_OUTCOMES, AlertState, Duty, Outcome, RuleKind, VisitKind
from gongzhi.care.models import Alert, CareSubject
from gongzhi.cases import notifications as case_notifications
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, Intake, case_act, case_intake
from gongzhi.cases.states import OPEN_STATES, Source, State
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.core.outbox import OutboxSpec
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Post

DUTY_ORDER = (Duty.GRID, Duty.BUILDING_HEAD, Duty.VOLUNTEER, Duty.OTHER)  # who leads the visit
CONTACT_SMS = "sms.care_alert"  # the SMS channel reads the contact's phone at send time


@dataclass
class AdvanceResult:
    notified: int = 0
    visit_cases: int = 0

    def __str__(self) -> str:
        return f"care chain: {self.notified} alerts notified, {self.visit_cases} visit cases opened"


def ack_deadline(alert: Alert) -> datetime:
    return alert.opened_at + timedelta(minutes=settings.CARE_ACK_MINUTES)


def subject_link(subject_id: int) -> str:
    try:
        return reverse("web:care_subject", args=[subject_id])
    except NoReverseMatch:
        return f"/care/subjects/{subject_id}/"


# --- who -------------------------------------------------------------------------------------------


def responsible_posts(subject: CareSubject) -> list[Post]:
    """The subject's responsible posts, the grid worker first (who leads a visit)."""
    rows = subject.assignments.select_related(
        "post__person__user", "post__deputy__user", "post__unit", "post__node"
    )
    ordered = sorted(rows, key=lambda a: (DUTY_ORDER.index(a.duty) if a.duty in DUTY_ORDER else 9, a.pk))
    return [a.post for a in ordered if _active(a.post)]


def _active(post: Post) -> bool:
    today = clock.today()
    return post.active_from <= today and (post.active_until is None or post.active_until >= today)


def may_act(user: Actor, subject: CareSubject) -> bool:
    """A responsible post (holder or deputy), or the committee over the subject's home."""
    return access.serves_care_subject(user, subject) or access.can(user, access.MANAGE_CARE, subject.home)


def _committee_and_street(subject: CareSubject) -> list[User]:
    """The accounts of the posts managing care nearest the home, and the street's supervisors."""
    from gongzhi.orgs import reference

    codes = subject.home.ancestor_codes()
    posts = [p for p in reference.posts_on(codes) if access.MANAGE_CARE in access.ROLE_POWERS.get(p.role, ())]
    street = [p for p in reference.posts_on(codes) if access.SUPERVISE in access.ROLE_POWERS.get(p.role, ())]
    return case_notifications.users_of([*posts, *street])


# --- step 1: tell the contacts and the posts ---------------------------------------------------------


def _inbox(
    kind: str, users: list[User], subject: CareSubject, title: str, body: str, payload: dict[str, Any]
) -> list[OutboxSpec]:
    """One inbox message per user, filed under the subject's place."""
    return [
        OutboxSpec(
            kind=kind, recipient=u, subject=title, body=body, node_path=subject.node_path, payload=payload
        )
        for u in users
    ]


def alert_messages(alert: Alert) -> list[OutboxSpec]:
    """The inbox messages for the responsible posts and, when the SMS gateway is configured, a
    text per emergency contact. No names, no phones: the home and the rule only."""
    subject = alert.subject
    label = RuleKind(alert.kind).label
    title = f"关爱预警：{label}（{subject.home.name}）"
    minutes = settings.CARE_ACK_MINUTES
    body = (
        f"{alert.detail}。请在 {minutes} 分钟内在关爱页面点“我来处理”并尽快上门或电话确认；"
        f"无人响应将自动生成上门探访工单。"
    )
    payload = {"alert_id": alert.pk, "link": subject_link(subject.pk)}
    specs = _inbox(
        "care.alert", case_notifications.users_of(responsible_posts(subject)), subject, title, body, payload
    )
    if case_notifications.sms_enabled():
        text = f"【关爱提醒】社区关爱系统发现您登记为紧急联系人的家人可能需要关心（{label}），社区正在联系，请尽快与家人联系。"
        specs += [
            OutboxSpec(
                kind=CONTACT_SMS,
                subject=f"短信告知紧急联系人：关爱预警 {alert.pk}",
                body=text,
                node_path=subject.node_path,
                payload={"alert_id": alert.pk, "care_contact_id": c.pk},
            )
            for c in subject.contacts.all()
        ]
    return specs


def _notify(alert: Alert, now: datetime) -> None:
    outbox.enqueue_all(alert_messages(alert))
    alert.notified_at = now
    alert.save(update_fields=["notified_at"])


def notify_now(alerts: list[Alert], now: datetime) -> None:
    """Tell at once (alarms from the ingest, inside its transaction)."""
    for alert in Alert.objects.filter(pk__in=[a.pk for a in alerts], notified_at__isnull=True).select_related(
        "subject__home"
    ):
        _notify(alert, now)


# --- step 2: acknowledgement -------------------------------------------------------------------------


@transaction.atomic
def acknowledge(*, actor: Actor, alert: Alert) -> Alert:
    """A responsible post takes the alert: no home-visit case follows; they record the outcome."""
    alert = Alert.objects.select_for_update().select_related("subject__home").get(pk=alert.pk)
    if not may_act(actor, alert.subject):
        raise PermissionDeniedError(_("您不负责此关爱对象"))
    if alert.state != AlertState.OPEN:
        raise ConflictError(_("该预警已有人响应或已关闭"))
    now = clock.now()
    alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED, now, recorded(actor)
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    return alert


# --- step 3: no acknowledgement → a home-visit case ---------------------------------------------------


def visit_category() -> Category:
    category = Category.objects.select_related("policy").filter(code=settings.CARE_VISIT_CATEGORY).first()
    if category is None:
        raise invalid("category", _("上门探访分类未配置（CARE_VISIT_CATEGORY）"))
    return category


def _open_visit_case(alert: Alert) -> Case:
    subject = alert.subject
    label = RuleKind(alert.kind).label
    text = f"关爱预警（{label}）：{alert.detail}。{settings.CARE_ACK_MINUTES} 分钟内无人响应，请立即上门探访并在关爱页面登记结果。"
    case, _new = case_intake(
        actor=None,
        intake=Intake(
            node=subject.home,
            text=text,
            source=Source.SENSOR if alert.kind != RuleKind.VISIT_OVERDUE else Source.PATROL,
            category=visit_category(),
            external_id=f"care-alert-{alert.pk}",
            data={"care_alert": alert.pk},
        ),
    )
    posts = responsible_posts(subject)
    case = case_act(
        actor=None, case=case, act=Act(action="register", version=case.version, data={"care_alert": alert.pk})
    )
    if posts:
        case = case_act(
            actor=None,
            case=case,
            act=Act(
                action="dispatch",
                version=case.version,
                post=posts[0],
                assisting=posts[1:],
                note=_("关爱预警无人响应，派给责任岗位上门探访"),
                data={"care_alert": alert.pk},
            ),
        )
    return case


def advance(now: datetime | None = None) -> AdvanceResult:
    """Notify the alerts not yet told; turn those unacknowledged past CARE_ACK_MINUTES into
    home-visit cases. Each alert in its own transaction, locked: overlapping runs do it once."""
    now = now or clock.now()
    result = AdvanceResult()
    for pk in Alert.objects.filter(state=AlertState.OPEN, notified_at__isnull=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            alert = _locked(pk)
            if alert is not None and alert.state == AlertState.OPEN and alert.notified_at is None:
                _notify(alert, now)
                result.notified += 1
    late = now - timedelta(minutes=settings.CARE_ACK_MINUTES)
    overdue = Alert.objects.filter(
        state=AlertState.OPEN, notified_at__isnull=False, opened_at__lte=late, visit_case__isnull=True
    )
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            alert = _locked(pk)
            if alert is None or alert.state != AlertState.OPEN or alert.visit_case_id is not None:
                continue
            alert.visit_case = _open_visit_case(alert)
            alert.state = AlertState.VISITING
            alert.save(update_fields=["visit_case", "state"])
            result.visit_cases += 1
    return result


def _locked(pk: int) -> Alert | None:
    return Alert.objects.select_for_update().select_related("subject__home").filter(pk=pk).first()


# --- step 4: the outcome ----------------------------------------------------------------------------


@transaction.atomic
def outcome_record(
    *,
    actor: Actor,
    alert: Alert,
    outcome: str,
    note: str = "",
    false_alarm: bool = False,
    category: Category | None = None,
) -> Alert:
    """What the visitor found. Safe / needs help / hospital / died close the alert and conclude
    its visit case; needs help also opens a case of `category` at the subject's home; not at
    home and unreachable keeps the alert open and calls in the committee and the street."""
    from gongzhi.care import services

    alert = _locked(alert.pk)  # type: ignore[assignment]
    subject = alert.subject
    if not may_act(actor, subject):
        raise PermissionDeniedError(_("您不负责此关爱对象"))
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if alert.state == AlertState.CLOSED:
        raise ConflictError(_("该预警已关闭"))
    if outcome not in (*CLOSING_OUTCOMES, Outcome.UNREACHABLE):
        errors["outcome"] = [_("请选择探访结果")]
    if len(note) > 500:
        errors["note"] = [_("情况说明最多500字")]
    if outcome == Outcome.NEEDS_HELP:
        if category is None or category.parent_id is None or not category.active:
            errors["category"] = [_("需要帮助时，请选择问题的小类")]
        if not note:
            errors["note"] = [_("请说明需要什么帮助")]
    if outcome in (Outcome.UNREACHABLE, Outcome.HOSPITAL, Outcome.DIED) and not note:
        errors["note"] = [_("请填写情况说明")]
    if false_alarm and outcome != Outcome.SAFE:
        errors["false_alarm"] = [_("只有探访平安时才能标记为误报")]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    label = str(Outcome(outcome).label)
    if outcome in (Outcome.SAFE, Outcome.NEEDS_HELP):
        # someone saw them: a sign of life, and the visit counts for the schedule
        services.visit_record(actor=actor, subject=subject, kind=VisitKind.VISIT, note=note, alert=alert)
    if outcome == Outcome.UNREACHABLE:
        alert.escalated_at = now
        alert.outcome, alert.outcome_note = outcome, note
        alert.save(update_fields=["escalated_at", "outcome", "outcome_note"])
        _escalate(alert, note)
        return alert
    if outcome == Outcome.NEEDS_HELP and category is not None:
        alert.help_case = case_intake(
            actor=actor,
            intake=Intake(
                node=subject.home,
                text=f"关爱探访发现需要帮助：{note}",
                source=Source.PATROL,
                category=category,
                data={"care_alert": alert.pk},
            ),
        )[0]
    alert.outcome, alert.outcome_note, alert.false_alarm = outcome, note, false_alarm
    alert.state, alert.closed_at, alert.closed_by = AlertState.CLOSED, now, recorded(actor)
    alert.save()
    _conclude(alert.visit_case_id, f"{label}。{note}".strip("。") or label)
    if outcome == Outcome.DIED and subject.ended_at is None:
        services.subject_end(actor=None, subject=subject)
    return alert


def _conclude(case_id: int | None, note: str) -> None:
    """Close the visit case with the outcome (the hook then finds the alert already closed)."""
    if case_id is None:
        return
    case = Case.objects.select_related("node", "category", "post").get(pk=case_id)
    if case.state not in OPEN_STATES:
        return
    if case.state in (State.RECEIVED, State.REGISTERED):  # nobody to dispatch it to: void it
        return
    case_act(actor=None, case=case, act=Act(action="conclude", version=case.version, note=note[:4000]))


def _escalate(alert: Alert, note: str) -> None:
    """Not at home and unreachable: the committee and the street hear at once; the visit case
    keeps the attempt on record (its own deadline and 督办 keep running)."""
    subject = alert.subject
    title = f"关爱预警上报：{subject.home.name} 上门不在家且联系不上"
    body = f"{RuleKind(alert.kind).label}：{alert.detail}。探访情况：{case_notifications.scrub(note)}。请立即协调（必要时联系民警或紧急联系人）。"
    payload = {"alert_id": alert.pk, "link": subject_link(subject.pk)}
    outbox.enqueue_all(
        _inbox("care.escalated", _committee_and_street(subject), subject, title, body, payload)
    )
    if alert.visit_case_id is not None:
        case = Case.objects.get(pk=alert.visit_case_id)
        if case.state in OPEN_STATES:
            case_act(
                actor=None,
                case=case,
                act=Act(action="record_attempt", version=case.version, note=f"上门不在家且联系不上：{note}"),
            )


def close_on_case_finished(case: Case, event: CaseEvent) -> None:
    """cases hook: a visit case closed (verified, voided, merged) closes its alert too."""
    for alert in Alert.objects.select_for_update().filter(visit_case=case).exclude(state=AlertState.CLOSED):
        alert.state, alert.closed_at, alert.closed_by = AlertState.CLOSED, event.at, event.actor
        alert.outcome = alert.outcome or Outcome.CASE_CLOSED
        alert.outcome_note = alert.outcome_note or (event.note or "")[:500]
        alert.save()


def false_alarm_counts(alerts: QuerySet[Alert]) -> dict[str, tuple[int, int]]:
    """Per rule: (alerts closed, of them false alarms), to tune thresholds."""
    from django.db.models import Count, Q

    rows = (
        alerts.filter(state=AlertState.CLOSED)
        .values("kind")
        .annotate(total=Count("pk"), false=Count("pk", filter=Q(false_alarm=True)))
        .order_by("kind")
    )
    return {r["kind"]: (r["total"], r["false"]) for r in rows}
