"""直报: serious incidents reported straight to the street (docs/mobilisation.md "直报").

The street's duty roster is data: who is on duty each day (`DutyDay`: the duty officer and the
day's leader, 带班领导) and the leaders in the order the chain climbs (`DutyLeader`). A report
(`DirectReport`) is a workflow row whose state the services move (mobilisation.direct_workflow)
and whose every step appends a `DirectEvent`; 续报 are `DirectFollowUp` rows; photos hang on the
report or a follow-up. Nothing here is updated except by mobilisation.direct and its chain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person, Post


class DirectKind(models.TextChoices):
    FIRE = "fire", _("火灾")
    INJURY = "injury", _("人员伤亡")
    COLLAPSE = "collapse", _("房屋或设施倒塌")
    EPIDEMIC = "epidemic", _("疫情接触")
    CROWD = "crowd", _("群体性纠纷")
    OTHER = "other", _("其他重大突发事件")


class DirectState(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    FOLLOWED_UP = "followed_up", _("已续报")
    CLOSED = "closed", _("已办结")
    CONVERTED = "converted", _("已转办")


OPEN_STATES = (DirectState.REPORTED, DirectState.ACKNOWLEDGED, DirectState.FOLLOWED_UP)


class ConvertedTo(models.TextChoices):
    CASE = "case", _("工单")
    MOBILISATION = "mobilisation", _("应急动员")


class DutyDay(models.Model):
    """One street's duty for one duty day (from the handover time, DIRECT_DUTY_HANDOVER, to the
    next): the duty officer (值班员) told first, and the day's leader (带班领导) told with them."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    day = models.DateField(_("值班日期"))
    officer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("值班员"))
    leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("带班领导")
    )
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["street", "-day"]
        constraints = [models.UniqueConstraint(fields=["street", "day"], name="direct_duty_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.officer}"


class DutyLeader(models.Model):
    """A leader of the street in the order 直报 escalate to them (1 first: 分管领导, then the
    主任, the 书记 ...)."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("领导"))
    title = models.CharField(_("职务"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("直报领导")
        verbose_name_plural = _("直报领导")
        ordering = ["street", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "person"], name="direct_leader_once"),
            models.UniqueConstraint(fields=["street", "order"], name="direct_leader_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title} {self.person}"


class DirectReport(models.Model):
    """直报: what happened where, who reported it from which post, and how the street answered."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("地点"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DirectKind.choices)
    text = models.TextField(_("情况"))
    state = models.CharField(
        _("状态"), max_length=20, choices=DirectState.choices, default=DirectState.REPORTED
    )
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    reporter_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("报告岗位")
    )
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    duty_day = models.DateField(_("值班日期"))
    # the chain: how far it has climbed, and when it climbs next unless someone acknowledges
    escalation_level = models.PositiveSmallIntegerField(_("已通知到第几位领导"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up_due_at = models.DateTimeField(_("续报期限"))
    followed_up_at = models.DateTimeField(_("首次续报时间"), null=True, blank=True)
    follow_up_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.CharField(_("处置结果"), max_length=500, blank=True)
    converted_to = models.CharField(_("转办为"), max_length=20, choices=ConvertedTo.choices, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("工单")
    )
    # The incident a mobilisation opened for it (mobilisation.direct_hooks); a plain id until the
    # incident model lands, then a foreign key.
    incident_id = models.PositiveBigIntegerField(_("应急动员"), null=True, blank=True)
    misuse = models.BooleanField(_("误用直报"), default=False)
    misuse_reason = models.CharField(_("误用原因"), max_length=200, blank=True)
    misuse_at = models.DateTimeField(null=True, blank=True)
    misuse_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("直报")
        verbose_name_plural = _("直报")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["street", "state"], name="direct_street_state")]

    def __str__(self) -> str:
        return f"直报 {self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class DirectEvent(models.Model):
    """One step of a 直报: reported, told (who, at which level), acknowledged, followed up,
    reminded, closed, converted, marked as misuse. Never updated or deleted."""

    report = models.ForeignKey(DirectReport, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("直报记录")
        verbose_name_plural = _("直报记录")
        ordering = ["report", "seq"]
        constraints = [models.UniqueConstraint(fields=["report", "seq"], name="direct_event_seq")]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.seq} {self.action}"


class DirectFollowUp(models.Model):
    """续报: the written follow-up, due within DIRECT_FOLLOW_UP_MINUTES of the report."""

    report = models.ForeignKey(DirectReport, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.TextField(_("续报内容"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("续报")
        verbose_name_plural = _("续报")
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.at:%H:%M}"


def direct_photo_path(instance: "DirectPhoto", filename: str) -> str:
    return f"direct/{instance.report_id}/{filename}"


class DirectPhoto(models.Model):
    """A scene photo, checked as the cases' (type from the header, size and pixel caps)."""

    report = models.ForeignKey(DirectReport, on_delete=models.CASCADE, related_name="photos")
    follow_up = models.ForeignKey(
        DirectFollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    file = models.FileField(upload_to=direct_photo_path)
    thumbnail = models.FileField(upload_to=direct_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("直报照片")
        verbose_name_plural = _("直报照片")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.file.name}"


__all__ = [
    "OPEN_STATES",
    "ConvertedTo",
    "DirectEvent",
    "DirectFollowUp",
    "DirectKind",
    "DirectPhoto",
    "DirectReport",
    "DirectState",
    "DutyDay",
    "DutyLeader",
]
