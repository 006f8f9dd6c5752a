"""Writes of the points ledger (ADR 0022, docs/community.md "Points").

Entries are only ever inserted: `_post` is the one place that creates a PointEntry, and the
database refuses an UPDATE of the table (and a DELETE on PostgreSQL). Points by hand go through
a claim with its evidence, approved by the branch secretary (APPROVE_COMMUNITY over the
member's branch); a proposer must hold a post whose role the rule names (`awarders`) with
MANAGE_COMMUNITY or APPROVE_COMMUNITY over the branch. Deductions name the broken rule (the
rule's `broken_rule`), always need evidence, never fall on a member in difficulty, and may be
appealed; an overturned appeal and any correction are reversing entries with a reason.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.community import evidence as evidence_check
from gongzhi.community import notifications, places
from gongzhi.community.choices import AppealState, ClaimState, Direction, EntryKind
from gongzhi.community.member_types import treatment
from gongzhi.community.models import Appeal, PointClaim, PointEntry, PointRule
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.orgs import access
from gongzhi.orgs.models import PartyMember, PartyOrg
from gongzhi.orgs.roles import MemberType

MAX_TEXT = 300


# --- questions the pages ask too ----------------------------------------------------------------


def ledger_branch(member: PartyMember) -> PartyOrg:
    branch = places.branch_of(member)
    if branch is None:
        raise invalid("member", _("该党员不在本街道的党组织中"))
    return branch


def may_propose(user: Actor, rule: PointRule, branch: PartyOrg) -> bool:
    s = access.scope(user)
    if s.superuser:
        return True
    wanted = {access.MANAGE_COMMUNITY, access.APPROVE_COMMUNITY}
    return any(
        g.role in rule.awarders and wanted & g.powers and branch.node.path.startswith(g.path)
        for g in s.grants
    )


def may_approve(user: Actor, node_path: str) -> bool:
    return access.can_under(user, access.APPROVE_COMMUNITY, node_path)


def rules_for(member: PartyMember, branch: PartyOrg, *, manual: bool = True) -> list[PointRule]:
    """The active rules of the member's street that apply to their type (what a form offers)."""
    rules = PointRule.objects.filter(street__code=places.street_code(branch.node), active=True)
    if manual:
        rules = rules.filter(fact="")
    deductible = treatment(member.member_type).deductible
    return [
        r
        for r in rules.order_by("code")
        if member.member_type in r.member_types and (deductible or r.direction == Direction.AWARD)
    ]


def net_for(member: PartyMember, rule: PointRule, year: int) -> int:
    total = PointEntry.objects.filter(member=member, rule=rule, year=year).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def over_cap(member: PartyMember, rule: PointRule, year: int) -> tuple[bool, int]:
    """Whether one more occurrence would pass the rule's yearly cap (in points, either way)."""
    net = abs(net_for(member, rule, year))
    return rule.yearly_cap is not None and net + rule.points > rule.yearly_cap, net


# --- checks --------------------------------------------------------------------------------------


def check_applies(member: PartyMember, rule: PointRule, branch: PartyOrg) -> None:
    if not rule.active or rule.street.code != places.street_code(branch.node):
        raise invalid("rule", _("该积分项目未启用"))
    if rule.direction == Direction.DEDUCT and not treatment(member.member_type).deductible:
        raise invalid("rule", _("困难党员（帮扶式）只接受帮扶，不扣分"))
    if member.member_type not in rule.member_types:
        raise invalid(
            "rule", _("该积分项目不适用于%(type)s") % {"type": MemberType(member.member_type).label}
        )


def check_cap(member: PartyMember, rule: PointRule, year: int) -> None:
    over, net = over_cap(member, rule, year)
    if over:
        raise invalid(
            "rule",
            _("超过该项目的年度上限（%(cap)d分），%(year)d年已记%(net)d分")
            % {"cap": rule.yearly_cap, "year": year, "net": net},
        )


def _check_day(occurred_on: date) -> None:
    today = clock.today()
    if occurred_on > today:
        raise invalid("occurred_on", _("发生日期不能晚于今天"))
    if occurred_on.year < today.year - 1:
        raise invalid("occurred_on", _("只能申报今年和去年的积分"))


# --- the one writer of entries ------------------------------------------------------------------


def _post(
    *,
    member: PartyMember,
    branch: PartyOrg,
    rule: PointRule,
    kind: str,
    occurred_on: date,
    points: int,
    label: str,
    actor: Actor | None = None,
    year: int | None = None,
    **extra: Any,
) -> PointEntry:
    return PointEntry.objects.create(
        member=member,
        branch=branch,
        node_path=branch.node.path,
        member_type=member.member_type,
        rule=rule,
        kind=kind,
        year=year or occurred_on.year,
        occurred_on=occurred_on,
        points=points,
        label=label[:MAX_TEXT],
        recorded_by=recorded(actor) if actor is not None else None,
        recorded_at=clock.now(),
        **extra,
    )


def post_automatic(
    *, member: PartyMember, branch: PartyOrg, rule: PointRule, occurred_on: date, label: str, source_key: str
) -> PointEntry:
    """For the awarder of recorded facts (community.awards): no actor, no claim."""
    return _post(
        member=member,
        branch=branch,
        rule=rule,
        kind=EntryKind.AUTO,
        occurred_on=occurred_on,
        points=rule.signed_points,
        label=label,
        source_key=source_key,
    )


def _reverse(entry: PointEntry, reason: str, actor: Actor | None) -> PointEntry:
    # A correction counts in the year of what it corrects; it is dated today, or the last day
    # of that year once it is over, so statements already sent for past months stand.
    today = clock.today()
    on = min(today, date(entry.year, 12, 31))
    return _post(
        member=entry.member,
        branch=entry.branch,
        rule=entry.rule,
        kind=EntryKind.REVERSAL,
        occurred_on=max(on, entry.occurred_on),
        points=-entry.points,
        label=_("冲正：%(label)s") % {"label": entry.label},
        actor=actor,
        year=entry.year,
        reverses=entry,
        reason=reason[:MAX_TEXT],
    )


# --- points by hand ------------------------------------------------------------------------------


def claim_propose(
    *,
    actor: Actor,
    member: PartyMember,
    rule: PointRule,
    occurred_on: date,
    note: str,
    evidence: Any = None,
) -> PointClaim:
    """Propose an award or a deduction with its evidence. A proposer who may approve (the
    branch secretary) posts the entry at once."""
    branch = ledger_branch(member)
    if not may_propose(actor, rule, branch):
        raise PermissionDeniedError(_("您无权申报该积分项目"))
    if rule.fact:
        raise invalid("rule", _("该项目按记录自动记分，无须申报"))
    check_applies(member, rule, branch)
    _check_day(occurred_on)
    text = (note or "").strip()
    if not text:
        raise invalid("note", _("请填写事由"))
    if len(text) > MAX_TEXT:
        raise invalid("note", _("事由不能超过%(n)d字") % {"n": MAX_TEXT})
    if (rule.evidence_required or rule.direction == Direction.DEDUCT) and evidence is None:
        raise invalid("evidence", _("该项目须附佐证材料（照片或PDF）"))
    if evidence is not None:
        evidence_check.validate(evidence)
    with transaction.atomic():
        PartyMember.objects.select_for_update().get(pk=member.pk)  # caps are per member: one at a time
        check_cap(member, rule, occurred_on.year)
        claim = PointClaim(
            member=member,
            rule=rule,
            occurred_on=occurred_on,
            note=text,
            node_path=branch.node.path,
            proposed_by=recorded(actor),
            proposed_at=clock.now(),
        )
        if evidence is not None:
            claim.evidence.save(getattr(evidence, "name", "evidence")[-80:], evidence, save=False)
        claim.save()
        if may_approve(actor, claim.node_path):
            _approve(claim, actor, branch, "")
        else:  # the branch secretary is told in the same transaction
            outbox.enqueue_all(notifications.claim_waiting(claim))
    return claim


def _approve(claim: PointClaim, actor: Actor, branch: PartyOrg, reason: str) -> PointEntry:
    claim.state = ClaimState.APPROVED
    claim.decided_by = recorded(actor)
    claim.decided_at = clock.now()
    claim.reason = reason
    claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return _post(
        member=claim.member,
        branch=branch,
        rule=claim.rule,
        kind=EntryKind.MANUAL,
        occurred_on=claim.occurred_on,
        points=claim.rule.signed_points,
        label=claim.note,
        actor=actor,
        claim=claim,
    )


def claim_decide(*, actor: Actor, claim: PointClaim, approve: bool, reason: str = "") -> PointClaim:
    """The branch secretary approves (the entry is posted, caps checked again) or rejects with
    a reason."""
    if not may_approve(actor, claim.node_path):
        raise PermissionDeniedError(_("只有党组织书记可以审核积分"))
    text = (reason or "").strip()
    if not approve and not text:
        raise invalid("reason", _("不予通过须说明理由"))
    if len(text) > MAX_TEXT:
        raise invalid("reason", _("意见不能超过%(n)d字") % {"n": MAX_TEXT})
    with transaction.atomic():
        PartyMember.objects.select_for_update().get(pk=claim.member_id)
        claim = (
            PointClaim.objects.select_for_update().select_related("rule__street", "member").get(pk=claim.pk)
        )
        if claim.state != ClaimState.PENDING:
            raise ConflictError(_("该申报已审核"))
        if approve:
            branch = ledger_branch(claim.member)
            check_applies(claim.member, claim.rule, branch)
            check_cap(claim.member, claim.rule, claim.occurred_on.year)
            _approve(claim, actor, branch, text)
        else:
            claim.state = ClaimState.REJECTED
            claim.decided_by = recorded(actor)
            claim.decided_at = clock.now()
            claim.reason = text
            claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        outbox.enqueue_all(notifications.claim_decided(claim))
    return claim


# --- corrections and appeals ---------------------------------------------------------------------


def _locked_entry(entry: PointEntry) -> PointEntry:
    return (
        PointEntry.objects.select_for_update()
        .select_related("member", "branch__node", "rule")
        .get(pk=entry.pk)
    )


def _check_reversible(entry: PointEntry) -> None:
    if entry.kind == EntryKind.REVERSAL:
        raise ConflictError(_("冲正记录不能再冲正，请重新申报"))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ConflictError(_("该记录已冲正"))


def entry_reverse(*, actor: Actor, entry: PointEntry, reason: str) -> PointEntry:
    """A correction: the reversing entry (opposite points, the reason); the entry stays."""
    if not may_approve(actor, entry.node_path):
        raise PermissionDeniedError(_("只有党组织书记可以冲正积分"))
    text = (reason or "").strip()
    if not text:
        raise invalid("reason", _("冲正须说明理由"))
    if len(text) > MAX_TEXT:
        raise invalid("reason", _("理由不能超过%(n)d字") % {"n": MAX_TEXT})
    with transaction.atomic():
        entry = _locked_entry(entry)
        _check_reversible(entry)
        if Appeal.objects.filter(entry=entry, state=AppealState.OPEN).exists():
            raise ConflictError(_("该扣分有待处理的申诉，请处理申诉"))
        return _reverse(entry, text, actor)


def appeal_file(*, actor: Actor, entry: PointEntry, statement: str) -> Appeal:
    """The member (or staff for them) appeals a deduction, once."""
    s = access.scope(actor)
    own = s.person_id is not None and entry.member.person_id == s.person_id
    if not (own or access.can_under(actor, access.MANAGE_COMMUNITY, entry.node_path)):
        raise PermissionDeniedError(_("只能对本人的扣分提出申诉"))
    text = (statement or "").strip()
    if not text:
        raise invalid("statement", _("请填写申诉理由"))
    if len(text) > 500:
        raise invalid("statement", _("申诉理由不能超过500字"))
    if entry.kind == EntryKind.REVERSAL or entry.points >= 0:
        raise invalid("entry", _("只能对扣分提出申诉"))
    with transaction.atomic():
        entry = _locked_entry(entry)
        if Appeal.objects.filter(entry=entry).exists():
            raise ConflictError(_("该扣分已申诉过"))
        if PointEntry.objects.filter(reverses=entry).exists():
            raise ConflictError(_("该记录已冲正"))
        appeal = Appeal.objects.create(
            entry=entry,
            statement=text,
            node_path=entry.node_path,
            filed_by=recorded(actor),
            filed_at=clock.now(),
        )
        outbox.enqueue_all(notifications.appeal_waiting(appeal))
        return appeal


def appeal_decide(*, actor: Actor, appeal: Appeal, overturn: bool, reason: str) -> Appeal:
    """The branch secretary upholds the deduction or overturns it (a reversing entry)."""
    if not may_approve(actor, appeal.node_path):
        raise PermissionDeniedError(_("只有党组织书记可以处理申诉"))
    text = (reason or "").strip()
    if not text:
        raise invalid("reason", _("请填写处理意见"))
    if len(text) > MAX_TEXT:
        raise invalid("reason", _("意见不能超过%(n)d字") % {"n": MAX_TEXT})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != AppealState.OPEN:
            raise ConflictError(_("该申诉已处理"))
        if overturn:
            entry = _locked_entry(appeal.entry)
            _check_reversible(entry)
            _reverse(entry, _("申诉成立：%(reason)s") % {"reason": text}, actor)
        appeal.state = AppealState.OVERTURNED if overturn else AppealState.UPHELD
        appeal.decided_by = recorded(actor)
        appeal.decided_at = clock.now()
        appeal.reason = text
        appeal.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        outbox.enqueue_all(notifications.appeal_decided(appeal))
    return appeal


def entry_reverse_by_system(entry: PointEntry, reason: str) -> PointEntry:
    """The awarder's correction when a fact is withdrawn (no actor: the system)."""
    entry = _locked_entry(entry)
    _check_reversible(entry)
    return _reverse(entry, reason, None)
