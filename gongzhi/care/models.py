"""Care (关爱): subjects with their consent, devices, raw events, last seen per signal, rules as
data and the alerts they open (docs/care.md).

Personal details of the people around a subject (emergency contacts, a guardian) are stored
like residents' phones: Fernet ciphertext and a masked form; the clear value leaves only
through `care.services.contact_reveal`, which writes an access-log row first.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.care.choices import (
    AlertState,
    AwayReason,
    ConsentBy,
    DeviceKind,
    Door,
    Duty,
    Outcome,
    Refusal,
    RoundKind,
    RuleKind,
    Signal,
    SubjectKind,
    VisitKind,
)
from gongzhi.core.secret_keys import SecretKey
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person, Post


class CareSubject(models.Model):
    """A resident the committee has enrolled for regular visits and, with consent, a quiet watch."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="care_subjects", verbose_name=_("居民")
    )
    kind = models.CharField(_("关爱类型"), max_length=20, choices=SubjectKind.choices)
    home = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("居住地（户）"))
    node_path = models.CharField(_("辖区路径"), max_length=255, db_index=True, editable=False)
    visit_every_days = models.PositiveSmallIntegerField(_("探访频次（天）"), default=7)
    # the last recorded visit or call plus the frequency: the overdue rule reads this column
    visit_due_at = models.DateTimeField(_("下次探访期限"), db_index=True)
    # the signals of the active consent ([] without one): what ingestion accepts for them
    signals = models.JSONField(_("同意采集的信号"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    enrolled_at = models.DateTimeField(_("纳入时间"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束关爱"), null=True, blank=True)
    posts: "models.ManyToManyField[Post, Assignment]" = models.ManyToManyField(
        Post, through="Assignment", related_name="care_subjects"
    )

    class Meta:
        verbose_name = _("关爱对象")
        verbose_name_plural = _("关爱对象")
        ordering = ["node_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_at__isnull=True),
                name="care_subject_one_active_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_kind_display()}）"

    @property
    def watched(self) -> bool:
        return bool(self.signals)


class Assignment(models.Model):
    """A responsible post of a subject (网格员, 楼组长, 结对志愿者) from the 三定 roster."""

    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="assignments")
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="care_assignments", verbose_name=_("岗位")
    )
    duty = models.CharField(_("职责"), max_length=20, choices=Duty.choices)

    class Meta:
        verbose_name = _("关爱责任岗位")
        verbose_name_plural = _("关爱责任岗位")
        constraints = [models.UniqueConstraint(fields=["subject", "post"], name="care_assignment_once")]

    def __str__(self) -> str:
        return f"{self.get_duty_display()} {self.post}"


class EmergencyContact(models.Model):
    """Whom to call first. Name and phone encrypted, shown masked, revealed with a logged purpose."""

    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="contacts")
    relation = models.CharField(_("关系"), max_length=20)
    name_enc = models.TextField(editable=False)
    name_masked = models.CharField(_("姓名"), max_length=60, editable=False)
    phone_enc = models.TextField(editable=False)
    phone_masked = models.CharField(_("电话"), max_length=20, editable=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("紧急联系人")
        verbose_name_plural = _("紧急联系人")
        ordering = ["subject", "order", "id"]

    def __str__(self) -> str:
        return f"{self.relation} {self.name_masked} {self.phone_masked}"

    def __repr__(self) -> str:  # never the clear values
        return f"<EmergencyContact {self.pk} {self.name_masked} {self.phone_masked}>"


def consent_form_path(instance: "Consent", filename: str) -> str:
    return f"care/consent/{instance.subject_id}/{filename}"


class Consent(models.Model):
    """Recorded consent to watch by device: who gave it (the subject, or a guardian for a subject
    who cannot), when, which signals, and the scanned form. At most one is in force."""

    subject = models.ForeignKey(CareSubject, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField(_("同意人"), max_length=10, choices=ConsentBy.choices)
    guardian_name_enc = models.TextField(blank=True, editable=False)
    guardian_name_masked = models.CharField(_("监护人"), max_length=60, blank=True, editable=False)
    guardian_relation = models.CharField(_("监护人关系"), max_length=20, blank=True)
    signals = models.JSONField(_("采集的信号"))
    given_on = models.DateField(_("签署日期"))
    form = models.FileField(_("同意书扫描件"), upload_to=consent_form_path)
    form_content_type = models.CharField(max_length=40, editable=False)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("采集同意书")
        verbose_name_plural = _("采集同意书")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=Q(withdrawn_at__isnull=True), name="care_consent_one_in_force"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.given_on}"


class AwayPeriod(models.Model):
    """住院, 子女家小住…: the silence rules pause from `starts_at` to `ends_at` (or until ended)."""

    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="away_periods")
    reason = models.CharField(_("原因"), max_length=20, choices=AwayReason.choices)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("预计返回"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("外出暂停")
        verbose_name_plural = _("外出暂停")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["subject", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_reason_display()} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class Gateway(SecretKey):
    """A device gateway (a vendor's platform, a building's hub) posting events with its own token."""

    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        verbose_name = _("设备网关")
        verbose_name_plural = _("设备网关")
        ordering = ["-created_at", "-id"]


class Device(models.Model):
    """A sensor registered to a household; it reports only while bound to a subject with consent."""

    serial = models.CharField(_("设备编号"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DeviceKind.choices)
    household = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("安装户"))
    subject = models.ForeignKey(
        CareSubject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("关爱对象"),
    )
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("感知设备")
        verbose_name_plural = _("感知设备")
        ordering = ["serial"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class Event(models.Model):
    """A raw device event, kept for CARE_EVENT_RETENTION_DAYS. (device, event_id) is unique: a
    redelivered event is a no-op (ingest inserts with ON CONFLICT DO NOTHING)."""

    # No index of their own: care_event_once leads with device, (subject, at) with subject;
    # every index is one more entry written per event (docs/adr/0016-care-ingestion.md).
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="+", db_index=False)
    event_id = models.CharField(max_length=64)
    at = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)  # a meter's cumulative reading (L, kWh)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("设备事件")
        verbose_name_plural = _("设备事件")
        constraints = [models.UniqueConstraint(fields=["device", "event_id"], name="care_event_once")]
        indexes = [models.Index(fields=["subject", "at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.at:%Y-%m-%d %H:%M}"


class LastSeen(models.Model):
    """One row per subject and signal, upserted with every event: what the rule pass reads.

    `seen_at` is the last event of the signal, `active_at` the last sign of activity (a door
    opened, a meter that moved, a button pressed, a check-in). Water keeps a ring of 48
    half-hour slots of litres (`slots`, the oldest at `slots_start`, counted in half hours since
    the epoch) and two columns derived from it under the subject's rules: `quiet_at`, when use
    in the low-water window falls under the threshold if no more water flows, and `leak_since`.
    """

    # Every batch rewrites its rows, so each index costs the ingest an entry per update: only
    # the ones the rule pass reads are kept, (signal, active_at) and quiet_at; care_lastseen_once
    # leads with subject (docs/adr/0016-care-ingestion.md, "Update").
    subject = models.ForeignKey(
        CareSubject, on_delete=models.CASCADE, related_name="last_seen", db_index=False
    )
    signal = models.CharField(max_length=10, choices=Signal.choices)
    seen_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(null=True, blank=True)
    reading = models.FloatField(null=True, blank=True)
    reading_at = models.DateTimeField(null=True, blank=True)
    slots_start = models.BigIntegerField(null=True, blank=True)
    slots = models.JSONField(default=list, blank=True)
    quiet_at = models.DateTimeField(null=True, blank=True, db_index=True)
    leak_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("最近信号")
        verbose_name_plural = _("最近信号")
        constraints = [models.UniqueConstraint(fields=["subject", "signal"], name="care_lastseen_once")]
        indexes = [models.Index(fields=["signal", "active_at"])]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.signal} {self.active_at}"


class Rule(models.Model):
    """A rule of one street, edited by its admins. Parameters by kind: `hours` (door, power: the
    silence; water low: the window; visit overdue: grace), `litres` (water low: the minimum in
    the window; leak: the maximum a day). Quiet hours (local time) hold back the silence rules'
    alerts until morning; alarms ignore them."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    kind = models.CharField(_("规则"), max_length=20, choices=RuleKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    hours = models.FloatField(_("时长（小时）"), null=True, blank=True)
    litres = models.FloatField(_("水量（升）"), null=True, blank=True)
    quiet_from = models.TimeField(_("静默开始"), null=True, blank=True)
    quiet_until = models.TimeField(_("静默结束"), null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("关爱规则")
        verbose_name_plural = _("关爱规则")
        ordering = ["street", "kind"]
        constraints = [models.UniqueConstraint(fields=["street", "kind"], name="care_rule_once")]

    def __str__(self) -> str:
        return f"{self.street.name} {self.get_kind_display()}"


class RuleOverride(models.Model):
    """A subject's own parameters for one rule (a blank value keeps the street's)."""

    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="rule_overrides")
    kind = models.CharField(_("规则"), max_length=20, choices=RuleKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    hours = models.FloatField(_("时长（小时）"), null=True, blank=True)
    litres = models.FloatField(_("水量（升）"), null=True, blank=True)
    note = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个人规则")
        verbose_name_plural = _("个人规则")
        constraints = [models.UniqueConstraint(fields=["subject", "kind"], name="care_override_once")]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()}"


class Alert(models.Model):
    """An alert a rule opened. At most one not closed per subject and rule."""

    subject = models.ForeignKey(CareSubject, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("规则"), max_length=20, choices=RuleKind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=AlertState.choices, default=AlertState.OPEN)
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    opened_at = models.DateTimeField(_("触发时间"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    false_alarm = models.BooleanField(_("误报"), default=False)
    # the chain (care.chain): told, acknowledged, turned into a home-visit case, outcome
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("探访工单"),
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    outcome = models.CharField(_("探访结果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("结果说明"), max_length=500, blank=True)
    help_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("求助工单"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("关爱预警")
        verbose_name_plural = _("关爱预警")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind"], condition=~Q(state="closed"), name="care_alert_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.opened_at:%Y-%m-%d %H:%M}"


def visit_photo_path(instance: "Visit", filename: str) -> str:
    return f"care/visits/{instance.subject_id}/{filename}"


class VisitRound(models.Model):
    """A holiday round (春节, 重阳节): a visit due by `due_at` for every subject of an area."""

    kind = models.CharField(_("类型"), max_length=20, choices=RoundKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    due_at = models.DateTimeField(_("完成期限"))
    subjects = models.PositiveIntegerField(_("应探访人数"), default=0)
    created_at = models.DateTimeField(_("发起时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("节日探访")
        verbose_name_plural = _("节日探访")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.node.name}）"


class Visit(models.Model):
    """A recorded visit, call or 平安 check-in: a sign of life, and (visits, calls) the schedule's."""

    subject = models.ForeignKey(CareSubject, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("方式"), max_length=10, choices=VisitKind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("情况"), max_length=500, blank=True)
    photo = models.FileField(_("照片"), upload_to=visit_photo_path, blank=True)
    alert = models.ForeignKey(
        "Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("预警"),
    )
    round = models.ForeignKey(
        "VisitRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class IngestCount(models.Model):
    """Events refused (never stored), counted per day, door and reason."""

    day = models.DateField()
    door = models.CharField(max_length=10, choices=Door.choices)
    reason = models.CharField(max_length=20, choices=Refusal.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("拒收计数")
        verbose_name_plural = _("拒收计数")
        constraints = [
            models.UniqueConstraint(fields=["day", "door", "reason"], name="care_ingestcount_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.door} {self.reason} {self.count}"
