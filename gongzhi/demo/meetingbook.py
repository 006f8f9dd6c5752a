"""A year of 居务会 and the meeting ladder for the demo street, calibrated on Fenglin's 2020
figures (docs/domain.md §5): 176 meetings across the 31 residential areas (piloted in 5, then all),
mostly 居务会 with a few 联合居务会 and 评议会, a few 块区工作会议 and 专题协调会 above them, and 5
案例说 sessions at the street; the topics lean on what Fenglin's committees solved (housing, group
renting, illegal structures, corridors, bicycle sheds).

Meetings are laid out in the order they were convened and walked through meetings.services
step by step in memory: create (with the standing seats of the roster and a few X seats,
carrying unfinished topics over as _carry_unfinished does), topics proposed from the area's
problem list and vetted by its Party organisation, attendance and quorum, discussion (which
records the meeting as a local attempt on each open case, as topic_discuss does), minutes
written and finalised, decisions as task slips countersigned by every named unit (content
hash as slips.content_hash), bound, completed when their cases are finished (the follow-up
sweep), evaluated by the Party organisation; a few topics referred up to the block area. What
had not happened by `now` is not there. Rows get their ids up front (demo.bulk).
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.cases.states import OPEN_STATES, State
from gongzhi.demo import bulk
from gongzhi.demo.casebook import SWEEP, CasePlan, Ev
from gongzhi.demo.district import current
from gongzhi.demo.history import History
from gongzhi.demo.records import Street
from gongzhi.demo.roster import Roster
from gongzhi.geo.models import Node
from gongzhi.meetings.kinds import AREA_SEATS, BLOCK_UNIT_KINDS, Attendance, Business, MeetingKind
from gongzhi.meetings.models import (
    Evaluation,
    EvaluationSource,
    Meeting,
    MeetingEvent,
    MeetingState,
    Minutes,
    Participant,
    PartyRole,
    Rating,
    Signature,
    Slip,
    SlipParty,
    SlipState,
    Topic,
    TopicSource,
    TopicState,
    Verdict,
)
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import MeetingRole as R
from gongzhi.orgs.roles import PostRole

AREA_MEETINGS = 176  # held across the 31 areas in a year (docs/domain.md §5)
JOINT = 8
EVALUATIONS = 8
BLOCK_MEETINGS = 6
THEMATIC = 3
CASE_TALKS = 5
PILOT_AREAS = 5
UPCOMING = 8  # 居务会 already convened for the coming days
NOT_QUORATE = 0.05
REFERRALS = 8  # area topics taken up to the block area
FINISHED = {State.CLOSED, State.MERGED, State.VOID}
USER_PREFIX = "demo-"  # accounts made for the post-holders who sign and chair (no password)

# (title, business, 小类 it draws cases from, lead seat, assisting seats, decision)
TOPICS: tuple[tuple[str, str, tuple[str, ...], str, tuple[str, ...], str, float], ...] = (
    ("{estate}房屋渗漏及非成套房屋维修", Business.KEY_MATTER, ("FW03", "FW04", "WJ02"), R.HOUSING,
     (R.PROPERTY, R.OWNERS_COMMITTEE, R.RESIDENTS_COMMITTEE),
     "由房管办牵头，物业配合，对{estate}渗漏和非成套房屋逐户查勘、制定维修方案并组织施工", 0.20),
    ("{estate}群租整治", Business.BOTTLENECK, ("FW01", "FW02"), R.HOUSING,
     (R.POLICE, R.RESIDENTS_COMMITTEE, R.PROPERTY),
     "由房管办牵头，会同社区民警、居委会对{estate}群租户开展联合整治，拆除违规隔断，签订承诺书", 0.16),
    ("{estate}违法搭建拆除", Business.BOTTLENECK, ("WJ01", "WJ03"), R.URBAN_MANAGEMENT,
     (R.HOUSING, R.PROPERTY, R.RESIDENTS_COMMITTEE),
     "由城管执法牵头，对{estate}违法搭建依法告知、限期自拆，逾期组织拆除，物业做好现场配合", 0.15),
    ("{estate}楼道堆物清理", Business.KEY_MATTER, ("LD01", "LD03", "LD04"), R.PROPERTY,
     (R.RESIDENTS_COMMITTEE, R.POLICE),
     "由物业牵头，居委会发动楼组长，对{estate}楼道堆物集中清理，社区民警做好消防宣传", 0.12),
    ("{estate}非机动车棚改造及电瓶车充电", Business.KEY_MATTER, ("LD02", "JY04"), R.PROPERTY,
     (R.OWNERS_COMMITTEE, R.RESIDENTS_COMMITTEE, R.POLICE),
     "由物业牵头、业委会配合，改造{estate}非机动车棚并加装集中充电桩，劝导楼道充电", 0.12),
    ("{estate}停车秩序与车位挖潜", Business.BOTTLENECK, ("JY05",), R.PROPERTY,
     (R.OWNERS_COMMITTEE, R.POLICE),
     "由物业牵头，业委会配合，重新划设{estate}车位并实行错峰停车，社区民警协助清理僵尸车", 0.08),
    ("{estate}垃圾分类与暴露垃圾整治", Business.KEY_MATTER, ("HJ01", "HJ02"), R.PROPERTY,
     (R.RESIDENTS_COMMITTEE,),
     "由物业牵头、居委会配合，调整{estate}垃圾厢房开放时间，志愿者定时值守", 0.06),
    ("{estate}周边跨门营业与占道经营整治", Business.BOTTLENECK, ("JY01", "JY02", "JY03"),
     R.URBAN_MANAGEMENT, (R.MARKET_SUPERVISION, R.RESIDENTS_COMMITTEE),
     "由城管执法牵头、市场监管配合，对{estate}周边沿街商户开展整治并签订门责承诺", 0.05),
    ("{estate}噪音扰民与邻里纠纷调处", Business.DISPUTE, ("AQ01", "AQ02"), R.RESIDENTS_COMMITTEE,
     (R.POLICE, R.PROPERTY),
     "由居委会牵头，社区民警、物业参与，组织{estate}当事各方调解并形成邻里公约", 0.04),
    ("{estate}物业服务质量提升", Business.EVALUATION, ("WY01", "WY02", "WY03"), R.PROPERTY,
     (R.OWNERS_COMMITTEE, R.HOUSING),
     "由物业牵头，业委会监督、房管办指导，对{estate}物业服务短板限期整改", 0.02),
)  # fmt: skip
DISCUSSIONS = (
    "会议听取了情况介绍，各方逐一发言，{lead}表示可以牵头落实，{assist}表示全力配合。",
    "与会各方对问题成因进行了分析，居民代表提出了意见建议，党组织书记归纳形成一致意见。",
    "会上各方对职责分工进行了讨论，明确了时间节点，议定形成任务流转单会签落实。",
)
REFER_NOTES = (
    "涉及多个居民区和执法部门，居民区层面协调两次未果，提交块区工作会议",
    "需跨部门联合执法，本级无法解决，提交块区工作会议",
)
TASKS = {
    "lead": "牵头落实，按时限完成并反馈",
    "assist": "配合落实",
}


@dataclass
class MeetingPlan:
    pk: int
    kind: str
    node: Node
    area: int | None
    joint: list[Node]
    starts: int
    created: int
    title: str
    chair: Post | None
    state: str = MeetingState.PLANNED
    quorum: bool | None = None
    version: int = 1
    # (offset id, post, seat, standing, name, attendance, delegate)
    participants: list[tuple[int, Post | None, str, bool, str, str, str]] = field(default_factory=list)
    # offset id -> the other posts the same person holds at a joint meeting (invited once)
    also: dict[int, list[Post]] = field(default_factory=dict)
    held_at: int | None = None
    topics: list["TopicPlan"] = field(default_factory=list)


@dataclass
class TopicPlan:
    pk: int
    node: Node
    meeting: MeetingPlan | None
    title: str
    detail: str
    business: str
    source: str
    cases: list[CasePlan]
    created: int
    template: int | None = None
    origin: "TopicPlan | None" = None
    state: str = TopicState.PROPOSED
    version: int = 1
    discussion: str = ""
    vet_reason: str = ""
    timeline: list[tuple[int, str]] = field(default_factory=list)
    slips: list["SlipPlan"] = field(default_factory=list)


@dataclass
class SlipPlan:
    pk: int
    meeting: MeetingPlan
    topic: TopicPlan
    node: Node
    action: str
    due: date
    created: int
    parties: list[tuple[Unit, str, Post, str]]  # unit, role, post, task
    cases: list[CasePlan]
    state: str = SlipState.DRAFT
    seq: int = 0
    bound_at: int | None = None
    done_at: int | None = None
    timeline: list[tuple[int, str]] = field(default_factory=list)


def _state_at(timeline: list[tuple[int, str]], t: int, default: str = "") -> str:
    state = default
    for at, s in timeline:
        if at > t:
            break
        state = s
    return state


class MeetingBook:
    def __init__(self, street: Street, roster: Roster, history: History, users: dict[int, int]) -> None:
        self.s, self.roster, self.h, self.users = street, roster, history, users
        self.rng = street.rng("meetings")
        self.clock = history.clock
        self.now = history.now
        self.tz = history.tz
        self.posts = {p.code: p for p in roster.posts}
        self.meetings: list[MeetingPlan] = []
        self.topics: list[TopicPlan] = []
        self.slips: list[SlipPlan] = []
        self.events: list[
            tuple[int, int | None, int | None, int | None, str, str, str, int | None, str, dict[str, Any]]
        ] = []
        self.signatures: list[tuple[Any, ...]] = []
        self.evaluations: list[tuple[Any, ...]] = []
        self.minutes: list[tuple[Any, ...]] = []
        self.linked: set[int] = set()
        self.case_index: dict[tuple[int, str], list[CasePlan]] = {}
        for case in history.cases:
            self.case_index.setdefault((case.area, case.code), []).append(case)
        self.ids = {"meeting": 0, "topic": 0, "slip": 0, "participant": 0, "signature": 0}

    # --- ids, times, people -------------------------------------------------------------------

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]  # offsets; the base ids are added when written

    def local(self, day: date, hour: int, minute: int = 0) -> int:
        return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp())

    def workday_on_or_after(self, day: date) -> date:
        while not self.clock.cal.is_workday(day):
            day += timedelta(days=1)
        return day

    def day_of(self, t: int) -> date:
        return datetime.fromtimestamp(t, self.tz).date()

    def user(self, post: Post | None) -> int | None:
        return self.users.get(post.person.pk) if post is not None else None

    def area_post(self, area: Node, suffix: str) -> Post | None:
        return self.posts.get(f"{area.code}-{suffix}")

    def event(
        self,
        at: int,
        action: str,
        *,
        meeting: MeetingPlan | None = None,
        topic: TopicPlan | None = None,
        slip: SlipPlan | None = None,
        frm: str = "",
        to: str = "",
        actor: int | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        if at > self.now:
            return
        self.events.append(
            (
                at,
                meeting.pk if meeting else None,
                topic.pk if topic else None,
                slip.pk if slip else None,
                action,
                frm,
                to or frm,
                actor,
                note,
                data or {},
            )
        )

    # --- the year -----------------------------------------------------------------------------

    def plan(self) -> None:
        today = self.day_of(self.now)
        year_start = today - timedelta(days=360)
        areas = self.s.tree.areas
        counts = _apportion(AREA_MEETINGS, [1.35 if i < PILOT_AREAS else 1.0 for i in range(len(areas))])
        slots: list[tuple[int, str, int]] = []  # day offset, kind, area
        for a, n in enumerate(counts):
            first = 20 if a < PILOT_AREAS else 60 + self.rng.randrange(40)
            span = 355 - first
            for k in range(n):
                offset = first + int(span * (k + self.rng.uniform(0.1, 0.9)) / n)
                slots.append((offset, MeetingKind.JUWUHUI, a))
        # a few of them are joint meetings or evaluation meetings
        later = sorted(range(len(slots)), key=lambda i: (-slots[i][0], i))
        for i in self.rng.sample(later[: len(later) // 2], EVALUATIONS):
            slots[i] = (slots[i][0], MeetingKind.EVALUATION, slots[i][2])
        for i in self.rng.sample([i for i in range(len(slots)) if slots[i][1] == MeetingKind.JUWUHUI], JOINT):
            slots[i] = (slots[i][0], MeetingKind.JOINT, slots[i][2])
        for _ in range(UPCOMING):
            slots.append((360 + self.rng.randint(2, 9), MeetingKind.JUWUHUI, self.rng.randrange(len(areas))))
        blocks = self.s.tree.blocks
        for k in range(BLOCK_MEETINGS):
            slots.append((200 + k * 25 + self.rng.randrange(10), MeetingKind.BLOCK, -1 - (k % len(blocks))))
        for k in range(THEMATIC):
            slots.append((150 + k * 70 + self.rng.randrange(10), MeetingKind.THEMATIC, -100))
        for k in range(CASE_TALKS):
            slots.append((120 + k * 45 + self.rng.randrange(10), MeetingKind.CASE_TALK, -100))
        slots.sort()
        for offset, kind, where in slots:
            day = self.workday_on_or_after(year_start + timedelta(days=offset))
            self._meeting(kind, where, day)

    def _meeting(self, kind: str, where: int, day: date) -> None:
        rng = self.rng
        tree = self.s.tree
        joint: list[Node] = []
        area: int | None = None
        if where >= 0:
            area = where
            node = tree.areas[where].node
            if kind == MeetingKind.JOINT:
                block = tree.areas[where].block
                neighbours = [a.node for a in tree.areas if a.block is block and a.node is not node]
                joint = rng.sample(neighbours, min(len(neighbours), rng.randint(1, 2)))
            chair = self.area_post(node, "SJ")
        elif where == -100:
            node = tree.street
            chair = self.posts[current().code_of("POST-JD01")]
        else:
            node = tree.blocks[-1 - where]
            chair = self.posts[current().code_of(f"POST-K{node.code.removeprefix(current().code_of('K'))}-1")]
        starts = self.local(day, rng.choice((9, 14, 14, 15)), rng.choice((0, 0, 30)))
        created = self.local(
            self.workday_on_or_after(day - timedelta(days=rng.randint(6, 12))), 10, rng.randrange(60)
        )
        if created > self.now:
            return
        label = MeetingKind(kind).label
        meeting = MeetingPlan(
            pk=self.next_id("meeting"),
            kind=kind,
            node=node,
            area=area,
            joint=joint,
            starts=starts,
            created=created,
            title=f"{node.name}{label}（{day:%Y-%m-%d}）",
            chair=chair,
        )
        self.meetings.append(meeting)
        self._invite(meeting)
        convener = self._convener(meeting)
        carried = self._carry(meeting, convener)
        self.event(
            created,
            "create",
            meeting=meeting,
            to=MeetingState.PLANNED,
            actor=convener,
            data={"carried": [t.pk for t in carried]},
        )
        new_topics = self._propose(meeting, convener)
        if starts + 4 * 3600 > self.now:  # not yet held (every step of its day lies before now)
            return
        self._hold(meeting, convener)
        for topic in meeting.topics:
            self._discuss(meeting, topic, convener)
        if meeting.quorum and kind not in (MeetingKind.EVALUATION, MeetingKind.CASE_TALK):
            referred = 0
            for topic in new_topics:
                if not topic.cases:
                    continue
                if (
                    kind == MeetingKind.JUWUHUI
                    and referred == 0
                    and topic is not new_topics[0]  # the first one is decided here
                    and len([t for t in self.topics if t.source == TopicSource.REFERRED]) < REFERRALS
                    and rng.random() < 0.06
                ):
                    self._refer(meeting, topic, convener)
                    referred += 1
                    continue
                self._slip(meeting, topic, convener)
        if kind == MeetingKind.EVALUATION and meeting.quorum:
            self._residents_vote(meeting, convener)
        self._minutes(meeting, convener)

    def _convener(self, meeting: MeetingPlan) -> int | None:
        if meeting.area is not None:
            return self.user(self.area_post(meeting.node, "ZR"))
        return self.user(meeting.chair)

    def _invite(self, meeting: MeetingPlan) -> None:
        """_invite_standing and _invite_chosen: the 1+8 seats of the area(s), a few X seats;
        the departments at block and street meetings; the Party secretaries at a 案例说."""
        rows = meeting.participants
        kind = meeting.kind
        nodes = [meeting.node, *meeting.joint]
        seated: dict[int, int] = {}  # person -> offset id: one invitation per person

        def seat(post: Post, standing: bool) -> None:
            person = post.person.pk
            if person in seated:
                meeting.also.setdefault(seated[person], []).append(post)
                return
            seated[person] = self.next_id("participant")
            rows.append(
                (
                    seated[person],
                    post,
                    post.meeting_role or "",
                    standing,
                    post.person.name,
                    Attendance.INVITED,
                    "",
                )
            )

        if kind in (MeetingKind.JUWUHUI, MeetingKind.JOINT, MeetingKind.EVALUATION):
            paths = [n.path for n in nodes]
            standing = [
                p
                for p in self.roster.posts
                if p.meeting_role in AREA_SEATS
                and p.active_until is None
                and any(p.node.path.startswith(x) for x in paths)
            ]
            host = meeting.node.path  # a person serving two joined areas sits for the host
            for post in sorted(
                standing, key=lambda p: (not p.node.path.startswith(host), p.node.path, p.code)
            ):
                seat(post, True)
            x = [
                p
                for p in self.roster.posts
                if p.node is meeting.node and p.code.startswith(f"{meeting.node.code}-X")
            ]
            for post in self.rng.sample(x, min(len(x), self.rng.randint(1, 3))):
                seat(post, False)
        elif kind in (MeetingKind.BLOCK, MeetingKind.THEMATIC):
            ancestors = meeting.node.path.strip("/").split("/")
            found = [
                p
                for p in self.roster.posts
                if p.node.code in ancestors and p.unit.kind in BLOCK_UNIT_KINDS and p.active_until is None
            ]
            units: set[str] = set()
            for post in sorted(found, key=lambda p: (p.node.path, p.code)):
                if post.unit.code in units:
                    continue
                units.add(post.unit.code)
                seat(post, True)
            if meeting.chair is not None:
                rows.insert(
                    0,
                    (
                        self.next_id("participant"),
                        meeting.chair,
                        R.PARTY_ORG,
                        True,
                        meeting.chair.person.name,
                        Attendance.INVITED,
                        "",
                    ),
                )
        else:  # 案例说: the secretaries who tell their cases
            for area in self.rng.sample(self.s.tree.areas, 3):
                secretary = self.area_post(area.node, "SJ")
                if secretary is not None:
                    seat(secretary, False)

    # --- topics -------------------------------------------------------------------------------

    def _carry(self, meeting: MeetingPlan, convener: int | None) -> list[TopicPlan]:
        """未结事项自动转入下次会议, as _carry_unfinished decides it at the moment of convening."""
        at = meeting.created
        codes = {n.code for n in [meeting.node, *meeting.joint]}
        carried: list[TopicPlan] = []
        for old in list(self.topics):
            if old.node.code not in codes or old.meeting is None:
                continue
            if (
                old.meeting.starts >= meeting.starts
                or old.meeting.held_at is None
                or old.meeting.held_at > at
            ):
                continue
            state = _state_at(old.timeline, at)
            if state not in (TopicState.APPROVED, TopicState.DISCUSSED):
                continue
            if state == TopicState.DISCUSSED and not self._open_slips(old, at):
                continue
            new = TopicPlan(
                pk=self.next_id("topic"),
                node=old.node,
                meeting=meeting,
                title=old.title,
                detail=old.detail,
                business=old.business,
                source=TopicSource.CARRIED,
                cases=list(old.cases),
                created=at,
                origin=old,
                state=TopicState.APPROVED,
                template=old.template,
            )
            new.timeline.append((at, TopicState.APPROVED))
            self.topics.append(new)
            meeting.topics.append(new)
            old.version += 1
            old.state = TopicState.CARRIED
            old.timeline.append((at, TopicState.CARRIED))
            self.event(
                at,
                "carry",
                topic=old,
                meeting=old.meeting,
                frm=state,
                to=TopicState.CARRIED,
                data={"to_topic": new.pk, "meeting": meeting.pk},
            )
            self.event(
                at,
                "propose",
                topic=new,
                meeting=meeting,
                to=TopicState.APPROVED,
                data={"carried_from": old.pk},
            )
            carried.append(new)
        return carried

    def _open_slips(self, topic: TopicPlan, at: int) -> bool:
        chain = [topic]
        while chain[-1].origin is not None and chain[-1].source == TopicSource.CARRIED:
            chain.append(chain[-1].origin)
        open_states = (SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED, SlipState.BINDING)
        return any(
            _state_at(slip.timeline, at) in open_states
            for t in chain
            for slip in t.slips
            if slip.created <= at
        )

    def _propose(self, meeting: MeetingPlan, convener: int | None) -> list[TopicPlan]:
        rng = self.rng
        kind = meeting.kind
        party = self.user(meeting.chair)
        topics: list[TopicPlan] = []
        if kind == MeetingKind.BLOCK:
            waiting = [
                t
                for t in self.topics
                if t.source == TopicSource.REFERRED
                and t.node is meeting.node
                and t.meeting is None
                and t.created < meeting.created
            ]
            for topic in waiting:
                at = meeting.created + 1800
                topic.meeting = meeting
                meeting.topics.append(topic)
                self.event(
                    at, "schedule", topic=topic, meeting=meeting, frm=TopicState.PROPOSED, actor=convener
                )
                self._approve(topic, at + 3600, party)
            if waiting:
                return waiting
        count = 1 if kind in (MeetingKind.EVALUATION, MeetingKind.CASE_TALK) else rng.choice((1, 2, 2, 3))
        for n in range(count):
            at = meeting.created + 3600 * (n + 1)
            new = self._new_topic(meeting, at)
            if new is None:
                continue
            topic = new
            topics.append(topic)
            meeting.topics.append(topic)
            self.event(
                at,
                "propose",
                topic=topic,
                meeting=meeting,
                to=TopicState.PROPOSED,
                actor=convener,
                data={"cases": [c.pk for c in topic.cases]},
            )
            self._approve(topic, self.clock.add(at, 2 * 3600), party)
        return topics

    def _approve(self, topic: TopicPlan, at: int, party: int | None) -> None:
        if at > self.now:
            return
        topic.version += 1
        topic.state = TopicState.APPROVED
        topic.timeline.append((at, TopicState.APPROVED))
        self.event(
            at,
            "approve",
            topic=topic,
            meeting=topic.meeting,
            frm=TopicState.PROPOSED,
            to=TopicState.APPROVED,
            actor=party,
        )

    def _new_topic(self, meeting: MeetingPlan, at: int) -> TopicPlan | None:
        rng = self.rng
        kind = meeting.kind
        tree = self.s.tree
        if kind == MeetingKind.CASE_TALK:
            done = [
                s
                for s in self.slips
                if s.done_at is not None
                and s.done_at < at
                and s.topic.node.path.startswith(meeting.node.path)
            ]
            story = rng.choice(done).topic.title if done else "楼道堆物清理"
            return self._topic(
                meeting,
                meeting.node,
                f"案例说：{story}",
                "",
                Business.ROUTINE,
                TopicSource.FREE,
                [],
                at,
                None,
            )
        if kind == MeetingKind.EVALUATION:
            title = f"民主评议：{self.day_of(at):%Y}年任务流转单办理情况"
            detail = "请居民代表对本居民区已办结的任务流转单逐项评议。"
            return self._topic(
                meeting, meeting.node, title, detail, Business.EVALUATION, TopicSource.FREE, [], at, None
            )
        weights = [t[6] for t in TOPICS]
        template = rng.choices(range(len(TOPICS)), weights=weights)[0]
        title, business, codes, *_rest = TOPICS[template]
        if kind in (MeetingKind.JUWUHUI, MeetingKind.JOINT):
            areas = [meeting.area]  # a topic's cases lie under its node (topic_propose)
            host = meeting.area or 0
            estates = tree.areas[host].estates
            estate = rng.choice(estates)
            name = estate.name if kind == MeetingKind.JUWUHUI else "相邻小区"
        else:  # block and thematic meetings without referred topics: a cross-area matter
            areas = [i for i, a in enumerate(tree.areas) if a.node.path.startswith(meeting.node.path)]
            name = "辖区内各小区" if kind == MeetingKind.THEMATIC else "块区内相邻小区"
        cases = self._pick_cases([a for a in areas if a is not None], codes, at)
        full = title.format(estate=name)
        detail = (
            f"问题清单：近期相关工单{len(cases)}件，居民反映集中，需多方协同解决。"
            if cases
            else "居民多次反映，需多方协同解决。"
        )
        source = TopicSource.CASES if cases else TopicSource.FREE
        return self._topic(meeting, meeting.node, full, detail, business, source, cases, at, template)

    def _topic(
        self,
        meeting: MeetingPlan,
        node: Node,
        title: str,
        detail: str,
        business: str,
        source: str,
        cases: list[CasePlan],
        at: int,
        template: int | None,
    ) -> TopicPlan:
        topic = TopicPlan(
            pk=self.next_id("topic"),
            node=node,
            meeting=meeting,
            title=title[:120],
            detail=detail,
            business=business,
            source=source,
            cases=cases,
            created=at,
            template=template,
        )
        topic.timeline.append((at, TopicState.PROPOSED))
        self.topics.append(topic)
        return topic

    def _pick_cases(self, areas: list[int], codes: Iterable[str], at: int) -> list[CasePlan]:
        """Cases of the problem list: reported in the weeks before, open when the topic is
        proposed, never reopened (so that a slip's completion is unambiguous). Now and then a
        long-running case still open today (the slips that stay binding, some overdue); at
        small scales, any case of the area when none of the topic's 小类 is at hand."""
        rng = self.rng
        codes = tuple(codes)
        every = tuple(dict.fromkeys(c for a, c in self.case_index if a in areas))

        def found(kinds: tuple[str, ...], days: int, fresh: bool = True) -> list[CasePlan]:
            return [
                case
                for a in areas
                for code in kinds
                for case in self.case_index.get((a, code), ())
                if at - days * 86400 <= case.created < at
                and not (fresh and case.pk in self.linked)
                and not _reopened(case)
            ]

        good: list[CasePlan] = []
        if rng.random() < 0.12:
            good = [c for c in found(codes, 120) if c.state in OPEN_STATES and _open_at(c, at)]
        tiers = (
            (codes, 42, True, True),
            (codes, 90, False, True),
            (every, 42, True, True),
            (every, 400, False, True),
            (every, 400, False, False),  # a small street: a case already on an earlier topic
        )
        for kinds, days, must_be_open, fresh in tiers:
            if good:
                break
            good = [c for c in found(kinds, days, fresh) if not must_be_open or _open_at(c, at)]
        good = sorted({c.pk: c for c in good}.values(), key=lambda c: c.pk)
        rng.shuffle(good)
        chosen = sorted(good[: rng.randint(1, 5)], key=lambda c: c.pk)
        self.linked.update(c.pk for c in chosen)
        return chosen

    # --- the meeting --------------------------------------------------------------------------

    def _hold(self, meeting: MeetingPlan, convener: int | None) -> None:
        rng = self.rng
        marks: dict[str, str] = {}
        rows: list[tuple[int, Post | None, str, bool, str, str, str]] = []
        failing = meeting.kind in (MeetingKind.JUWUHUI, MeetingKind.JOINT) and rng.random() < NOT_QUORATE
        fixed_absent = 0
        for pid, post, seat, standing, name, _mark, _d in meeting.participants:
            mark = Attendance.PRESENT
            delegate = ""
            if seat != R.PARTY_ORG:
                if failing and seat in AREA_SEATS and fixed_absent < 4:
                    mark = Attendance.ABSENT
                    fixed_absent += 1
                else:
                    r = rng.random()
                    if r < 0.08:
                        mark = Attendance.ABSENT
                    elif r < 0.14 and post is not None and post.deputy is not None:
                        mark, delegate = Attendance.DELEGATE, post.deputy.name
            marks[str(pid)] = mark
            rows.append((pid, post, seat, standing, name, mark, delegate))
        meeting.participants = rows
        meeting.quorum = _quorum(meeting.kind, rows)
        attend_at = meeting.starts + 600
        self.event(
            attend_at,
            "attend",
            meeting=meeting,
            frm=MeetingState.PLANNED,
            actor=convener,
            data={"marks": marks},
        )
        held = meeting.starts + 5400
        meeting.held_at = held
        meeting.state = MeetingState.HELD
        meeting.version += 1
        note = "" if meeting.quorum else "未达到法定出席人数，会议决定不具约束力"
        self.event(
            held,
            "hold",
            meeting=meeting,
            frm=MeetingState.PLANNED,
            to=MeetingState.HELD,
            actor=convener,
            note=note,
            data={"quorum": meeting.quorum},
        )

    def _discuss(self, meeting: MeetingPlan, topic: TopicPlan, convener: int | None) -> None:
        if _state_at(topic.timeline, meeting.held_at or 0) != TopicState.APPROVED:
            return
        at = (meeting.held_at or 0) + 60 * (1 + meeting.topics.index(topic))
        lead, assist = self._seats(topic)
        text = self.rng.choice(DISCUSSIONS).format(lead=lead, assist=assist)
        topic.discussion = text
        topic.version += 1
        topic.state = TopicState.DISCUSSED
        topic.timeline.append((at, TopicState.DISCUSSED))
        self.event(
            at,
            "discuss",
            topic=topic,
            meeting=meeting,
            frm=TopicState.APPROVED,
            to=TopicState.DISCUSSED,
            actor=convener,
        )
        local = datetime.fromtimestamp(meeting.starts, self.tz)
        note = f"{meeting.title}（{local:%Y-%m-%d}）议题“{topic.title}”：{text[:300]}"
        for case in topic.cases:
            state = _case_state_at(case, at)
            if state in OPEN_STATES:
                _insert_event(
                    case,
                    Ev(
                        at,
                        "record_attempt",
                        state,
                        note,
                        {"rung": _rung_at(case, at), "meeting": 0, "topic": 0},
                        fx=(meeting, topic),
                    ),
                )

    def _seats(self, topic: TopicPlan) -> tuple[str, str]:
        if topic.template is None:
            return "居委会", "各方"
        _t, _b, _c, lead, assist, *_ = TOPICS[topic.template]
        return str(R(lead).label), "、".join(str(R(a).label) for a in assist)

    def _refer(self, meeting: MeetingPlan, topic: TopicPlan, convener: int | None) -> None:
        at = (meeting.held_at or 0) + 1800
        block = self.s.tree.areas[meeting.area or 0].block
        note = self.rng.choice(REFER_NOTES)
        higher = TopicPlan(
            pk=self.next_id("topic"),
            node=block,
            meeting=None,
            title=topic.title,
            detail=f"{topic.detail}\n\n【下级会议意见】{note}".strip(),
            business=topic.business,
            source=TopicSource.REFERRED,
            cases=list(topic.cases),
            created=at,
            origin=topic,
            template=topic.template,
        )
        higher.timeline.append((at, TopicState.PROPOSED))
        self.topics.append(higher)
        topic.version += 1
        topic.state = TopicState.REFERRED
        topic.timeline.append((at, TopicState.REFERRED))
        self.event(
            at,
            "refer",
            topic=topic,
            meeting=meeting,
            frm=TopicState.DISCUSSED,
            to=TopicState.REFERRED,
            actor=convener,
            note=note,
            data={"to_topic": higher.pk, "kind": MeetingKind.BLOCK},
        )
        self.event(
            at, "propose", topic=higher, to=TopicState.PROPOSED, actor=convener, data={"from_topic": topic.pk}
        )

    # --- slips ----------------------------------------------------------------------------------

    def _parties(self, meeting: MeetingPlan, topic: TopicPlan) -> list[tuple[Unit, str, Post, str]]:
        present = [
            (post, seat)
            for _pid, post, seat, _standing, _name, mark, _d in meeting.participants
            if post is not None and mark in (Attendance.PRESENT, Attendance.DELEGATE)
        ]
        if meeting.kind in (MeetingKind.BLOCK, MeetingKind.THEMATIC):
            units = [(p, s) for p, s in present if s != R.PARTY_ORG]
            if not units:
                return []
            lead = units[0]
            if topic.template is not None:
                want = TOPICS[topic.template][3]
                lead = next(((p, s) for p, s in units if p.unit.kind == want or s == want), lead)
            order = [lead] + [u for u in units if u is not lead]
        else:
            by_seat: dict[str, Post] = {}
            for post, seat in present:
                if seat and seat not in by_seat and post.node is meeting.node:
                    by_seat[seat] = post
            lead_seat: str = R.RESIDENTS_COMMITTEE
            assist: tuple[str, ...] = (R.PROPERTY,)
            if topic.template is not None:
                lead_seat, assist = TOPICS[topic.template][3], TOPICS[topic.template][4]
            order = [(by_seat[s], s) for s in (lead_seat, *assist) if s in by_seat]
            if not order:
                order = [(p, s) for s, p in by_seat.items() if s != R.PARTY_ORG][:1]
        out: list[tuple[Unit, str, Post, str]] = []
        seen: set[str] = set()
        for post, _seat in order:
            if post.unit.code in seen:
                continue
            seen.add(post.unit.code)
            role = PartyRole.LEAD if not out else PartyRole.ASSIST
            out.append((post.unit, role, post, TASKS[role]))
        return out

    def _slip(self, meeting: MeetingPlan, topic: TopicPlan, convener: int | None) -> None:
        rng, clock = self.rng, self.clock
        parties = self._parties(meeting, topic)
        if not parties:
            return
        created = (meeting.held_at or 0) + 3600 + 60 * len(topic.slips)
        due = self.day_of(created) + timedelta(days=rng.randint(15, 40))
        estate = topic.title
        action = TOPICS[topic.template][5].format(estate="相关小区") if topic.template is not None else estate
        action = f"{action}，{due:%m月%d日}前完成并反馈。"
        slip = SlipPlan(
            pk=self.next_id("slip"),
            meeting=meeting,
            topic=topic,
            node=topic.node,
            action=action,
            due=due,
            created=created,
            parties=parties,
            cases=list(topic.cases),
        )
        topic.slips.append(slip)
        self.slips.append(slip)
        slip.seq = 1
        slip.timeline.append((created, SlipState.DRAFT))
        self.event(
            created,
            "create",
            slip=slip,
            meeting=meeting,
            topic=topic,
            to=SlipState.DRAFT,
            actor=convener,
            data={"new_cases": [], "cases": [c.pk for c in slip.cases]},
        )
        issued = clock.add(created, rng.randint(1, 6) * 3600)
        if issued > self.now:
            return
        slip_hash = self.content_hash(slip)
        self._advance(
            slip, issued, "issue", SlipState.SIGNING, convener, data={"version": 1, "hash": slip_hash}
        )
        last = issued
        for unit, _role, post, _task in parties:
            signed = clock.add(issued, int(rng.expovariate(1 / (6 * 3600))) + 600)
            if signed > self.now:
                return
            last = max(last, signed)
            signature = self.next_id("signature")
            signer = self.user(post)
            self.signatures.append((signature, slip, unit, signer, post, signed, slip_hash))
        # in signing order
        mine = sorted((s for s in self.signatures if s[1] is slip), key=lambda s: (s[5], s[0]))
        for signature, _slip, unit, signer, _post, signed, _h in mine:
            self._advance(
                slip,
                signed,
                "sign",
                SlipState.SIGNING,
                signer,
                data={"unit": unit.code, "version": 1, "signature": signature},
            )
        slip.bound_at = last
        self._advance(
            slip, last, "bind", SlipState.BINDING, None, data={"created_cases": [], "hash": slip_hash}
        )
        finished = [_finished_after(c, last) for c in slip.cases]
        closed = any(_ever_closed(c) for c in slip.cases)
        if not slip.cases or any(f is None for f in finished) or not closed:
            return
        done = (max([last, *(f for f in finished if f is not None)]) // SWEEP + 1) * SWEEP + 5
        if done > self.now:
            return
        slip.done_at = done
        self._advance(slip, done, "complete", SlipState.DONE, None)
        evaluated = done + rng.randint(2, 10) * 86400
        if evaluated <= self.now and rng.random() < 0.85:
            rating = rng.choices((Rating.GOOD, Rating.FAIR, Rating.POOR), weights=(75, 20, 5))[0]
            party = self.user(
                self.area_post(slip.node, "SJ") if slip.meeting.area is not None else slip.meeting.chair
            )
            note = {"good": "落实到位，居民满意", "fair": "基本落实，仍需巩固", "poor": "落实不到位，需整改"}[
                rating
            ]
            self.evaluations.append((slip, EvaluationSource.PARTY, rating, 1, None, note, party, evaluated))
            slip.seq += 1
            self.event(
                evaluated,
                "evaluate",
                slip=slip,
                meeting=slip.meeting,
                frm=SlipState.DONE,
                actor=party,
                note=note,
                data={"source": EvaluationSource.PARTY, "rating": rating, "votes": 1},
            )

    def _advance(
        self,
        slip: SlipPlan,
        at: int,
        action: str,
        to: str,
        actor: int | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        before = slip.state
        slip.state = to
        slip.seq += 1
        slip.timeline.append((at, to))
        self.event(
            at, action, slip=slip, meeting=slip.meeting, frm=before, to=to, actor=actor, data=data or {}
        )

    def content_hash(self, slip: SlipPlan) -> str:
        """slips.content_hash of the slip's first version (ids are final: base ids are known)."""
        content = {
            "slip": slip.pk + self.bases["slip"],
            "version": 1,
            "node": slip.node.code,
            "action": slip.action,
            "due": slip.due.isoformat(),
            "parties": sorted([unit.code, role, post.code, task] for unit, role, post, task in slip.parties),
            "cases": sorted(c.pk for c in slip.cases),
            "new_cases": [],
        }
        canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def _residents_vote(self, meeting: MeetingPlan, convener: int | None) -> None:
        at = (meeting.held_at or 0) + 1200
        done = [
            s
            for s in self.slips
            if s.state == SlipState.DONE
            and s.done_at is not None
            and s.done_at < at
            and s.node is meeting.node
        ]
        for slip in done[-4:]:
            rating = self.rng.choices((Rating.GOOD, Rating.FAIR, Rating.POOR), weights=(70, 25, 5))[0]
            votes = self.rng.randint(12, 60)
            self.evaluations.append(
                (slip, EvaluationSource.RESIDENTS, rating, votes, meeting, "", convener, at)
            )
            slip.seq += 1
            self.event(
                at,
                "evaluate",
                slip=slip,
                meeting=slip.meeting,
                frm=SlipState.DONE,
                actor=convener,
                data={"source": EvaluationSource.RESIDENTS, "rating": rating, "votes": votes},
            )

    def _minutes(self, meeting: MeetingPlan, convener: int | None) -> None:
        day = self.day_of(meeting.starts)
        written = self.local(self.workday_on_or_after(day + timedelta(days=1)), 10, self.rng.randrange(50))
        if written > self.now:
            return
        came = [r for r in meeting.participants if r[5] in (Attendance.PRESENT, Attendance.DELEGATE)]
        absent = [r for r in meeting.participants if r[5] == Attendance.ABSENT]
        lines = [
            "会议纪要",
            f"会议名称：{meeting.title}",
            f"时间：{datetime.fromtimestamp(meeting.starts, self.tz):%Y-%m-%d %H:%M}",
            f"主持人：{meeting.chair.person.name if meeting.chair else ''}",
            f"出席：{'、'.join(r[4] for r in came)}",
            f"缺席：{'、'.join(r[4] for r in absent) or '无'}",
        ]
        for n, topic in enumerate(meeting.topics, 1):
            lines.append(f"议题{n}：{topic.title}")
            if topic.detail:
                lines.append(f"  情况：{topic.detail}")
            if topic.discussion:
                lines.append(f"  讨论：{topic.discussion}")
            decided = [s.action for s in topic.slips if s.meeting is meeting]
            if decided:
                lines.append(f"  决定：{decided[0]}")
        text = "\n".join(lines)
        self.event(
            written,
            "write_minutes",
            meeting=meeting,
            frm=MeetingState.HELD,
            actor=convener,
            data={"number": 1},
        )
        finalised = self.clock.add(written, self.rng.randint(2, 12) * 3600)
        chair = self.user(meeting.chair)
        final = finalised <= self.now
        self.minutes.append(
            (meeting, text, final, convener, written, chair if final else None, finalised if final else None)
        )
        if final:
            meeting.state = MeetingState.FINAL
            meeting.version += 1
            self.event(
                finalised,
                "finalise",
                meeting=meeting,
                frm=MeetingState.HELD,
                to=MeetingState.FINAL,
                actor=chair,
                data={"number": 1},
            )

    bases: dict[str, int] = {}


def _apportion(total: int, weights: list[float]) -> list[int]:
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _quorum(kind: str, rows: list[tuple[Any, ...]]) -> bool:
    """services.quorum with the default rule (Party organisation + 5 of the 8 fixed seats)."""
    came = [r for r in rows if r[5] in (Attendance.PRESENT, Attendance.DELEGATE)]
    if not any(r[2] == R.PARTY_ORG for r in came):
        return False
    if kind in (
        MeetingKind.JUWUHUI,
        MeetingKind.JOINT,
        MeetingKind.EVALUATION,
        MeetingKind.HEARING,
        MeetingKind.COORDINATION,
    ):
        from gongzhi.meetings.kinds import FIXED_SEATS

        return len({r[2] for r in came if r[2] in FIXED_SEATS}) >= 5
    return len(came) * 2 >= len(rows)


def _case_state_at(case: CasePlan, t: int) -> str:
    state: str = State.RECEIVED
    for e in case.events:
        if e.at > t:
            break
        state = e.to or state
    return state


def _rung_at(case: CasePlan, t: int) -> int:
    rung = 3
    for e in case.events:
        if e.at > t:
            break
        if e.action in ("escalate", "pull"):
            rung = e.data["rung"]
    return rung


def _open_at(case: CasePlan, t: int) -> bool:
    return _case_state_at(case, t) in OPEN_STATES


def _reopened(case: CasePlan) -> bool:
    return any(e.action == "reopen" for e in case.events)


def _ever_closed(case: CasePlan) -> bool:
    return case.state == State.CLOSED


def _finished_after(case: CasePlan, t: int) -> int | None:
    """When the case is (and stays) finished, from `t` on; None while it is open at the cut."""
    if case.state not in FINISHED:
        return None
    finished = None
    for e in case.events:
        if e.to in FINISHED and finished is None:
            finished = e.at
        elif e.to not in FINISHED:
            finished = None
    return max(finished or t, t)


def _insert_event(case: CasePlan, ev: Ev) -> None:
    case.rows = None  # written again from its events
    i = len(case.events)
    while i > 0 and case.events[i - 1].at > ev.at:
        i -= 1
    case.events.insert(i, ev)


# --- users and writing ----------------------------------------------------------------------------


def ensure_users(street: Street, roster: Roster) -> dict[int, int]:
    """Accounts for the post-holders who chair, convene, vet and sign (person id → user id):
    the demo logins where they exist, else a password-less account named after the person."""
    wanted: dict[int, Person] = {}
    for post in roster.posts:
        if (
            post.meeting_role
            or post.code.startswith((current().code_of("POST-K"), current().code_of("POST-JD01")))
            or post.role == PostRole.DEPARTMENT  # the street's departments sign slips
        ):
            wanted[post.person.pk] = post.person
    linked = dict(Person.objects.filter(pk__in=wanted, user__isnull=False).values_list("pk", "user_id"))
    missing = sorted((p for pk, p in wanted.items() if pk not in linked), key=lambda p: p.code)
    user_model = get_user_model()
    made = user_model.objects.bulk_create(
        [user_model(username=f"{USER_PREFIX}{p.code.lower()}", password="!demo-no-login") for p in missing]
    )
    by_name = dict(
        user_model.objects.filter(username__in=[u.username for u in made]).values_list("username", "pk")
    )
    pairs = [(by_name[f"{USER_PREFIX}{p.code.lower()}"], p.pk) for p in missing]
    from django.db import connection

    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET user_id = %s WHERE id = %s", pairs)
    linked.update({pk: uid for uid, pk in pairs})
    return linked


def plan_meetings(street: Street, roster: Roster, history: History, users: dict[int, int]) -> MeetingBook:
    book = MeetingBook(street, roster, history, users)
    # ids: reserve generously, then offsets are added
    book.bases = {
        "meeting": bulk.reserve_ids(Meeting, 400) - 1,
        "topic": bulk.reserve_ids(Topic, 1500) - 1,
        "slip": bulk.reserve_ids(Slip, 1200) - 1,
        "participant": bulk.reserve_ids(Participant, 6000) - 1,
        "signature": bulk.reserve_ids(Signature, 5000) - 1,
    }
    book.plan()
    limits = {"meeting": 400, "topic": 1500, "slip": 1200, "participant": 6000, "signature": 5000}
    for kind, n in book.ids.items():
        if n > limits[kind]:
            raise RuntimeError(f"more {kind} rows than reserved ids ({n})")
    # the meetings' attempts on cases: now their ids are known
    for case in history.cases:
        for e in case.events:
            if e.action == "record_attempt" and isinstance(e.fx, tuple):
                meeting, topic = e.fx
                e.data["meeting"] = meeting.pk + book.bases["meeting"]
                e.data["topic"] = topic.pk + book.bases["topic"]
    return book


def write_meetings(book: MeetingBook) -> dict[str, int]:
    b = book.bases
    ts = bulk.ts
    M = lambda m: m.pk + b["meeting"]  # noqa: E731
    T = lambda t: t.pk + b["topic"]  # noqa: E731
    S = lambda s: s.pk + b["slip"]  # noqa: E731
    meetings = book.meetings
    bulk.insert(
        Meeting,
        [
            "id",
            "kind",
            "node_id",
            "node_path",
            "title",
            "starts_at",
            "place",
            "chair_id",
            "state",
            "quorum_met",
            "version",
            "created_at",
        ],
        [
            (
                M(m),
                m.kind,
                m.node.pk,
                m.node.path,
                m.title,
                ts(m.starts),
                f"{m.node.name}会议室",
                m.chair.pk if m.chair else None,
                m.state,
                m.quorum,
                m.version,
                ts(m.created),
            )
            for m in meetings
        ],
    )
    joint = Meeting.joint_nodes.through
    bulk.insert(joint, ["meeting_id", "node_id"], [(M(m), n.pk) for m in meetings for n in m.joint])
    participants = []
    for m in meetings:
        for row in m.participants:
            pid, post, seat, standing, name, mark, delegate = row
            participants.append(
                (
                    pid + b["participant"],
                    M(m),
                    seat,
                    post.pk if post else None,
                    post.unit.pk if post else None,
                    post.person.pk if post else None,
                    name,
                    standing,
                    mark,
                    delegate,
                )
            )
    bulk.insert(
        Participant,
        [
            "id",
            "meeting_id",
            "seat",
            "post_id",
            "unit_id",
            "person_id",
            "name",
            "standing",
            "attendance",
            "delegate_name",
        ],
        participants,
    )
    also = Participant.also_posts.through
    bulk.insert(
        also,
        ["participant_id", "post_id"],
        [
            (pid + b["participant"], post.pk)
            for m in meetings
            for pid, posts in m.also.items()
            for post in posts
        ],
    )
    bulk.insert(
        Topic,
        [
            "id",
            "node_id",
            "node_path",
            "meeting_id",
            "title",
            "detail",
            "business",
            "source",
            "state",
            "vet_reason",
            "discussion",
            "origin_id",
            "version",
            "created_at",
        ],
        [
            (
                T(t),
                t.node.pk,
                t.node.path,
                M(t.meeting) if t.meeting else None,
                t.title,
                t.detail,
                t.business,
                t.source,
                t.state,
                t.vet_reason,
                t.discussion,
                T(t.origin) if t.origin else None,
                t.version,
                ts(t.created),
            )
            for t in book.topics
        ],
    )
    bulk.insert(
        Topic.cases.through, ["topic_id", "case_id"], [(T(t), c.pk) for t in book.topics for c in t.cases]
    )
    bulk.insert(
        Minutes,
        [
            "meeting_id",
            "number",
            "text",
            "final",
            "reason",
            "written_by_id",
            "written_at",
            "finalised_by_id",
            "finalised_at",
        ],
        [
            (M(m), 1, text, final, "", by, ts(at), fby, ts(fat))
            for m, text, final, by, at, fby, fat in book.minutes
        ],
    )
    bulk.insert(
        Slip,
        [
            "id",
            "meeting_id",
            "topic_id",
            "node_id",
            "node_path",
            "action",
            "due",
            "state",
            "version",
            "seq",
            "created_at",
            "bound_at",
            "done_at",
        ],
        [
            (
                S(s),
                M(s.meeting),
                T(s.topic),
                s.node.pk,
                s.node.path,
                s.action,
                bulk.day(s.due),
                s.state,
                1,
                s.seq,
                ts(s.created),
                ts(s.bound_at),
                ts(s.done_at),
            )
            for s in book.slips
        ],
    )
    bulk.insert(
        SlipParty,
        ["slip_id", "unit_id", "post_id", "role", "task"],
        [(S(s), unit.pk, post.pk, role, task) for s in book.slips for unit, role, post, task in s.parties],
    )
    bulk.insert(
        Slip.cases.through, ["slip_id", "case_id"], [(S(s), c.pk) for s in book.slips for c in s.cases]
    )
    bulk.insert(
        Signature,
        [
            "id",
            "slip_id",
            "slip_version",
            "unit_id",
            "signer_id",
            "signer_name",
            "signer_post_id",
            "verdict",
            "reason",
            "content_hash",
            "at",
        ],
        [
            (
                sid + b["signature"],
                S(slip),
                1,
                unit.pk,
                signer,
                post.person.name,
                post.pk,
                Verdict.AGREE,
                "",
                h,
                ts(at),
            )
            for sid, slip, unit, signer, post, at, h in book.signatures
        ],
    )
    bulk.insert(
        Evaluation,
        ["slip_id", "source", "rating", "votes", "meeting_id", "note", "by_id", "at"],
        [
            (S(s), source, rating, votes, M(m) if m else None, note, by, ts(at))
            for s, source, rating, votes, m, note, by, at in book.evaluations
        ],
    )

    def fix(data: dict[str, Any], action: str) -> dict[str, Any]:
        out = dict(data)
        for key, base in (
            ("to_topic", "topic"),
            ("from_topic", "topic"),
            ("carried_from", "topic"),
            ("meeting", "meeting"),
            ("signature", "signature"),
        ):
            if key in out and isinstance(out[key], int):
                out[key] += b[base]
        if action == "create" and "carried" in out:
            out["carried"] = [x + b["topic"] for x in out["carried"]]
        if action == "attend":
            out["marks"] = {str(int(k) + b["participant"]): v for k, v in out["marks"].items()}
        return out

    events = sorted(book.events, key=lambda e: e[0])
    bulk.insert(
        MeetingEvent,
        [
            "meeting_id",
            "topic_id",
            "slip_id",
            "action",
            "from_state",
            "to_state",
            "actor_id",
            "at",
            "note",
            "data",
        ],
        [
            (
                m + b["meeting"] if m else None,
                t + b["topic"] if t else None,
                s + b["slip"] if s else None,
                action,
                frm,
                to,
                actor,
                ts(at),
                note,
                bulk.js(fix(data, action)),
            )
            for at, m, t, s, action, frm, to, actor, note, data in events
        ],
    )
    return {
        "meetings": len(meetings),
        "topics": len(book.topics),
        "slips": len(book.slips),
        "signatures": len(book.signatures),
        "meeting_events": len(events),
    }
