"""Case states, sources, handling rungs and satisfaction grades (docs/design.md §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("待受理")
    REGISTERED = "registered", _("已立案")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    AWAITING_VERIFICATION = "awaiting_verification", _("待核查")
    CLOSED = "closed", _("已结案")
    RETURNED = "returned", _("退回")
    PARKED = "parked", _("挂账")
    MERGED = "merged", _("已合并")
    VOID = "void", _("作废")
    ESCALATED = "escalated", _("已升级")


OPEN_STATES = frozenset(State) - {State.CLOSED, State.MERGED, State.VOID}
# Reports whose text no public surface shows: one no dispatcher has accepted yet may hold anything
# (abuse, a neighbour's name the scrubber misses), and a voided one was refused for its content.
TEXT_WITHHELD_STATES = frozenset({State.RECEIVED, State.VOID})


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民上报")
    PATROL = "patrol", _("网格巡查")
    HOTLINE = "hotline", _("12345热线")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    SENSOR = "sensor", _("感知设备")
    MEETING = "meeting", _("居务会")


class Rung(models.IntegerChoices):
    """The rung of the escalation ladder that currently handles a case."""

    AREA = 3, _("居民区")
    BLOCK = 2, _("块区")
    STREET = 1, _("街道")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
