"""Hand-built community data on the community world (community/tests/ledger/conftest.py), every
figure known by hand. D is 2026-06-15 (T0, 10:00); NOW_PERIOD is [D-10, D] (both included),
EARLY_PERIOD is [D-30, D-5].

People (all but the last live in 东安 R1, household H101):
- 在职 (in service): applied and confirmed D-20, commits 365 hours a year (one a day); service
  D-15 2 h (before the period), D-5 4 h, D-1 3 h.
- 新经济组织: applied D-10, confirmed D-9, left D-2; commits 73 hours a year; service D-5 1 h.
- 流动: applied D-10, withdrew D-2 before any decision (never registered); commits 365 hours.
- 退休, 困难: do not register.
- 南丹 R3: an in-service member, not registered.
Units (besides the staff's committees and the street office, which are not counted):
- 东安医院 (R1): applied and confirmed D-20 with a commitment in 次 (not hours).
- 东安社工站 (a social organisation in 东安一村, R1): registered on the roster with 南丹 R3.
- 南丹超市 (an enterprise in R3): not registered. 东安志愿队 (R1): a volunteer team, not counted.
Needs listed in NOW_PERIOD: 助餐 (R1, met), 修路灯 (R1, open), 义诊 (R3, matched), 重复 (R3,
closed: not counted); 老需求 (R1, met) was listed D-20.
Projects: 助餐点 (R1) claimed D-8, done D-2, due D-1 (on time); 路灯 (R1) claimed D-7, done D-1,
due D-3 (late); 义诊 (R3) claimed D-30, done D-4, due D-4 (on time); 楼道 (R1) claimed D-5, under way.
Points in NOW_PERIOD: 在职 +3 +3 +4 -2 = 8 (and +3 at D-20, outside); 退休 +3; 困难 +3; 流动 -2
reversed = 0.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from gongzhi.community import ledger, registrations
from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.community.models import (
    Need,
    NeedSource,
    NeedState,
    PointEntry,
    Project,
    ProjectState,
    ServiceField,
)
from gongzhi.community.tests.ledger.conftest import SH, T0, CommunityWorld, build_world, photo
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.orgs.models import DualRegistration, PartyMember, Unit
from gongzhi.orgs.roles import MemberType, UnitKind
from gongzhi.reports.periods import Period
from gongzhi.testing.factories import PersonFactory, UnitFactory, node

D = T0.date()
NOW_PERIOD = Period(D - timedelta(days=10), D + timedelta(days=1))
EARLY_PERIOD = Period(D - timedelta(days=30), D - timedelta(days=4))


def day(n: int) -> date:
    return D - timedelta(days=n)


def at(n: int, hour: int = 10) -> datetime:
    return datetime.combine(day(n), datetime.min.time(), tzinfo=SH).replace(hour=hour)


@dataclass
class FiguresWorld:
    w: CommunityWorld
    r3_member: PartyMember
    social: Unit
    shop: Unit


def _register(w: CommunityWorld, key: str, applied: int, per_year: int, confirmed: int | None = None) -> Any:
    hours = registrations.CommitmentIn(CommitmentKind.HOURS, "志愿服务", per_year, CommitmentUnit.HOURS)
    with clock.freeze(at(applied)):
        reg = registrations.registration_apply(
            actor=w.users[key], node=w.tree.r1, member=w.members[key], commitments=[hours]
        )
    if confirmed is not None:
        with clock.freeze(at(confirmed, 11)):
            reg = registrations.registration_decide(
                actor=w.users["secretary"], registration=reg, confirm=True
            )
    return reg


def _serve(w: CommunityWorld, reg: Any, n: int, hours: int) -> None:
    commitment = reg.commitments.get()
    with clock.freeze(T0):
        registrations.service_record(
            actor=w.users["committee"], commitment=commitment, done_on=day(n), quantity=hours
        )


def _need(title: str, place: Any, state: str, listed: int) -> Need:
    return Need.objects.create(
        title=title,
        field=ServiceField.ELDERLY,
        source=NeedSource.STAFF,
        node=place,
        node_path=place.path,
        beneficiaries="居民",
        state=state,
        created_at=at(listed),
    )


def _project(title: str, place: Any, claimed: int, due: int, done: int | None) -> Project:
    return Project.objects.create(
        title=title,
        summary=title,
        field=ServiceField.ELDERLY,
        node=place,
        node_path=place.path,
        starts_on=day(40),
        ends_on=day(due),
        state=ProjectState.DONE if done is not None else ProjectState.ACTIVE,
        claimed_at=at(claimed),
        done_at=at(done, 12) if done is not None else None,
        created_at=at(45),
    )


def _award(w: CommunityWorld, key: str, rule: str, n: int) -> PointEntry:
    evidence = photo() if w.rules[rule].evidence_required else None
    with clock.freeze(T0):
        claim = ledger.claim_propose(
            actor=w.users["secretary"],
            member=w.members[key],
            rule=w.rules[rule],
            occurred_on=day(n),
            note=f"{rule} {n}",
            evidence=evidence,
        )
    return PointEntry.objects.get(claim=claim)


def build() -> FiguresWorld:
    w = build_world()
    tree = w.tree
    assert w.unit is not None
    # the unit_rep's own staff unit (a co-building unit in R1) is not part of the story
    Unit.objects.filter(node=tree.r1, kind=UnitKind.CO_BUILDING).exclude(pk=w.unit.pk).update(active=False)
    e3 = node("S-R3-E1", "南丹小区", Level.ESTATE, tree.r3)
    b3 = node("S-R3-B1", "南丹小区1号楼", Level.BUILDING, e3)
    h3 = node("S-R3-H301", "1号楼301室", Level.HOUSEHOLD, b3)
    person = PersonFactory(name="南丹在职党员", home=h3)
    r3_member = PartyMember.objects.create(
        person=person, org=w.area_org_r3, member_type=MemberType.IN_SERVICE
    )
    social = UnitFactory(node=tree.e1, kind=UnitKind.SOCIAL_ORG, name="东安社工站")
    shop = UnitFactory(node=tree.r3, kind=UnitKind.ENTERPRISE, name="南丹超市")
    UnitFactory(node=tree.r1, kind=UnitKind.VOLUNTEER, name="东安志愿队")
    DualRegistration.objects.create(unit=social, node=tree.r3, registered_on=date(2025, 1, 1))

    in_service = _register(w, MemberType.IN_SERVICE, 20, 365, confirmed=20)
    new_org = _register(w, MemberType.NEW_ORG, 10, 73, confirmed=9)
    mobile = _register(w, MemberType.MOBILE, 10, 365)
    times = registrations.CommitmentIn(CommitmentKind.SERVICE, "义诊", 12, CommitmentUnit.TIMES)
    with clock.freeze(at(20)):
        unit_reg = registrations.registration_apply(
            actor=w.users["unit_rep"], node=tree.r1, unit=w.unit, commitments=[times]
        )
    with clock.freeze(at(20, 11)):
        registrations.registration_decide(actor=w.users["secretary"], registration=unit_reg, confirm=True)
    _serve(w, in_service, 15, 2)
    _serve(w, in_service, 5, 4)
    _serve(w, in_service, 1, 3)
    _serve(w, new_org, 5, 1)
    with clock.freeze(at(2)):
        registrations.registration_end(actor=w.users["committee"], registration=new_org, reason="工作调动")
        registrations.registration_end(actor=w.users["committee"], registration=mobile, reason="撤回申请")

    _need("助餐", tree.r1, NeedState.MET, 8)
    _need("修路灯", tree.r1, NeedState.OPEN, 3)
    _need("义诊", tree.r3, NeedState.MATCHED, 1)
    _need("重复", tree.r3, NeedState.CLOSED, 2)
    _need("老需求", tree.r1, NeedState.MET, 20)
    _project("助餐点", tree.r1, claimed=8, due=1, done=2)
    _project("路灯", tree.r1, claimed=7, due=3, done=1)
    _project("义诊", tree.r3, claimed=30, due=4, done=4)
    _project("楼道", tree.r1, claimed=5, due=-30, done=None)

    for n in (20, 6, 5):
        _award(w, MemberType.IN_SERVICE, "volunteer", n)
    _award(w, MemberType.IN_SERVICE, "in_service_only", 4)
    _award(w, MemberType.IN_SERVICE, "waste", 3)
    _award(w, MemberType.RETIRED, "volunteer", 2)
    _award(w, MemberType.IN_DIFFICULTY, "volunteer", 2)
    wrong = _award(w, MemberType.MOBILE, "waste", 3)
    with clock.freeze(T0):
        ledger.entry_reverse(actor=w.users["secretary"], entry=wrong, reason="认定有误")
    assert Decimal(in_service.commitments.get().per_year) == 365
    return FiguresWorld(w=w, r3_member=r3_member, social=social, shop=shop)
