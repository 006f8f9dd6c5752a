"""The kinds of care subjects, signals, devices, rules and alerts, as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ALONE_80 = "alone_80", _("80岁以上独居")
    ALONE_60 = "alone_60", _("60岁以上独居")
    DISABLED = "disabled", _("残疾")
    HARDSHIP = "hardship", _("困难")
    OTHER = "other", _("其他")


class Duty(models.TextChoices):
    """What a responsible post does for a subject."""

    GRID = "grid", _("网格员")
    BUILDING_HEAD = "building_head", _("楼组长")
    VOLUNTEER = "volunteer", _("结对志愿者")
    OTHER = "other", _("其他")


class Signal(models.TextChoices):
    """What a consent covers and what a last-seen row tracks. DOOR, WATER, POWER and ALARM come
    from devices (and need consent); LIFE (a 平安 check-in, a visit, a call) and VISIT (a
    recorded visit or call) are written by people and need none."""

    DOOR = "door", _("门磁")
    WATER = "water", _("用水")
    POWER = "power", _("用电")
    ALARM = "alarm", _("报警（一键呼叫、烟感、燃气）")
    LIFE = "life", _("平安确认")
    VISIT = "visit", _("探访")


DEVICE_SIGNALS = (Signal.DOOR, Signal.WATER, Signal.POWER, Signal.ALARM)


class DeviceKind(models.TextChoices):
    DOOR = "door", _("门磁")
    WATER_METER = "water_meter", _("智能水表")
    POWER_METER = "power_meter", _("智能电表")
    SOS = "sos", _("一键呼叫")
    SMOKE = "smoke", _("烟感")
    GAS = "gas", _("燃气报警")


SIGNAL_OF_DEVICE: dict[str, str] = {
    DeviceKind.DOOR: Signal.DOOR,
    DeviceKind.WATER_METER: Signal.WATER,
    DeviceKind.POWER_METER: Signal.POWER,
    DeviceKind.SOS: Signal.ALARM,
    DeviceKind.SMOKE: Signal.ALARM,
    DeviceKind.GAS: Signal.ALARM,
}
METERS = (DeviceKind.WATER_METER, DeviceKind.POWER_METER)  # cumulative readings
ALARMS = (DeviceKind.SOS, DeviceKind.SMOKE, DeviceKind.GAS)


class RuleKind(models.TextChoices):
    NO_DOOR = "no_door", _("门磁长时间无开合")
    WATER_LOW = "water_low", _("用水过少")
    WATER_LEAK = "water_leak", _("疑似漏水（用水过多或持续）")
    NO_POWER = "no_power", _("长时间无用电")
    SOS = "sos", _("一键呼叫")
    SMOKE = "smoke", _("烟感报警")
    GAS = "gas", _("燃气报警")
    VISIT_OVERDUE = "visit_overdue", _("探访逾期")


ALARM_RULES = (RuleKind.SOS, RuleKind.SMOKE, RuleKind.GAS)
RULE_OF_ALARM: dict[str, str] = {
    DeviceKind.SOS: RuleKind.SOS,
    DeviceKind.SMOKE: RuleKind.SMOKE,
    DeviceKind.GAS: RuleKind.GAS,
}
# The signal whose consent a rule needs (VISIT_OVERDUE needs none: visits work without devices).
SIGNAL_OF_RULE: dict[str, str] = {
    RuleKind.NO_DOOR: Signal.DOOR,
    RuleKind.WATER_LOW: Signal.WATER,
    RuleKind.WATER_LEAK: Signal.WATER,
    RuleKind.NO_POWER: Signal.POWER,
    RuleKind.SOS: Signal.ALARM,
    RuleKind.SMOKE: Signal.ALARM,
    RuleKind.GAS: Signal.ALARM,
}


class ConsentBy(models.TextChoices):
    SUBJECT = "subject", _("本人")
    GUARDIAN = "guardian", _("监护人")


class AwayReason(models.TextChoices):
    HOSPITAL = "hospital", _("住院")
    FAMILY = "family", _("子女家小住")
    TRAVEL = "travel", _("外出")
    OTHER = "other", _("其他")


class AlertState(models.TextChoices):
    OPEN = "open", _("待响应")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    VISITING = "visiting", _("上门探访中")
    CLOSED = "closed", _("已关闭")


class Outcome(models.TextChoices):
    """What the visitor found (the phone form after an alert)."""

    SAFE = "safe", _("平安")
    NEEDS_HELP = "needs_help", _("需要帮助")
    HOSPITAL = "hospital", _("已送医或住院")
    UNREACHABLE = "unreachable", _("不在家且联系不上")
    DIED = "died", _("已去世")
    CASE_CLOSED = "case_closed", _("探访工单已办结")


# Outcomes that close the alert (UNREACHABLE escalates and keeps it open).
CLOSING_OUTCOMES = (Outcome.SAFE, Outcome.NEEDS_HELP, Outcome.HOSPITAL, Outcome.DIED)


class RoundKind(models.TextChoices):
    """A holiday round of visits for a whole area."""

    SPRING_FESTIVAL = "spring_festival", _("春节")
    DOUBLE_NINTH = "double_ninth", _("重阳节")
    OTHER = "other", _("其他")


class VisitKind(models.TextChoices):
    VISIT = "visit", _("上门探访")
    CALL = "call", _("电话问候")
    CHECKIN = "checkin", _("平安确认")


class Door(models.TextChoices):
    """Which door of the ingestion an event came through."""

    HTTP = "http", _("HTTP 批量接口")
    MQTT = "mqtt", _("MQTT")


class Refusal(models.TextChoices):
    """Why an event was refused (counted per day and door, never stored)."""

    UNKNOWN_DEVICE = "unknown_device", _("未登记设备")
    UNBOUND_DEVICE = "unbound_device", _("未绑定设备")
    NO_CONSENT = "no_consent", _("未经同意")
    BACKWARDS = "backwards", _("读数倒退")
    FUTURE = "future", _("时间在未来")
    TOO_OLD = "too_old", _("时间过早")
    INVALID = "invalid", _("内容无效")
    MALFORMED = "malformed", _("消息格式错误")
