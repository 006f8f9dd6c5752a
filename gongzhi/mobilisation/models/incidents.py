"""Incidents and what they must cover: the entrances (standing data: a gate of an estate or a
building with its opening hours), the incident over its zone, its duty posts, the households,
supplies and doors to cover, and its append-only events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.geo.models import Node
from gongzhi.mobilisation.choices import IncidentKind, IncidentState, ItemKind
from gongzhi.orgs.models import Unit


class Entrance(models.Model):
    """出入口: a gate of an estate, an area or a building, with its opening hours (opens ==
    closes: open all day). The street keeps them in the admin; an incident guards those in
    its zone while they are open."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在辖区"))
    name = models.CharField(_("名称"), max_length=60)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    opens = models.TimeField(_("开放时间"))
    closes = models.TimeField(_("关闭时间"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("出入口")
        verbose_name_plural = _("出入口")
        ordering = ["node__path", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="entrance_name")]

    def __str__(self) -> str:
        return f"{self.node.name}{self.name}"


class Incident(models.Model):
    """应急动员: declared by a street or block cadre over a zone (nodes that may cross areas),
    led by them, optionally started by a 联合居务会 decision (its slip) whose units are on duty."""

    kind = models.CharField(_("事件类型"), max_length=12, choices=IncidentKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    zone = models.ManyToManyField(Node, related_name="+", verbose_name=_("动员范围"))
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("联合值守单位"))
    slip = models.ForeignKey(
        "meetings.Slip",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联合居务会决定"),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=IncidentState.choices, default=IncidentState.ACTIVE
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("启动时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("应急动员")
        verbose_name_plural = _("应急动员")
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"YJ{self.declared_at:%Y}{self.pk:05d}"

    @property
    def active(self) -> bool:
        return self.state == IncidentState.ACTIVE


class IncidentEvent(models.Model):
    """One step of an incident (declared, posts planned, rota solved, swap, no-show, closed).
    Never updated."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("动员记录")
        verbose_name_plural = _("动员记录")
        ordering = ["incident", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action}"


class DutyPost(models.Model):
    """值守点: an entrance to guard (or another post the lead adds), with its hours, how many
    people each shift needs and the skills it asks for."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="posts")
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在辖区"))
    name = models.CharField(_("值守点"), max_length=60)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    opens = models.TimeField(_("值守开始"))
    closes = models.TimeField(_("值守结束"))
    need = models.PositiveSmallIntegerField(_("每班人数"), default=2)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)

    class Meta:
        verbose_name = _("值守点")
        verbose_name_plural = _("值守点")
        ordering = ["incident", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_entrance(self) -> bool:
        return self.entrance_id is not None


class CoverageItem(models.Model):
    """A household to reach (a care subject in the zone, or one flagged by hand), a supply to
    deliver or a building's doors to check; done once, by whom and when."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("类型"), max_length=12, choices=ItemKind.choices)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("位置"))
    node_path = models.CharField(max_length=700, editable=False)
    care_subject = models.ForeignKey(
        "care.CareSubject", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("内容"), max_length=100)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("覆盖事项")
        verbose_name_plural = _("覆盖事项")
        ordering = ["incident", "kind", "node_path", "id"]
        indexes = [models.Index(fields=["incident", "kind", "done_at"], name="coverage_item_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "care_subject"],
                condition=Q(care_subject__isnull=False),
                name="coverage_item_subject_once",
            )
        ]

    def __str__(self) -> str:
        return self.label
