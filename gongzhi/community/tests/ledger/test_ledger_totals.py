"""Ledger totals equal the sum of what was posted, for random sequences of awards, deductions
and reversals (hypothesis); caps hold throughout; statements and the assessment agree."""

from datetime import date

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gongzhi.community import ledger, statements
from gongzhi.community.models import PointEntry
from gongzhi.community.tests.ledger.conftest import T0, build_world, photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.orgs.roles import MemberType
from gongzhi.testing.properties import examples

STEP = st.one_of(
    st.tuples(
        st.just("award"), st.sampled_from(["volunteer", "help", "in_service_only"]), st.integers(1, 12)
    ),
    st.tuples(st.just("deduct"), st.sampled_from(["waste", "pets"]), st.integers(1, 12)),
    st.tuples(st.just("reverse"), st.integers(0, 40), st.integers(1, 12)),
)


class LedgerTotals(TestCase):
    @settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(STEP, max_size=25))
    def test_totals_are_the_sum_of_the_standing_entries(self, steps):
        w = build_world()
        member = w.members[MemberType.IN_SERVICE]
        expected: dict[int, int] = {}  # entry id → points it still counts for
        month_sum = [0] * 13
        with clock.freeze(T0):
            for op, arg, month in steps:
                if op == "reverse":
                    live = [pk for pk, p in expected.items() if p]
                    if not live:
                        continue
                    target = PointEntry.objects.get(pk=live[arg % len(live)])
                    try:
                        rev = ledger.entry_reverse(actor=w.users["secretary"], entry=target, reason="更正")
                    except ConflictError:
                        continue
                    expected[target.pk] = 0
                    month_sum[rev.occurred_on.month] += rev.points
                    continue
                rule = w.rules[arg]
                capped, _net = ledger.over_cap(member, rule, 2026)
                try:
                    claim = ledger.claim_propose(
                        actor=w.users["secretary"],
                        member=member,
                        rule=rule,
                        occurred_on=date(2026, min(month, 6), 1),
                        note="x",
                        evidence=photo(),
                    )
                except ValidationError as exc:  # only the cap may refuse here
                    assert capped, exc
                    continue
                assert not capped
                entry = claim.entry
                expected[entry.pk] = entry.points
                month_sum[entry.occurred_on.month] += entry.points
        total = sum(expected.values())
        assert statements.year_total(member, 2026) == total
        assert sum(e.points for e in PointEntry.objects.filter(member=member)) == total
        # each rule's net stays within its cap, either way
        for rule in w.rules.values():
            net = ledger.net_for(member, rule, 2026)
            assert rule.yearly_cap is None or abs(net) <= rule.yearly_cap
        # the monthly statements chain: each closes where the next opens, the year ends at the total
        closing = 0
        for m in range(1, 13):
            s = statements.month_statement(member, 2026, m)
            assert s.opening == closing and s.month_total == month_sum[m]
            closing = s.closing
        assert closing == total
        row = next(
            r for r in statements.assessment(w.tree.street.path, "S", 2026) if r["member"] == member.pk
        )
        assert row["points"] == total and row["grade"]
