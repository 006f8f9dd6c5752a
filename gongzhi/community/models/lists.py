"""The three lists (三张清单, docs/community.md): 需求清单 (what residents need), 资源清单 (what units
and registered members offer) and the staff-confirmed matches between them. The 项目清单 that joins
them is in projects.py.

A need or a resource sits at a node of the tree (`node_path` denormalised, as cases): place is
what scope cuts by and what matching ranks by (the same residential area first, then the block,
then the street).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.geo.models import Node
from gongzhi.orgs.models import PartyMember, Unit


class ServiceField(models.TextChoices):
    """What a need asks for and a resource serves: matching pairs them by this first."""

    ELDERLY = "elderly", _("为老服务")
    CHILDREN = "children", _("儿童青少年")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律服务")
    ENVIRONMENT = "environment", _("环境整治")
    FACILITIES = "facilities", _("设施维修")
    CULTURE = "culture", _("文体活动")
    EMPLOYMENT = "employment", _("就业帮扶")
    SAFETY = "safety", _("平安建设")
    OTHER = "other", _("其他")


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("场地")
    PROFESSIONAL = "professional", _("专业人才")
    FUNDS = "funds", _("资金")
    VOLUNTEER_HOURS = "hours", _("志愿服务时长")
    EQUIPMENT = "equipment", _("设备物资")


class Urgency(models.IntegerChoices):
    LOW = 1, _("一般")
    MEDIUM = 2, _("较急")
    HIGH = 3, _("紧急")


class NeedSource(models.TextChoices):
    CASE = "case", _("工单")
    SUGGESTION = "suggestion", _("意见箱")
    TOPIC = "topic", _("居务会议题")
    SURVEY = "survey", _("需求调查")
    STAFF = "staff", _("走访收集")


class NeedState(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已匹配")
    PROJECT = "project", _("已立项")
    MET = "met", _("已满足")
    CLOSED = "closed", _("已关闭")


class Need(models.Model):
    """需求清单: one need, where it is, whom it helps, how urgent, in which window."""

    title = models.CharField(_("需求"), max_length=100)
    text = models.TextField(_("需求说明"), max_length=2000, blank=True)
    field = models.CharField(_("服务领域"), max_length=20, choices=ServiceField.choices)
    wants = models.CharField(
        _("所需资源"), max_length=20, choices=ResourceKind.choices, blank=True, help_text=_("不填表示不限")
    )
    source = models.CharField(_("来源"), max_length=20, choices=NeedSource.choices)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("来源工单")
    )
    # a 居务会 topic's id or a survey's number: community does not import meetings, so the
    # web and API layers read the topic and pass its id, title and place (docs/community.md)
    source_ref = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    source_label = models.CharField(_("来源说明"), max_length=100, blank=True)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("地点"))
    node_path = models.CharField(max_length=700, editable=False)
    beneficiaries = models.CharField(_("受益对象"), max_length=100)
    beneficiary_count = models.PositiveIntegerField(_("受益人数"), default=0)
    urgency = models.PositiveSmallIntegerField(_("紧急程度"), choices=Urgency.choices, default=Urgency.LOW)
    window_from = models.DateField(_("需求开始"), null=True, blank=True)
    window_until = models.DateField(_("需求截止"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=NeedState.choices, default=NeedState.OPEN)
    closed_reason = models.CharField(_("关闭理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-urgency", "-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="need_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "field"], name="need_state_field"),
        ]
        constraints = [
            # a case is listed as a need once; a topic or a survey item once
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="need_one_per_case"
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=Q(source_ref__isnull=False),
                name="need_one_per_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"XQ{self.created_at:%Y}{self.pk:06d}"


class Resource(models.Model):
    """资源清单: what a unit or a registered Party member offers, where and when."""

    title = models.CharField(_("资源"), max_length=100)
    text = models.TextField(_("资源说明"), max_length=2000, blank=True)
    kind = models.CharField(_("资源类型"), max_length=20, choices=ResourceKind.choices)
    field = models.CharField(_("服务领域"), max_length=20, choices=ServiceField.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("提供单位")
    )
    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供党员"),
    )
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务范围"))
    node_path = models.CharField(max_length=700, editable=False)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, null=True, blank=True)
    measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    available_from = models.DateField(_("可用开始"), null=True, blank=True)
    available_until = models.DateField(_("可用截止"), null=True, blank=True)
    schedule = models.CharField(_("可用时段"), max_length=100, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="resource_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["active", "field"], name="resource_active_field"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, member__isnull=True)
                | Q(unit__isnull=True, member__isnull=False),
                name="resource_unit_xor_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"ZY{self.created_at:%Y}{self.pk:06d}"


class MatchState(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("不匹配")


class Match(models.Model):
    """A staff decision on a proposed pair: confirmed (the resource will serve the need) or
    rejected (not proposed again)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="matches")
    state = models.CharField(_("结果"), max_length=10, choices=MatchState.choices)
    rank = models.PositiveSmallIntegerField(_("距离"), default=0)  # 0 same area, 1 block, 2 street
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("需求资源匹配")
        verbose_name_plural = _("需求资源匹配")
        ordering = ["need", "rank", "at"]
        constraints = [models.UniqueConstraint(fields=["need", "resource"], name="match_once")]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.resource_id} {self.get_state_display()}"
