"""The rota: shifts of each duty post, each solver run (its status, objective, bound and gap),
the people assigned with their check-in and check-out, and swap requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.mobilisation.choices import AssignmentState, PersonSource, RotaKind, SwapState
from gongzhi.mobilisation.models.incidents import DutyPost, Incident
from gongzhi.orgs.models import Person, Unit


class Shift(models.Model):
    post = models.ForeignKey(DutyPost, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    need = models.PositiveSmallIntegerField(_("需要人数"))

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["starts_at", "post", "id"]
        indexes = [models.Index(fields=["post", "starts_at"], name="shift_post_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_window")
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_at:%m-%d %H:%M}"


class Rota(models.Model):
    """One solver run that was published: the full rota, or a re-solve after a no-show."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="rotas")
    version = models.PositiveIntegerField(_("版本"))
    kind = models.CharField(_("类型"), max_length=10, choices=RotaKind.choices)
    status = models.CharField(_("求解状态"), max_length=12)  # optimal / feasible
    objective = models.FloatField(_("目标值"), null=True, blank=True)
    bound = models.FloatField(_("下界"), null=True, blank=True)
    gap = models.FloatField(_("最优性差距"), null=True, blank=True)
    shifts = models.PositiveIntegerField(_("班次数"))
    people = models.PositiveIntegerField(_("可排人数"))
    solved_at = models.DateTimeField(_("发布时间"))
    solved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["incident", "-version"]
        constraints = [models.UniqueConstraint(fields=["incident", "version"], name="rota_version")]

    def __str__(self) -> str:
        return f"{self.incident} v{self.version}"


class Assignment(models.Model):
    """A person on a shift, from a published rota; check-in and check-out, hours served."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField(_("来源"), max_length=10, choices=PersonSource.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    volunteer = models.ForeignKey(
        "community.Volunteer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=AssignmentState.choices, default=AssignmentState.ASSIGNED
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("值守安排")
        verbose_name_plural = _("值守安排")
        ordering = ["shift__starts_at", "id"]
        indexes = [models.Index(fields=["person", "state"], name="assignment_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(state__in=["assigned", "checked_in", "checked_out"]),
                name="assignment_once_per_shift",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.person.name}"


class SwapRequest(models.Model):
    """换班: the assigned person asks to hand a shift to someone else; the incident lead decides."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="swaps")
    to_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("接班人")
    )
    reason = models.CharField(_("理由"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=SwapState.choices, default=SwapState.PENDING)
    asked_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.to_person.name}"
