"""Mobilisation's kinds and states, as data (docs/mobilisation.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    EPIDEMIC = "epidemic", _("周边疫情")
    FLOOD = "flood", _("汛情内涝")
    FIRE = "fire", _("火灾")
    POWER_CUT = "power_cut", _("停电")
    OTHER = "other", _("其他突发事件")


class IncidentState(models.TextChoices):
    ACTIVE = "active", _("动员中")
    CLOSED = "closed", _("已结束")


class ItemKind(models.TextChoices):
    """What must be covered besides the entrances."""

    HOUSEHOLD = "household", _("走访困难群体")
    SUPPLY = "supply", _("物资配送")
    DOOR_CHECK = "door_check", _("逐户排查")


class PersonSource(models.TextChoices):
    """Where a person on the rota comes from."""

    VOLUNTEER = "volunteer", _("志愿者")
    PROPERTY = "property", _("物业人员")
    UNIT = "unit", _("单位人员")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("已排班")
    CHECKED_IN = "checked_in", _("已签到")
    CHECKED_OUT = "checked_out", _("已签退")
    NO_SHOW = "no_show", _("缺岗")
    SWAPPED = "swapped", _("已换班")
    REPLACED = "replaced", _("已重排")
    # the person said they are away on the shift's day after the rota was published
    RELEASED = "released", _("请假释放")


STANDING = (AssignmentState.ASSIGNED, AssignmentState.CHECKED_IN, AssignmentState.CHECKED_OUT)
# someone who should have stood and will not: their shift is a gap while it is short of people
GAP_STATES = (AssignmentState.NO_SHOW, AssignmentState.RELEASED)


class RotaKind(models.TextChoices):
    FULL = "full", _("排班")
    RESOLVE = "resolve", _("缺岗重排")


class SwapState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")
