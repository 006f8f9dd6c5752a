"""The branch statement (晾晒, rankings, 点赞, 亮丑) is computed from one aggregate of the entries;
for random sequences of awards, deductions and reversals over members of every type, in two
branches (the mobile member is registered with the area, so the area's Party organisation keeps
their ledger) and both halves of the year, it equals the same figures worked out row by row
from the ledger's definition (hypothesis)."""

from contextlib import suppress
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gongzhi.community import ledger, registrations, statements
from gongzhi.community.choices import EntryKind
from gongzhi.community.models import PointEntry
from gongzhi.community.tests.ledger.conftest import SH, build_world, photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.core.scrub import public_text
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg
from gongzhi.orgs.roles import MemberType
from gongzhi.testing.properties import examples

TYPES = [
    MemberType.IN_SERVICE,
    MemberType.RETIRED,
    MemberType.MOBILE,
    MemberType.NEW_ORG,
    MemberType.IN_DIFFICULTY,
]
STEP = st.one_of(
    st.tuples(
        st.just("post"),
        st.sampled_from(TYPES),
        st.sampled_from(["volunteer", "help", "in_service_only", "waste", "pets"]),
        st.integers(1, 10),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 60), st.just(""), st.just(0)),
)
NOW = datetime(2026, 11, 15, 10, 0, tzinfo=SH)  # both halves of the year have passed in part


def _reference(path: str, year: int, half: int) -> dict[str, Any]:
    """The four parts straight from the definitions, one entry at a time."""
    start, end = (
        (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))
    )
    entries = list(PointEntry.objects.filter(year=year, node_path__startswith=path).select_related("branch"))
    reversed_ids = set(
        PointEntry.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    ranked = statements.RANKED_TYPES
    kept = {m.pk: m for m in PartyMember.objects.select_related("person", "org", "org__node")}
    here = {pk for pk, m in kept.items() if m.org.node.path.startswith(path)} | {e.member_id for e in entries}
    half_points: dict[int, int] = {}
    for e in entries:
        if start <= e.occurred_on <= end:
            half_points[e.member_id] = half_points.get(e.member_id, 0) + e.points
    showing = sorted(
        (
            (-half_points.get(pk, 0), kept[pk].person.name, pk)
            for pk in here
            if kept[pk].member_type in ranked
        ),
    )
    by_branch: dict[int, list[PointEntry]] = {}
    for e in entries:
        if e.member_type in ranked:
            by_branch.setdefault(e.branch_id, []).append(e)
    rankings = {
        b: (sum(e.points for e in rows), len({e.member_id for e in rows})) for b, rows in by_branch.items()
    }
    likes: dict[tuple[int, int], int] = {}
    for e in entries:
        if e.member_type in ranked:
            likes[(e.member_id, e.branch_id)] = likes.get((e.member_id, e.branch_id), 0) + e.points
    names = dict(PartyOrg.objects.values_list("pk", "name"))
    top = sorted((-p, kept[m].person.name, m, names[b]) for (m, b), p in likes.items() if p > 0)[:10]
    shame: dict[str, list[int]] = {}
    for e in entries:
        if e.points < 0 and e.kind != EntryKind.REVERSAL and e.pk not in reversed_ids:
            shame.setdefault(e.branch.name, []).append(-e.points)
    return {
        "showing": [(pk, -p) for p, _n, pk in showing],
        "rankings": rankings,
        "likes": [(m, b, -p) for p, _n, m, b in top],
        "shame": [(public_text(name), len(v), sum(v)) for name, v in sorted(shame.items())],
    }


class BranchStatement(TestCase):
    @settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(STEP, max_size=30))
    def test_the_branch_statement_equals_the_ledger_worked_out_row_by_row(self, steps):
        w = build_world()
        secretary = w.users["secretary"]
        with clock.freeze(NOW):
            mobile = w.members[MemberType.MOBILE]
            registration = registrations.registration_apply(
                actor=w.users[MemberType.MOBILE], node=w.tree.r1, member=mobile
            )
            registrations.registration_decide(
                actor=secretary, registration=registration, confirm=True, reason=""
            )
            assert DualRegistration.objects.get(member=mobile).state == DualRegistration.State.CONFIRMED
            posted: list[int] = []
            for op, who, rule_key, month in steps:
                if op == "reverse":
                    if posted:  # an entry already reversed is refused: once only
                        with suppress(ConflictError, ValidationError):
                            ledger.entry_reverse(
                                actor=secretary,
                                entry=PointEntry.objects.get(pk=posted[who % len(posted)]),
                                reason="更正",
                            )
                    continue
                try:
                    claim = ledger.claim_propose(
                        actor=secretary,
                        member=w.members[who],
                        rule=w.rules[rule_key],
                        occurred_on=date(2026, month, 3),
                        note="x",
                        evidence=photo(),
                    )
                except ValidationError:
                    continue  # a cap, a rule not for this type, a deduction for a member in difficulty
                posted.append(claim.entry.pk)
        for path in (w.tree.street.path, w.tree.r1.path, w.tree.e1.path):
            for half in (1, 2):
                got = statements.branch_statement(path, 2026, half)
                want = _reference(path, 2026, half)
                assert [(r["member"], r["points"]) for r in got.showing] == want["showing"]
                assert {r["branch"]: (r["points"], r["members"]) for r in got.branches} == want["rankings"]
                assert [(r["member"], r["branch"], r["points"]) for r in got.likes] == want["likes"]
                assert [(r["branch"], r["deductions"], r["points"]) for r in got.shame] == want["shame"]
