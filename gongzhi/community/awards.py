"""Points from recorded facts (core.contributions): registered on `on_service_facts` by
CommunityConfig.ready(), run inside the transaction that recorded the fact.

For each fact and each active rule of the member's street that names the fact's kind (and its
detail, when the rule lists details) and applies to the member's type, one entry, keyed by the
fact's source and the rule: announcing a fact twice awards once. A withdrawn fact reverses
what it awarded; announced again it awards again (a new key). An occurrence past the rule's
yearly cap is not awarded: the fact stands, the points stop. A person who is not a Party
member, or whose branch is not on the street's tree, earns nothing.
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from gongzhi.community import ledger, places
from gongzhi.community.choices import Direction
from gongzhi.community.member_types import treatment
from gongzhi.community.models import PointEntry, PointRule
from gongzhi.core.contributions import ServiceFact
from gongzhi.orgs.models import PartyMember, PartyOrg


def award_facts(facts: Sequence[ServiceFact]) -> None:
    members = {
        m.person_id: m
        for m in PartyMember.objects.filter(person_id__in={f.person_id for f in facts}).select_related(
            "org__node", "person"
        )
    }
    rules_by_street: dict[str, list[PointRule]] = {}
    for fact in facts:
        member = members.get(fact.person_id)
        if member is None:
            continue
        branch = places.branch_of(member)
        if branch is None:
            continue
        street = places.street_code(branch.node)
        if street not in rules_by_street:
            rules_by_street[street] = list(
                PointRule.objects.filter(street__code=street, active=True)
                .exclude(fact="")
                .select_related("street")
            )
        for rule in rules_by_street[street]:
            if rule.fact != fact.kind or (rule.fact_details and fact.detail not in rule.fact_details):
                continue
            if member.member_type not in rule.member_types:
                continue
            if rule.direction == Direction.DEDUCT and not treatment(member.member_type).deductible:
                continue
            _apply(fact, member, branch, rule)


def _apply(fact: ServiceFact, member: PartyMember, branch: PartyOrg, rule: PointRule) -> None:
    base = f"{fact.source_key}:r{rule.pk}"
    earlier = list(
        PointEntry.objects.filter(source_key__startswith=base, member=member, rule=rule).order_by("id")
    )
    standing = [e for e in earlier if not PointEntry.objects.filter(reverses=e).exists()]
    if fact.withdrawn:
        for entry in standing:
            ledger.entry_reverse_by_system(entry, _("记录更正：%(label)s") % {"label": fact.label})
        return
    if standing:
        return  # announced again: awarded once
    if ledger.over_cap(member, rule, fact.occurred_on.year)[0]:
        return
    key = base if not earlier else f"{base}#{len(earlier) + 1}"
    ledger.post_automatic(
        member=member,
        branch=branch,
        rule=rule,
        occurred_on=fact.occurred_on,
        label=fact.label or rule.item,
        source_key=key,
    )
