"""The points ledger: claims with evidence approved by the branch secretary, caps, the member
types, deductions and appeals, reversals, and the append-only table."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from gongzhi.community import ledger, statements
from gongzhi.community.choices import AppealState, ClaimState, EntryKind
from gongzhi.community.models import Appeal, PointClaim, PointEntry
from gongzhi.community.tests.ledger.conftest import T0, photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orgs.roles import MemberType

DAY = T0.date()


def propose(w, key, member_type=MemberType.IN_SERVICE, by="committee", **kw):
    values = {"occurred_on": DAY, "note": "楼道清扫"}
    values.update(kw)
    with clock.freeze(T0):
        return ledger.claim_propose(
            actor=w.users[by], member=w.members[member_type], rule=w.rules[key], **values
        )


def approve(w, claim, by="secretary"):
    with clock.freeze(T0):
        return ledger.claim_decide(actor=w.users[by], claim=claim, approve=True)


def test_a_claim_by_committee_staff_waits_for_the_secretary_then_posts_the_entry(cworld):
    claim = propose(cworld, "volunteer")
    assert claim.state == ClaimState.PENDING and not PointEntry.objects.exists()
    with pytest.raises(PermissionDeniedError):
        approve(cworld, claim, by="committee")
    with pytest.raises(PermissionDeniedError):
        approve(cworld, claim, by="secretary_r3")
    approve(cworld, claim)
    entry = PointEntry.objects.get()
    assert (entry.points, entry.kind, entry.claim_id, entry.branch) == (
        3,
        EntryKind.MANUAL,
        claim.pk,
        cworld.branch,
    )
    with pytest.raises(ConflictError):
        approve(cworld, claim)


def test_the_secretarys_own_claim_posts_at_once(cworld):
    claim = propose(cworld, "volunteer", by="secretary")
    assert claim.state == ClaimState.APPROVED and PointEntry.objects.get().claim == claim


def test_a_rejection_needs_a_reason(cworld):
    claim = propose(cworld, "volunteer")
    with pytest.raises(ValidationError):
        ledger.claim_decide(actor=cworld.users["secretary"], claim=claim, approve=False)
    ledger.claim_decide(actor=cworld.users["secretary"], claim=claim, approve=False, reason="无记录")
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and not PointEntry.objects.exists()


def test_an_award_without_required_evidence_is_refused_and_nothing_written(cworld):
    with pytest.raises(ValidationError) as err:
        propose(cworld, "help", by="secretary")
    assert "evidence" in err.value.message_dict
    assert not PointClaim.objects.exists() and not PointEntry.objects.exists()
    propose(cworld, "help", by="secretary", evidence=photo())
    assert PointEntry.objects.get().points == 5


def test_evidence_that_is_not_a_photo_or_pdf_is_refused(cworld):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as err:
        propose(cworld, "help", by="secretary", evidence=fake)
    assert "evidence" in err.value.message_dict and not PointClaim.objects.exists()


def test_points_over_the_yearly_cap_are_refused(cworld):
    for _ in range(3):  # 3 points each, cap 9
        propose(cworld, "volunteer", by="secretary")
    with pytest.raises(ValidationError) as err:
        propose(cworld, "volunteer", by="secretary")
    assert "年度上限" in err.value.message_dict["rule"][0]
    assert statements.year_total(cworld.members[MemberType.IN_SERVICE], 2026) == 9
    # another member has their own cap; next year starts again
    propose(cworld, "volunteer", MemberType.RETIRED, by="secretary")
    with clock.freeze(T0.replace(year=2027)):
        ledger.claim_propose(
            actor=cworld.users["secretary"],
            member=cworld.members[MemberType.IN_SERVICE],
            rule=cworld.rules["volunteer"],
            occurred_on=date(2027, 1, 5),
            note="x",
        )


def test_a_cap_is_checked_again_at_approval(cworld):
    claims = [propose(cworld, "volunteer") for _ in range(4)]  # all four pending, cap allows three
    for claim in claims[:3]:
        approve(cworld, claim)
    with pytest.raises(ValidationError):
        approve(cworld, claims[3])
    assert PointClaim.objects.get(pk=claims[3].pk).state == ClaimState.PENDING


def test_a_member_in_difficulty_is_never_deducted(cworld):
    with pytest.raises(ValidationError) as err:
        propose(cworld, "waste", MemberType.IN_DIFFICULTY, by="secretary", evidence=photo())
    assert "帮扶式" in err.value.message_dict["rule"][0]
    assert not PointClaim.objects.exists()
    # ...and forms never offer them a deduction
    member = cworld.members[MemberType.IN_DIFFICULTY]
    assert all(r.direction == "award" for r in ledger.rules_for(member, cworld.branch))


def test_a_rule_for_other_member_types_is_refused(cworld):
    with pytest.raises(ValidationError) as err:
        propose(cworld, "in_service_only", MemberType.RETIRED, by="secretary")
    assert "不适用" in err.value.message_dict["rule"][0]


def test_who_may_propose_follows_the_rules_awarders(cworld):
    with pytest.raises(PermissionDeniedError):  # the pets rule is the secretary's alone
        propose(cworld, "pets", evidence=photo())
    with pytest.raises(PermissionDeniedError):  # a grid worker is not among the awarders
        propose(cworld, "volunteer", by="grid")
    with pytest.raises(PermissionDeniedError):  # committee staff of another area
        propose(cworld, "volunteer", by="committee_r3")
    with pytest.raises(ValidationError):  # automatic items are not claimed by hand
        propose(cworld, "attend", by="secretary")


def test_a_deduction_needs_evidence_even_when_the_rule_forgets_to_ask(cworld):
    cworld.rules["pets"].evidence_required = False
    cworld.rules["pets"].save()
    with pytest.raises(ValidationError) as err:
        propose(cworld, "pets", by="secretary")
    assert "evidence" in err.value.message_dict


def deducted(cworld):
    propose(cworld, "waste", by="secretary", evidence=photo(), note="未分类投放")
    return PointEntry.objects.get(points=-2)


def test_an_appeal_overturned_is_a_reversing_entry(cworld):
    entry = deducted(cworld)
    member = cworld.members[MemberType.IN_SERVICE]
    with pytest.raises(PermissionDeniedError):  # another member cannot appeal it
        ledger.appeal_file(actor=cworld.users[MemberType.RETIRED], entry=entry, statement="不是我")
    with clock.freeze(T0):
        appeal = ledger.appeal_file(
            actor=cworld.users[MemberType.IN_SERVICE], entry=entry, statement="当天出差"
        )
        with pytest.raises(ConflictError):
            ledger.appeal_file(actor=cworld.users[MemberType.IN_SERVICE], entry=entry, statement="再诉")
        with pytest.raises(ConflictError):  # an open appeal is decided, not bypassed
            ledger.entry_reverse(actor=cworld.users["secretary"], entry=entry, reason="x")
        ledger.appeal_decide(
            actor=cworld.users["secretary"], appeal=appeal, overturn=True, reason="有出差证明"
        )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.OVERTURNED
    reversal = PointEntry.objects.get(reverses=entry)
    assert reversal.points == 2 and "有出差证明" in reversal.reason
    assert statements.year_total(member, 2026) == 0
    assert PointEntry.objects.count() == 2  # the deduction stays on record


def test_an_appeal_upheld_leaves_the_deduction(cworld):
    entry = deducted(cworld)
    appeal = ledger.appeal_file(actor=cworld.users[MemberType.IN_SERVICE], entry=entry, statement="不服")
    ledger.appeal_decide(actor=cworld.users["secretary"], appeal=appeal, overturn=False, reason="照片清楚")
    assert Appeal.objects.get().state == AppealState.UPHELD and PointEntry.objects.count() == 1


def test_only_deductions_are_appealed(cworld):
    propose(cworld, "volunteer", by="secretary")
    with pytest.raises(ValidationError):
        ledger.appeal_file(
            actor=cworld.users[MemberType.IN_SERVICE], entry=PointEntry.objects.get(), statement="x"
        )


def test_a_correction_is_one_reversing_entry_with_a_reason(cworld):
    propose(cworld, "volunteer", by="secretary")
    entry = PointEntry.objects.get()
    with pytest.raises(ValidationError):
        ledger.entry_reverse(actor=cworld.users["secretary"], entry=entry, reason=" ")
    with pytest.raises(PermissionDeniedError):
        ledger.entry_reverse(actor=cworld.users["committee"], entry=entry, reason="错记")
    with clock.freeze(T0):
        reversal = ledger.entry_reverse(actor=cworld.users["secretary"], entry=entry, reason="错记")
        with pytest.raises(ConflictError):
            ledger.entry_reverse(actor=cworld.users["secretary"], entry=entry, reason="again")
        with pytest.raises(ConflictError):
            ledger.entry_reverse(actor=cworld.users["secretary"], entry=reversal, reason="undo")
    assert (reversal.points, reversal.kind, reversal.year) == (-3, EntryKind.REVERSAL, 2026)


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_or_delete_an_entry(transactional_db):
    from gongzhi.community.tests.ledger.conftest import build_world

    w = build_world()
    propose(w, "volunteer", by="secretary")
    entry = PointEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        PointEntry.objects.filter(pk=entry.pk).update(points=300)
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.points = 300
        entry.save()
    from django.db import connection

    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            PointEntry.objects.filter(pk=entry.pk).delete()
    assert PointEntry.objects.get().points == 3
