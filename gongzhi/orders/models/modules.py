"""Service modules (服务模块) and the teams behind them (docs/services.md).

A street runs its modules (安全, 便民, 生活帮扶, 矛盾调解, 心理疏导, 法律咨询 ...), each with service
hours, the places it serves and a response time: how long an order may wait in the pool
before the module's lead is asked to assign it. A team is rows naming a roster post (whoever
holds or deputises it), a unit (a social organisation, a law firm: whoever holds a post in
it) or a person (a 双报到 member); one or more rows are the module's leads.
"""

from datetime import time
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.geo.models import Node
from gongzhi.orders.choices import ModuleKind
from gongzhi.orgs.models import Person, Post, Unit


def all_weekdays() -> list[int]:
    return [1, 2, 3, 4, 5, 6, 7]


class ServiceModule(models.Model):
    street = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="service_modules", verbose_name=_("街道")
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("名称（英文）"), max_length=80, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ModuleKind.choices)
    description = models.CharField(_("服务内容"), max_length=300, blank=True)
    places = models.ManyToManyField(Node, related_name="+", verbose_name=_("服务范围"))
    weekdays = models.JSONField(_("服务日（1=周一 … 7=周日）"), default=all_weekdays)
    opens_at = models.TimeField(_("服务开始时间"), default=time(8, 0))
    closes_at = models.TimeField(_("服务结束时间"), default=time(20, 0))
    response_minutes = models.PositiveIntegerField(_("响应时限（分钟）"), default=30)
    default_hours = models.DecimalField(
        _("默认服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        help_text=_("服务人员登记服务情况时未填时长，按此计入"),
    )
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务模块")
        verbose_name_plural = _("服务模块")
        ordering = ["street", "position", "code"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """One row of a module's team: a post, a unit or a person (exactly one)."""

    module = models.ForeignKey(ServiceModule, on_delete=models.CASCADE, related_name="members")
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("岗位")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位/社会组织"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报到党员或志愿者"),
    )
    is_lead = models.BooleanField(_("模块负责人"), default=False)

    class Meta:
        verbose_name = _("服务团队成员")
        verbose_name_plural = _("服务团队成员")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, unit__isnull=True, person__isnull=True)
                    | Q(post__isnull=True, unit__isnull=False, person__isnull=True)
                    | Q(post__isnull=True, unit__isnull=True, person__isnull=False)
                ),
                name="team_member_one_of",
            )
        ]

    def __str__(self) -> str:
        who = self.post or self.unit or self.person
        return f"{self.module} · {who}"
