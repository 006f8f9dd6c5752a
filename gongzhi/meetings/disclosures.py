"""双公示: repairs paid by residents (专项维修资金, the owners of a building or of a lift unit)
are published twice on the public board: the plan and its budget before the work, the result
and what it actually cost after it (docs/domain.md §4, "public accountability").

A published fact is never overwritten silently: each publication appends a DisclosureEvent
holding exactly what was published, and a correction (`disclosure_amend`) needs a reason and
keeps the replaced values in its event, which the public page shows too. Only holders of
CONVENE over the place (the committee and Party secretary of the area, or the block and
street above it: those who call the 居务会 that decides such spending) publish; anyone else
gets PermissionDeniedError (403). Bad input raises ValidationError with Chinese field
messages and writes nothing.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import ancestors
from gongzhi.meetings.models import (
    Disclosure,
    DisclosureEvent,
    DisclosureState,
    Payer,
    Slip,
    SlipState,
)
from gongzhi.meetings.selectors import slip_q
from gongzhi.orgs import access
from gongzhi.orgs.models import Post

MAX_AMOUNT = Decimal("100000000")  # 一亿元: far above any estate repair, and a typo's guard
MAX_HOUSEHOLDS = 100_000
MAX_TITLE = 120
MAX_TEXT = 2000
MAX_REASON = 300
PLACE_LEVELS = (Level.AREA, Level.ESTATE, Level.GRID, Level.BUILDING)  # never a household
STAGES = ("plan", "result")

Errors = dict[str, list[str]]


# --- checks ----------------------------------------------------------------------------------


def parse_amount(value: Any, field: str, errors: Errors, *, required: bool = True) -> Decimal | None:
    """A sum of money in yuan: a finite number ≥ 0, at most two decimals, at most MAX_AMOUNT."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(field, []).append(_("请填写金额"))
        return None
    if isinstance(value, float):  # a float is never exact money: go through its text
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("金额应为数字，例如 12800.50"))
        return None
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("金额应为数字，例如 12800.50"))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("金额不能为负数"))
        return None
    if amount > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("金额不能超过1亿元"))
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(_("金额最多保留两位小数"))
        return None
    return amount.quantize(Decimal("0.01")) if amount else Decimal("0.00")  # never "-0.00"


def _text(value: Any, field: str, limit: int, errors: Errors, missing: str) -> str:
    text = str(value or "").strip()
    if "\x00" in text:  # PostgreSQL refuses it in any text column
        errors.setdefault(field, []).append(_("含有无效字符"))
    elif not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > limit:
        errors.setdefault(field, []).append(_("不能超过%(n)d字") % {"n": limit})
    return text


def _households(value: Any, errors: Errors) -> int:
    try:
        number = int(str(value).strip()) if value not in (None, "") else 0
    except ValueError:
        number = -1
    if not 1 <= number <= MAX_HOUSEHOLDS:
        errors.setdefault("households", []).append(
            _("涉及户数应为1至%(n)d之间的整数") % {"n": MAX_HOUSEHOLDS}
        )
    return number


def _check_publisher(actor: Actor, node: Node) -> None:
    if actor is None or not access.can(actor, access.CONVENE, node):
        raise PermissionDeniedError(_("您无权发布该辖区的双公示"))


def area_of(node: Node) -> Node | None:
    """The residential area a place lies in (itself for an area)."""
    if node.level == Level.AREA:
        return node
    return ancestors(node, include_self=False).filter(level=Level.AREA).first()


def publisher_unit(actor: Actor, node: Node) -> str:
    """Who publishes, as residents read it: the unit of the actor's post that covers the place
    (e.g. 东安居民区居委会), never the person's name; the place's name when no post does."""
    person_id = access.scope(actor).person_id
    if person_id is not None:
        posts = (
            Post.objects.filter(access.active_posts_q())
            .filter(Q(person_id=person_id) | Q(deputy_id=person_id))
            .select_related("unit", "node")
        )
        covering = [
            p
            for p in posts
            if node.path.startswith(p.node.path) and access.CONVENE in access.ROLE_POWERS.get(p.role, ())
        ]
        if covering:
            return max(covering, key=lambda p: len(p.node.path)).unit.name[:120]
    return node.name[:120]


def _check_links(actor: Actor, node: Node, case: Case | None, slip: Slip | None, errors: Errors) -> None:
    if case is not None:
        area = area_of(node)
        if area is None or not case.node_path.startswith(area.path):
            errors.setdefault("case", []).append(_("关联的工单须在同一居民区"))
        elif not access.can(actor, access.CONVENE, case.node):
            errors.setdefault("case", []).append(_("您无权关联该工单"))
    if slip is not None:
        if not node.path.startswith(slip.node_path):
            errors.setdefault("slip", []).append(_("关联的任务流转单须针对本辖区"))
        elif slip.state not in (SlipState.BINDING, SlipState.DONE):
            errors.setdefault("slip", []).append(_("只能关联已生效的任务流转单"))
        elif not Slip.objects.filter(slip_q(actor), pk=slip.pk).exists():
            errors.setdefault("slip", []).append(_("您无权关联该任务流转单"))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _record(
    disclosure: Disclosure, action: str, actor: Actor, data: dict[str, Any], reason: str = ""
) -> None:
    DisclosureEvent.objects.create(
        disclosure=disclosure, action=action, actor=recorded(actor), at=clock.now(), reason=reason, data=data
    )


# --- writes ----------------------------------------------------------------------------------


def disclosure_create(
    *,
    actor: Actor,
    node: Node | None,
    title: str,
    payer: str,
    households: Any,
    amount: Any,
    text: str,
    case: Case | None = None,
    slip: Slip | None = None,
) -> Disclosure:
    """事前公示: publish the plan and its budget before the work starts."""
    if node is None or node.level not in PLACE_LEVELS:
        raise invalid("node", _("请选择居民区、小区或楼栋"))
    _check_publisher(actor, node)
    errors: Errors = {}
    title = _text(title, "title", MAX_TITLE, errors, _("请填写项目名称"))
    if payer not in Payer.values:
        errors["payer"] = [_("请选择费用承担方")]
    count = _households(households, errors)
    plan_amount = parse_amount(amount, "plan_amount", errors)
    text = _text(text, "plan_text", MAX_TEXT, errors, _("请填写施工方案"))
    _check_links(actor, node, case, slip, errors)
    if errors:
        raise ValidationError(errors)
    assert plan_amount is not None
    unit = publisher_unit(actor, node)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            node=node,
            node_path=node.path,
            title=title,
            case=case,
            slip=slip,
            payer=payer,
            households=count,
            plan_amount=plan_amount,
            plan_text=text,
            plan_at=clock.now(),
            plan_by=recorded(actor),
            plan_unit=unit,
        )
        _record(
            disclosure,
            "publish_plan",
            actor,
            {
                "title": title,
                "payer": payer,
                "households": count,
                "amount": _money(plan_amount),
                "text": text,
                "unit": unit,
                "case": case.pk if case else None,
                "slip": slip.pk if slip else None,
            },
        )
    return disclosure


def _locked(disclosure: Disclosure) -> Disclosure:
    return Disclosure.objects.select_for_update(of=("self",)).select_related("node").get(pk=disclosure.pk)


def disclosure_complete(*, actor: Actor, disclosure: Disclosure, amount: Any, text: str) -> Disclosure:
    """事后公示: publish what was done and what it actually cost; only once, after the plan."""
    _check_publisher(actor, disclosure.node)
    errors: Errors = {}
    result_amount = parse_amount(amount, "result_amount", errors)
    text = _text(text, "result_text", MAX_TEXT, errors, _("请填写完成情况"))
    if disclosure.state != DisclosureState.PLANNED:
        raise ConflictError(_("该项目已发布事后公示；如有错误，请提交更正并说明理由"))
    if errors:
        raise ValidationError(errors)
    assert result_amount is not None
    with transaction.atomic():
        row = _locked(disclosure)
        if row.state != DisclosureState.PLANNED:  # published by someone else meanwhile
            raise ConflictError(_("该项目已发布事后公示；如有错误，请提交更正并说明理由"))
        row.state = DisclosureState.DONE
        row.result_amount = result_amount
        row.result_text = text
        row.result_at = max(clock.now(), row.plan_at)
        row.result_by = recorded(actor)
        row.result_unit = publisher_unit(actor, row.node)
        row.save(
            update_fields=["state", "result_amount", "result_text", "result_at", "result_by", "result_unit"]
        )
        _record(
            row,
            "publish_result",
            actor,
            {"amount": _money(result_amount), "text": text, "unit": row.result_unit},
        )
    return row


def disclosure_amend(
    *, actor: Actor, disclosure: Disclosure, stage: str, amount: Any, text: str, reason: str
) -> Disclosure:
    """更正: a published amount or text was wrong. The new values replace the shown ones; the
    event keeps the old ones and the reason, and the public page lists every correction."""
    _check_publisher(actor, disclosure.node)
    if stage not in STAGES:
        raise invalid("stage", _("请选择更正事前公示还是事后公示"))
    errors: Errors = {}
    new_amount = parse_amount(amount, "amount", errors)
    new_text = _text(text, "text", MAX_TEXT, errors, _("请填写更正后的内容"))
    reason = _text(reason, "reason", MAX_REASON, errors, _("请说明更正理由"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = _locked(disclosure)  # the caller's copy may predate the result
        if stage == "result" and row.state != DisclosureState.DONE:
            raise ConflictError(_("尚未发布事后公示，无需更正"))
        amount_field, text_field = f"{stage}_amount", f"{stage}_text"
        before = {"amount": _money(getattr(row, amount_field)), "text": getattr(row, text_field)}
        after = {"amount": _money(new_amount), "text": new_text}
        if before == after:
            raise invalid("amount", _("更正后的内容与已公示的相同"))
        setattr(row, amount_field, new_amount)
        setattr(row, text_field, new_text)
        row.amendments += 1
        row.save(update_fields=[amount_field, text_field, "amendments"])
        _record(row, "amend", actor, {"stage": stage, "before": before, "after": after}, reason=reason)
    return row
