"""Volunteers beside the 双报到 members (ADR 0027): who volunteers, with which skills, when they
are free by weekday and hour, the tasks they accept, and the time bank of hours served —
append-only entries, each confirmed by whoever led the order, the shift or the task."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.community.choices import HoursSource, SignupState, TaskState, VolunteerKind
from gongzhi.geo.models import Node
from gongzhi.orgs.models import DualRegistration, Person, Unit


class Volunteer(models.Model):
    """A registered volunteer serving a residential area: a resident, a 双报到 member (through
    their registration) or a unit's staff member (through the unit). One active row a person."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="volunteer_records", verbose_name=_("人员")
    )
    kind = models.CharField(_("志愿者类型"), max_length=12, choices=VolunteerKind.choices)
    area = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务居民区"))
    node_path = models.CharField(max_length=700, editable=False)  # the area's: scope
    registration = models.ForeignKey(
        DualRegistration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在单位")
    )
    skills = models.JSONField(_("技能"), default=list, blank=True)
    max_hours_day = models.PositiveSmallIntegerField(_("每天最多小时"), default=8)
    max_hours_week = models.PositiveSmallIntegerField(_("每周最多小时"), default=24)
    min_rest_hours = models.PositiveSmallIntegerField(_("两班最少间隔（小时）"), default=8)
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["node_path", "id"]
        indexes = [
            models.Index(fields=["node_path"], name="volunteer_scope", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="volunteer_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_kind_display()}）"


class Availability(models.Model):
    """A weekly window when the volunteer can serve: weekday (0 = Monday) and hours [start, end)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("星期"))
    start_hour = models.PositiveSmallIntegerField(_("开始（时）"))
    end_hour = models.PositiveSmallIntegerField(_("结束（时）"))

    class Meta:
        verbose_name = _("可服务时段")
        verbose_name_plural = _("可服务时段")
        ordering = ["volunteer", "weekday", "start_hour"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6, start_hour__lt=models.F("end_hour"), end_hour__lte=24),
                name="availability_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start_hour:02d}–{self.end_hour:02d}"


class Absence(models.Model):
    """A stretch of days the volunteer is away (出差, 住院, 回老家), both days included: the rota
    leaves them off every shift touching one of those days, whatever their weekly windows say."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=100)

    class Meta:
        verbose_name = _("暂停服务日期")
        verbose_name_plural = _("暂停服务日期")
        ordering = ["volunteer", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="absence_span")
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on} {self.reason}"


class HoursEntry(models.Model):
    """One line of a volunteer's time bank (时间银行). Append-only: the database refuses an
    UPDATE (and on PostgreSQL a DELETE); a correction is a reversing entry."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    node_path = models.CharField(max_length=700, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=HoursSource.choices)
    source_key = models.CharField(max_length=120, unique=True)
    occurred_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=6, decimal_places=1)
    label = models.CharField(_("事由"), max_length=200)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    recorded_at = models.DateTimeField()
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("冲正理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["volunteer", "occurred_on"], name="hours_volunteer"),
            models.Index(fields=["node_path"], name="hours_scope", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [models.CheckConstraint(condition=~Q(hours=0), name="hours_not_zero")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.label} {self.hours}"


class VolunteerTask(models.Model):
    """志愿任务: an activity or event a committee posts for volunteers to accept; its lead
    confirms the hours each served."""

    area = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("居民区"))
    node_path = models.CharField(max_length=700, editable=False)
    title = models.CharField(_("任务"), max_length=100)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    need = models.PositiveSmallIntegerField(_("需要人数"))
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("志愿任务")
        verbose_name_plural = _("志愿任务")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["node_path"], name="vtask_scope", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.title


class TaskSignup(models.Model):
    task = models.ForeignKey(VolunteerTask, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    state = models.CharField(
        _("状态"), max_length=10, choices=SignupState.choices, default=SignupState.ACCEPTED
    )
    accepted_at = models.DateTimeField()
    entry = models.OneToOneField(
        HoursEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("任务报名")
        verbose_name_plural = _("任务报名")
        constraints = [models.UniqueConstraint(fields=["task", "volunteer"], name="task_signup_once")]

    def __str__(self) -> str:
        return f"{self.task} {self.volunteer}"
