"""资源清单: what a unit or a registered Party member offers (venues, professionals, funds,
volunteer hours, equipment), where it serves and when it is available.

A unit's own staff list their unit's resources; committee staff list any unit's within their
area and a member's, who must be registered (双报到, orgs.DualRegistration) with an area the
resource serves.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community import common
from gongzhi.community.models import Resource, ResourceKind, ServiceField
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Unit


@dataclass
class ResourceDraft:
    title: str
    kind: str
    field: str
    unit: Unit | None = None
    member: PartyMember | None = None
    node: Node | None = None  # where it serves; the unit's node, or the member's area, when None
    text: str = ""
    quantity: Any = None
    measure: str = ""
    available_from: date | None = None
    available_until: date | None = None
    schedule: str = ""


def _member_area(member: PartyMember) -> Node | None:
    today = clock.today()
    registration = (
        DualRegistration.objects.filter(member=member, registered_on__lte=today)
        .exclude(ended_on__lt=today)
        .select_related("node")
        .order_by("-registered_on")
        .first()
    )
    return registration.node if registration else None


def _validate(actor: Actor, draft: ResourceDraft) -> tuple[Node, Decimal | None]:
    common.text(draft.title, "title", _("请填写资源名称"), limit=100)
    common.choice(draft.kind, "kind", ResourceKind, _("请选择资源类型"))
    common.choice(draft.field, "field", ServiceField, _("请选择服务领域"))
    if (draft.unit is None) == (draft.member is None):
        raise invalid("unit", _("资源须由一个单位或一名党员提供"))
    if len(draft.text or "") > 2000:
        raise invalid("text", _("最多%(n)s个字符") % {"n": 2000})
    if len(draft.measure or "") > 20:
        raise invalid("measure", _("最多%(n)s个字符") % {"n": 20})
    if len(draft.schedule or "") > 100:
        raise invalid("schedule", _("最多%(n)s个字符") % {"n": 100})
    quantity = common.amount(draft.quantity, "quantity")
    common.window(draft.available_from, draft.available_until, "available_until")
    if draft.unit is not None:
        if not draft.unit.active:
            raise invalid("unit", _("该单位已停用"))
        node = draft.node or draft.unit.node
        own = draft.unit.pk in access.held_unit_ids(actor)
        if not own and not common.may_manage(actor, node):
            raise PermissionDeniedError(_("只能登记本单位或本辖区单位的资源"))
    else:
        assert draft.member is not None
        area = _member_area(draft.member)
        if area is None:
            raise invalid("member", _("该党员尚未到社区报到（双报到），不能登记资源"))
        node = draft.node or area
        if not node.path.startswith(area.path):
            raise invalid("node", _("党员的资源须服务于其报到的居民区"))
        common.require_manage(actor, node)
    return node, quantity


def resource_create(*, actor: Actor, draft: ResourceDraft) -> Resource:
    node, quantity = _validate(actor, draft)
    with transaction.atomic():
        return Resource.objects.create(
            title=draft.title.strip(),
            text=(draft.text or "").strip(),
            kind=draft.kind,
            field=draft.field,
            unit=draft.unit,
            member=draft.member,
            node=node,
            node_path=node.path,
            quantity=quantity,
            measure=(draft.measure or "").strip(),
            available_from=draft.available_from,
            available_until=draft.available_until,
            schedule=(draft.schedule or "").strip(),
            created_by=recorded(actor),
            created_at=clock.now(),
        )


def resource_withdraw(*, actor: Actor, resource: Resource) -> Resource:
    """The offer ends (kept on the list's history, no longer matched)."""
    own = resource.unit_id is not None and resource.unit_id in access.held_unit_ids(actor)
    if not own:
        common.require_manage(actor, resource.node)
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(active=False)
    resource.active = False
    return resource
