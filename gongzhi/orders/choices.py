"""The order mode's vocabularies: module kinds, order states, escalation levels (docs/services.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModuleKind(models.TextChoices):
    """What a service module serves; a street may run several modules of one kind."""

    SAFETY = "safety", _("安全")
    CONVENIENCE = "convenience", _("便民")
    DAILY_HELP = "daily_help", _("生活帮扶")
    MEDIATION = "mediation", _("矛盾调解")
    COUNSELLING = "counselling", _("心理疏导")
    LEGAL = "legal", _("法律咨询")
    ELDERLY = "elderly", _("为老服务")
    OTHER = "other", _("其他")


class OrderState(models.TextChoices):
    OPEN = "open", _("待接单")
    TAKEN = "taken", _("服务中")
    SERVED = "served", _("待确认")
    CLOSED = "closed", _("已完成")
    CONVERTED = "converted", _("已转工单")
    CANCELLED = "cancelled", _("已取消")


FINISHED_STATES = frozenset({OrderState.CLOSED, OrderState.CONVERTED, OrderState.CANCELLED})


class Escalation(models.IntegerChoices):
    """Who answers for an order nobody took: the pool, then the module's lead, the committee of
    the place, the street (one step per response time, orders.sweep)."""

    POOL = 0, _("抢单池")
    LEAD = 1, _("模块负责人")
    COMMITTEE = 2, _("居委会")
    STREET = 3, _("街道")


class Satisfaction(models.TextChoices):
    """The resident's rating, the grades of a case's callback (cases.states.Satisfaction)."""

    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


WEEKDAY_NAMES = {
    1: _("周一"),
    2: _("周二"),
    3: _("周三"),
    4: _("周四"),
    5: _("周五"),
    6: _("周六"),
    7: _("周日"),
}
