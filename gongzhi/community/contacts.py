"""定点联系: a unit paired with a residential area keeps in touch with it; each visit is
recorded (by the unit's staff or the committee). A pair is ended, never deleted."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community import common
from gongzhi.community.models import ContactPair, ContactVisit
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Unit


def pair_create(
    *, actor: Actor, unit: Unit, node: Node, since: date | None = None, note: str = ""
) -> ContactPair:
    if node.level != Level.AREA:
        raise invalid("node", _("定点联系须对应一个居民区"))
    common.require_manage(actor, node)
    if not unit.active:
        raise invalid("unit", _("该单位已停用"))
    if len(note or "") > 200:
        raise invalid("note", _("最多%(n)s个字符") % {"n": 200})
    if ContactPair.objects.filter(unit=unit, node=node, until__isnull=True).exists():
        raise ConflictError(_("该单位已与该居民区结对"))
    with transaction.atomic():
        return common.create_unique(
            _("该单位已与该居民区结对"),
            ContactPair,
            unit=unit,
            node=node,
            node_path=node.path,
            since=since or clock.today(),
            note=(note or "").strip(),
            created_by=recorded(actor),
        )


def pair_end(*, actor: Actor, pair: ContactPair) -> ContactPair:
    common.require_manage(actor, pair.node)
    if pair.until is not None:
        raise ConflictError(_("该结对已结束"))
    pair.until = clock.today()
    ContactPair.objects.filter(pk=pair.pk).update(until=pair.until)
    return pair


def visit_record(
    *, actor: Actor, pair: ContactPair, on: date | None, summary: str, people: int = 1
) -> ContactVisit:
    own = pair.unit_id in access.held_unit_ids(actor)
    if not own and not common.may_manage(actor, pair.node):
        raise PermissionDeniedError(_("只有结对单位或该居民区可以登记走访"))
    if pair.until is not None:
        raise ConflictError(_("该结对已结束"))
    today = clock.today()
    if on is None:
        raise invalid("on", _("请填写走访日期"))
    if on > today or on < pair.since:
        raise invalid("on", _("走访日期须在结对以来、今天以前"))
    if not 1 <= people <= 500:
        raise invalid("people", _("参加人数应在1到500之间"))
    text = common.text(summary, "summary", _("请填写走访内容"), limit=500)
    with transaction.atomic():
        return ContactVisit.objects.create(
            pair=pair, on=on, people=people, summary=text, recorded_by=recorded(actor), at=clock.now()
        )
