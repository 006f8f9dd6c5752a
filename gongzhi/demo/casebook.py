"""A year of cases (工单) for the demo street, planned in memory as their events.

Each case is walked through the workflow of cases.workflow the way the street would have
walked it: created, registered, dispatched to the post the roster routes it to (category ×
place, as cases.routing does), accepted, handled within the category's limit or late, sent
for verification, closed, rated by the reporter; some are returned, rejected at
verification, reopened after an unsatisfied callback, merged into an earlier report, voided,
parked, given an extension, or escalated one rung after a recorded attempt at the rung below
(the resolve-locally rule). The SLA sweep's reminders (催办) and supervision (督办) are added
where the sweep, running every five minutes, would have added them. Then the history is cut
at `now`: what had not happened yet is dropped, which leaves a backlog of recent cases in
every open state. The case row is replayed from the events that remain, as the services
would have left it.

Times are whole seconds since the epoch (UTC); working time comes from demo.workclock, on
the same calendar as cases.sla.
"""

import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from gongzhi.cases.states import Rung, Source, State
from gongzhi.demo.workclock import WorkClock, moment

S = State
DAY = 86400
SWEEP = 300  # the SLA sweep runs every five minutes

# Relative volume per 小类 of the ~100k cases a year at scale 1 (docs/design.md §6). The mix leans
# on what Fenglin's committees meet about (docs/domain.md §5): corridors, bicycle sheds and
# e-bikes, group renting, illegal structures, rubbish and parking; the 小类 carved out of those
# (renovation noise, bulky waste, fees, shared repairs) and the rarer GB/T 30428 matters (gas,
# burst mains, beggars, fireworks) take small shares, so the old ones keep about 70%.
CATEGORY_WEIGHTS: dict[str, float] = {
    "HJ01": 11, "HJ02": 5, "HJ03": 2, "HJ04": 4, "HJ05": 2.5,
    "HJ06": 2, "HJ07": 1.5, "HJ08": 0.6, "HJ09": 2.5, "HJ10": 0.4, "HJ11": 1.2, "HJ12": 1.5, "HJ13": 0.3,
    "LD01": 10, "LD02": 5, "LD03": 3, "LD04": 1.5, "LD05": 1.5, "LD06": 1.5,
    "WJ01": 2.5, "WJ02": 1, "WJ03": 0.5,
    "FW01": 2.5, "FW02": 1, "FW03": 4.5, "FW04": 1.5, "FW05": 1.2, "FW06": 1,
    "JY01": 3, "JY02": 2, "JY03": 1, "JY04": 6, "JY05": 7,
    "JY06": 0.8, "JY07": 1.5, "JY08": 0.4, "JY09": 0.3, "JY10": 1.2, "JY11": 0.8,
    "SS01": 2.5, "SS02": 2, "SS03": 1, "SS04": 1.5,
    "SS05": 0.6, "SS06": 1.5, "SS07": 0.3, "SS08": 0.6, "SS09": 0.4, "SS10": 0.6, "SS11": 0.8,
    "AQ01": 4.5, "AQ02": 3, "AQ03": 1.5, "AQ04": 0.8, "AQ05": 0.4,
    "WY01": 3, "WY02": 0.8, "WY03": 1.2, "WY04": 3, "WY05": 1.2, "WY06": 0.6, "WY07": 0.6,
    "MS01": 1.5, "MS02": 1, "MS03": 1, "MS04": 0.5, "MS05": 0.8, "MS06": 0.8, "MS07": 1.5, "MS08": 0.6,
    "SG01": 1.2, "SG02": 0.8, "SG03": 2, "SG04": 0.8,
}  # fmt: skip
CASES_PER_YEAR = 100_000

# Where a case of the 小类 is reported: a building (corridors, homes, neighbours) or an estate.
AT_BUILDING = frozenset(
    {"LD01", "LD02", "LD03", "LD04", "LD05", "FW01", "FW02", "FW03", "FW04", "FW05", "WJ02", "AQ01",
     "AQ02", "AQ04", "WY02", "WY03", "WY04", "WY07", "MS01", "MS02", "MS03", "MS04", "MS05",
     "HJ13", "SG03"}
)  # fmt: skip

PATROL_HEAVY = frozenset({"HJ01", "HJ04", "HJ06", "HJ09", "JY01", "JY02", "JY03", "JY04", "JY06",
                          "JY07", "JY10", "WJ01", "WJ03", "LD03", "LD05", "SS01", "SS02", "SS03",
                          "SS04", "SS08", "SS11", "SG02", "SG04"})  # fmt: skip
CALL_HEAVY = frozenset({"AQ01", "AQ02", "AQ04", "FW01", "FW02", "FW03", "WY01", "WY02", "WY03",
                        "WY05", "WY07", "MS01", "MS02", "MS05", "MS06", "MS08", "SG01", "SG03",
                        "SS07", "HJ07"})  # fmt: skip
SENSED = frozenset({"LD02", "LD03", "HJ01", "SS04", "WY03"})  # smoke, occupancy, fill-level, water
SOURCES = (Source.RESIDENT, Source.HOTLINE, Source.PATROL, Source.API, Source.OPEN311, Source.SENSOR)
SOURCE_WEIGHTS = {
    "default": (34, 24, 30, 8, 2, 0),
    "patrol": (18, 17, 55, 8, 2, 0),
    "call": (42, 38, 10, 8, 2, 0),
    "MS03": (20, 0, 30, 0, 0, 50),  # 独居老人 door sensors (docs/domain.md §3 care alerts)
}
# The register of the text, by source (case_texts.case_text_in).
REGISTERS: dict[str, tuple[str, ...]] = {
    Source.RESIDENT: ("resident", "resident", "resident", "chat"),
    Source.HOTLINE: ("hotline",),
    Source.PATROL: ("patrol",),
    Source.API: ("resident", "chat"),
    Source.OPEN311: ("resident",),
    Source.SENSOR: ("patrol",),  # replaced by a device message below
}
SENSOR_TEXTS = {
    "LD02": "【智能烟感】{b}号楼{u}楼道电瓶车充电监测告警：检测到楼道内有电瓶车充电",
    "LD03": "【消防通道监测】{est}消防通道占用告警，持续{n}分钟",
    "HJ01": "【垃圾箱满溢监测】{est}{b}号垃圾厢房满溢告警",
    "SS04": "【积水监测】{est}路面积水深度超过{n}厘米",
    "WY03": "【二次供水监测】{b}号楼水箱水质浊度超标告警",
    "MS03": "【门磁监测】{b}号楼独居老人超过48小时未出门，请上门探视",
}

# Hours of the day cases come in, by source (weights for 0..23, local time).
_DAYTIME = (0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 8, 7, 4, 6, 8, 8, 7, 5, 4, 4, 3, 3, 2, 1)
_PATROL = (0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 8, 2, 4, 9, 9, 7, 1, 0, 0, 0, 0, 0, 0)
_CALLS = (1, 0, 0, 0, 0, 0, 1, 2, 6, 9, 9, 8, 5, 7, 9, 8, 7, 6, 6, 6, 5, 4, 3, 2)
_ANY = (2,) * 24
HOURS: dict[str, tuple[int, ...]] = {
    Source.RESIDENT: _DAYTIME,
    Source.API: _DAYTIME,
    Source.OPEN311: _DAYTIME,
    Source.PATROL: _PATROL,
    Source.HOTLINE: _CALLS,
    Source.SENSOR: _ANY,
}

# How often things happen (per case that gets that far).
P_VOID = 0.02
P_MERGE = 0.06  # a duplicate of a report of the same 小类 at the same estate in the 3 days before
P_RETURN = 0.035
P_LATE = 0.13  # handled after the deadline
P_EXTENSION = 0.03  # of long-limit categories (≥ 5 working days)
P_PARK = 0.012
P_PULL = 0.002
P_REJECT = 0.03
P_RATED = 0.72  # reporters reached by the callback (resident, hotline, app channels)
SATISFACTION = (("satisfied", 82), ("basically", 14), ("unsatisfied", 4))
P_ESCALATE = {"WJ01": 0.14, "WJ03": 0.10, "FW01": 0.10, "FW02": 0.08, "JY01": 0.06, "JY03": 0.06,
              "SS02": 0.08, "SS03": 0.05, "WJ02": 0.06, "WY03": 0.05}  # fmt: skip
P_ESCALATE_DEFAULT = 0.015
P_SECOND_RUNG = 0.2  # of escalated cases, how many the block area also cannot solve
PARKABLE = frozenset({"WJ01", "WJ02", "FW04", "FW03", "SS02", "WY02", "AQ02"})

NOTES: dict[str, tuple[str, ...]] = {
    "void": (
        "经核实不属于受理范围",
        "重复上报，已告知反映人",
        "反映人撤回诉求",
        "现场核实无此情况",
        "测试工单，作废",
        "信息不全且无法联系反映人",
    ),
    "return": (
        "不属于本单位职责，请重新派遣",
        "地址有误，非本岗位责任区",
        "该问题应由物业处理，退回重派",
        "涉及执法事项，请派执法部门",
    ),
    "reassign": ("重新派遣至责任岗位",),
    "submit": (
        "已现场处置完毕",
        "已清理，现场恢复整洁",
        "已约谈当事人，承诺整改并已整改",
        "已联系物业落实，处置完成",
        "已上门劝导，问题已解决",
        "已维修完毕，经测试正常",
        "已联合执法处置到位",
        "已督促责任方整改完成",
        "已协调相关方达成一致",
    ),
    "reject": (
        "现场复核仍有堆物，请继续处置",
        "整改不到位，请重新处置",
        "照片与现场不符，请补充处置",
        "反映人称问题仍存在",
    ),
    "reopen": ("回访不满意：问题反复出现", "回访不满意：处理不彻底", "回访不满意：处理太慢"),
    "rate": ("", "", "谢谢", "处理及时", "希望以后多巡查", "基本解决了", ""),
    "attempt": (
        "多次上门劝导，当事人拒不整改",
        "已约谈业主并发放整改通知书，逾期未改",
        "居委会、物业联合处置未果，涉及执法权限",
        "涉及多个居民区和产权单位，本级无法协调",
        "已召集相关方协调两次，未能达成一致",
        "需职能部门执法，居民区层面已尽力",
    ),
    "escalate": (
        "本级处置未果，提请块区协调",
        "需联合执法，上报处置",
        "跨居民区问题，提请上级协调",
        "涉及执法权限，上报",
    ),
    "pull": ("街道督办：问题久拖未决，提级处置",),
    "park": (
        "涉及产权纠纷，需等待司法结论，暂挂账",
        "需纳入年度维修计划，挂账待实施",
        "需业主大会表决，挂账待议",
        "资金未落实，挂账跟踪",
    ),
    "extension": ("需等待材料到货后施工", "需协调业主统一时间", "涉及多户，需分批处理"),
    "comment": ("已电话联系反映人", "已到现场查看", "已通知物业跟进"),
}
CALLERS = ("王先生", "李女士", "张先生", "刘阿姨", "陈先生", "杨女士", "赵老师", "黄先生", "周阿姨", "吴女士")


@dataclass
class Policy:
    code: str
    limit: int  # working seconds
    lead_kind: str
    must_try_locally: bool
    local_only: bool
    wall_limit: int | None = None  # seconds on the wall clock, for a wall-clock policy (MS03)


@dataclass
class Routes:
    """Posts per case: what the roster routes (create) and who the dispatchers pick."""

    routed: Callable[[str, Any], tuple[str | None, list[str]]]  # (category, node) → lead, assisting
    dispatch: Callable[[str, Any, int, random.Random], str]  # (category, node, rung, rng) → post


@dataclass(slots=True)
class Ev:
    at: int
    action: str
    to: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    fx: Any = None  # what the action set on the row (a deadline, a date, a grade)


@dataclass(slots=True)
class CasePlan:
    pk: int
    code: str  # 小类
    node: Any  # geo Node (unsaved ids are set by then)
    estate: int  # index of the estate, for merges and meetings
    area: int
    source: str
    created: int
    text: str = ""
    post: str | None = None  # as routed at intake
    assisting: list[str] = field(default_factory=list)
    events: list[Ev] = field(default_factory=list)
    mergeable: bool = False
    verified_at: int | None = None  # the one verify of a case others may be merged into
    master: int | None = None
    # replayed from the events
    state: str = S.RECEIVED
    version: int = 1
    rung: int = Rung.AREA
    post_now: str | None = None
    dispatch_due: int | None = None
    handle_due: int | None = None
    verify_due: int | None = None
    closed_at: int | None = None
    park_review_on: date | None = None
    satisfaction: str = ""
    rework: int = 0
    updated: int = 0
    rows: list[tuple[Any, ...]] | None = None  # its events as written (made where it was planned)


class Lifecycle:
    def __init__(
        self,
        rng: random.Random,
        clock: WorkClock,
        policies: dict[str, Policy],
        routes: Routes,
        now: int,
        tz: Any,
    ) -> None:
        self.rng, self.clock, self.policies, self.routes, self.now, self.tz = (
            rng,
            clock,
            policies,
            routes,
            now,
            tz,
        )
        self.recent: dict[tuple[int, str], list[CasePlan]] = {}  # (estate, 小类) → mergeable cases
        self.by_pk: dict[int, CasePlan] = {}

    # --- small helpers --------------------------------------------------------------------------

    def note(self, kind: str) -> str:
        return self.rng.choice(NOTES[kind])

    def work(self, t: int, mean: float, low: int = 60, high: int | None = None) -> int:
        """A moment some working time after `t` (exponential with `mean` seconds)."""
        d = max(low, int(self.rng.expovariate(1 / mean)))
        if high is not None:
            d = min(d, high)
        return self.clock.add(t, d)

    # --- one case -------------------------------------------------------------------------------

    def plan(self, case: CasePlan) -> None:
        self.by_pk[case.pk] = case
        rng, clock = self.rng, self.clock
        policy = self.policies[case.code]
        t0 = case.created
        post, assisting = self.routes.routed(case.code, case.node)
        case.post, case.assisting = post, assisting
        ev = case.events
        ev.append(Ev(t0, "create", S.RECEIVED, data={"post": post}, fx=clock.add(t0, 3600)))
        t = self.work(t0, 900, low=120, high=4 * 3600)
        if rng.random() < P_VOID:
            ev.append(Ev(t, "void", S.VOID, self.note("void")))
            return
        master = self._master_for(case, t)
        if master is not None:
            self._merge(case, master, t)
            return
        ev.append(Ev(t, "register", S.REGISTERED, data={"category": case.code}))
        rung = Rung.AREA
        t = self._dispatch(case, t, rung, policy)
        if rng.random() < P_RETURN:
            t = self.work(t, 3600)
            ev.append(Ev(t, "return", S.RETURNED, self.note("return")))
            t = self._dispatch(case, self.work(t, 1800), rung, policy, avoid=ev[-2].data["post"])
        t = self._accept(case, t, policy)
        pulled = rng.random() < P_PULL
        escalate = not policy.local_only and rng.random() < P_ESCALATE.get(case.code, P_ESCALATE_DEFAULT)
        if pulled:
            t = self.work(t, policy.limit * 0.5)
            ev.append(Ev(t, "pull", S.ESCALATED, self.note("pull"), {"rung": Rung.STREET}))
            rung = Rung.STREET
            t = self._dispatch(case, self.work(t, 4 * 3600), rung, policy)
            t = self._accept(case, t, policy)
        elif escalate:
            for _ in range(2):
                t = self.work(t, max(3600, policy.limit * 0.3))
                ev.append(Ev(t, "record_attempt", S.IN_PROGRESS, self.note("attempt"), {"rung": rung}))
                t = self.work(t, 4 * 3600)
                rung = Rung.BLOCK if rung == Rung.AREA else Rung.STREET
                ev.append(Ev(t, "escalate", S.ESCALATED, self.note("escalate"), {"rung": rung}))
                t = self._dispatch(case, self.work(t, 2 * clock.day_seconds), rung, policy)
                t = self._accept(case, t, policy)
                if rung == Rung.STREET or rng.random() > P_SECOND_RUNG:
                    break
        if case.code in PARKABLE and rng.random() < P_PARK * 6:
            t = self.work(t, policy.limit * 0.5)
            review = self._day(t) + timedelta(days=rng.randint(30, 120))
            ev.append(
                Ev(t, "park", S.PARKED, self.note("park"), {"review_date": review.isoformat()}, fx=review)
            )
            day_start = self._local_midnight(review)
            note = f"系统提醒：挂账复查日期（{review:%m月%d日}）已到，请复查是否恢复处置"
            ev.append(
                Ev(day_start + SWEEP + 3, "remind", S.PARKED, note, {"review_date": review.isoformat()})
            )
            ev.append(Ev(self.work(day_start, 3 * 3600), "unpark", S.IN_PROGRESS))
            t = ev[-1].at
        t = self._handle(case, t, policy)
        t = self._verify(case, t, policy)
        if case.source not in (Source.PATROL, Source.SENSOR) and rng.random() < P_RATED:
            self._rate(case, t, policy)
        if case.verified_at is not None:
            case.mergeable = True

    def _day(self, t: int) -> date:
        return moment(t).astimezone(self.tz).date()

    def _local_midnight(self, day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp())

    def _dispatch(self, case: CasePlan, t: int, rung: int, policy: Policy, avoid: str | None = None) -> int:
        t = self.work(t, 600, low=30) if rung == Rung.AREA else t
        post = self.routes.dispatch(case.code, case.node, rung, self.rng)
        if post == avoid:
            post = self.routes.dispatch(case.code, case.node, 0, self.rng)
        # As sla.handle_due: a wall-clock policy's limit runs through nights and holidays.
        due = t + policy.wall_limit if policy.wall_limit is not None else self.clock.add(t, policy.limit)
        case.events.append(Ev(t, "dispatch", S.DISPATCHED, data={"post": post}, fx=due))
        case.post_now = post
        return t

    def _accept(self, case: CasePlan, t: int, policy: Policy) -> int:
        t = self.work(t, max(900, policy.limit * 0.08), low=60)
        case.events.append(Ev(t, "accept", S.IN_PROGRESS))
        return t

    def _handle(self, case: CasePlan, t: int, policy: Policy, again: bool = False) -> int:
        rng, ev = self.rng, case.events
        if again:  # reopened: the handler goes back to it
            done = self.work(t, max(1800, policy.limit * 0.4))
            fx = self.clock.add(done, 3600)
            ev.append(Ev(done, "submit", S.AWAITING_VERIFICATION, self.note("submit"), fx=fx))
            return done
        dispatched = next(e for e in reversed(ev) if e.action == "dispatch")
        due: int = dispatched.fx
        if policy.limit >= 5 * self.clock.day_seconds and rng.random() < P_EXTENSION * 3:
            ask = self.clock.add(dispatched.at, int(policy.limit * 0.6))
            if ask > t and ask < due:
                until = self.clock.add(due, policy.limit // 2)
                ev.append(
                    Ev(ask, "request_extension", ev[-1].to, self.note("extension"), {"until": _iso(until)})
                )
                approved = rng.random() < 0.85
                decided = self.work(ask, 3600)
                ev.append(
                    Ev(decided, "decide_extension", ev[-1].to, data={"approved": approved, "request": 0})
                )
                if approved:
                    ev[-1].fx = until
                    due = until
                t = decided
        total = max(600, self.clock.between(dispatched.at, due))
        late = rng.random() < P_LATE
        share = rng.uniform(1.02, 2.5) if late else rng.betavariate(2, 3) * 0.97
        done = self.clock.add(dispatched.at, max(300, int(total * share)))
        done = max(done, self.clock.add(t, 300))
        ev.append(
            Ev(done, "submit", S.AWAITING_VERIFICATION, self.note("submit"), fx=self.clock.add(done, 3600))
        )
        return done

    def _verify(self, case: CasePlan, t: int, policy: Policy) -> int:
        ev = case.events
        t = self.work(t, 1200, low=120)
        if self.rng.random() < P_REJECT:
            ev.append(Ev(t, "reject", S.IN_PROGRESS, self.note("reject")))
            t = self.work(t, max(1800, policy.limit * 0.3))
            ev.append(
                Ev(t, "submit", S.AWAITING_VERIFICATION, self.note("submit"), fx=self.clock.add(t, 3600))
            )
            t = self.work(t, 1200, low=120)
        ev.append(Ev(t, "verify", S.CLOSED))
        if case.verified_at is None:
            case.verified_at = t
        else:
            case.verified_at = -1  # verified twice: others are not merged into it
        return t

    def _rate(self, case: CasePlan, t: int, policy: Policy) -> None:
        rng, ev = self.rng, case.events
        t += rng.randint(DAY // 2, 3 * DAY)
        grade = rng.choices([g for g, _ in SATISFACTION], weights=[w for _, w in SATISFACTION])[0]
        ev.append(Ev(t, "rate", S.CLOSED, self.note("rate"), fx=grade))
        if grade == "unsatisfied":
            ev.append(Ev(t + 1, "reopen", S.IN_PROGRESS, self.note("reopen")))
            t = self._handle(case, t + 1, policy, again=True)
            self._verify(case, t, policy)
            case.verified_at = -1

    # --- merges ---------------------------------------------------------------------------------

    def _master_for(self, case: CasePlan, t: int) -> CasePlan | None:
        key = (case.estate, case.code)
        recent = self.recent.setdefault(key, [])
        while recent and recent[0].created < case.created - 3 * DAY:
            recent.pop(0)
        master = None
        if recent and self.rng.random() < P_MERGE:
            candidate = recent[-1]
            if candidate.mergeable and candidate.verified_at is not None and candidate.verified_at > 0:
                master = candidate
        recent.append(case)
        return master

    def _merge(self, case: CasePlan, master: CasePlan, t: int) -> None:
        case.events.append(Ev(t, "merge", S.MERGED, data={"master": master.pk}))
        case.master = master.pk
        closed = master.verified_at
        assert closed is not None and closed > 0
        told = max(closed, t + 1)
        case.events.append(Ev(told, "master_closed", S.MERGED, data={"master": master.pk}))

    # --- the SLA sweep --------------------------------------------------------------------------

    def sweep(self, case: CasePlan, due_text: Callable[[int], str]) -> None:
        """Add the reminders and supervision the sweep would have added (timers.steps_due)."""
        added: list[Ev] = []
        marks: list[tuple[str, int]] = []
        events = case.events
        dues = {"dispatch": 0, "handle": 0, "verify": 0}
        starts = {"dispatch": case.created, "handle": 0, "verify": 0}
        period: tuple[str, int, int] | None = None  # phase, clock start, due
        begin = 0
        for e in events:
            if e.action == "create":
                dues["dispatch"] = e.fx
            elif e.action == "dispatch":
                dues["handle"], starts["handle"] = e.fx, e.at
            elif e.action == "decide_extension" and e.fx is not None:
                dues["handle"] = e.fx
            elif e.action == "submit":
                dues["verify"], starts["verify"] = e.fx, e.at
            elif e.action in ("reject", "reopen"):
                dues["verify"] = 0
            phase = _PHASE_OF.get(e.to)
            current = (phase, starts[phase], dues[phase]) if phase is not None and dues[phase] else None
            if current != period:
                if period is not None:
                    self._sweep_period(*period, begin, e.at, marks, added, due_text)
                period, begin = current, e.at
        if period is not None:
            self._sweep_period(*period, begin, self.now, marks, added, due_text)
        if added:
            events.extend(added)
            events.sort(key=lambda x: x.at)

    def _sweep_period(
        self,
        phase: str,
        start: int,
        due: int,
        begin: int,
        end: int,
        marks: list[tuple[str, int]],
        added: list[Ev],
        due_text: Callable[[int], str],
    ) -> None:
        clock = self.clock
        at_75 = clock.add(start, round(clock.between(start, due) * 0.75)) if start < due else due
        checks = [at_75, due]
        if phase == "handle":
            checks.append(clock.add(due, clock.day_seconds))
        for check in checks:
            tick = (max(check, begin) // SWEEP + 1) * SWEEP + 3
            if tick >= end or tick > self.now:
                return
            since = [(a, at) for a, at in marks if at >= start]
            reminds = [at for a, at in since if a == "remind"]
            name = _PHASE_NAMES[phase]
            due_iso = _iso(due)
            if tick >= due:
                if not any(at >= due for at in reminds):
                    note = f"系统催办：已超过{name}时限（{due_text(due)}）"
                    added.append(
                        Ev(tick, "remind", "", note, {"deadline": phase, "due": due_iso, "expired": True})
                    )
                    marks.append(("remind", tick))
                supervised = any(a == "supervise" and at >= due for a, at in since)
                if phase == "handle" and not supervised and tick >= clock.add(due, clock.day_seconds):
                    note = f"系统督办：超过处置时限（{due_text(due)}）一个工作日仍未办结"
                    added.append(
                        Ev(tick, "supervise", "", note, {"deadline": phase, "due": due_iso, "expired": False})
                    )
                    marks.append(("supervise", tick))
            elif tick >= at_75 and not any(at_75 <= at < due for at in reminds):
                note = f"系统催办：{name}时限已用去75%，截止 {due_text(due)}"
                added.append(
                    Ev(tick, "remind", "", note, {"deadline": phase, "due": due_iso, "expired": False})
                )
                marks.append(("remind", tick))

    # --- cut at now, and the row ------------------------------------------------------------------

    def cut_and_replay(self, case: CasePlan) -> None:
        events = case.events
        keep = bisect_right([e.at for e in events], self.now)
        del events[max(1, keep) :]
        replay(case)


def replay(case: CasePlan) -> None:
    """The case row from its events, as services._apply leaves it (note events keep the state)."""
    state = ""
    post = None
    case.master = None
    case.rung, case.rework, case.satisfaction = Rung.AREA, 0, ""
    case.dispatch_due = case.handle_due = case.verify_due = case.closed_at = None
    case.park_review_on = None
    request = 0
    for seq, e in enumerate(case.events, 1):
        a = e.action
        if e.to:
            state = e.to
        else:
            e.to = state  # a note: the state it was in
        if a == "create":
            case.dispatch_due = e.fx
            post = e.data.get("post")
        elif a in ("dispatch", "reassign"):
            post = e.data["post"]
            case.handle_due = e.fx
        elif a == "submit":
            case.verify_due = e.fx
        elif a == "verify":
            case.closed_at = e.at
        elif a in ("reject", "reopen"):
            case.rework += 1
            case.closed_at = None
            case.verify_due = None
        elif a in ("escalate", "pull"):
            case.rung = e.data["rung"]
        elif a == "park":
            case.park_review_on = e.fx
        elif a == "request_extension":
            request = seq
        elif a == "decide_extension":
            e.data["request"] = request
            if e.fx is not None:
                case.handle_due = e.fx
        elif a == "merge":
            case.master = e.data["master"]
        elif a == "rate":
            case.satisfaction = e.fx
    case.state = state
    case.version = len(case.events)
    case.post_now = post
    case.updated = case.events[-1].at


_PHASE_OF: dict[str, str] = {
    S.RECEIVED: "dispatch",
    S.REGISTERED: "dispatch",
    S.DISPATCHED: "handle",
    S.IN_PROGRESS: "handle",
    S.AWAITING_VERIFICATION: "verify",
}
_PHASE_NAMES = {"dispatch": "派遣", "handle": "处置", "verify": "核查"}


def _iso(t: int) -> str:
    return moment(t).isoformat()
