"""双报到 as a process: the registration's events (append-only), what it commits to, and the
service done against each commitment. The registration row itself is orgs.DualRegistration,
whose `state` the process moves (docs/community.md "Where the state lives")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.orgs.models import DualRegistration


class RegistrationEvent(models.Model):
    """One step of a registration: applied, confirmed, declined, commitment added, service
    recorded, ended, moved. Never updated or deleted."""

    registration = models.ForeignKey(DualRegistration, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("双报到记录")
        verbose_name_plural = _("双报到记录")
        ordering = ["registration", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.action} {self.at:%Y-%m-%d}"


class Commitment(models.Model):
    """What a registered unit or member commits to: a post (楼组长, 志愿者), a service, a venue,
    funds or hours, with a quantity per year."""

    registration = models.ForeignKey(DualRegistration, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("承诺类型"), max_length=10, choices=CommitmentKind.choices)
    title = models.CharField(_("承诺内容"), max_length=100)
    per_year = models.DecimalField(_("每年数量"), max_digits=10, decimal_places=1)
    unit = models.CharField(_("计量单位"), max_length=10, choices=CommitmentUnit.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("报到承诺")
        verbose_name_plural = _("报到承诺")
        ordering = ["registration", "id"]

    def __str__(self) -> str:
        return f"{self.title} {self.per_year}{self.get_unit_display()}"


class ServiceRecord(models.Model):
    """Service done against a commitment, recorded by committee staff. Append-only: a mistake
    is corrected by a record with the negative quantity and a reason."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="records")
    done_on = models.DateField(_("服务日期"))
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=1)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["done_on", "id"]
        indexes = [models.Index(fields=["commitment", "done_on"], name="service_record_commitment")]

    def __str__(self) -> str:
        return f"{self.done_on} {self.quantity}"
