"""需求清单: needs come from cases (a case listed as a need, the suggestion box's included), from
居务会 topics (the web and API layers read the topic through meetings and pass it here as a
`TopicRef`: community sits beside meetings and may not import it), from surveys and from
staff's visits. Each has a place, its beneficiaries, an urgency and a window in time.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case, CaseEvent, pk_from_number
from gongzhi.cases.services import Act, case_act
from gongzhi.community import common
from gongzhi.community.models import Need, NeedSource, NeedState, ResourceKind, ServiceField, Urgency
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access

SUGGESTION_CHANNEL = "suggestion"  # Intake.data["channel"] of the public board's suggestion box


@dataclass
class NeedDraft:
    title: str
    field: str
    node: Node | None
    beneficiaries: str
    text: str = ""
    wants: str = ""
    beneficiary_count: int = 0
    urgency: int = Urgency.LOW
    window_from: date | None = None
    window_until: date | None = None


@dataclass(frozen=True)
class TopicRef:
    """What a need keeps of a 居务会 topic (read by the caller through meetings.selectors)."""

    pk: int
    title: str
    node: Node


def _validate(draft: NeedDraft) -> None:
    common.text(draft.title, "title", _("请填写需求"), limit=100)
    common.choice(draft.field, "field", ServiceField, _("请选择服务领域"))
    if draft.wants and draft.wants not in ResourceKind.values:
        raise invalid("wants", _("资源类型无效"))
    if draft.node is None:
        raise invalid("node", _("请选择需求所在地点"))
    if draft.node.level < Level.AREA:
        raise invalid("node", _("需求须落在居民区或更具体的地点"))
    common.text(draft.beneficiaries, "beneficiaries", _("请填写受益对象"), limit=100)
    if len(draft.text or "") > 2000:
        raise invalid("text", _("最多%(n)s个字符") % {"n": 2000})
    if not 0 <= draft.beneficiary_count <= 1_000_000:
        raise invalid("beneficiary_count", _("受益人数应在0到1000000之间"))
    common.choice(draft.urgency, "urgency", Urgency, _("请选择紧急程度"))
    common.window(draft.window_from, draft.window_until, "window_until")


def _create(
    actor: Actor,
    draft: NeedDraft,
    *,
    source: str,
    case: Case | None = None,
    source_ref: int | None = None,
    source_label: str = "",
) -> Need:
    assert draft.node is not None
    return common.create_unique(
        _("该来源已列入需求清单"),
        Need,
        title=draft.title.strip(),
        text=(draft.text or "").strip(),
        field=draft.field,
        wants=draft.wants or "",
        source=source,
        case=case,
        source_ref=source_ref,
        source_label=source_label[:100],
        node=draft.node,
        node_path=draft.node.path,
        beneficiaries=draft.beneficiaries.strip(),
        beneficiary_count=draft.beneficiary_count,
        urgency=int(draft.urgency),
        window_from=draft.window_from,
        window_until=draft.window_until,
        created_by=recorded(actor),
        created_at=clock.now(),
    )


def need_create(*, actor: Actor, draft: NeedDraft, source: str = NeedSource.STAFF, survey: str = "") -> Need:
    """A need staff collected on their rounds (走访) or read from a survey (`survey` names it)."""
    _validate(draft)
    assert draft.node is not None
    common.require_manage(actor, draft.node)
    if source not in (NeedSource.STAFF, NeedSource.SURVEY):
        raise invalid("source", _("来源无效"))
    if source == NeedSource.SURVEY and not survey.strip():
        raise invalid("survey", _("请填写需求调查的名称"))
    with transaction.atomic():
        return _create(actor, draft, source=source, source_label=survey.strip())


def case_by_number(user: Actor, number: str) -> Case:
    """The case with this number among those the user may see (else the same field error)."""
    pk = pk_from_number(number)
    case = Case.objects.filter(access.cases_q(user), pk=pk).first() if pk else None
    if case is None or case.number != (number or "").strip():
        raise invalid("case", _("没有找到该工单（或您无权查看）"))
    return case


def is_suggestion(case: Case) -> bool:
    first = CaseEvent.objects.filter(case=case).order_by("seq").values_list("data", flat=True).first()
    return isinstance(first, dict) and first.get("channel") == SUGGESTION_CHANNEL


def need_from_case(*, actor: Actor, case: Case, draft: NeedDraft, note: str = "") -> Need:
    """A case (or a suggestion from the public board) listed as a need: the need keeps the case,
    and the case gets a 列入需求清单 event through cases' own service (its case-side rules: the
    dispatcher, the handler or the street may mark it). A case is listed once."""
    if not Case.objects.filter(access.cases_q(actor), pk=case.pk).exists():
        raise invalid("case", _("只能把您可查看的工单列入需求清单"))
    draft.node = draft.node or case.node
    _validate(draft)
    assert draft.node is not None
    common.require_manage(actor, draft.node)
    if Need.objects.filter(case=case).exists():
        raise ConflictError(_("该工单已列入需求清单"))
    source = NeedSource.SUGGESTION if is_suggestion(case) else NeedSource.CASE
    with transaction.atomic():
        need = _create(actor, draft, source=source, case=case, source_label=case.number)
        fresh = Case.objects.get(pk=case.pk)
        case_act(
            actor=actor,
            case=fresh,
            act=Act(
                action="list_need",
                version=fresh.version,
                note=(note or "").strip() or _("列入需求清单：%(title)s") % {"title": need.title},
                data={"need": need.pk},
            ),
        )
    return need


def need_from_topic(*, actor: Actor, topic: TopicRef, draft: NeedDraft) -> Need:
    """A 居务会 topic taken up as a need (the caller has checked the actor may see the topic)."""
    draft.node = draft.node or topic.node
    _validate(draft)
    assert draft.node is not None
    if not draft.node.path.startswith(topic.node.path) and not topic.node.path.startswith(draft.node.path):
        raise invalid("node", _("需求地点须在议题所属辖区内"))
    common.require_manage(actor, draft.node)
    if Need.objects.filter(source=NeedSource.TOPIC, source_ref=topic.pk).exists():
        raise ConflictError(_("该议题已列入需求清单"))
    with transaction.atomic():
        return _create(actor, draft, source=NeedSource.TOPIC, source_ref=topic.pk, source_label=topic.title)


def need_close(*, actor: Actor, need: Need, met: bool, reason: str = "") -> Need:
    """Mark a need met (满足) or close it with a reason (not for the community to meet)."""
    common.require_manage(actor, need.node)
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state in (NeedState.MET, NeedState.CLOSED):
            raise ConflictError(_("该需求已办结"))
        if not met:
            need.closed_reason = common.text(reason, "reason", _("关闭需求须说明理由"), limit=200)
        need.state = NeedState.MET if met else NeedState.CLOSED
        need.save(update_fields=["state", "closed_reason"])
    return need
