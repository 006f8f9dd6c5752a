"""Orders (服务订单): what a resident asks of a module, its append-only events and their photos.

The order row holds the current state (denormalised from its events), the place's path (scope
cuts by it, as cases'), the contact phone sealed like a case's (ciphertext, keyed hash, masked
form) and the figures the reports read (taken, served, rated).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.geo.models import Node
from gongzhi.orders.choices import Escalation, OrderState, Satisfaction
from gongzhi.orders.models.modules import ServiceModule
from gongzhi.orgs.models import Person


class Order(models.Model):
    module = models.ForeignKey(
        ServiceModule, on_delete=models.PROTECT, related_name="orders", verbose_name=_("服务模块")
    )
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务地点"))
    node_path = models.CharField(max_length=700, editable=False)
    text = models.TextField(_("需求内容"), max_length=1000)
    wanted_at = models.DateTimeField(_("希望服务时间"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.TextField(blank=True, editable=False)
    contact_phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    resident = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("居民")
    )
    resident_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.OPEN)
    version = models.PositiveIntegerField(default=1)
    escalation = models.PositiveSmallIntegerField(
        _("督办层级"), choices=Escalation.choices, default=Escalation.POOL
    )
    take_due = models.DateTimeField(_("接单时限"))
    server = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("服务人")
    )
    taken_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    served_at = models.DateTimeField(_("服务完成时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2, null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("转办工单")
    )
    created_at = models.DateTimeField(_("下单时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="order_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["module", "state", "created_at"], name="order_pool"),
            models.Index(fields=["state", "take_due"], name="order_sweep"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_state_display()}"

    @property
    def number(self) -> str:
        """Read out on the phone: 'D' + the order date + the id (no counter)."""
        return order_number(self.created_at, self.pk)


def order_number(created_at: Any, pk: int) -> str:
    return f"D{timezone.localtime(created_at):%Y%m%d}{pk:06d}"


class OrderEvent(models.Model):
    """One immutable step of an order: who did what, when, from which state to which."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="order_event_seq")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.seq} {self.action}"


def photo_path(instance: "OrderPhoto", filename: str) -> str:
    return f"orders/{instance.event.at:%Y/%m}/{instance.event.order_id}/{filename}"


class OrderPhoto(models.Model):
    """A photo of what was done, checked as a case's attachments are (cases.attachments)."""

    event = models.ForeignKey(OrderEvent, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    thumbnail = models.FileField(upload_to=photo_path, blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("服务照片")
        verbose_name_plural = _("服务照片")

    def __str__(self) -> str:
        return self.file.name
