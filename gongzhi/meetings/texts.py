"""三本: the street's rules of procedure, minutes template and task-slip template. Each edit is
a new version (StreetText rows); until a street writes its own, these defaults apply."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.models import StreetText, TextKind
from gongzhi.orgs import access

DEFAULTS: dict[str, str] = {
    TextKind.RULES: (
        "居务会议事规则\n"
        "一、居务会由居民区党组织主持，居委会具体召集，居民群众共同参与。\n"
        "二、议题来源于居民区问题清单、居民建议和上次会议未结事项，由居民区党组织把关后提交会议。\n"
        "三、会议须居民区党组织和“八方”中至少五方出席方可作出决定；未达法定人数的，决定不具约束力。\n"
        "四、会议决定形成任务流转单，由各责任单位会签后生效，明确责任单位、办理事项和完成时限。\n"
        "五、能在居民区层面解决的问题必须在居民区解决；确需提交上级的，经本级会议讨论后逐级提交块区工作会议、"
        "街道专题协调会或行政党组会议，不得越级，不得一报了之。\n"
        "六、任务落实由居民区党组织督办，结果由居民区党组织评议，并可通过评议会听取居民意见。"
    ),
    TextKind.MINUTES: (
        "会议纪要\n会议名称：\n时间：\n地点：\n主持人：\n出席：\n缺席：\n"
        "议题一：\n  情况：\n  讨论：\n  决定：\n议题二：\n  情况：\n  讨论：\n  决定：\n记录人："
    ),
    TextKind.SLIP: (
        "任务流转单\n编号：\n议题：\n决定事项：\n主办单位：\n协办单位：\n完成时限：\n关联工单：\n"
        "会签：各责任单位逐一签署“同意”或“有异议（附理由）”，全部同意后生效。"
    ),
}


def street_of(node: Node) -> Node:
    return streets.street_of(node)


def current_text(street: Node, kind: str) -> str:
    row = StreetText.objects.filter(street=street, kind=kind).order_by("-version").first()
    return row.body if row is not None else DEFAULTS[kind]


def street_text_save(*, actor: Actor, street: Node, kind: str, body: str, reason: str = "") -> StreetText:
    """A new version of one of the three texts; earlier versions stay on record."""
    if street.level != Level.STREET:
        raise invalid("street", _("三本由街道统一维护"))
    if not access.can(actor, access.MANAGE_TREE, street):
        raise PermissionDeniedError(_("只有街道管理员可以修改三本"))
    if kind not in TextKind.values:
        raise invalid("kind", _("文本类型无效"))
    body = (body or "").strip()
    if not body:
        raise invalid("body", _("内容不能为空"))
    if len(body) > 20000:
        raise invalid("body", _("内容不能超过20000字"))
    with transaction.atomic():
        last = (
            StreetText.objects.select_for_update()
            .filter(street=street, kind=kind)
            .aggregate(v=Max("version"))
        )
        return StreetText.objects.create(
            street=street,
            kind=kind,
            version=(last["v"] or 0) + 1,
            body=body,
            reason=(reason or "").strip()[:200],
            created_by=recorded(actor),
            created_at=clock.now(),
        )
