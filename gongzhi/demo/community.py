"""Community (共建) in the demo street (issue 15 item 8), calibrated on docs/domain.md §5: the
Changzhi G community's 26 government and public units and 15 non-public and social
organisations take part in co-building, the non-public side's Party members in 6 branches.

Here: the co-building units the roster lacks and the units' Party organisations
(`orgs.services.party_org_upsert`), then 双报到 as a process over the street's existing
registrations (~1,685 at scale 1): what each registered member or unit commits to (posts
楼组长 and 志愿者, services, venues, funds, hours) and a year of service recorded against it, a
few registrations ended, and the new units' registrations with their apply and confirm
events. A few applications wait in the Party secretaries' queue and a few were declined:
those go through `community.registrations` itself, under a frozen clock, as they are few.
Then the points ledger (demo.communityledger) and the three lists with projects and pledges
(demo.communitylists), and the `member` demo login is linked to a registered member.

Bulk rows are written raw (demo.bulk) after the services' own checks: commitments through
`registrations._commitments` (every line), the units' places inside the street.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from gongzhi.community import registrations as process
from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.community.models import Commitment, RegistrationEvent, ServiceRecord
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.demo import calibration as cal
from gongzhi.demo import communityledger, communitylists
from gongzhi.demo.communityworld import DEMO_AREA, World, insert, load_world, weighted
from gongzhi.demo.records import Street
from gongzhi.demo.rows import new
from gongzhi.geo.models import Node
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Person, Unit
from gongzhi.orgs.roles import MemberType, PartyOrgKind, UnitKind

State = DualRegistration.State
MEMBER_LOGIN = "member"  # demo.logins: a registered member who sees their own ledger
# The units the roster lacks to make Changzhi's 26 + 15 (the roster has 14 co-building units,
# 4 law firms and 5 social organisations).
MORE_PUBLIC_UNITS = (
    "枫林街道社区事务受理服务中心", "区疾病预防控制中心枫林工作站", "区消防救援支队枫林站", "区交警支队枫林中队",
    "枫林中学", "枫林路小学", "区文化馆枫林分馆", "区档案馆", "区就业促进中心枫林服务站",
    "工商银行枫林支行", "电信枫林营业厅", "区体育中心",
)  # fmt: skip
ENTERPRISES = (
    "枫林商务大厦管理有限公司", "联华超市枫林店", "申捷快递枫林站", "枫悦餐饮管理有限公司",
    "枫林数码科技有限公司", "安康大药房枫林店",
)  # fmt: skip
OWN_BRANCH_ENTERPRISES = 3  # the larger enterprises have their own 党支部; the others share one
JOINT_BRANCHES = (  # of the smaller enterprises, the law firms, the social organisations
    ("FL-LHDZB-QY", "枫林街道商务楼宇联合党支部"),
    ("FL-LHDZB-LS", "枫林街道律师行业联合党支部"),
    ("FL-LHDZB-SZ", "枫林街道社会组织联合党支部"),
)
QUEUE_UNIT = "安康大药房枫林店"  # applies in the demo area: the secretary's queue has a unit
DECLINE_REASONS = (
    "该党员已在工作单位所在社区报到，请勿重复报到",
    "承诺内容不具体，请与居委会沟通后重新申请",
    "居住地址与报到居民区不符，请到实际居住地报到",
)
END_REASONS = ("工作调动，迁居外区", "搬离本居民区", "单位撤销驻点")
SERVICE_NOTES: dict[str, tuple[str, ...]] = {
    CommitmentKind.POST: ("楼道巡查", "协助垃圾分类值守", "走访独居老人", "参加楼组议事", "环境整治"),
    CommitmentKind.SERVICE: ("进社区服务", "上门服务", "专题讲座"),
    CommitmentKind.VENUE: ("开放会议室", "提供活动场地"),
    CommitmentKind.FUNDS: ("共建项目资金到位",),
    CommitmentKind.HOURS: ("志愿服务", "社区活动保障", "疫苗接种引导", "创全值守"),
}


@dataclass
class Registered:
    """A confirmed (or ended) registration the process keeps commitments and service for."""

    pk: int
    is_unit: bool
    path: str
    registered_on: date
    offer: str
    ended_on: date | None = None


def write_community(street: Street, now: datetime) -> dict[str, int]:
    world = load_world(street.tree.street, now, street.rng("community"))
    counts: dict[str, int] = {}
    counts["community_units_added"] = _units_and_party_orgs(street, world)
    registered = _registrations(world)
    counts["community_commitments"], counts["community_service_records"] = _commitments(world, registered)
    counts["community_registrations_applied"], counts["community_registrations_declined"] = _process(world)
    member = _member_login(world)
    counts |= communityledger.write_ledger(world, member, street.rng("community_ledger"))
    counts |= communitylists.write_lists(world, street.rng("community_lists"))
    return counts


# --- units and their Party organisations ----------------------------------------------------------


def _units_and_party_orgs(street: Street, world: World) -> int:
    """The co-building units the roster lacks, located across the areas; each unit's Party
    organisation (public units their own 党支部; the non-public side 6 branches, joint where
    the organisations are small), all under the street's working committee, with which they
    build the community together (区域化党建; the non-public side's is the street's 两新 work)."""
    areas = world.areas
    rows: list[Unit] = []
    for i, name in enumerate(MORE_PUBLIC_UNITS):
        node = areas[(i * 5 + 2) % len(areas)].node
        rows.append(_unit(street, f"FL-U-GJ{15 + i:02d}", name, UnitKind.CO_BUILDING, node))
    for i, name in enumerate(ENTERPRISES):
        node = areas[0].node if name == QUEUE_UNIT else areas[(i * 7 + 4) % len(areas)].node
        rows.append(_unit(street, f"FL-U-QY{i + 1:02d}", name, UnitKind.ENTERPRISE, node))
    insert(Unit, rows)
    public = Unit.objects.filter(kind=UnitKind.CO_BUILDING, code__startswith="FL-U-").select_related("node")
    non_public = {
        kind: list(Unit.objects.filter(kind=kind, code__startswith="FL-U-").order_by("code"))
        for kind in (UnitKind.LAW_FIRM, UnitKind.SOCIAL_ORG, UnitKind.ENTERPRISE)
    }
    if (
        len(public) != cal.CO_BUILDING_PUBLIC
        or sum(map(len, non_public.values())) != cal.CO_BUILDING_NON_PUBLIC
    ):
        raise ValueError("demo co-building units do not add up to the calibration")
    top = PartyOrg.objects.get(code="FL-DGW")
    for unit in public.order_by("code"):
        _party_org(f"{unit.code}-DZB", f"{unit.name}党支部", unit.node, top)
    street_node = world.street
    enterprises = non_public[UnitKind.ENTERPRISE]
    branches = [(f"{u.code}-DZB", f"{u.name}党支部", u.node) for u in enterprises[:OWN_BRANCH_ENTERPRISES]]
    branches += [(code, name, street_node) for code, name in JOINT_BRANCHES]
    if len(branches) != cal.NON_PUBLIC_PARTY_BRANCHES:
        raise ValueError("demo non-public Party branches do not add up to the calibration")
    for code, name, node in branches:
        _party_org(code, name, node, top)
    return len(rows)


def _unit(street: Street, code: str, name: str, kind: str, node: Node) -> Unit:
    if not node.path.startswith(street.tree.street.path):
        raise ValueError(f"demo unit {code} outside the street")
    return new(
        Unit,
        code=code,
        name=name,
        kind=kind,
        node_id=node.pk,
        address=node.address,
        office_phone=street.book.phone(),
        active=True,
    )


def _party_org(code: str, name: str, node: Node, parent: PartyOrg) -> None:
    org_services.party_org_upsert(
        actor=None, code=code, name=name, kind=PartyOrgKind.BRANCH, node=node, parent=parent
    )


# --- 双报到: the existing registrations' commitments and service ---------------------------------


def _registrations(world: World) -> list[Registered]:
    """The street's confirmed registrations (the roster's), a few of the members' ended (they
    moved away), and the units that join now registered with an area or two (apply and
    confirm events, as the process writes them)."""
    rng = world.rng
    under = world.street.path
    rows = list(
        DualRegistration.objects.filter(node__path__startswith=under, state=State.CONFIRMED)
        .order_by("pk")
        .values_list("pk", "unit_id", "node__path", "registered_on", "service_offer")
    )
    registered = [Registered(pk, unit is not None, path, on, offer) for pk, unit, path, on, offer in rows]
    ending = [r for r in registered if not r.is_unit and rng.random() < 0.02]
    events: list[RegistrationEvent] = []
    for r in ending:
        r.ended_on = world.day_between(world.today - timedelta(days=180), world.today - timedelta(days=3))
        area = world.area_of(r.path)
        events.append(
            _event(
                r.pk,
                "end",
                State.CONFIRMED,
                State.ENDED,
                area.director,
                world.at(r.ended_on),
                rng.choice(END_REASONS),
            )
        )
    for r in ending:  # an UPDATE per row: a few dozen at scale 1
        DualRegistration.objects.filter(pk=r.pk).update(state=State.ENDED, ended_on=r.ended_on)
    added = _new_unit_registrations(world, events)
    insert(RegistrationEvent, events)
    return registered + added


def _new_unit_registrations(world: World, events: list[RegistrationEvent]) -> list[Registered]:
    rng = world.rng
    units = Unit.objects.filter(
        Q(code__regex=r"^FL-U-GJ(1[5-9]|2[0-9])$")
        | Q(kind__in=(UnitKind.LAW_FIRM, UnitKind.SOCIAL_ORG, UnitKind.ENTERPRISE)),
        code__startswith="FL-U-",
    ).exclude(name=QUEUE_UNIT)
    rows: list[DualRegistration] = []
    for unit in units.select_related("node").order_by("code"):
        home = [a for a in world.areas if unit.node.path.startswith(a.node.path)]
        others = [a for a in world.areas if a not in home]
        chosen = home + rng.sample(others, 1 if home else rng.randint(1, 2))
        for area in chosen[: rng.randint(1, 2)]:
            on = date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365))
            rows.append(
                new(
                    DualRegistration,
                    unit_id=unit.pk,
                    node_id=area.node.pk,
                    registered_on=on,
                    service_offer=rng.choice(SERVICE_OFFERS),
                    state=State.CONFIRMED,
                )
            )
    insert(DualRegistration, rows)
    paths = {a.node.pk: a for a in world.areas}
    out: list[Registered] = []
    for reg in rows:
        area = paths[reg.node_id]
        applied = world.at(reg.registered_on - timedelta(days=rng.randint(2, 10)))
        events.append(_event(reg.pk, "apply", "", State.APPLIED, area.director, applied, ""))
        events.append(
            _event(
                reg.pk,
                "confirm",
                State.APPLIED,
                State.CONFIRMED,
                area.secretary,
                world.at(reg.registered_on),
                "",
            )
        )
        out.append(Registered(reg.pk, True, area.node.path, reg.registered_on, reg.service_offer))
    return out


SERVICE_OFFERS = (
    "义诊进社区",
    "法律咨询",
    "助老志愿服务",
    "政策宣讲",
    "文化活动场地",
    "环境整治",
    "就业指导",
)


def _event(
    registration: int,
    action: str,
    before: str,
    after: str,
    actor: int | None,
    at: datetime,
    note: str,
    **data: Any,
) -> RegistrationEvent:
    return new(
        RegistrationEvent,
        registration_id=registration,
        action=action,
        from_state=before,
        to_state=after,
        actor_id=actor,
        at=at,
        note=note[:500],
        data=data,
    )


def _lines(world: World, r: Registered) -> list[process.CommitmentIn]:
    """What a registration commits to, per year."""
    rng, C, U = world.rng, CommitmentKind, CommitmentUnit
    if r.is_unit:
        lines = [process.CommitmentIn(C.SERVICE, r.offer or "进社区服务", rng.choice((4, 6, 8, 12)), U.TIMES)]
        if rng.random() < 0.5:
            lines.append(
                process.CommitmentIn(C.VENUE, "开放会议室、活动场地", rng.choice((6, 12, 24)), U.TIMES)
            )
        if rng.random() < 0.4:
            lines.append(
                process.CommitmentIn(C.FUNDS, "共建项目资金", rng.choice((5000, 10000, 20000, 50000)), U.YUAN)
            )
        if rng.random() < 0.6:
            lines.append(
                process.CommitmentIn(C.HOURS, "职工志愿服务", rng.choice((60, 100, 200, 300)), U.HOURS)
            )
        return lines
    post = weighted(rng, (("志愿者", 0.6), ("楼组长", 0.2), (None, 0.2)))
    lines = [process.CommitmentIn(C.POST, post, 12, U.TIMES)] if post else []
    if not lines or rng.random() < 0.7:
        lines.append(process.CommitmentIn(C.HOURS, "志愿服务时长", rng.choice((20, 24, 36, 48)), U.HOURS))
    if rng.random() < 0.25:
        lines.append(
            process.CommitmentIn(C.SERVICE, r.offer or "助老志愿服务", rng.choice((4, 6, 12)), U.TIMES)
        )
    return lines


def _commitments(world: World, registered: list[Registered]) -> tuple[int, int]:
    """Each registration's commitments (checked line by line as the process checks them) and a
    year of service against them: most keep them, some fall behind, some drift away."""
    plans: list[tuple[Registered, Commitment]] = []
    events: list[RegistrationEvent] = []
    for r in registered:
        since = max(r.registered_on, world.year_ago - timedelta(days=400))
        added = world.at(world.day_between(since, since + timedelta(days=14)))
        for row in process._commitments(_lines(world, r)):
            plans.append((r, new(Commitment, registration_id=r.pk, created_at=added, **row)))
    insert(Commitment, [c for _r, c in plans])
    for r, c in plans:
        area = world.area_of(r.path)
        events.append(
            _event(
                r.pk,
                "commit",
                State.CONFIRMED,
                State.CONFIRMED,
                area.director,
                c.created_at,
                c.title,
                commitment=c.pk,
            )
        )
    records: list[ServiceRecord] = []
    for r, c in plans:
        records.extend(_service(world, r, c))
    insert(ServiceRecord, records)
    by_commitment = {c.pk: r for r, c in plans}
    for record in records:
        r = by_commitment[record.commitment_id]
        events.append(
            _event(
                r.pk,
                "serve",
                State.CONFIRMED,
                State.CONFIRMED,
                record.recorded_by_id,
                record.recorded_at,
                record.note,
                record=record.pk,
                quantity=str(record.quantity),
            )
        )
    insert(RegistrationEvent, events)
    return len(plans), len(records)


def _service(world: World, r: Registered, c: Commitment) -> list[ServiceRecord]:
    rng = world.rng
    start = max(r.registered_on, world.year_ago)
    end = min(r.ended_on or world.today, world.today)
    if end <= start:
        return []
    share = (end - start).days / 365
    keeps = weighted(rng, ((0.0, 0.15), (rng.uniform(0.3, 0.7), 0.25), (rng.uniform(0.8, 1.3), 0.6)))
    total = float(c.per_year) * share * keeps
    if c.unit == CommitmentUnit.YUAN:
        pieces = [total] if total >= 100 else []
    elif c.unit == CommitmentUnit.HOURS:
        pieces = [rng.choice((2, 3, 4)) for _ in range(min(24, round(total / 3)))]
    else:
        pieces = [1] * min(24, round(total))
    area = world.area_of(r.path)
    out: list[ServiceRecord] = []
    for quantity in pieces:
        done = world.day_between(start, end)
        recorded = world.at(min(end, done + timedelta(days=rng.randint(0, 3))))
        out.append(
            new(
                ServiceRecord,
                commitment_id=c.pk,
                done_on=done,
                quantity=Decimal(str(round(quantity, 1))),
                note=rng.choice(SERVICE_NOTES[c.kind]),
                recorded_by_id=area.director,
                recorded_at=recorded,
            )
        )
    if out and rng.random() < 0.02:  # a record entered twice, corrected by a negative one
        wrong = out[-1]
        out.append(
            new(
                ServiceRecord,
                commitment_id=c.pk,
                done_on=wrong.done_on,
                quantity=-wrong.quantity,
                note="重复登记，予以更正",
                recorded_by_id=area.director,
                recorded_at=world.after(wrong.recorded_at, days=2),
            )
        )
    return out


# --- applications waiting and declined: through the process itself ---------------------------------


def _process(world: World) -> tuple[int, int]:
    """Members (and a unit in the demo area) who applied in the last weeks and wait for their
    area's Party organisation, and a few declined with a reason: `community.registrations`
    under a frozen clock, each step as it happened."""
    rng = world.rng
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(
            pk__in=[a.secretary for a in world.areas] + [a.director for a in world.areas]
        )
    }
    candidates = _unregistered_members(world)
    applied = declined = 0
    for area in world.areas:
        waiting = candidates.get(area.node.path, [])
        demo = area.node.code == DEMO_AREA
        n_apply = min(len(waiting), 2 if demo else int(rng.random() < 0.3))
        n_decline = min(len(waiting) - n_apply, 1 if demo or rng.random() < 0.12 else 0)
        for member in waiting[:n_apply]:
            _apply(world, users[area.director], area.node, member=member)
            applied += 1
        for member in waiting[n_apply : n_apply + n_decline]:
            registration = _apply(world, users[area.director], area.node, member=member, days=(20, 60))
            with clock.freeze(world.after(world.now - timedelta(days=19), days=5)):
                process.registration_decide(
                    actor=users[area.secretary],
                    registration=registration,
                    confirm=False,
                    reason=rng.choice(DECLINE_REASONS),
                )
            declined += 1
        if demo:  # the unit that joins now, and units making up for members the area lacks
            units = [Unit.objects.get(name=QUEUE_UNIT), *_unregistered_units(world, area.node)]
            for unit in units[: max(1, 3 - n_apply)]:
                _apply(world, users[area.director], area.node, unit=unit)
                applied += 1
    return applied, declined


def _apply(
    world: World,
    actor: Actor,
    node: Node,
    *,
    member: PartyMember | None = None,
    unit: Unit | None = None,
    days: tuple[int, int] = (1, 14),
) -> DualRegistration:
    rng = world.rng
    when = world.at(world.today - timedelta(days=rng.randint(*days)))
    lines = [
        process.CommitmentIn(CommitmentKind.POST, "志愿者", 12, CommitmentUnit.TIMES),
        process.CommitmentIn(CommitmentKind.HOURS, "志愿服务时长", 24, CommitmentUnit.HOURS),
    ]
    offer = rng.choice(SERVICE_OFFERS)
    if unit is not None:
        title = "健康用药咨询" if unit.name == QUEUE_UNIT else offer
        lines = [process.CommitmentIn(CommitmentKind.SERVICE, title, 12, CommitmentUnit.TIMES)]
    with clock.freeze(when):
        return process.registration_apply(
            actor=actor,
            node=node,
            member=member,
            unit=unit,
            service_offer=offer,
            commitments=lines,
        )


def _unregistered_units(world: World, node: Node) -> list[Unit]:
    """The joining public units not registered with the area, in code order."""
    there = DualRegistration.objects.filter(node=node, unit__isnull=False).values("unit_id")
    return list(
        Unit.objects.filter(code__regex=r"^FL-U-GJ(1[5-9]|2[0-9])$").exclude(pk__in=there).order_by("code")
    )


def _unregistered_members(world: World) -> dict[str, list[PartyMember]]:
    """Area path → members of the types that register (in service, mobile, new organisations)
    living there with no registration at all, in code order."""
    registered = DualRegistration.objects.filter(member__isnull=False).values("member_id")
    members = (
        PartyMember.objects.filter(
            person__home__path__startswith=world.street.path,
            member_type__in=(MemberType.IN_SERVICE, MemberType.MOBILE, MemberType.NEW_ORG),
        )
        .exclude(pk__in=registered)
        .select_related("person__home")
        .order_by("person__code")
    )
    out: dict[str, list[PartyMember]] = {}
    for m in members:
        home = m.person.home
        assert home is not None
        out.setdefault(world.area_of(home.path).node.path, []).append(m)
    return out


# --- the member login ----------------------------------------------------------------------------


def _member_login(world: World) -> PartyMember:
    """A registered in-service member of the demo area (of the first area that has one, on a
    street too small to have one there), whose ledger the `member` login sees."""
    rows = (
        PartyMember.objects.filter(
            member_type=MemberType.IN_SERVICE,
            registrations__state=State.CONFIRMED,
            registrations__node__path__startswith=world.street.path,
        )
        .select_related("person")
        .values_list("pk", "registrations__node__code", "person__code")
    )
    if not rows:
        raise ValueError("the demo street has no registered member for the member login")
    pk = min(rows, key=lambda r: (r[1] != DEMO_AREA, r[1], r[2]))[0]
    member = PartyMember.objects.select_related("person").get(pk=pk)
    user = get_user_model().objects.filter(username=MEMBER_LOGIN).first()
    if user is not None and not Person.objects.filter(user=user).exists():
        Person.objects.filter(pk=member.person_id, user__isnull=True).update(user=user)
    return member
