"""双报到 as a process: apply, confirm or decline, commitments, service, end and move; the
refusals write nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.community import registrations as reg
from gongzhi.community.models import Commitment, RegistrationEvent, ServiceRecord
from gongzhi.community.tests.ledger.conftest import T0
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orgs.models import DualRegistration
from gongzhi.orgs.roles import MemberType

State = DualRegistration.State
HOURS = reg.CommitmentIn(kind="hours", title="志愿服务", per_year=Decimal("24"), unit="hours")
POST = reg.CommitmentIn(kind="post", title="楼组长", per_year=1, unit="times")


def test_a_member_applies_and_the_area_party_organisation_confirms(cworld):
    member = cworld.members[MemberType.IN_SERVICE]
    with clock.freeze(T0):
        r = reg.registration_apply(
            actor=cworld.users[MemberType.IN_SERVICE],
            node=cworld.tree.r1,
            member=member,
            commitments=[HOURS, POST],
        )
        assert r.state == State.APPLIED and r.commitments.count() == 2
        with pytest.raises(PermissionDeniedError):  # committee staff enter, they do not decide
            reg.registration_decide(actor=cworld.users["committee"], registration=r, confirm=True)
        reg.registration_decide(actor=cworld.users["secretary"], registration=r, confirm=True)
    r.refresh_from_db()
    assert r.state == State.CONFIRMED and r.registered_on == T0.date()
    assert list(r.events.values_list("action", "from_state", "to_state")) == [
        ("apply", "", "applied"),
        ("confirm", "applied", "confirmed"),
    ]
    with pytest.raises(ConflictError):
        reg.registration_decide(actor=cworld.users["secretary"], registration=r, confirm=False, reason="x")


def test_a_decline_needs_a_reason_and_keeps_the_history(cworld):
    with clock.freeze(T0):
        r = reg.registration_apply(actor=cworld.users["committee"], node=cworld.tree.r1, unit=cworld.unit)
        with pytest.raises(ValidationError) as err:
            reg.registration_decide(actor=cworld.users["secretary"], registration=r, confirm=False)
        assert "reason" in err.value.message_dict
        reg.registration_decide(
            actor=cworld.users["secretary"], registration=r, confirm=False, reason="单位不在本区"
        )
    r.refresh_from_db()
    assert r.state == State.DECLINED
    assert r.events.last().note == "单位不在本区"


def test_a_unit_outside_the_street_is_refused_and_nothing_is_written(cworld):
    before = (DualRegistration.objects.count(), RegistrationEvent.objects.count(), Commitment.objects.count())
    with pytest.raises(ValidationError) as err:
        reg.registration_apply(
            actor=cworld.users["committee"],
            node=cworld.tree.r1,
            unit=cworld.outside_unit,
            commitments=[HOURS],
        )
    assert "不在本街道" in err.value.message_dict["unit"][0]
    after = (DualRegistration.objects.count(), RegistrationEvent.objects.count(), Commitment.objects.count())
    assert after == before


def test_who_may_apply(cworld):
    member = cworld.members[MemberType.IN_SERVICE]
    with pytest.raises(PermissionDeniedError):  # another member may not apply for them
        reg.registration_apply(actor=cworld.users[MemberType.RETIRED], node=cworld.tree.r1, member=member)
    with pytest.raises(PermissionDeniedError):  # committee staff of another area
        reg.registration_apply(actor=cworld.users["committee_r3"], node=cworld.tree.r1, member=member)
    r = reg.registration_apply(actor=cworld.users["unit_rep"], node=cworld.tree.r1, unit=cworld.unit)
    assert r.unit == cworld.unit


@pytest.mark.parametrize(
    ("kind", "field"),
    [(MemberType.RETIRED, "member"), (MemberType.IN_DIFFICULTY, "member")],
)
def test_members_who_need_not_register_are_refused(cworld, kind, field):
    with pytest.raises(ValidationError) as err:
        reg.registration_apply(
            actor=cworld.users["committee"], node=cworld.tree.r1, member=cworld.members[kind]
        )
    assert field in err.value.message_dict


def test_a_member_registers_where_they_live_and_once(cworld):
    member = cworld.members[MemberType.IN_SERVICE]
    with pytest.raises(ValidationError) as err:
        reg.registration_apply(actor=cworld.users["street_admin"], node=cworld.tree.r3, member=member)
    assert "node" in err.value.message_dict
    reg.registration_apply(actor=cworld.users["committee"], node=cworld.tree.r1, member=member)
    with pytest.raises(ValidationError):
        reg.registration_apply(actor=cworld.users["committee"], node=cworld.tree.r1, member=member)


def test_bad_commitments_are_refused_with_their_line(cworld):
    bad = [
        reg.CommitmentIn(kind="bribe", title="x", per_year=1, unit="times"),
        HOURS,
        reg.CommitmentIn(kind="funds", title="赞助", per_year="-5", unit="yuan"),
    ]
    with pytest.raises(ValidationError) as err:
        reg.registration_apply(
            actor=cworld.users["committee"], node=cworld.tree.r1, unit=cworld.unit, commitments=bad
        )
    messages = err.value.message_dict["commitments"]
    assert len(messages) == 2 and "第1项" in messages[0] and "第3项" in messages[1]
    assert not DualRegistration.objects.filter(unit=cworld.unit).exists()


def _confirmed(cworld, **kw):
    with clock.freeze(T0):
        r = reg.registration_apply(
            actor=cworld.users["committee"], node=cworld.tree.r1, commitments=[HOURS], **kw
        )
        reg.registration_decide(actor=cworld.users["secretary"], registration=r, confirm=True)
    r.refresh_from_db()
    return r


def test_service_is_recorded_against_commitments_and_corrected_by_a_negative_record(cworld):
    r = _confirmed(cworld, unit=cworld.unit)
    hours = r.commitments.get()
    with clock.freeze(T0):
        reg.service_record(
            actor=cworld.users["committee"], commitment=hours, done_on=T0.date(), quantity="3.5"
        )
        with pytest.raises(ValidationError):
            reg.service_record(
                actor=cworld.users["committee"], commitment=hours, done_on=T0.date(), quantity=-1
            )
        reg.service_record(
            actor=cworld.users["committee"],
            commitment=hours,
            done_on=T0.date(),
            quantity=-1,
            note="多记了一小时",
        )
        with pytest.raises(ValidationError):
            reg.service_record(
                actor=cworld.users["committee"], commitment=hours, done_on=date(2027, 1, 1), quantity=1
            )
        with pytest.raises(PermissionDeniedError):
            reg.service_record(
                actor=cworld.users["committee_r3"], commitment=hours, done_on=T0.date(), quantity=1
            )
    assert sum(s.quantity for s in ServiceRecord.objects.filter(commitment=hours)) == Decimal("2.5")


def test_leaving_ends_the_registration_with_history_kept(cworld):
    r = _confirmed(cworld, unit=cworld.unit)
    with clock.freeze(T0):
        reg.registration_end(actor=cworld.users["unit_rep"], registration=r, reason="单位搬迁")
    r.refresh_from_db()
    assert r.state == State.ENDED and r.ended_on == T0.date()
    assert r.commitments.count() == 1 and r.events.count() == 3
    with pytest.raises(ConflictError):
        reg.registration_end(actor=cworld.users["committee"], registration=r, reason="again")


def test_a_mobile_member_moving_ends_here_and_applies_there(cworld):
    r = _confirmed(cworld, member=cworld.members[MemberType.MOBILE])
    with clock.freeze(T0):
        new = reg.registration_move(actor=cworld.users["committee"], registration=r, to=cworld.tree.r3)
    r.refresh_from_db()
    assert r.state == State.ENDED and new.state == State.APPLIED and new.node == cworld.tree.r3
    assert [c.title for c in new.commitments.all()] == ["志愿服务"]
    assert new.events.get().data == {"moved_from": r.pk}
    reg.registration_decide(actor=cworld.users["secretary_r3"], registration=new, confirm=True)
