"""The community's kinds and states, as data (docs/community.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentKind(models.TextChoices):
    POST = "post", _("岗位")  # 楼组长, 志愿者...
    SERVICE = "service", _("服务")
    VENUE = "venue", _("场地")
    FUNDS = "funds", _("资金")
    HOURS = "hours", _("服务时长")


class CommitmentUnit(models.TextChoices):
    TIMES = "times", _("次")
    HOURS = "hours", _("小时")
    YUAN = "yuan", _("元")


class Direction(models.TextChoices):
    AWARD = "award", _("加分")
    DEDUCT = "deduct", _("扣分")


class BrokenRule(models.TextChoices):
    """What a deduction is for (docs/domain.md §4)."""

    CONVENTION = "convention", _("居民公约")
    PUBLIC_ORDER = "public_order", _("公共秩序")
    PETS = "pets", _("宠物管理")
    FAMILY_VIRTUE = "family_virtue", _("家庭美德")
    NEIGHBOURS = "neighbours", _("邻里和睦")
    WASTE_SORTING = "waste_sorting", _("垃圾分类")
    ENVIRONMENT = "environment", _("环境卫生")


class EntryKind(models.TextChoices):
    AUTO = "auto", _("自动记分")
    MANUAL = "manual", _("审核记分")
    REVERSAL = "reversal", _("冲正")


class ClaimState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class AppealState(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("维持扣分")
    OVERTURNED = "overturned", _("撤销扣分")


class Skill(models.TextChoices):
    """What a volunteer can do; duty posts and tasks ask for some (docs/mobilisation.md)."""

    FIRST_AID = "first_aid", _("急救")
    ELECTRICIAN = "electrician", _("电工")
    COUNSELLING = "counselling", _("心理疏导")
    LEGAL = "legal", _("法律咨询")
    DRIVING = "driving", _("驾驶")
    MEDICAL = "medical", _("医护")
    ELDERLY_CARE = "elderly_care", _("助老")
    SIGN_LANGUAGE = "sign_language", _("手语")


class VolunteerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MEMBER = "member", _("双报到党员")
    UNIT_STAFF = "unit_staff", _("单位职工")


class HoursSource(models.TextChoices):
    """Where served hours come from: each source confirms its own (whoever led it)."""

    ORDER = "order", _("服务订单")
    SHIFT = "shift", _("值守班次")
    TASK = "task", _("志愿任务")
    REVERSAL = "reversal", _("冲正")


class TaskState(models.TextChoices):
    OPEN = "open", _("招募中")
    DONE = "done", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class SignupState(models.TextChoices):
    ACCEPTED = "accepted", _("已接受")
    WITHDRAWN = "withdrawn", _("已退出")
    SERVED = "served", _("已确认时长")
