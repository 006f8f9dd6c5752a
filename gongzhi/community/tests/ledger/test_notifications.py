"""The outbox rows of 双报到 and the ledger (community.notifications): an application waiting →
the area's Party secretary; its decision → the applicant (the member, or the unit's
post-holders); a claim waiting → the branch secretary, its decision → the member (when they
have an account); an appeal the same way. Each row is written in the service's transaction
(a rolled-back step leaves none); the secretary's to-do tiles count the same queues."""

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from gongzhi.community import ledger, registrations
from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.community.tests.ledger.conftest import T0, photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.core.models import OutboxMessage
from gongzhi.orgs import services as org_services
from gongzhi.orgs.roles import MemberType
from gongzhi.reports import todos
from gongzhi.testing.factories import PersonFactory

HOURS = registrations.CommitmentIn(CommitmentKind.HOURS, "志愿服务", 24, CommitmentUnit.HOURS)


@pytest.fixture(autouse=True)
def _frozen(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    with clock.freeze(T0):
        yield


def sent(kind: str) -> list[tuple[str, str]]:
    """(recipient's username, subject) of the rows of one kind, oldest first."""
    rows = OutboxMessage.objects.filter(kind=kind).select_related("recipient").order_by("pk")
    return [(m.recipient.username if m.recipient else "", m.subject) for m in rows]


def test_an_application_goes_to_the_areas_secretary_and_the_decision_to_the_member(cworld):
    w, member = cworld, cworld.members[MemberType.IN_SERVICE]
    reg = registrations.registration_apply(
        actor=w.users[MemberType.IN_SERVICE], node=w.tree.r1, member=member, commitments=[HOURS]
    )
    assert sent("community.registration_waiting") == [("secretary", "双报到待确认：党员党员in_service")]
    registrations.registration_decide(actor=w.users["secretary"], registration=reg, confirm=True)
    assert sent("community.registration_decided") == [("m_in_service", "双报到已确认：东安居民区")]
    row = OutboxMessage.objects.get(kind="community.registration_decided")
    assert row.payload["registration"] == reg.pk and "/community/" in row.payload["url"]
    # deciding twice is refused and tells nobody again
    with pytest.raises(ConflictError):
        registrations.registration_decide(
            actor=w.users["secretary"], registration=reg, confirm=False, reason="重复"
        )
    assert OutboxMessage.objects.filter(kind="community.registration_decided").count() == 1


def test_a_unit_hears_a_decline_through_its_post_holders(cworld):
    w = cworld
    reg = registrations.registration_apply(actor=w.users["unit_rep"], node=w.tree.r1, unit=w.unit)
    registrations.registration_decide(
        actor=w.users["secretary"], registration=reg, confirm=False, reason="请先与居委会联系"
    )
    ((who, subject),) = sent("community.registration_decided")
    assert (who, subject) == ("unit_rep", "双报到未通过：东安居民区")
    assert "请先与居委会联系" in OutboxMessage.objects.get(kind="community.registration_decided").body


def test_a_move_asks_the_new_areas_secretary(cworld):
    w, member = cworld, cworld.members[MemberType.MOBILE]
    reg = registrations.registration_apply(actor=w.users["committee"], node=w.tree.r1, member=member)
    registrations.registration_decide(actor=w.users["secretary"], registration=reg, confirm=True)
    registrations.registration_move(actor=w.users["committee"], registration=reg, to=w.tree.r3, reason="搬家")
    assert [who for who, _ in sent("community.registration_waiting")] == ["secretary", "secretary_r3"]


def test_a_rolled_back_application_leaves_no_message(cworld):
    w = cworld

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        registrations.registration_apply(
            actor=w.users["committee"], node=w.tree.r1, member=w.members[MemberType.IN_SERVICE]
        )
        raise Undo
    assert not OutboxMessage.objects.exists()


def test_claims_and_appeals_go_to_the_branch_secretary_and_back_to_the_member(cworld):
    w, member = cworld, cworld.members[MemberType.RETIRED]
    claim = ledger.claim_propose(
        actor=w.users["committee"],
        member=member,
        rule=w.rules["volunteer"],
        occurred_on=date(2026, 6, 1),
        note="助老",
    )
    assert sent("community.claim_waiting") == [("secretary", "积分待审核：志愿服务")]
    ledger.claim_decide(actor=w.users["secretary"], claim=claim, approve=True)
    assert sent("community.claim_decided") == [("m_retired", "积分已记入：志愿服务")]
    # the secretary's own claim posts at once: nobody waits for it
    deduction = ledger.claim_propose(
        actor=w.users["secretary"],
        member=member,
        rule=w.rules["waste"],
        occurred_on=date(2026, 6, 2),
        note="未分类投放",
        evidence=photo(),
    )
    assert len(sent("community.claim_waiting")) == 1
    appeal = ledger.appeal_file(
        actor=w.users[MemberType.RETIRED], entry=deduction.entry, statement="当天不在家"
    )
    assert sent("community.appeal_waiting") == [("secretary", "扣分申诉待处理：垃圾分类不到位")]
    ledger.appeal_decide(actor=w.users["secretary"], appeal=appeal, overturn=True, reason="核实不在家")
    assert sent("community.appeal_decided") == [("m_retired", "申诉成立：垃圾分类不到位")]


def test_a_rejected_claim_of_a_member_without_an_account_tells_nobody(cworld):
    w = cworld
    person = PersonFactory(name="无账号党员", home=w.tree.h1)
    member = org_services.party_member_upsert(
        actor=None, person=person, org=w.branch, member_type=MemberType.RETIRED, joined_on=date(1980, 1, 1)
    )
    claim = ledger.claim_propose(
        actor=w.users["committee"],
        member=member,
        rule=w.rules["volunteer"],
        occurred_on=date(2026, 6, 1),
        note="助老",
    )
    ledger.claim_decide(actor=w.users["secretary"], claim=claim, approve=False, reason="无记录")
    assert sent("community.claim_decided") == []
    assert "无账号党员" in OutboxMessage.objects.get(kind="community.claim_waiting").body


def test_the_secretarys_to_do_tiles(cworld):
    w = cworld
    registrations.registration_apply(actor=w.users["unit_rep"], node=w.tree.r1, unit=w.unit)
    claim = ledger.claim_propose(
        actor=w.users["committee"],
        member=w.members[MemberType.RETIRED],
        rule=w.rules["volunteer"],
        occurred_on=date(2026, 6, 1),
        note="助老",
    )
    counts = {t.key: (t.count, t.url) for t in todos.todos(w.users["secretary"])}
    assert counts[todos.REGISTRATIONS] == (1, "/community/queue/")
    assert counts[todos.POINTS] == (1, "/community/approvals/")
    assert todos.REGISTRATIONS not in {t.key for t in todos.todos(w.users["committee"])}  # no APPROVE
    assert {t.key: t.count for t in todos.todos(w.users["secretary_r3"])}[todos.REGISTRATIONS] == 0
    ledger.claim_decide(actor=w.users["secretary"], claim=claim, approve=True)
    assert {t.key: t.count for t in todos.todos(w.users["secretary"])}[todos.POINTS] == 0
