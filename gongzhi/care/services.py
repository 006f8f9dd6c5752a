"""Writes of care: enrolment, emergency contacts, consent and its withdrawal, away periods,
devices, visits and check-ins, rules. Each checks the actor's power (`actor=None` is the
system: the demo, commands, test factories), validates, then writes in one transaction.

Consent gates the watch: without consent in force no device is bound and no event is stored
(care.ingest refuses it); withdrawing consent unbinds the devices and deletes the subject's raw
events and device last-seen rows in the same transaction.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.care import rules
from gongzhi.care.choices import (
    DEVICE_SIGNALS,
    SIGNAL_OF_DEVICE,
    AwayReason,
    ConsentBy,
    DeviceKind,
    Duty,
    RoundKind,
    RuleKind,
    Signal,
    SubjectKind,
    VisitKind,
)
from gongzhi.care.consent_forms import validate_consent_form
from gongzhi.care.models import (
    Alert,
    Assignment,
    AwayPeriod,
    CareSubject,
    Consent,
    Device,
    EmergencyContact,
    Event,
    Gateway,
    LastSeen,
    Rule,
    RuleOverride,
    Visit,
    VisitRound,
)
from gongzhi.care.rulebook import DEFAULTS, TAKES, RuleBook, street_path
from gongzhi.cases import attachments
from gongzhi.core import accesslog, clock, pii, secret_keys
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post

CONTACT_SUBJECT = "care.emergencycontact"  # PiiAccessLog.subject_model of a contact reveal
GATEWAY_KEYS = secret_keys.KeyKind(prefix="gzgw_", purpose="gongzhi.care.gateway")
_PHONE = re.compile(r"^\d{7,12}$")  # a mobile or a landline with its area code
MAX_VISIT_EVERY = 90
MAX_CONTACTS = 5


def require_care_power(actor: Actor | None, node: Node) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not access.can(actor, access.MANAGE_CARE, node):
        raise PermissionDeniedError(_("您无权管理该辖区的关爱对象"))


# --- enrolment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactIn:
    relation: str
    name: str
    phone: str


@transaction.atomic
def subject_enrol(
    *,
    actor: Actor | None,
    person: Person,
    kind: str,
    posts: list[tuple[Post, str]],
    visit_every_days: int = 7,
    contacts: list[ContactIn] | None = None,
    note: str = "",
) -> CareSubject:
    """Enrol a resident (never automatic: `selectors.candidates` only suggests) with at least one
    responsible post from the roster serving their home, and their emergency contacts."""
    home = person.home
    errors: dict[str, list[str]] = {}
    if home is None:
        raise invalid("person", _("此人没有登记居住地，无法纳入关爱"))
    require_care_power(actor, home)
    if kind not in SubjectKind.values:
        errors["kind"] = [_("关爱类型无效")]
    if not 1 <= visit_every_days <= MAX_VISIT_EVERY:
        errors["visit_every_days"] = [_("探访频次应在1到%(n)d天之间") % {"n": MAX_VISIT_EVERY}]
    errors.update(_posts_errors(posts, home))
    errors.update(_contacts_errors(contacts or []))
    if CareSubject.objects.filter(person=person, ended_at__isnull=True).exists():
        errors["person"] = [_("此人已是关爱对象")]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    subject = CareSubject.objects.create(
        person=person,
        kind=kind,
        home=home,
        node_path=home.path,
        visit_every_days=visit_every_days,
        visit_due_at=now + timedelta(days=visit_every_days),
        note=note.strip()[:200],
        enrolled_at=now,
        enrolled_by=recorded_or_system(actor),
    )
    Assignment.objects.bulk_create([Assignment(subject=subject, post=p, duty=d) for p, d in posts])
    _add_contacts(subject, contacts or [])
    street = Node.objects.filter(path=street_path(home.path)).first()
    if street is not None:
        rules.rules_ensure(street)
    return subject


def _posts_errors(posts: list[tuple[Post, str]], home: Node) -> dict[str, list[str]]:
    if not posts:
        return {"posts": [_("请至少指定一个责任岗位（网格员、楼组长或结对志愿者）")]}
    today = clock.today()
    found: list[str] = []
    for post, duty in posts:
        if duty not in Duty.values:
            found.append(_("职责无效"))
        elif not post.active_from <= today or (post.active_until is not None and post.active_until < today):
            found.append(_("岗位 %(code)s 不在任") % {"code": post.code})
        elif not home.path.startswith(post.node.path):
            found.append(_("岗位 %(code)s 不负责此人的居住地") % {"code": post.code})
    if len({p.pk for p, _d in posts}) != len(posts):
        found.append(_("同一岗位只能指定一次"))
    return {"posts": found} if found else {}


def _contacts_errors(contacts: list[ContactIn]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(contacts) > MAX_CONTACTS:
        errors["contacts"] = [_("紧急联系人最多%(n)d位") % {"n": MAX_CONTACTS}]
    for i, c in enumerate(contacts):
        if not c.name.strip() or len(c.name.strip()) > 30:
            errors[f"contacts.{i}.name"] = [_("请填写联系人姓名（30字以内）")]
        if not _PHONE.match(pii.normalise_phone(c.phone)):
            errors[f"contacts.{i}.phone"] = [_("电话应为7到12位数字")]
        if not c.relation.strip() or len(c.relation.strip()) > 20:
            errors[f"contacts.{i}.relation"] = [_("请填写与本人的关系（20字以内）")]
    return errors


# Public names for the demo's bulk enrolment (gongzhi.demo.care), which checks its rows with them.
posts_errors = _posts_errors
contacts_errors = _contacts_errors


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _add_contacts(subject: CareSubject, contacts: list[ContactIn]) -> None:
    start = subject.contacts.count()
    EmergencyContact.objects.bulk_create(
        [
            EmergencyContact(
                subject=subject,
                relation=c.relation.strip(),
                name_enc=pii.encrypt(c.name.strip()),
                name_masked=mask_name(c.name),
                phone_enc=pii.encrypt(pii.normalise_phone(c.phone)),
                phone_masked=pii.mask_phone(pii.normalise_phone(c.phone)),
                order=start + i + 1,
            )
            for i, c in enumerate(contacts)
        ]
    )


@transaction.atomic
def contact_add(*, actor: Actor | None, subject: CareSubject, contact: ContactIn) -> EmergencyContact:
    require_care_power(actor, subject.home)
    errors = _contacts_errors([contact])
    if subject.contacts.count() >= MAX_CONTACTS:
        errors["contacts"] = [_("紧急联系人最多%(n)d位") % {"n": MAX_CONTACTS}]
    if errors:
        raise ValidationError({k.replace("contacts.0.", ""): v for k, v in errors.items()})
    _add_contacts(subject, [contact])
    return subject.contacts.order_by("-order").first()  # type: ignore[return-value]


@transaction.atomic
def contact_reveal(*, actor: Actor, contact: EmergencyContact, purpose: str) -> tuple[str, str]:
    """An emergency contact's name and phone in clear, for the posts that serve the subject and
    the auditor, after writing who asked, whose and why."""
    purpose = accesslog.required_purpose(purpose)
    subject = contact.subject
    if not access.can_see_care_details(actor, subject):
        raise PermissionDeniedError(_("无权查看此关爱对象的紧急联系人"))
    accesslog.record(
        actor=actor,
        subject_model=CONTACT_SUBJECT,
        subject_id=contact.pk,
        subject_label=f"关爱对象 {subject.person.name} 紧急联系人 {contact.relation} {contact.name_masked}",
        field="contact",
        purpose=purpose,
    )
    return pii.decrypt(contact.name_enc), pii.decrypt(contact.phone_enc)


@transaction.atomic
def subject_end(*, actor: Actor | None, subject: CareSubject) -> CareSubject:
    """End the care (moved away, died, no longer needed): withdraws consent, unbinds devices."""
    require_care_power(actor, subject.home)
    if subject.ended_at is not None:
        raise invalid("subject", _("关爱已结束"))
    if subject.consents.filter(withdrawn_at__isnull=True).exists():
        consent_withdraw(actor=actor, subject=subject)
    subject.ended_at = clock.now()
    subject.save(update_fields=["ended_at"])
    return subject


# --- consent ---------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: Actor | None,
    subject: CareSubject,
    given_by: str,
    signals: list[str],
    given_on: date,
    form: Any,
    guardian_name: str = "",
    guardian_relation: str = "",
) -> Consent:
    """Record consent to watch by device: who gave it, when, which signals, the scanned form."""
    require_care_power(actor, subject.home)
    errors: dict[str, list[str]] = {}
    if subject.ended_at is not None:
        raise invalid("subject", _("关爱已结束"))
    if given_by not in ConsentBy.values:
        errors["given_by"] = [_("同意人无效")]
    if given_by == ConsentBy.GUARDIAN and (not guardian_name.strip() or not guardian_relation.strip()):
        errors["guardian_name"] = [_("由监护人同意时，请填写监护人姓名和关系")]
    wanted = list(dict.fromkeys(signals))
    if not wanted or any(s not in DEVICE_SIGNALS for s in wanted):
        errors["signals"] = [_("请选择同意采集的信号（门磁、用水、用电、报警）")]
    if given_on > clock.today():
        errors["given_on"] = [_("签署日期不能晚于今天")]
    if form is None:
        errors["form"] = [_("请上传签字的同意书扫描件")]
    else:
        errors.update(validate_consent_form(form))
    if subject.consents.filter(withdrawn_at__isnull=True).exists():
        errors["subject"] = [_("已有有效的同意书，如需更改请先撤回")]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        subject=subject,
        given_by=given_by,
        guardian_name_enc=pii.encrypt(guardian_name.strip()) if given_by == ConsentBy.GUARDIAN else "",
        guardian_name_masked=mask_name(guardian_name) if given_by == ConsentBy.GUARDIAN else "",
        guardian_relation=guardian_relation.strip()[:20] if given_by == ConsentBy.GUARDIAN else "",
        signals=wanted,
        given_on=given_on,
        form_content_type=getattr(form, "content_type_checked", ""),
        recorded_at=clock.now(),
        recorded_by=recorded_or_system(actor),
    )
    consent.form.save(f"consent-{subject.pk}{_extension(consent.form_content_type)}", form, save=False)
    consent.save()
    subject.signals = wanted
    subject.save(update_fields=["signals"])
    return consent


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/png": ".png", "image/webp": ".webp"}.get(content_type, ".jpg")


@transaction.atomic
def consent_withdraw(*, actor: Actor | None, subject: CareSubject) -> int:
    """Stop collecting at once: the consent ends, the devices are unbound, and the subject's raw
    events and device last-seen rows are deleted. Returns the number of events deleted."""
    require_care_power(actor, subject.home)
    consent = subject.consents.select_for_update().filter(withdrawn_at__isnull=True).first()
    if consent is None:
        raise invalid("subject", _("没有有效的同意书"))
    now = clock.now()
    consent.withdrawn_at, consent.withdrawn_by = now, recorded_or_system(actor)
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    CareSubject.objects.filter(pk=subject.pk).update(signals=[])
    subject.signals = []
    Device.objects.filter(subject=subject).update(subject=None, bound_at=None)
    deleted, _detail = Event.objects.filter(subject=subject).delete()
    LastSeen.objects.filter(subject=subject, signal__in=DEVICE_SIGNALS).delete()
    return deleted


# --- away periods ----------------------------------------------------------------------------------


@transaction.atomic
def away_record(
    *,
    actor: Actor | None,
    subject: CareSubject,
    reason: str,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
) -> AwayPeriod:
    """住院, 子女家小住…: the silence rules pause until `ends_at` (an end date is required)."""
    require_care_power(actor, subject.home)
    errors: dict[str, list[str]] = {}
    if reason not in AwayReason.values:
        errors["reason"] = [_("原因无效")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("返回时间应晚于开始时间")]
    elif ends_at - starts_at > timedelta(days=366):
        errors["ends_at"] = [_("外出暂停最长一年，到期后可再登记")]
    elif ends_at <= clock.now():
        errors["ends_at"] = [_("返回时间应晚于现在")]
    if errors:
        raise ValidationError(errors)
    return AwayPeriod.objects.create(
        subject=subject,
        reason=reason,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip()[:200],
        recorded_by=recorded_or_system(actor),
    )


@transaction.atomic
def away_end(*, actor: Actor | None, away: AwayPeriod) -> AwayPeriod:
    """Back home earlier than planned: the period ends now (the rules count from now)."""
    require_care_power(actor, away.subject.home)
    now = clock.now()
    if away.ends_at <= now:
        raise invalid("away", _("外出暂停已结束"))
    away.ends_at = max(now, away.starts_at + timedelta(seconds=1))
    away.save(update_fields=["ends_at"])
    return away


# --- devices ----------------------------------------------------------------------------------------


@transaction.atomic
def device_register(
    *, actor: Actor | None, serial: str, kind: str, household: Node, note: str = ""
) -> Device:
    require_care_power(actor, household)
    serial = serial.strip()
    errors: dict[str, list[str]] = {}
    if not serial or len(serial) > 64 or not re.fullmatch(r"[A-Za-z0-9_.:-]+", serial):
        errors["serial"] = [_("设备编号应为64位以内的字母、数字或 _ . : -")]
    elif Device.objects.filter(serial=serial).exists():
        errors["serial"] = [_("设备编号已登记")]
    if kind not in DeviceKind.values:
        errors["kind"] = [_("设备类型无效")]
    if household.level not in (Level.HOUSEHOLD, Level.BUILDING):
        errors["household"] = [_("设备应登记到户（或楼栋）")]
    if errors:
        raise ValidationError(errors)
    return Device.objects.create(
        serial=serial, kind=kind, household=household, registered_at=clock.now(), note=note.strip()[:200]
    )


@transaction.atomic
def device_bind(*, actor: Actor | None, device: Device, subject: CareSubject) -> Device:
    """Bind a device to the subject living in its household, under consent covering its signal."""
    require_care_power(actor, subject.home)
    device = Device.objects.select_for_update().get(pk=device.pk)
    signal = SIGNAL_OF_DEVICE[device.kind]
    if device.subject_id is not None:
        raise invalid("device", _("设备已绑定其他关爱对象，请先解绑"))
    if subject.ended_at is not None:
        raise invalid("subject", _("关爱已结束"))
    if signal not in subject.signals:
        raise invalid(
            "device",
            _("关爱对象未同意采集此类信号（%(signal)s），不能绑定") % {"signal": Signal(signal).label},
        )
    if not (
        subject.home.path.startswith(device.household.path)
        or device.household.path.startswith(subject.home.path)
    ):
        raise invalid("device", _("设备不在关爱对象的住处"))
    now = clock.now()
    device.subject, device.bound_at = subject, now
    device.save(update_fields=["subject", "bound_at"])
    # Silence counts from the binding: a device that never reports is noticed like a quiet one.
    row, _created = LastSeen.objects.get_or_create(subject=subject, signal=signal)
    if row.active_at is None and signal != Signal.WATER:
        row.active_at = now
        row.save(update_fields=["active_at"])
    return device


@transaction.atomic
def device_unbind(*, actor: Actor | None, device: Device) -> Device:
    if device.subject is None:
        raise invalid("device", _("设备未绑定"))
    require_care_power(actor, device.subject.home)
    device.subject, device.bound_at = None, None
    device.save(update_fields=["subject", "bound_at"])
    return device


# --- visits and check-ins: signs of life -------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: Actor | None,
    subject: CareSubject,
    kind: str,
    at: datetime | None = None,
    note: str = "",
    photo: Any = None,
    alert: Alert | None = None,
) -> Visit:
    """A visit, a call or a 平安 check-in: a sign of life for every silence rule; a visit or a
    call also moves the next visit's due time and counts for an open holiday round. A photo is
    checked like a case photo (type, size, pixels before decoding)."""
    now = clock.now()
    at = at or now
    if actor is not None and not (
        access.serves_care_subject(actor, subject) or access.can(actor, access.MANAGE_CARE, subject.home)
    ):
        raise PermissionDeniedError(_("您不负责此关爱对象"))
    errors: dict[str, list[str]] = {}
    if kind not in VisitKind.values:
        errors["kind"] = [_("方式无效")]
    if at > now + timedelta(minutes=5):
        errors["at"] = [_("时间不能晚于现在")]
    elif at < now - timedelta(days=30):
        errors["at"] = [_("只能补记30天内的探访")]
    if len(note) > 500:
        errors["note"] = [_("情况说明最多500字")]
    if subject.ended_at is not None:
        errors["subject"] = [_("关爱已结束")]
    if photo is not None:
        try:
            attachments.validate_files([photo])
        except ValidationError as exc:
            errors["photo"] = [str(m) for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        subject=subject, kind=kind, at=at, by=recorded_or_system(actor), note=note.strip(), alert=alert
    )
    if kind in (VisitKind.VISIT, VisitKind.CALL):
        visit.round = _open_round(subject, at)
    if photo is not None:
        fmt = attachments._image_format(photo) or "JPEG"
        visit.photo.save(f"visit-{subject.pk}-{int(at.timestamp())}.{fmt.lower()}", photo, save=False)
    visit.save()
    _touch(subject, Signal.LIFE, at)
    if kind in (VisitKind.VISIT, VisitKind.CALL):
        _touch(subject, Signal.VISIT, at)
        due = at + timedelta(days=subject.visit_every_days)
        if due > subject.visit_due_at:  # a holiday round pulled it earlier: this answers it
            subject.visit_due_at = due
            subject.save(update_fields=["visit_due_at"])
    return visit


def _open_round(subject: CareSubject, at: datetime) -> "VisitRound | None":
    """The latest holiday round over the subject's home, started before `at`, that no visit of
    theirs has answered yet."""
    rounds = VisitRound.objects.filter(created_at__lte=at).order_by("-created_at", "-pk")
    for r in rounds[:20]:
        if subject.node_path.startswith(r.node_path):
            return None if r.visits.filter(subject=subject).exists() else r
    return None


@transaction.atomic
def round_create(*, actor: Actor | None, node: Node, kind: str, name: str, due_at: datetime) -> VisitRound:
    """A holiday round (春节, 重阳节): a visit due by `due_at` for every subject under `node`
    (their next due time moves up to it; a later regular visit goes on as before)."""
    require_care_power(actor, node)
    errors: dict[str, list[str]] = {}
    now = clock.now()
    if kind not in RoundKind.values:
        errors["kind"] = [_("类型无效")]
    name = (name or "").strip() or (str(RoundKind(kind).label) if kind in RoundKind.values else "")
    if len(name) > 60:
        errors["name"] = [_("名称最多60字")]
    if due_at <= now:
        errors["due_at"] = [_("完成期限应晚于现在")]
    elif due_at > now + timedelta(days=60):
        errors["due_at"] = [_("完成期限最长60天")]
    if node.level > Level.AREA:
        errors["node"] = [_("节日探访按居民区、块区或街道发起")]
    if errors:
        raise ValidationError(errors)
    live = CareSubject.objects.filter(node_path__startswith=node.path, ended_at__isnull=True)
    count = live.count()
    live.filter(visit_due_at__gt=due_at).update(visit_due_at=due_at)
    return VisitRound.objects.create(
        kind=kind,
        name=name,
        node=node,
        node_path=node.path,
        due_at=due_at,
        subjects=count,
        created_at=now,
        created_by=recorded_or_system(actor),
    )


def _touch(subject: CareSubject, signal: str, at: datetime) -> None:
    row, _created = LastSeen.objects.select_for_update().get_or_create(subject=subject, signal=signal)
    row.seen_at = max(row.seen_at or at, at)
    row.active_at = max(row.active_at or at, at)
    row.save(update_fields=["seen_at", "active_at"])


# --- rules -------------------------------------------------------------------------------------------


def _rule_errors(kind: str, hours: float | None, litres: float | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    takes = TAKES.get(kind)
    if takes is None:
        return {"kind": [_("规则无效")]}
    if hours is not None:
        if "hours" not in takes:
            errors["hours"] = [_("此规则没有时长参数")]
        elif not 0.5 <= hours <= (24 if kind == RuleKind.WATER_LOW else 24 * 30):
            errors["hours"] = [_("时长超出允许范围")]
    if litres is not None:
        if "litres" not in takes:
            errors["litres"] = [_("此规则没有水量参数")]
        elif not 0.5 <= litres <= 100_000:
            errors["litres"] = [_("水量超出允许范围")]
    return errors


@transaction.atomic
def rule_update(
    *,
    actor: Actor | None,
    street: Node,
    kind: str,
    enabled: bool,
    hours: float | None = None,
    litres: float | None = None,
    quiet_from: time | None = None,
    quiet_until: time | None = None,
) -> Rule:
    """A street's rule, edited by its admins (MANAGE_CARE over the street). Water rules change
    the derived columns of the street's meters, recomputed here."""
    if street.level != Level.STREET:
        raise invalid("street", _("规则按街道设置"))
    require_care_power(actor, street)
    errors = _rule_errors(kind, hours, litres)
    if (quiet_from is None) != (quiet_until is None):
        errors["quiet_from"] = [_("静默时段需同时填写开始和结束")]
    if errors:
        raise ValidationError(errors)
    rules.rules_ensure(street)
    rule = Rule.objects.select_for_update().get(street=street, kind=kind)
    default = DEFAULTS[kind]
    rule.enabled = enabled
    rule.hours = hours if "hours" in TAKES[kind] and hours is not None else (rule.hours or default.hours)
    rule.litres = (
        litres if "litres" in TAKES[kind] and litres is not None else (rule.litres or default.litres)
    )
    rule.quiet_from, rule.quiet_until = quiet_from, quiet_until
    rule.updated_at, rule.updated_by = clock.now(), recorded_or_system(actor)
    rule.save()
    if kind in (RuleKind.WATER_LOW, RuleKind.WATER_LEAK):
        rederive_water(
            LastSeen.objects.filter(signal=Signal.WATER, subject__node_path__startswith=street.path)
        )
    return rule


@transaction.atomic
def override_set(
    *,
    actor: Actor | None,
    subject: CareSubject,
    kind: str,
    enabled: bool = True,
    hours: float | None = None,
    litres: float | None = None,
    note: str = "",
) -> RuleOverride:
    """A subject's own parameters for one rule (blank keeps the street's)."""
    require_care_power(actor, subject.home)
    errors = _rule_errors(kind, hours, litres)
    if errors:
        raise ValidationError(errors)
    override, _created = RuleOverride.objects.update_or_create(
        subject=subject,
        kind=kind,
        defaults={"enabled": enabled, "hours": hours, "litres": litres, "note": note[:200]},
    )
    if kind in (RuleKind.WATER_LOW, RuleKind.WATER_LEAK):
        rederive_water(LastSeen.objects.filter(signal=Signal.WATER, subject=subject))
    return override


@transaction.atomic
def override_clear(*, actor: Actor | None, subject: CareSubject, kind: str) -> None:
    require_care_power(actor, subject.home)
    RuleOverride.objects.filter(subject=subject, kind=kind).delete()
    if kind in (RuleKind.WATER_LOW, RuleKind.WATER_LEAK):
        rederive_water(LastSeen.objects.filter(signal=Signal.WATER, subject=subject))


def rederive_water(meters: QuerySet[LastSeen]) -> None:
    from gongzhi.care.ingest import derive_water_row
    from gongzhi.care.ingest_db import save_last_seen

    rows = list(meters.select_for_update().select_related("subject"))
    book = RuleBook.load({r.subject_id for r in rows})
    for row in rows:
        derive_water_row(row, book, row.subject.node_path)
    save_last_seen(rows)  # one statement for a street's meters (rows locked: the rest unchanged)


# --- gateways ----------------------------------------------------------------------------------------


@transaction.atomic
def gateway_create(*, actor: Actor | None, name: str) -> tuple[Gateway, str]:
    """A device gateway and its token, shown once (street admins: MANAGE_TREE)."""
    if actor is not None and not access.has_power(actor, access.MANAGE_TREE):
        raise PermissionDeniedError(_("只有街道管理员可以创建设备网关"))
    name = name.strip()
    if not name or len(name) > 60:
        raise invalid("name", _("请填写网关名称（60字以内）"))
    clear, fields = secret_keys.issue(GATEWAY_KEYS)
    return Gateway.objects.create(name=name, **fields), clear


def gateway_authenticate(clear: str) -> Gateway | None:
    return secret_keys.find(GATEWAY_KEYS, Gateway.objects.all(), clear)
