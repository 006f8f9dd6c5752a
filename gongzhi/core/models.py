"""Cross-cutting records: the personal-data access log, the working-day calendar."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PiiAccessLog(models.Model):
    """One row each time someone reveals a masked personal field (append-only)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("查看人"))
    subject_model = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.BigIntegerField(_("对象编号"))
    subject_label = models.CharField(_("对象"), max_length=120)  # a name, never the value
    field = models.CharField(_("字段"), max_length=40)
    purpose = models.CharField(_("用途"), max_length=200)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_model", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.subject_label} {self.field}"


class WorkDay(models.Model):
    """A day that breaks the Mon–Fri rule: an official holiday, a make-up workday (调休上班), or a
    street's own arrangement. Rows from the chinesecalendar package come from `calendar_sync`;
    rows an admin enters or edits are `admin` and are never overwritten by it.

    `street` is empty for a day of the whole deployment, or a street's code for that street's
    own arrangement, which wins over the deployment's row of the same day for that street only
    (docs/tenancy.md). A code, not a key: core sits below the tree, and codes never change."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("法定安排（自动同步）")
        ADMIN = "admin", _("后台录入")

    date = models.DateField(_("日期"))
    street = models.CharField(
        _("街道编码"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("只对该街道有效；不填则对所有街道有效"),
    )
    is_workday = models.BooleanField(
        _("上班"), help_text=_("勾选为工作日（如调休上班），不勾选为休息日（如国庆节）")
    )
    note = models.CharField(_("说明"), max_length=60, blank=True, help_text=_("如：国庆节、调休上班"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date", "street"]
        constraints = [models.UniqueConstraint(fields=["date", "street"], name="core_workday_date_street")]

    def __str__(self) -> str:
        kind = "上班" if self.is_workday else "休息"
        return f"{self.date:%Y-%m-%d} {kind} {self.note} {self.street}".rstrip()


class OutboxMessage(models.Model):
    """A notification to send, written in the same transaction as the change it reports, so it
    exists exactly when the change committed (core.outbox). notify.dispatch sends it.

    A message is for one user (inbox, email) or, with no recipient, for the group robots whose
    scope covers `node_path`. Subject and body never carry clear personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败（将重试）")
        DEAD = "dead", _("放弃发送")

    kind = models.CharField(_("类型"), max_length=40, db_index=True)  # case.dispatched, case.reminder ...
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收人"),
    )
    node_path = models.CharField(_("所属辖区路径"), max_length=700, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    payload = models.JSONField(_("附加数据"), default=dict, blank=True)  # ids and links only
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("待发通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class RateCounter(models.Model):
    """One budget's count for one subject in one time window (core.limits). The subject is
    stored only as a keyed hash: no address, username or phone in clear. Rows past
    `expires_at` are pruned by the limiter itself."""

    bucket = models.CharField(primary_key=True, max_length=100)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")

    def __str__(self) -> str:
        return f"{self.bucket} {self.count}"


class FailedTask(models.Model):
    """A background task that kept failing (core.background): its transient errors were retried
    with backoff until TASK_MAX_RETRIES, or it failed on an error that retrying cannot mend.
    One row per task and arguments while it stays unresolved: a later failure adds to it, a
    later success resolves it. Arguments are ids only (anything else is stored redacted) and
    the error is stored with numbers masked."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        RETRIED = "retried", _("已重新排队")
        RESOLVED = "resolved", _("已恢复")

    task = models.CharField(_("任务"), max_length=200)
    key = models.CharField(_("任务与参数摘要"), max_length=64, db_index=True)
    args = models.JSONField(_("参数（仅编号）"), default=dict, blank=True)
    error = models.TextField(_("最近错误"), blank=True)
    attempts = models.PositiveIntegerField(_("失败次数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    first_at = models.DateTimeField(_("首次失败时间"))
    last_at = models.DateTimeField(_("最近失败时间"))
    retried_at = models.DateTimeField(_("重新排队时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("失败的后台任务")
        verbose_name_plural = _("失败的后台任务")
        ordering = ["-last_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(status="resolved"), name="failedtask_one_unresolved"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} ×{self.attempts}"
