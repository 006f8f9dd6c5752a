"""Where outbox messages go: the in-app inbox, and the channels admins configure (email, the
WeCom / DingTalk group robots), each scoped to a node; every delivery attempt is recorded."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import OutboxMessage
from gongzhi.geo.models import Node


class Channel(models.Model):
    class Kind(models.TextChoices):
        INBOX = "inbox", _("站内消息")
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("群机器人（Webhook）")

    class Format(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500, blank=True)
    format = models.CharField(_("机器人类型"), max_length=10, choices=Format.choices, blank=True)
    keyword = models.CharField(
        _("关键词"), max_length=30, blank=True, help_text=_("钉钉机器人“自定义关键词”安全设置时填写")
    )
    secret = models.CharField(
        _("加签密钥"), max_length=100, blank=True, help_text=_("钉钉机器人“加签”安全设置时填写")
    )
    scope = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用辖区"),
        help_text=_("留空表示全街道"),
    )
    message_kinds = models.CharField(
        _("只发这些类型"),
        max_length=300,
        blank=True,
        help_text=_("逗号分隔，如 case.supervised,case.overdue；留空表示全部"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        if self.kind == self.Kind.WEBHOOK:
            errors = {}
            if not self.url.startswith(("https://", "http://")):
                errors["url"] = _("请填写机器人的 http(s) Webhook 地址")
            if not self.format:
                errors["format"] = _("请选择机器人类型")
            if errors:
                raise ValidationError(errors)

    @property
    def key(self) -> str:
        """What a successful delivery is remembered by: one inbox item and one email per message
        however many such channels cover it, one post per robot."""
        return f"webhook:{self.pk}" if self.kind == self.Kind.WEBHOOK else str(self.kind)

    def covers(self, message: OutboxMessage) -> bool:
        if self.scope is not None and not message.node_path.startswith(self.scope.path):
            return False
        kinds = {k.strip() for k in self.message_kinds.split(",") if k.strip()}
        return not kinds or message.kind in kinds


class Delivery(models.Model):
    """One attempt to send one message through one channel (append-only)."""

    # no database constraint: the outbox is partitioned by month on PostgreSQL (docs/adr/
    # 0036-partitioned-event-tables.md); dispatch writes a delivery for a message it holds, and
    # the archive moves a month's deliveries with its messages
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    channel_key = models.CharField(_("渠道"), max_length=30)
    attempt = models.PositiveSmallIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["message", "at", "id"]
        indexes = [models.Index(fields=["message", "channel_key", "ok"], name="delivery_done")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.channel_key} #{self.attempt} {'ok' if self.ok else 'fail'}"


class InboxItem(models.Model):
    """站内消息: what a user sees under the bell."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items", verbose_name=_("用户")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="inbox_user_unread")]

    def __str__(self) -> str:
        return self.title
