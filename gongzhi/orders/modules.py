"""The checks the admin (and the demo's seeding) applies to service modules and team rows, so a
module always names its street, serves places on it, keeps hours that make sense and a
response time; a team row names exactly one post, unit or person — a registered (双报到) member
or a registered volunteer."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.community.volunteers import active_volunteer
from gongzhi.geo.levels import Level
from gongzhi.orders.choices import WEEKDAY_NAMES
from gongzhi.orders.models import ServiceModule, TeamMember
from gongzhi.orgs.models import DualRegistration

MAX_RESPONSE_MINUTES = 7 * 24 * 60


def module_errors(module: ServiceModule, places: list[Any] | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if module.street_id is not None and module.street.level != Level.STREET:
        errors["street"] = [_("服务模块按街道设立，请选择街道")]
    days = module.weekdays
    if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
        errors["weekdays"] = [_("服务日应为1到7之间的数字列表（1=周一）")]
    if module.opens_at and module.closes_at and module.opens_at >= module.closes_at:
        errors["closes_at"] = [_("服务结束时间须晚于开始时间")]
    if not module.response_minutes or module.response_minutes > MAX_RESPONSE_MINUTES:
        errors["response_minutes"] = [_("响应时限应在1分钟到7天之间")]
    hours = module.default_hours
    if hours is None or not Decimal("0.1") <= Decimal(hours) <= Decimal("24"):
        errors["default_hours"] = [_("默认服务时长应在0.1到24小时之间")]
    if places is not None and module.street_id is not None:
        if not places:
            errors["places"] = [_("请至少选择一个服务范围")]
        elif any(not p.path.startswith(module.street.path) for p in places):
            errors["places"] = [_("服务范围须在本街道内")]
    return errors


def member_errors(member: TeamMember) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    chosen = [x for x in (member.post_id, member.unit_id, member.person_id) if x]
    if len(chosen) != 1:
        errors["post"] = [_("每行只填岗位、单位或个人（报到党员、志愿者）中的一项")]
        return errors
    if member.is_lead and member.unit_id:
        errors["is_lead"] = [_("模块负责人须是具体岗位或人员，不能是单位")]
    if member.person_id and not _registered(member):
        errors["person"] = [_("个人成员须是已确认报到的党员（双报到）或本街道登记的志愿者")]
    return errors


def _registered(member: TeamMember) -> bool:
    """A person row names a confirmed 双报到 member, or an active volunteer (community's
    registration; of the module's street when the row knows its module)."""
    if member.person_id is None:
        return False
    if DualRegistration.objects.filter(
        member__person_id=member.person_id, state=DualRegistration.State.CONFIRMED, ended_on__isnull=True
    ).exists():
        return True
    volunteer = active_volunteer(member.person_id)
    if volunteer is None:
        return False
    module = ServiceModule.objects.filter(pk=member.module_id).select_related("street").first()
    return module is None or volunteer.node_path.startswith(module.street.path)


def open_now(module: ServiceModule, at: datetime) -> bool:
    """Within the module's service hours (an order outside them still waits in the pool)."""
    local = timezone.localtime(at)
    return local.isoweekday() in module.weekdays and module.opens_at <= local.time() < module.closes_at


def hours_label(module: ServiceModule) -> str:
    names = "、".join(str(WEEKDAY_NAMES[d]) for d in module.weekdays if d in WEEKDAY_NAMES)
    return f"{names} {module.opens_at:%H:%M}–{module.closes_at:%H:%M}"
