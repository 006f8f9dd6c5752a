"""Order mode (订单模式) in the demo street (issue 16 item 8): the six usual modules with their
teams, and a year of orders up to now in every state.

The modules come from `orders.seeding.seed_modules`; their team rows (posts of the roster,
social organisations and law firms, confirmed 双报到 members) pass `orders.modules.member_errors`
as the admin's do. `grid` (a grid worker: 安全) and `committee` (the committee director: 矛盾调解)
are on teams, so their pool page has work.

The year is planned in memory and written raw (demo.bulk): each order's events are the ones
`orders.services` appends (create, escalate, take or assign, serve, confirm or auto_close, cancel), with the
order's denormalised state, version, level, server, times and rating as the service leaves
them; the contact phone sealed as `order_create` seals it (Fernet, keyed hash, mask). Most
orders are taken within the module's response time; some wait, are escalated by the sweep and
assigned by the lead (a few by the committee); served with a note and the hours; most confirmed
and rated, the others closed by the sweep (`auto_close`) ORDER_AUTO_CONFIRM_DAYS after serving.
Once the volunteers exist, `bank_order_hours` posts the confirmed orders' hours of volunteer
servers through `orders.services.bank_hours`. Orders of the last hours are still in the pool. The few that turned out to be
governance problems go through the services themselves (order_create, order_act "convert",
under a frozen clock), which open their cases. No photos: the served orders carry notes only.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from gongzhi.community.models import Volunteer
from gongzhi.core import clock, pii
from gongzhi.demo.communityworld import DEMO_AREA, World, insert, weighted
from gongzhi.demo.records import Street
from gongzhi.demo.rows import new
from gongzhi.geo.models import Node
from gongzhi.orders import bank, services, teams
from gongzhi.orders import modules as module_rules
from gongzhi.orders.choices import Escalation, ModuleKind, OrderState, Satisfaction
from gongzhi.orders.models import Order, OrderEvent, ServiceModule, TeamMember
from gongzhi.orders.seeding import seed_modules
from gongzhi.orgs.models import DualRegistration, Person, Post, Unit
from gongzhi.orgs.roles import PostRole, UnitKind

LEAD_CONFIRMS_AFTER_DAYS = 3  # older unconfirmed hours: the leads have confirmed them

ORDERS_PER_YEAR = 4200  # at scale 1: ~11 a day across the street
MIN_ORDERS = 150
OPEN_NOW = 6  # orders of the last response time, still in the pools (at any scale)
SERVING_NOW = 4  # taken in the last hours, being served now
CONVERTED_SHARE = 0.005  # through the services (each opens a case): the slow part
CANCELLED_SHARE = 0.04
LATE_SHARE = 0.12  # nobody took it within the response time
USER_PREFIX = "demo-"  # accounts for post-holders who act (as meetingbook's): removed by demo.reset
K = ModuleKind
SHARES = {
    K.CONVENIENCE: 0.34,
    K.DAILY_HELP: 0.26,
    K.SAFETY: 0.14,
    K.MEDIATION: 0.12,
    K.COUNSELLING: 0.06,
    K.LEGAL: 0.08,
}
NEEDS: dict[str, tuple[str, ...]] = {
    K.SAFETY: ("家里燃气报警器一直响，请来检查", "楼道电瓶车充电，担心起火", "门锁坏了关不上，老人独居不放心",
               "厨房插座冒火花", "楼道灭火器过期了"),
    K.CONVENIENCE: ("水龙头漏水，想请人修一下", "电视没有信号，老人不会弄", "想预约上门理发，行动不便",
                    "纱窗破了需要换", "抽水马桶一直流水", "菜刀剪刀想磨一下"),
    K.DAILY_HELP: ("老人腿脚不便，想请人代买药品", "想预约助浴服务", "下周三需要陪同去医院复查",
                   "独居老人需要助餐送餐", "家里需要打扫，本人刚做完手术"),
    K.MEDIATION: ("楼上漏水到我家，协商不成", "邻居装修噪音太大，想请居委会调解", "楼道堆物邻居不肯清理",
                  "与物业就停车费有争议", "邻居养狗扰民"),
    K.COUNSELLING: ("母亲独居后情绪低落，想请人聊聊", "孩子中考压力大，想咨询", "退休后睡不好，心里闷"),
    K.LEGAL: ("房屋继承问题想咨询律师", "租客拖欠房租怎么办", "工资被拖欠，想了解怎么维权", "想咨询遗嘱怎么写"),
}  # fmt: skip
NOTES: dict[str, tuple[str, ...]] = {
    K.SAFETY: ("已上门检查，更换报警器电池，燃气无泄漏", "已劝导移走电瓶车，张贴安全提示", "已更换门锁并检查门窗"),
    K.CONVENIENCE: ("已上门更换水龙头阀芯", "已调试机顶盒，教会老人使用遥控器", "已上门理发", "已更换纱窗"),
    K.DAILY_HELP: ("已代购药品送到家中", "已完成助浴，老人状态良好", "已陪同就医并送回家", "已安排助餐送餐"),
    K.MEDIATION: ("双方当面协商，楼上同意维修并赔偿", "已约定装修时间，邻居表示理解", "已协调清理楼道堆物"),
    K.COUNSELLING: ("已上门谈心一小时，约好下周再来", "已电话疏导并转介心理咨询师"),
    K.LEGAL: ("律师已电话解答，并告知所需材料", "已约律师面谈，提供书面意见"),
}  # fmt: skip
CONVERT_REASONS = ("楼上住户拒不配合，需要房管和物业共同处理", "涉及公共部位维修，需转工单由物业处理")
CANCEL_NOTES = ("问题已自行解决", "家人已帮忙处理")
STREET_LEADS: dict[str, str] = {
    K.SAFETY: "FL-POST-JD03",
    K.CONVENIENCE: "FL-POST-JD05",
    K.DAILY_HELP: "FL-POST-JD05",
}


@dataclass
class Team:
    module: ServiceModule
    servers: list[int]  # person ids who take and serve (leads too)
    leads: list[int]
    users: dict[int, int] = field(default_factory=dict)  # person id → user id, where there is one


def write_orders(street: Street, world: World) -> dict[str, int]:
    rng = street.rng("orders")
    modules = seed_modules(world.street)
    teams_ = {m.kind: _team(world, m, rng) for m in modules}
    residents = _residents(street)
    planned = _plan(world, teams_, residents, rng)
    orders = [p.order for p in planned]
    insert(Order, orders)
    events = [e for p in planned for e in p.bind()]
    insert(OrderEvent, events)
    converted = _convert(world, teams_, residents, rng)
    states = {s: sum(1 for o in orders if o.state == s) for s in OrderState.values}
    return {
        "order_modules": len(modules),
        "order_team_rows": TeamMember.objects.filter(module__in=modules).count(),
        "orders": len(orders) + converted,
        "order_events": len(events),
        "orders_open": states[OrderState.OPEN],
        "orders_converted": converted,
    }


# --- the teams ---------------------------------------------------------------------------------------


def _team(world: World, module: ServiceModule, rng: random.Random) -> Team:
    """The team rows of a module, checked as the admin checks them."""
    posts = Post.objects.filter(node__path__startswith=world.street.path)
    units = Unit.objects.filter(node__path__startswith=world.street.path)
    kind = module.kind
    rows: list[TeamMember] = []

    def post(code: str, lead: bool = False) -> None:
        found = posts.filter(code=code).first()
        if found is not None:
            rows.append(TeamMember(module=module, post=found, is_lead=lead))

    if kind == K.SAFETY:  # the grid workers, the police officers; the 平安办 leads
        post(STREET_LEADS[kind], lead=True)
        for p in posts.filter(role=PostRole.GRID_WORKER).order_by("code"):
            rows.append(TeamMember(module=module, post=p))
        for p in posts.filter(code__regex=r"^FL-R\d\d-MJ$").order_by("code"):
            rows.append(TeamMember(module=module, post=p))
    elif kind in (K.CONVENIENCE, K.DAILY_HELP):  # volunteer teams, social organisations, members
        post(STREET_LEADS[kind], lead=True)
        wanted = (
            (UnitKind.VOLUNTEER, UnitKind.SOCIAL_ORG) if kind == K.CONVENIENCE else (UnitKind.SOCIAL_ORG,)
        )
        for u in units.filter(kind__in=wanted).order_by("code"):
            rows.append(TeamMember(module=module, unit=u))
        for p in posts.filter(code__regex=r"^FL-R\d\d-SG\d$", title__contains="民政").order_by("code"):
            rows.append(TeamMember(module=module, post=p))
        for person in _members(world, rng, 40 if kind == K.DAILY_HELP else 25):
            rows.append(TeamMember(module=module, person=person))
    elif kind == K.MEDIATION:  # the justice office leads; committee directors and the police mediate
        post("FL-POST-SF", lead=True)
        for p in posts.filter(Q(code__regex=r"^FL-R\d\d-ZR$") | Q(code__regex=r"^FL-R\d\d-MJ$")).order_by(
            "code"
        ):
            rows.append(TeamMember(module=module, post=p))
        for u in units.filter(kind=UnitKind.LAW_FIRM).order_by("code")[:1]:
            rows.append(TeamMember(module=module, unit=u))
    elif kind == K.COUNSELLING:  # the health centre leads; social organisations counsel
        post("FL-POST-WS", lead=True)
        for u in units.filter(kind=UnitKind.SOCIAL_ORG).order_by("code"):
            rows.append(TeamMember(module=module, unit=u))
    elif kind == K.LEGAL:  # the justice office leads; the law firms advise
        post("FL-POST-SF", lead=True)
        for u in units.filter(kind=UnitKind.LAW_FIRM).order_by("code"):
            rows.append(TeamMember(module=module, unit=u))
    for row in rows:
        errors = module_rules.member_errors(row)
        if errors:
            raise ValueError(f"demo team row refused for {module.code}: {errors}")
    TeamMember.objects.bulk_create(rows)
    servers = sorted(teams.person_ids(module))
    leads = sorted(teams.lead_person_ids(module))
    if not servers or not leads:
        raise ValueError(f"demo module {module.code} has no team or no lead")
    team = Team(module, servers, leads)
    team.users = _accounts(leads) | dict(
        Person.objects.filter(pk__in=servers, user__isnull=False).values_list("pk", "user_id")
    )
    return team


def _members(world: World, rng: random.Random, n: int) -> list[Person]:
    """Confirmed 双报到 members (not ended) who offer help: the team's person rows."""
    regs = DualRegistration.objects.filter(
        node__path__startswith=world.street.path,
        member__isnull=False,
        state=DualRegistration.State.CONFIRMED,
        ended_on__isnull=True,
    ).values_list("member__person_id", flat=True)
    ids = sorted(set(regs))
    chosen = rng.sample(ids, min(n, len(ids)))
    return list(Person.objects.filter(pk__in=chosen).order_by("pk"))


def _accounts(person_ids: list[int]) -> dict[int, int]:
    """The leads act (assign, convert): an account each, as meetingbook makes them."""
    have = dict(Person.objects.filter(pk__in=person_ids, user__isnull=False).values_list("pk", "user_id"))
    user_model = get_user_model()
    for person in Person.objects.filter(pk__in=person_ids, user__isnull=True).order_by("pk"):
        user = user_model.objects.create(
            username=f"{USER_PREFIX}{person.code.lower()}", password="!demo-no-login"
        )
        Person.objects.filter(pk=person.pk).update(user=user)
        have[person.pk] = user.pk
    return have


# --- who orders, where -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    person_id: int
    name: str
    home: Node


def _residents(street: Street) -> list[Resident]:
    homes = street.tree.households
    out = []
    for person, home_index in zip(street.residents.persons, street.residents.home, strict=True):
        out.append(Resident(person.pk, person.name, homes[home_index]))
    return out


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(("138", "139", "135", "136", "137", "150", "158", "186", "189"))
        + f"{rng.randrange(10**8):08d}"
    )


# --- the year ----------------------------------------------------------------------------------------


@dataclass
class Planned:
    order: Order
    steps: list[dict[str, Any]]

    def bind(self) -> list[OrderEvent]:
        return [new(OrderEvent, order_id=self.order.pk, seq=i + 1, **s) for i, s in enumerate(self.steps)]


def _plan(
    world: World, teams_: dict[str, Team], residents: list[Resident], rng: random.Random
) -> list[Planned]:
    n = max(MIN_ORDERS, round(ORDERS_PER_YEAR * len(residents) / 105_000))
    kinds = list(SHARES)
    weights = [SHARES[k] for k in kinds]
    out: list[Planned] = []
    demo_area = [r for r in residents if f"/{DEMO_AREA}/" in r.home.path]
    for i in range(n + OPEN_NOW + SERVING_NOW):
        now_order = n <= i < n + OPEN_NOW
        serving = i >= n + OPEN_NOW
        kind = rng.choices(kinds, weights)[0] if not now_order else (K.SAFETY, K.MEDIATION)[i % 2]
        team = teams_[kind]
        resident = rng.choice(demo_area if now_order and demo_area else residents)
        minutes = team.module.response_minutes
        if now_order:  # still in the pool: posted within the response time, or waiting past it
            ago = timedelta(minutes=rng.uniform(0.1, 0.8) * minutes if i % 3 else 1.3 * minutes)
            created = world.now - ago
        elif serving:  # taken within the response time, the server on the way
            created = world.now - timedelta(minutes=minutes + rng.uniform(10, 120))
        else:
            day = world.day_between(world.year_ago, world.today)
            created = _daytime(world, day, team.module, rng)
        out.append(_order(world, team, resident, created, rng, pool_only=now_order, serving=serving))
    return out


def _daytime(world: World, day: Any, module: ServiceModule, rng: random.Random) -> datetime:
    start, end = module.opens_at.hour, max(module.opens_at.hour + 1, module.closes_at.hour)
    hour = rng.randint(max(start, 7), max(start, 7, min(end, 21) - 1))
    moment = datetime.combine(day, time(hour, rng.randrange(60)), ZoneInfo(settings.TIME_ZONE))
    return min(moment, world.now - timedelta(minutes=rng.randint(30, 600)))


def _order(
    world: World,
    team: Team,
    resident: Resident,
    created: datetime,
    rng: random.Random,
    *,
    pool_only: bool = False,
    serving: bool = False,
) -> Planned:
    module = team.module
    minutes = timedelta(minutes=module.response_minutes)
    phone = _phone(rng)
    kind = module.kind
    order = new(
        Order,
        module_id=module.pk,
        node_id=resident.home.pk,
        node_path=resident.home.path,
        text=rng.choice(NEEDS[kind]),
        wanted_at=created + timedelta(hours=rng.choice((2, 4, 24, 48))) if rng.random() < 0.4 else None,
        contact_name=resident.name,
        contact_phone_enc=pii.encrypt(phone),
        contact_phone_hash=pii.lookup_hash(phone),
        contact_phone_masked=pii.mask_phone(phone),
        resident_id=resident.person_id,
        state=OrderState.OPEN,
        escalation=Escalation.POOL,
        take_due=created + minutes,
        created_at=created,
        updated_at=created,
    )
    steps: list[dict[str, Any]] = [_step("create", "", OrderState.OPEN, None, created)]
    plan = Planned(order, steps)
    now = world.now

    def happen(
        action: str, to: str, at: datetime, actor: int | None = None, note: str = "", **data: Any
    ) -> bool:
        if at >= now:
            return False
        steps.append(_step(action, order.state, to, actor, at, note, data))
        order.state, order.updated_at = to, at
        return True

    if pool_only:
        for level in (1, 2, 3):
            if created + level * minutes < now:
                order.escalation = level
                happen("escalate", OrderState.OPEN, created + level * minutes, level=level)
        order.version = len(steps)
        return plan
    if not serving and rng.random() < CANCELLED_SHARE:
        if happen(
            "cancel",
            OrderState.CANCELLED,
            created + timedelta(minutes=rng.randint(5, 60)),
            note=rng.choice(CANCEL_NOTES),
        ):
            order.closed_at = order.updated_at
        order.version = len(steps)
        return plan
    server = rng.choice([p for p in team.servers if p not in team.leads] or team.servers)
    if serving or rng.random() >= LATE_SHARE:
        taken = created + minutes * rng.uniform(0.05, 0.9)
        if not happen("take", OrderState.TAKEN, taken, team.users.get(server)):
            order.version = len(steps)
            return plan
    else:
        level = weighted(rng, ((1, 0.8), (2, 0.17), (3, 0.03)))
        for step in range(1, level + 1):
            if happen("escalate", OrderState.OPEN, created + step * minutes, level=step):
                order.escalation = step
        taken = created + minutes * (level + rng.uniform(0.1, 0.8))
        assigner = _assigner(world, team, order, level, rng)
        if not happen("assign", OrderState.TAKEN, taken, assigner, server=server):
            order.version = len(steps)
            return plan
    order.server_id, order.taken_at = server, taken
    actor = team.users.get(server)
    served = now + timedelta(hours=1) if serving else taken + timedelta(hours=rng.uniform(0.5, 30))
    hours = Decimal(rng.choice(("0.5", "1.00", "1.50", "2.00", "3.00")))
    if happen(
        "serve",
        OrderState.SERVED,
        served,
        actor,
        rng.choice(NOTES[kind]),
        hours=str(hours.quantize(Decimal("0.01"))),
    ):
        order.served_at, order.hours = served, hours.quantize(Decimal("0.01"))
        confirm = served + timedelta(hours=rng.uniform(1, 72))
        share = 0.93 if now - served > timedelta(days=14) else 0.6
        if rng.random() < share:
            rating = weighted(
                rng,
                (
                    (Satisfaction.SATISFIED, 0.8),
                    (Satisfaction.BASICALLY, 0.15),
                    (Satisfaction.UNSATISFIED, 0.05),
                ),
            )
            if happen("confirm", OrderState.CLOSED, confirm, None, satisfaction=rating):
                order.satisfaction, order.closed_at = rating, confirm
        if order.state == OrderState.SERVED:  # never confirmed: the sweep closed it, rated nothing
            closed = served + timedelta(days=services.auto_confirm_days())
            if happen("auto_close", OrderState.CLOSED, closed):
                order.closed_at = closed
    order.version = len(steps)
    return plan


def _assigner(world: World, team: Team, order: Order, level: int, rng: random.Random) -> int | None:
    """Who assigned an order that waited: the lead, or the area's committee director once it
    reached the committee (the street's own lead at the top)."""
    if level == Escalation.COMMITTEE:
        return world.area_of(order.node_path).director
    return team.users.get(rng.choice(team.leads))


def _step(
    action: str,
    before: str,
    after: str,
    actor: int | None,
    at: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "action": action,
        "from_state": before,
        "to_state": after,
        "actor_id": actor,
        "at": at,
        "note": note,
        "data": data or {},
    }


# --- converted into cases, through the services ------------------------------------------------------


def _convert(world: World, teams_: dict[str, Team], residents: list[Resident], rng: random.Random) -> int:
    n = max(2, round(CONVERTED_SHARE * max(MIN_ORDERS, ORDERS_PER_YEAR * len(residents) / 105_000)))
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(
            pk__in={uid for t in teams_.values() for uid in t.users.values()}
        )
    }
    for i in range(n):
        team = teams_[(K.MEDIATION, K.SAFETY)[i % 2]]
        resident = rng.choice(residents)
        created = _daytime(
            world, world.day_between(world.year_ago, world.today - timedelta(days=5)), team.module, rng
        )
        draft = services.OrderDraft(
            module=team.module,
            node=resident.home,
            text=rng.choice(NEEDS[team.module.kind]),
            contact_phone=_phone(rng),
            contact_name=resident.name,
            resident=Person.objects.get(pk=resident.person_id),
        )
        with clock.freeze(created):
            order = services.order_create(actor=None, draft=draft)
        lead = users[team.users[team.leads[0]]]
        with clock.freeze(created + timedelta(minutes=team.module.response_minutes * rng.uniform(0.2, 0.8))):
            services.order_act(
                actor=lead, order=order, act=services.OrderAct("convert", note=rng.choice(CONVERT_REASONS))
            )
    return n


# --- the time bank -----------------------------------------------------------------------------------


def bank_order_hours(world: World) -> dict[str, int]:
    """After the volunteers exist (demo.volunteers runs after this module's step): every order
    the resident confirmed whose server is a registered volunteer posts its hours into their
    time bank through `orders.services.bank_hours`, as the confirmation does live (confirmed
    through the link: no user). Orders the sweep closed post nothing (nobody confirmed)."""
    servers = set(Volunteer.objects.filter(ended_at__isnull=True).values_list("person_id", flat=True))
    confirmed = (
        Order.objects.filter(
            module__street=world.street,
            state=OrderState.CLOSED,
            server_id__in=servers,
            events__action="confirm",
        )
        .select_related("module")
        .order_by("pk")
    )
    banked = 0
    with transaction.atomic():
        for order in confirmed:
            if services.bank_hours(order, confirmed_by=None) is not None:
                banked += 1
    return {"order_hours_entries": banked, "order_hours_by_leads": _leads_confirm(world)}


def _leads_confirm(world: World) -> int:
    """The leads answered their 待确认时长 to-do: the hours of orders the sweep closed more than
    LEAD_CONFIRMS_AFTER_DAYS ago were confirmed by a lead of the module a day after the close,
    through `services.order_confirm_hours` (its event and entry); the later ones still wait, so
    the tile shows a few."""
    stale = bank.waiting_q(
        Order.objects.filter(
            module__street=world.street,
            state=OrderState.CLOSED,
            closed_at__lt=world.now - timedelta(days=LEAD_CONFIRMS_AFTER_DAYS),
        )
    ).select_related("module")
    leads: dict[int, Any] = {}
    done = 0
    for order in stale.order_by("closed_at", "pk"):
        if order.module_id not in leads:
            users = teams.users_of(teams.lead_person_ids(order.module))
            leads[order.module_id] = users[0] if users else None
        lead = leads[order.module_id]
        if lead is None or order.closed_at is None:
            continue
        with clock.freeze(order.closed_at + timedelta(days=1)):
            services.order_confirm_hours(actor=lead, order=order)
        done += 1
    return done
