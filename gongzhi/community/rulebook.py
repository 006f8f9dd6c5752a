"""The street's points rules and grade bands, kept by whoever holds MANAGE_COMMUNITY over the
street (the street admin). Rules are data (ADR 0022): the admin and imports save them here,
which checks them as a whole before writing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community.choices import BrokenRule, Direction
from gongzhi.community.models import GradeBand, PointRule
from gongzhi.core.actors import Actor
from gongzhi.core.contributions import FACT_KINDS
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.roles import MemberType, PostRole


def require_street_power(actor: Actor | None, street: Node) -> None:
    if actor is not None and not access.can(actor, access.MANAGE_COMMUNITY, street):
        raise PermissionDeniedError(_("您无权修改该街道的积分规则"))


def rule_errors(rule: PointRule) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if rule.street_id is not None and rule.street.level != Level.STREET:
        add("street", _("积分规则按街道设定"))
    if not rule.points or rule.points <= 0:
        add("points", _("每次分值须大于0"))
    if rule.direction not in Direction.values:
        add("direction", _("加减无效"))
    if rule.direction == Direction.DEDUCT and rule.broken_rule not in BrokenRule.values:
        add("broken_rule", _("扣分项目须写明违反的规定"))
    if rule.direction == Direction.AWARD and rule.broken_rule:
        add("broken_rule", _("加分项目不填违反的规定"))
    if not isinstance(rule.member_types, list) or not rule.member_types:
        add("member_types", _("请选择适用的党员类型"))
    elif set(rule.member_types) - set(MemberType.values):
        add("member_types", _("党员类型无效"))
    if not isinstance(rule.awarders, list) or set(rule.awarders) - set(PostRole.values):
        add("awarders", _("岗位角色无效"))
    if rule.fact and rule.fact not in FACT_KINDS:
        add("fact", _("自动记分依据无效"))
    if rule.fact and rule.direction == Direction.DEDUCT:
        add("fact", _("自动记分只用于加分"))
    if not rule.fact and not rule.awarders:
        add("awarders", _("手工申报的项目须写明可申报的岗位角色"))
    if not isinstance(rule.fact_details, list):
        add("fact_details", _("依据细分须为列表"))
    return errors


@transaction.atomic
def rule_save(*, actor: Actor | None, rule: PointRule) -> PointRule:
    require_street_power(actor, rule.street)
    errors = rule_errors(rule)
    if errors:
        raise ValidationError(errors)
    rule.save()
    return rule


@transaction.atomic
def band_save(*, actor: Actor | None, band: GradeBand) -> GradeBand:
    require_street_power(actor, band.street)
    if not (band.grade or "").strip():
        raise ValidationError({"grade": [_("请填写等次名称")]})
    band.save()
    return band
