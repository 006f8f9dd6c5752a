"""双报到 as a working process (docs/community.md "The process"). A unit's Party organisation or
a member applies (from the phone page, or entered by committee staff); the residential area's
Party organisation confirms or declines with a reason; the registration names its commitments;
staff record the service done against them; leaving or moving ends it. Every step appends a
RegistrationEvent; the registration's state lives on orgs.DualRegistration.

Who may: the applicant themself (the member, or someone holding a post at the unit) or
MANAGE_COMMUNITY over the area applies, adds commitments and ends; APPROVE_COMMUNITY over the
area (its Party secretary, the Party side above) decides; MANAGE_COMMUNITY records service.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community import notifications, places
from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.community.member_types import treatment
from gongzhi.community.models import Commitment, RegistrationEvent, ServiceRecord
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import DualRegistration, PartyMember, Post, Unit
from gongzhi.orgs.roles import MemberType

State = DualRegistration.State
OPEN_STATES = (State.APPLIED, State.CONFIRMED)
MAX_COMMITMENTS = 10
MAX_QUANTITY = Decimal("1000000")


@dataclass(frozen=True)
class CommitmentIn:
    kind: str
    title: str
    per_year: Decimal | str | int
    unit: str


# --- who may -------------------------------------------------------------------------------------


def holds_post_at(user: Actor, unit: Unit) -> bool:
    s = access.scope(user)
    if s.person_id is None:
        return False
    return Post.objects.filter(access.active_posts_q(), unit=unit, person_id=s.person_id).exists()


def is_applicant(user: Actor, registration: DualRegistration) -> bool:
    s = access.scope(user)
    if registration.member is not None:
        return s.person_id is not None and registration.member.person_id == s.person_id
    return registration.unit is not None and holds_post_at(user, registration.unit)


def may_decide(user: Actor, registration: DualRegistration) -> bool:
    return access.can(user, access.APPROVE_COMMUNITY, registration.node)


def may_manage(user: Actor, registration: DualRegistration) -> bool:
    return access.can(user, access.MANAGE_COMMUNITY, registration.node)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError(_("您无权办理该双报到"))


# --- validation ----------------------------------------------------------------------------------


def _commitments(items: Sequence[CommitmentIn]) -> list[dict[str, Any]]:
    if len(items) > MAX_COMMITMENTS:
        raise invalid("commitments", _("承诺最多%(n)d项") % {"n": MAX_COMMITMENTS})
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items, start=1):
        title = (item.title or "").strip()
        try:
            quantity = Decimal(str(item.per_year))
        except (InvalidOperation, ValueError):
            quantity = Decimal("-1")
        if item.kind not in CommitmentKind.values:
            errors.append(_("第%(i)d项承诺类型无效") % {"i": i})
        elif item.unit not in CommitmentUnit.values:
            errors.append(_("第%(i)d项计量单位无效") % {"i": i})
        elif not title or len(title) > 100:
            errors.append(_("第%(i)d项请填写承诺内容（100字以内）") % {"i": i})
        elif not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
            errors.append(_("第%(i)d项每年数量须大于0") % {"i": i})
        else:
            rows.append(
                {
                    "kind": item.kind,
                    "title": title,
                    "per_year": quantity.quantize(Decimal("0.1")),
                    "unit": item.unit,
                }
            )
    if errors:
        raise ValidationError({"commitments": errors})
    return rows


def _check_applicant(node: Node, unit: Unit | None, member: PartyMember | None) -> None:
    if (unit is None) == (member is None):
        raise invalid("unit", _("报到主体须为一个单位或一名党员"))
    if node.level != Level.AREA:
        raise invalid("node", _("双报到应报到到居民区"))
    street = places.street_of(node)
    if unit is not None:
        if not unit.active:
            raise invalid("unit", _("该单位已停用"))
        if not places.in_street(unit.node, street):
            raise invalid("unit", _("该单位不在本街道辖区内，不能在此报到"))
        if DualRegistration.objects.filter(unit=unit, node=node, state__in=OPEN_STATES).exists():
            raise invalid("unit", _("该单位已在这个居民区报到或正在审核"))
        return
    assert member is not None
    if not treatment(member.member_type).registers:
        raise invalid("member", _("%(type)s无须双报到") % {"type": MemberType(member.member_type).label})
    home = member.person.home
    if home is not None and not places.in_street(home, street):
        raise invalid("member", _("该党员不住在本街道，不能在此报到"))
    if home is not None and not home.path.startswith(node.path):
        raise invalid("node", _("党员应到居住地所在的居民区报到"))
    if DualRegistration.objects.filter(member=member, state__in=OPEN_STATES).exists():
        raise invalid("member", _("该党员已报到或正在审核，请先结束原报到"))


def _event(
    registration: DualRegistration, action: str, actor: Actor | None, before: str, note: str = "", **data: Any
) -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        registration=registration,
        action=action,
        from_state=before,
        to_state=registration.state,
        actor=recorded(actor) if actor is not None else None,
        at=clock.now(),
        note=note[:500],
        data=data,
    )


def _add_commitments(registration: DualRegistration, rows: list[dict[str, Any]]) -> list[Commitment]:
    now = clock.now()
    return [Commitment.objects.create(registration=registration, created_at=now, **row) for row in rows]


# --- the steps -----------------------------------------------------------------------------------


def registration_apply(
    *,
    actor: Actor,
    node: Node,
    unit: Unit | None = None,
    member: PartyMember | None = None,
    service_offer: str = "",
    commitments: Sequence[CommitmentIn] = (),
) -> DualRegistration:
    """A unit or a member applies to register with a residential area → 待确认."""
    own = (member is not None and access.scope(actor).person_id == member.person_id) or (
        unit is not None and holds_post_at(actor, unit)
    )
    _require(own or access.can(actor, access.MANAGE_COMMUNITY, node))
    _check_applicant(node, unit, member)
    offer = (service_offer or "").strip()
    if len(offer) > 200:
        raise invalid("service_offer", _("服务意向不能超过200字"))
    rows = _commitments(commitments)
    if places.area_party_org(node) is None:
        raise invalid("node", _("该居民区尚未设立党组织，暂不能报到"))
    with transaction.atomic():
        registration = DualRegistration.objects.create(
            unit=unit,
            member=member,
            node=node,
            registered_on=clock.today(),
            service_offer=offer,
            state=State.APPLIED,
        )
        _add_commitments(registration, rows)
        _event(registration, "apply", actor, "", commitments=len(rows))
        outbox.enqueue_all(notifications.registration_waiting(registration))
    return registration


def _locked(registration: DualRegistration) -> DualRegistration:
    return (
        DualRegistration.objects.select_for_update(of=("self",))
        .select_related("node", "unit", "member__person")
        .get(pk=registration.pk)
    )


def registration_decide(
    *, actor: Actor, registration: DualRegistration, confirm: bool, reason: str = ""
) -> DualRegistration:
    """The area's Party organisation confirms (已报到, from today) or declines with a reason."""
    _require(may_decide(actor, registration))
    text = (reason or "").strip()
    if not confirm and not text:
        raise invalid("reason", _("不予确认须说明理由"))
    if len(text) > 500:
        raise invalid("reason", _("理由不能超过500字"))
    with transaction.atomic():
        registration = _locked(registration)
        if registration.state != State.APPLIED:
            raise ConflictError(_("该报到已处理"))
        before = registration.state
        registration.state = State.CONFIRMED if confirm else State.DECLINED
        if confirm:
            registration.registered_on = clock.today()
        registration.save(update_fields=["state", "registered_on"])
        _event(registration, "confirm" if confirm else "decline", actor, before, text)
        outbox.enqueue_all(notifications.registration_decided(registration, text))
    return registration


def commitment_add(*, actor: Actor, registration: DualRegistration, commitment: CommitmentIn) -> Commitment:
    _require(is_applicant(actor, registration) or may_manage(actor, registration))
    rows = _commitments([commitment])
    with transaction.atomic():
        registration = _locked(registration)
        if registration.state not in OPEN_STATES:
            raise ConflictError(_("该报到已结束或未通过"))
        if registration.commitments.count() >= MAX_COMMITMENTS:
            raise invalid("commitments", _("承诺最多%(n)d项") % {"n": MAX_COMMITMENTS})
        (added,) = _add_commitments(registration, rows)
        _event(registration, "commit", actor, registration.state, added.title, commitment=added.pk)
    return added


def service_record(
    *, actor: Actor, commitment: Commitment, done_on: date, quantity: Decimal | str | int, note: str = ""
) -> ServiceRecord:
    """Service done against a commitment. A negative quantity corrects an earlier record and
    must say why (records are never edited)."""
    registration = commitment.registration
    _require(may_manage(actor, registration))
    try:
        amount = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise invalid("quantity", _("数量无效")) from None
    text = (note or "").strip()
    if not amount.is_finite() or amount == 0 or abs(amount) > MAX_QUANTITY:
        raise invalid("quantity", _("数量须为非零数字"))
    if amount < 0 and not text:
        raise invalid("note", _("更正（负数）须说明理由"))
    if len(text) > 300:
        raise invalid("note", _("说明不能超过300字"))
    today = clock.today()
    if done_on > today:
        raise invalid("done_on", _("服务日期不能晚于今天"))
    if done_on < registration.registered_on:
        raise invalid("done_on", _("服务日期不能早于报到日期"))
    with transaction.atomic():
        registration = _locked(registration)
        if registration.state != State.CONFIRMED:
            raise ConflictError(_("只能为已报到的单位或党员登记服务"))
        record = ServiceRecord.objects.create(
            commitment=commitment,
            done_on=done_on,
            quantity=amount.quantize(Decimal("0.1")),
            note=text,
            recorded_by=recorded(actor),
            recorded_at=clock.now(),
        )
        _event(registration, "serve", actor, registration.state, text, record=record.pk, quantity=str(amount))
    return record


def registration_end(*, actor: Actor, registration: DualRegistration, reason: str) -> DualRegistration:
    """Leaving ends a registration; its events, commitments and service stay on record."""
    _require(is_applicant(actor, registration) or may_manage(actor, registration))
    text = (reason or "").strip()
    if not text:
        raise invalid("reason", _("请说明结束原因"))
    if len(text) > 500:
        raise invalid("reason", _("原因不能超过500字"))
    with transaction.atomic():
        registration = _locked(registration)
        return _end(registration, actor, text, "end")


def _end(
    registration: DualRegistration, actor: Actor | None, text: str, action: str, **data: Any
) -> DualRegistration:
    if registration.state not in OPEN_STATES:
        raise ConflictError(_("该报到已结束或未通过"))
    before = registration.state
    registration.state = State.ENDED
    registration.ended_on = clock.today()
    registration.save(update_fields=["state", "ended_on"])
    _event(registration, action, actor, before, text, **data)
    return registration


def registration_move(
    *, actor: Actor, registration: DualRegistration, to: Node, reason: str = ""
) -> DualRegistration:
    """A member moves: the registration here ends and one at the new area is applied for with
    the same commitments, for that area's Party organisation to confirm (动态式: registration
    follows the member). Returns the new registration."""
    _require(is_applicant(actor, registration) or may_manage(actor, registration))
    if registration.member is None:
        raise invalid("registration", _("单位报到不能迁移，请结束后重新报到"))
    if to.pk == registration.node_id:
        raise invalid("node", _("新居民区与原居民区相同"))
    if to.level != Level.AREA:
        raise invalid("node", _("双报到应报到到居民区"))
    if not places.in_street(to, places.street_of(registration.node)):
        raise invalid("node", _("新居民区不在本街道，请在迁入地重新报到"))
    if places.area_party_org(to) is None:
        raise invalid("node", _("该居民区尚未设立党组织，暂不能报到"))
    text = (reason or "").strip()[:500] or _("党员迁居")
    with transaction.atomic():
        old = _locked(registration)
        member = old.member
        assert member is not None
        _end(old, actor, text, "move", to=to.code)
        new = DualRegistration.objects.create(
            member=member,
            node=to,
            registered_on=clock.today(),
            service_offer=old.service_offer,
            state=State.APPLIED,
        )
        _add_commitments(
            new,
            [
                {"kind": c.kind, "title": c.title, "per_year": c.per_year, "unit": c.unit}
                for c in old.commitments.all()
            ],
        )
        _event(new, "apply", actor, "", text, moved_from=old.pk)
        outbox.enqueue_all(notifications.registration_waiting(new))
    return new
