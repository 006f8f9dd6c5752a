"""The three lists (三张清单), projects and pledges, and 定点联系 in the demo street (issue 15
item 8). Built in memory and written raw (demo.bulk), after the services' checks:

- needs from the year's cases (each gets its 列入需求清单 event, as `needs.need_from_case` has
  `cases.services.case_act` append it: the next seq, the case's version moved on), from 居务会
  topics (`source_ref` the topic), from a needs survey and from staff's visits; the demo's
  cases come by phone and the grid, not the public suggestion box, so no need has that source;
- resources of the co-building units, the law firms and social organisations, and of registered
  members (their area, as `resources` insists);
- matches that `matching.propose` proposes (the pure rule), confirmed or turned down by staff;
- 20–40 projects in every state (草拟, 待认领, 已认领待签约, 实施中 — some late, reminded —,
  已完成 with residents' evaluation, 已撤销), milestones checked by `projects.validate_steps`,
  every step a ProjectEvent as the workflow writes it; the claimed ones' pledges written as
  `community.pledges` writes them: each version's content from `pledges.content` and its
  digest from `core.signing.content_hash`, each signature naming its version and digest, a
  revision leaving the earlier signature superseded;
- contact pairs between units and areas with a year of visits.

In the demo area the `partner` login's law firm has a project under way (signed by that login
and the `secretary`) and another waiting for its signature.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import notes_in
from gongzhi.community import evaluations, matching, pledges, projects
from gongzhi.community.models import (
    ContactPair,
    ContactVisit,
    Match,
    MatchState,
    Milestone,
    Need,
    NeedSource,
    NeedState,
    Pledge,
    PledgeSide,
    PledgeSignature,
    PledgeState,
    PledgeVersion,
    Project,
    ProjectEvaluation,
    ProjectEvent,
    ProjectState,
    Rating,
    Resource,
    ResourceKind,
    ServiceField,
    Urgency,
)
from gongzhi.core import signing
from gongzhi.demo.communityworld import DEMO_AREA, Area, World, insert, weighted
from gongzhi.demo.rows import new
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Topic
from gongzhi.orgs.models import DualRegistration, Post, Unit
from gongzhi.orgs.roles import UnitKind

F, K = ServiceField, ResourceKind
P = ProjectState
PARTNER_POST = "FL-R01-X1"  # the `partner` login's seat: a law firm's lawyer in the demo area
# (title, beneficiaries, the kind of resource wanted) per field: surveys and visits
NEEDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    F.ELDERLY: (("独居老人助浴服务", "高龄独居老人", K.VOLUNTEER_HOURS), ("老年人智能手机培训", "60岁以上老人", K.PROFESSIONAL)),
    F.CHILDREN: (("双职工子女暑期托管", "双职工家庭小学生", K.VENUE), ("青少年课后作业辅导", "中小学生", K.VOLUNTEER_HOURS)),
    F.HEALTH: (("慢病老人健康监测", "慢病老人", K.PROFESSIONAL), ("义诊进小区", "小区居民", K.PROFESSIONAL)),
    F.LEGAL: (("房屋租赁纠纷法律咨询", "租户与房东", K.PROFESSIONAL), ("老年人防诈骗法律讲座", "老年居民", K.PROFESSIONAL)),
    F.ENVIRONMENT: (("楼道堆物清理", "楼栋居民", K.VOLUNTEER_HOURS), ("垃圾分类宣传指导", "小区居民", K.VOLUNTEER_HOURS)),
    F.FACILITIES: (("老旧楼道灯更换", "楼栋居民", K.FUNDS), ("非机动车棚修缮", "小区居民", K.FUNDS)),
    F.CULTURE: (("文体团队排练场地", "社区文体团队", K.VENUE), ("老年大学兴趣课程", "退休居民", K.PROFESSIONAL)),
    F.EMPLOYMENT: (("失业青年就业技能培训", "失业青年", K.PROFESSIONAL),),
    F.SAFETY: (("独居老人家庭燃气安全检查", "独居老人", K.PROFESSIONAL), ("夜间平安巡逻", "小区居民", K.VOLUNTEER_HOURS)),
}  # fmt: skip
# a case category → (field, need title, beneficiaries, kind wanted)
CASE_NEEDS: dict[str, tuple[str, str, str, str]] = {
    "MS01": (F.ELDERLY, "老年助餐点", "高龄独居老人", K.VENUE),
    "MS02": (F.ELDERLY, "困难家庭结对帮扶", "困难家庭", K.VOLUNTEER_HOURS),
    "MS04": (F.HEALTH, "残疾人康复助行", "残疾居民", K.PROFESSIONAL),
    "MS05": (F.HEALTH, "家庭医生上门服务", "行动不便老人", K.PROFESSIONAL),
    "MS06": (F.EMPLOYMENT, "失业人员就业指导", "失业居民", K.PROFESSIONAL),
    "MS08": (F.LEGAL, "居民法律咨询", "有法律需求的居民", K.PROFESSIONAL),
    "LD06": (F.FACILITIES, "增设电动自行车集中充电点", "小区居民", K.FUNDS),
    "SS10": (F.CULTURE, "更新小区健身器材", "小区居民", K.EQUIPMENT),
}
TOPIC_FIELDS = (
    (r"车棚|充电|渗漏|维修", F.FACILITIES, K.FUNDS),
    (r"垃圾|环境", F.ENVIRONMENT, K.VOLUNTEER_HOURS),
)
SURVEY = "2026年社区居民需求调查"
# what a unit offers, by words in its name: (title, kind, field, measure, quantity, schedule)
OFFERS: tuple[tuple[str, tuple[str, str, str, str, int, str]], ...] = (
    (r"医院|卫生|疾病", ("义诊医生团队", K.PROFESSIONAL, F.HEALTH, "人次", 200, "每月第一个周六上午")),
    (r"中学|小学|幼儿园|少年宫", ("课后托管教室", K.VENUE, F.CHILDREN, "间", 2, "工作日16:00-18:00")),
    (r"图书馆|文化馆|体育", ("活动场地", K.VENUE, F.CULTURE, "场", 24, "每周二、四晚上")),
    (r"银行|税务|商务|超市|餐饮", ("共建资金", K.FUNDS, F.FACILITIES, "元", 30000, "")),
    (r"律师", ("律师驻点咨询", K.PROFESSIONAL, F.LEGAL, "小时", 48, "每周三下午")),
    (r"消防|交警|燃气|电力|自来水", ("安全检查技术人员", K.PROFESSIONAL, F.SAFETY, "人次", 60, "预约")),
    (r"服务社|助残|调解|志愿|心理", ("助老志愿服务", K.VOLUNTEER_HOURS, F.ELDERLY, "小时", 300, "每周")),
    (r"就业", ("就业指导讲师", K.PROFESSIONAL, F.EMPLOYMENT, "场", 6, "每季度")),
    (r"科技|数码|快递|药房|电信|邮政", ("设备物资捐赠", K.EQUIPMENT, F.CULTURE, "件", 20, "")),
)  # fmt: skip
MEMBER_OFFERS = (
    ("党员志愿服务时长", K.VOLUNTEER_HOURS, F.ELDERLY, "小时"),
    ("党员环境整治志愿服务", K.VOLUNTEER_HOURS, F.ENVIRONMENT, "小时"),
    ("党员课业辅导", K.VOLUNTEER_HOURS, F.CHILDREN, "小时"),
    ("党员专业咨询（医疗、法律、教育）", K.PROFESSIONAL, F.HEALTH, "小时"),
)
PROJECT_TITLES: dict[str, str] = {
    F.ELDERLY: "“银龄守护”为老服务项目", F.CHILDREN: "“四点半课堂”托管项目", F.HEALTH: "“健康进家门”义诊项目",
    F.LEGAL: "“法律明白人”驻点服务项目", F.ENVIRONMENT: "“美丽楼道”环境整治项目",
    F.FACILITIES: "“微更新”设施改造项目", F.CULTURE: "“邻里乐”文体活动项目", F.EMPLOYMENT: "“就业加油站”帮扶项目",
    F.SAFETY: "“平安楼组”安全检查项目", F.OTHER: "共建服务项目",
}  # fmt: skip
AGE: dict[str, tuple[int, int]] = {  # days since a project in that state was drafted
    P.DRAFT: (1, 5),
    P.OPEN: (10, 40),
    P.CLAIMED: (30, 60),
    P.ACTIVE: (60, 200),
    P.DONE: (250, 360),
    P.CANCELLED: (60, 120),
}
STEPS = ("方案制定与需求摸底", "启动实施", "中期推进与居民反馈", "总结验收")
PLAN = (
    (P.DRAFT, 2), (P.OPEN, 6), (P.CLAIMED, 4), (P.ACTIVE, 10), (P.DONE, 8), (P.CANCELLED, 2),
)  # fmt: skip
VISITS = (
    "走访居委会，了解近期需求",
    "参加居民区党组织共建联席会",
    "开展志愿服务",
    "慰问困难党员和独居老人",
    "共商共建项目推进",
)
COMMENTS = ("服务很及时，谢谢", "希望以后多办", "时间安排再灵活些就好", "")


@dataclass
class Signer:
    post: Post
    user: int


@dataclass
class Lists:
    needs: list[Need] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    case_events: list[CaseEvent] = field(default_factory=list)


def write_lists(world: World, rng: random.Random) -> dict[str, int]:
    lists = Lists()
    _needs(world, rng, lists)
    _resources(world, rng, lists)
    matches = _matches(world, rng, lists)
    counts = _projects(world, rng, lists)
    pairs, visits = _contacts(world, rng)
    return {
        "community_needs": len(lists.needs),
        "community_resources": len(lists.resources),
        "community_matches": matches,
        **counts,
        "community_contact_pairs": pairs,
        "community_contact_visits": visits,
    }


# --- 需求清单 ------------------------------------------------------------------------------------


def _need(
    world: World,
    area: Area,
    node: Node,
    title: str,
    fld: str,
    who: str,
    wants: str,
    source: str,
    created: datetime,
    **extra: Any,
) -> Need:
    rng = world.rng
    start = world.local(created).date()
    until = start + timedelta(days=rng.choice((90, 180, 365))) if rng.random() < 0.6 else None
    return new(
        Need,
        title=title,
        text=f"{node.name}{who}反映：{title}。",
        field=fld,
        wants=wants,
        source=source,
        node_id=node.pk,
        node_path=node.path,
        beneficiaries=who,
        beneficiary_count=rng.randint(5, 200),
        urgency=weighted(rng, ((Urgency.LOW, 0.6), (Urgency.MEDIUM, 0.3), (Urgency.HIGH, 0.1))),
        window_from=start,
        window_until=until,
        created_by_id=area.director,
        created_at=created,
        **extra,
    )


def _needs(world: World, rng: random.Random, lists: Lists) -> None:
    """About three needs per area: from the area's cases, its 居务会 topics, the survey, visits."""
    cases = _cases_by_area(world)
    topics = _topics_by_area(world)
    for area in world.areas:
        picked_cases = rng.sample(cases.get(area.node.path, []), min(1, len(cases.get(area.node.path, []))))
        for case in picked_cases:
            assert case.category is not None  # chosen by category
            fld, title, who, wants = CASE_NEEDS[case.category.code]
            created = world.after(case.updated_at, days=3)
            lists.needs.append(
                _need(
                    world,
                    area,
                    case.node,
                    title,
                    fld,
                    who,
                    wants,
                    NeedSource.CASE,
                    created,
                    case_id=case.pk,
                    source_label=case.number,
                )
            )
        for topic in topics.get(area.node.path, [])[:1]:
            fld, wants = next((f, k) for pattern, f, k in TOPIC_FIELDS if re.search(pattern, topic.title))
            created = world.after(topic.created_at, days=5)
            lists.needs.append(
                _need(
                    world,
                    area,
                    topic.node,
                    topic.title[:100],
                    fld,
                    "小区居民",
                    wants,
                    NeedSource.TOPIC,
                    created,
                    source_ref=topic.pk,
                    source_label=topic.title[:100],
                )
            )
        for source in (NeedSource.SURVEY, NeedSource.STAFF) + (
            (NeedSource.STAFF,) if rng.random() < 0.5 else ()
        ):
            fld = rng.choice([f for f in NEEDS if f != F.EMPLOYMENT or rng.random() < 0.3])
            title, who, wants = rng.choice(NEEDS[fld])
            created = world.at(world.day_between(world.year_ago, world.today - timedelta(days=1)))
            label = SURVEY if source == NeedSource.SURVEY else ""
            lists.needs.append(
                _need(world, area, area.node, title, fld, who, wants, source, created, source_label=label)
            )
    insert(Need, lists.needs)
    _list_need_events(world, lists)


def _cases_by_area(world: World) -> dict[str, list[Case]]:
    """Cases of the categories residents' needs come from, raised more than a month ago."""
    rows = (
        Case.objects.filter(
            node_path__startswith=world.street.path,
            category__code__in=CASE_NEEDS,
            created_at__lt=world.now - timedelta(days=30),
        )
        .select_related("category", "node")
        .order_by("pk")
    )
    out: dict[str, list[Case]] = {}
    for case in rows:
        if case.node.level >= Level.AREA and "list_need" in notes_in(case.state):  # an area or below
            out.setdefault(world.area_of(case.node_path).node.path, []).append(case)
    return out


def _topics_by_area(world: World) -> dict[str, list[Topic]]:
    rows = Topic.objects.filter(
        node_path__startswith=world.street.path, created_at__lt=world.now
    ).select_related("node")
    out: dict[str, list[Topic]] = {}
    for topic in rows.order_by("pk"):
        fits = any(re.search(pattern, topic.title) for pattern, _f, _k in TOPIC_FIELDS)
        if fits and topic.node.level >= Level.AREA:
            out.setdefault(world.area_of(topic.node_path).node.path, []).append(topic)
    return out


def _list_need_events(world: World, lists: Lists) -> None:
    """Each case listed as a need gets the 列入需求清单 note `need_from_case` has case_act append."""
    listed = {n.case_id: n for n in lists.needs if n.case_id is not None}
    for case in Case.objects.filter(pk__in=listed).order_by("pk"):
        need = listed[case.pk]
        actor = world.area_of(need.node_path).director
        lists.case_events.append(
            new(
                CaseEvent,
                case_id=case.pk,
                seq=case.version + 1,
                action="list_need",
                from_state=case.state,
                to_state=case.state,
                actor_id=actor,
                at=need.created_at,
                note=f"列入需求清单：{need.title}",
                data={"need": need.pk},
            )
        )
        Case.objects.filter(pk=case.pk).update(version=case.version + 1, updated_at=need.created_at)
    insert(CaseEvent, lists.case_events)


# --- 资源清单 ------------------------------------------------------------------------------------


def _resources(world: World, rng: random.Random, lists: Lists) -> None:
    """What the registered units offer, over an area they registered with, and what a few
    registered members offer over their area."""
    regs = DualRegistration.objects.filter(
        state=DualRegistration.State.CONFIRMED, node__path__startswith=world.street.path
    )
    unit_areas: dict[int, list[str]] = {}
    for unit_id, path in regs.filter(unit__isnull=False).order_by("pk").values_list("unit_id", "node__path"):
        unit_areas.setdefault(unit_id, []).append(path)
    nodes = {a.node.path: a.node for a in world.areas}
    for unit in Unit.objects.filter(pk__in=unit_areas).order_by("code"):
        offer = next((o for pattern, o in OFFERS if re.search(pattern, unit.name)), None)
        if offer is None:
            continue
        title, kind, fld, measure, quantity, schedule = offer
        node = nodes[rng.choice(unit_areas[unit.pk])] if rng.random() < 0.7 else world.street
        lists.resources.append(
            _resource(
                world,
                rng,
                f"{unit.name}{title}",
                kind,
                fld,
                node,
                quantity,
                measure,
                schedule,
                unit_id=unit.pk,
                created_by_id=world.area_of(unit_areas[unit.pk][0]).director,
            )
        )
    members = list(regs.filter(member__isnull=False).order_by("pk").values_list("member_id", "node__path"))
    for member, path in rng.sample(members, max(4, len(members) // 30)) if members else []:
        title, kind, fld, measure = rng.choice(MEMBER_OFFERS)
        lists.resources.append(
            _resource(
                world,
                rng,
                title,
                kind,
                fld,
                nodes[path],
                rng.choice((20, 40, 60)),
                measure,
                "周末",
                member_id=member,
                created_by_id=world.by_path[path].director,
            )
        )
    insert(Resource, lists.resources)


def _resource(
    world: World,
    rng: random.Random,
    title: str,
    kind: str,
    fld: str,
    node: Node,
    quantity: int,
    measure: str,
    schedule: str,
    **who: Any,
) -> Resource:
    start = world.day_between(world.year_ago, world.today - timedelta(days=20))
    until = weighted(
        rng, ((None, 0.6), (start + timedelta(days=365), 0.3), (world.today - timedelta(days=5), 0.1))
    )
    return new(
        Resource,
        title=title[:100],
        text=f"{title}，可预约。",
        kind=kind,
        field=fld,
        node_id=node.pk,
        node_path=node.path,
        quantity=Decimal(quantity),
        measure=measure,
        available_from=start,
        available_until=until,
        schedule=schedule,
        active=rng.random() > 0.05,
        created_at=world.at(start),
        **who,
    )


def _matches(world: World, rng: random.Random, lists: Lists) -> int:
    """Staff decide on what `matching.propose` proposes for two needs in three: the nearest
    proposal confirmed (the need becomes 已匹配), sometimes the next one turned down."""
    levels = matching.levels_of([n.node_path for n in lists.needs], [r.node_path for r in lists.resources])
    rows: list[Match] = []
    for need in lists.needs:
        if rng.random() > 0.66:
            continue
        proposals = matching.propose(need, lists.resources, levels, world.today)
        if not proposals:
            continue
        at = world.after(need.created_at, days=10)
        rows.append(
            new(
                Match,
                need_id=need.pk,
                resource_id=proposals[0].resource.pk,
                state=MatchState.CONFIRMED,
                rank=proposals[0].rank,
                by_id=world.area_of(need.node_path).director,
                at=at,
            )
        )
        need.state = NeedState.MATCHED
        if len(proposals) > 1 and rng.random() < 0.3:
            rows.append(
                new(
                    Match,
                    need_id=need.pk,
                    resource_id=proposals[1].resource.pk,
                    state=MatchState.REJECTED,
                    rank=proposals[1].rank,
                    note="时间安排不合适",
                    by_id=rows[-1].by_id,
                    at=at,
                )
            )
    insert(Match, rows)
    return len(rows)


# --- projects, pledges, milestones, evaluations ---------------------------------------------------


@dataclass
class Built:
    project: Project
    steps: list[Milestone] = field(default_factory=list)
    events: list[tuple[str, str, str, int | None, datetime, str, dict[str, Any]]] = field(
        default_factory=list
    )
    needs: list[Need] = field(default_factory=list)
    signer: Signer | None = None
    variant: str = ""

    def step(
        self,
        action: str,
        before: str,
        after: str,
        actor: int | None,
        at: datetime,
        note: str = "",
        **data: Any,
    ) -> None:
        self.events.append((action, before, after, actor, at, note, data))


def _signers(world: World) -> dict[int, list[Signer]]:
    """Unit id → the posts (with their holders' accounts) that may sign for it."""
    out: dict[int, list[Signer]] = {}
    posts = Post.objects.filter(
        unit__kind__in=(UnitKind.CO_BUILDING, UnitKind.LAW_FIRM, UnitKind.SOCIAL_ORG),
        unit__code__startswith="FL-U-",
        person__user__isnull=False,
    ).select_related("person", "node")
    for post in posts.order_by("code"):
        assert post.person is not None and post.person.user_id is not None
        out.setdefault(post.unit_id, []).append(Signer(post, post.person.user_id))
    return out


def _projects(world: World, rng: random.Random, lists: Lists) -> dict[str, int]:
    signers = _signers(world)
    partner = next(s for ss in signers.values() for s in ss if s.post.code == PARTNER_POST)
    taken: set[int] = set()
    built: list[Built] = []
    demo = next(a for a in world.areas if a.node.code == DEMO_AREA)
    plan = [state for state, n in PLAN for _ in range(n)]
    for i, state in enumerate(plan):
        area = demo if i in (3, 9, 13, 22) else world.areas[rng.randrange(len(world.areas))]
        if state == P.ACTIVE and area is demo:
            signer, variant = partner, "partner"
        elif state == P.CLAIMED and area is demo:
            signer, variant = partner, "unit_to_sign"
        else:
            unit = rng.choice(sorted(signers))
            signer, variant = rng.choice(signers[unit]), ("none", "community", "revised")[i % 3]
        seeds = [
            n
            for n in lists.needs
            if n.node_path.startswith(area.node.path)
            and n.pk not in taken
            and n.state in (NeedState.OPEN, NeedState.MATCHED)
        ]
        needs = seeds[:1]
        taken |= {n.pk for n in needs}
        built.append(_build(world, rng, area, state, needs, signer, variant))
    insert(Project, [b.project for b in built])
    for b in built:
        for m in b.steps:
            m.project_id = b.project.pk
    insert(Milestone, [m for b in built for m in b.steps])
    pledge_rows = _pledges(world, rng, built)
    for b in built:  # the events appended, as common.record counts them
        Project.objects.filter(pk=b.project.pk).update(seq=len(b.events))
    _need_states(built, lists)
    through = Project.needs.through
    insert(through, [new(through, project_id=b.project.pk, need_id=n.pk) for b in built for n in b.needs])
    used = Project.resources.through
    confirmed = dict(
        Match.objects.filter(
            state=MatchState.CONFIRMED, need__in=[n.pk for b in built for n in b.needs]
        ).values_list("need_id", "resource_id")
    )
    insert(
        used,
        [
            new(used, project_id=b.project.pk, resource_id=confirmed[n.pk])
            for b in built
            for n in b.needs
            if n.pk in confirmed
        ],
    )
    events = [
        new(
            ProjectEvent,
            project_id=b.project.pk,
            action=a,
            from_state=f,
            to_state=t,
            actor_id=u,
            at=at,
            note=note,
            data=data,
        )
        for b in built
        for a, f, t, u, at, note, data in sorted(b.events, key=lambda e: e[4])
    ]
    insert(ProjectEvent, events)
    votes = _evaluations(world, rng, built)
    return {
        "community_projects": len(built),
        "community_pledges": pledge_rows,
        "community_evaluations": votes,
    }


def _build(
    world: World, rng: random.Random, area: Area, state: str, needs: list[Need], signer: Signer, variant: str
) -> Built:
    """A project with its dates, milestones and the events up to its state (the pledge's
    signatures are added by _pledges once rows have ids)."""
    today = world.today
    fld = needs[0].field if needs else rng.choice(list(NEEDS))
    created = world.at(today - timedelta(days=rng.randint(*AGE[state])))
    day0 = world.local(created).date()
    if state == P.DONE:
        starts, ends = day0 + timedelta(days=20), day0 + timedelta(days=rng.randint(200, 240))
    elif state == P.ACTIVE:
        starts = day0 + timedelta(days=rng.randint(15, 30))
        ends = max(today + timedelta(days=30), starts + timedelta(days=rng.randint(150, 300)))
    else:
        starts = max(day0, today) + timedelta(days=rng.randint(15, 40))
        ends = starts + timedelta(days=rng.randint(120, 240))
    n = rng.randint(2, 4)
    span = (ends - starts).days
    steps = projects.validate_steps(
        [
            projects.Step(
                STEPS[j] if n == 4 else STEPS[j * 3 // n], starts + timedelta(days=span * (j + 1) // n)
            )
            for j in range(n)
        ],
        starts,
        ends,
    )
    project = new(
        Project,
        title=f"{area.node.name}{PROJECT_TITLES[fld]}",
        summary=f"围绕{area.node.name}居民需求，"
        f"联合共建单位开展{PROJECT_TITLES[fld].strip('“”')}，分阶段推进并接受居民评议。",
        field=fld,
        node_id=area.node.pk,
        node_path=area.node.path,
        budget=Decimal(rng.choice((3000, 8000, 15000, 30000, 60000))).quantize(
            Decimal("0.01")
        ),  # as common.amount
        lead_id=area.director_post.pk,
        starts_on=starts,
        ends_on=ends,
        state=state,
        created_by_id=area.director,
        created_at=created,
    )
    project.node = area.node  # what pledges.content reads
    b = Built(
        project,
        [new(Milestone, seq=j + 1, title=s.title, due=s.due) for j, s in enumerate(steps)],
        needs=needs,
        signer=signer,
        variant=variant,
    )
    b.step("create", "", P.DRAFT, area.director, created, needs=[x.pk for x in needs])
    if state == P.DRAFT:
        return b
    published = world.after(created, days=3)
    if state == P.CANCELLED:
        before = P.OPEN if rng.random() < 0.5 else P.DRAFT
        if before == P.OPEN:
            b.step("publish", P.DRAFT, P.OPEN, area.director, published)
        b.step(
            "cancel",
            before,
            P.CANCELLED,
            area.director,
            world.after(published, days=20),
            "共建单位资源调整，项目暂缓",
        )
        return b
    b.step("publish", P.DRAFT, P.OPEN, area.director, published)
    if state == P.OPEN:
        return b
    claimed = (
        world.after(published, days=10)
        if state != P.CLAIMED
        else world.at(today - timedelta(days=rng.randint(3, 15)))
    )
    project.claimed_by_id, project.claimed_at = signer.post.unit_id, claimed
    b.step("claim", P.OPEN, P.CLAIMED, signer.user, claimed)
    if state in (P.ACTIVE, P.DONE):
        for m in b.steps:
            late = state == P.ACTIVE and m.seq == 2 and rng.random() < 0.45 and m.due < today
            if m.due < today and not late:
                m.done_at = world.at(m.due - timedelta(days=rng.randint(0, 5)))
                m.evidence = f"已完成“{m.title}”：照片与签到表存档"
                m.done_by_id = signer.user
            elif late:
                m.reminded_at = world.at(today - timedelta(days=rng.randint(0, 1)))
    if state == P.DONE:
        last = max(m.done_at for m in b.steps if m.done_at is not None)
        project.done_at = world.after(last, days=5)
    return b


def _pledges(world: World, rng: random.Random, built: list[Built]) -> int:
    """The claimed projects' pledges as `community.pledges` writes them, and the events from the
    signatures on (in force, milestones, reminders, finish)."""
    claimed = [b for b in built if b.project.claimed_by_id is not None]
    rows = [
        new(
            Pledge,
            project_id=b.project.pk,
            unit_id=b.project.claimed_by_id,
            version=2 if b.variant == "revised" and b.project.state == P.CLAIMED else 1,
            state=PledgeState.SIGNING,
            created_at=b.project.claimed_at,
        )
        for b in claimed
    ]
    insert(Pledge, rows)
    versions: list[PledgeVersion] = []
    signatures: list[PledgeSignature] = []
    for b, pledge in zip(claimed, rows, strict=True):
        assert b.signer is not None and b.project.claimed_at is not None
        unit = b.signer.post.unit
        pledge.unit = unit
        area = world.area_of(b.project.node_path)
        text = f"{unit.name}承诺：按项目节点提供人员与物资保障，每季度向居民区通报进展。"
        final = pledge.version
        at = b.project.claimed_at
        for number in range(1, final + 1):
            pledge.version = number
            body = pledges.content(b.project, pledge, text if number == 1 else text + "增加周末服务场次。")
            versions.append(
                new(
                    PledgeVersion,
                    pledge_id=pledge.pk,
                    number=number,
                    content=body,
                    content_hash=signing.content_hash(body),
                    note="" if number == 1 else "应居民意见增加周末服务",
                    written_by_id=b.signer.user if number == 1 else area.director,
                    written_at=at,
                )
            )
            sides = _sides(b, number, final)
            for side in sides:
                at = world.after(at, days=3)
                who = b.signer if side == PledgeSide.UNIT else Signer(area.secretary_post, area.secretary)
                assert who.post.person is not None
                signatures.append(
                    new(
                        PledgeSignature,
                        pledge_id=pledge.pk,
                        version=number,
                        side=side,
                        signer_id=who.user,
                        signer_name=who.post.person.name,
                        signer_post_id=who.post.pk,
                        content_hash=versions[-1].content_hash,
                        at=at,
                    )
                )
                b.step("sign", P.CLAIMED, P.CLAIMED, who.user, at, side=side, version=number)
            if number < final:
                at = world.after(at, days=2)
                b.step(
                    "revise_pledge",
                    P.CLAIMED,
                    P.CLAIMED,
                    area.director,
                    at,
                    "应居民意见增加周末服务",
                    version=number + 1,
                    superseded=[],
                )
        if b.project.state in (P.ACTIVE, P.DONE):
            pledge.state, pledge.in_force_at = PledgeState.IN_FORCE, at
            b.step("in_force", P.CLAIMED, P.ACTIVE, None, at, version=final)
            _delivery(world, b, area)
    insert(PledgeVersion, versions)
    insert(PledgeSignature, signatures)
    _name_rows(claimed, rows, signatures)
    for pledge in rows:
        if pledge.state == PledgeState.IN_FORCE:
            Pledge.objects.filter(pk=pledge.pk).update(state=pledge.state, in_force_at=pledge.in_force_at)
    return len(rows)


def _sides(b: Built, number: int, final: int) -> list[str]:
    """Who signed version `number`: both once the pledge is in force; of a project still
    claimed, none, the community only, the unit only (then revised), as its variant says."""
    if b.project.state in (P.ACTIVE, P.DONE):
        return [PledgeSide.UNIT, PledgeSide.COMMUNITY] if number == final else []
    if b.variant == "revised":
        return [PledgeSide.UNIT] if number < final else []
    return [PledgeSide.COMMUNITY] if b.variant in ("community", "unit_to_sign") else []


def _name_rows(claimed: list[Built], rows: list[Pledge], signatures: list[PledgeSignature]) -> None:
    """What the events name by id, known only now: the claim its pledge and unit, a revision
    the signatures it superseded."""
    for b, pledge in zip(claimed, rows, strict=True):
        for i, (action, f, t, u, at, note, data) in enumerate(b.events):
            if action == "claim":
                data = {**data, "unit": pledge.unit.code, "pledge": pledge.pk}
            elif action == "revise_pledge":
                gone = [
                    s.pk for s in signatures if s.pledge_id == pledge.pk and s.version == data["version"] - 1
                ]
                data = {**data, "superseded": gone}
            b.events[i] = (action, f, t, u, at, note, data)


def _delivery(world: World, b: Built, area: Area) -> None:
    """Milestones reported done, reminders of the late ones, the committee's finish."""
    assert b.signer is not None
    for m in b.steps:
        if m.done_at is not None:
            b.step("milestone_done", P.ACTIVE, P.ACTIVE, b.signer.user, m.done_at, milestone=m.seq)
        if m.reminded_at is not None:
            b.step("remind", P.ACTIVE, P.ACTIVE, None, m.reminded_at, milestone=m.seq)
    if b.project.state == P.DONE:
        assert b.project.done_at is not None
        b.step("finish", P.ACTIVE, P.DONE, area.director, b.project.done_at, "各节点已完成，居民评议开放")


def _need_states(built: list[Built], lists: Lists) -> None:
    """A project's needs are 已立项, met once it is done, open again if it was cancelled; a few
    other needs were met or closed by staff."""
    for b in built:
        after: dict[str, str] = {P.DONE: NeedState.MET, P.CANCELLED: NeedState.OPEN}
        state = after.get(b.project.state, NeedState.PROJECT)
        for need in b.needs:
            need.state = state
    rest = [n for n in lists.needs if n.state == NeedState.OPEN and not any(n in b.needs for b in built)]
    for i, need in enumerate(rest[::9]):
        need.state = NeedState.CLOSED if i % 2 else NeedState.MET
        need.closed_reason = "已转交区民政部门统筹解决" if i % 2 else ""
    for state in NeedState.values:
        for reason in {n.closed_reason for n in lists.needs if n.state == state}:
            pks = [n.pk for n in lists.needs if n.state == state and n.closed_reason == reason]
            Need.objects.filter(pk__in=pks).update(state=state, closed_reason=reason)


def _evaluations(world: World, rng: random.Random, built: list[Built]) -> int:
    """Residents' votes on the finished projects, one per device (only a keyed hash kept)."""
    rows: list[ProjectEvaluation] = []
    for b in built:
        if b.project.state != P.DONE:
            continue
        assert b.project.done_at is not None
        for i in range(rng.randint(12, 50)):
            rating = weighted(rng, ((Rating.GOOD, 0.7), (Rating.FAIR, 0.22), (Rating.POOR, 0.08)))
            rows.append(
                new(
                    ProjectEvaluation,
                    project_id=b.project.pk,
                    rating=rating,
                    comment=rng.choice(COMMENTS) if rng.random() < 0.2 else "",
                    voter=evaluations.voter_key(device=f"demo:{b.project.pk}:{i}"),
                    at=world.after(b.project.done_at, days=30),
                )
            )
    insert(ProjectEvaluation, rows)
    return len(rows)


# --- 定点联系 -------------------------------------------------------------------------------------


def _contacts(world: World, rng: random.Random) -> tuple[int, int]:
    """Each public co-building unit paired with its area (or one it registered with), a law
    firm with each of two areas; one pair in ten ended; a year of visits per open pair."""
    signers = _signers(world)
    areas = {a.node.path: a for a in world.areas}
    regs: dict[int, list[str]] = {}
    for unit_id, path in (
        DualRegistration.objects.filter(unit__isnull=False, node__path__startswith=world.street.path)
        .order_by("pk")
        .values_list("unit_id", "node__path")
    ):
        regs.setdefault(unit_id, []).append(path)
    pairs: list[ContactPair] = []
    units = Unit.objects.filter(code__startswith="FL-U-", kind__in=(UnitKind.CO_BUILDING, UnitKind.LAW_FIRM))
    for unit in units.select_related("node").order_by("code"):
        paths = sorted(set(regs.get(unit.pk, [])))
        home = [p for p in paths if unit.node.path.startswith(p)] or paths[:1]
        for path in paths[:2] if unit.kind == UnitKind.LAW_FIRM else home:
            area = areas[path]
            since = date(2021, 1, 1) + timedelta(days=rng.randrange(4 * 365))
            until = (
                world.day_between(world.year_ago, world.today - timedelta(days=30))
                if rng.random() < 0.1
                else None
            )
            pairs.append(
                new(
                    ContactPair,
                    unit_id=unit.pk,
                    node_id=area.node.pk,
                    node_path=path,
                    since=since,
                    until=until,
                    note="结对共建，每月走访",
                    created_by_id=area.director,
                )
            )
    insert(ContactPair, pairs)
    visits: list[ContactVisit] = []
    for pair in pairs:
        area = areas[pair.node_path]
        end = pair.until or world.today
        by = signers.get(pair.unit_id, [Signer(area.director_post, area.director)])[0].user
        for _ in range(rng.randint(4, 10) if pair.until is None else rng.randint(1, 4)):
            on = world.day_between(max(pair.since, world.year_ago), end)
            visits.append(
                new(
                    ContactVisit,
                    pair_id=pair.pk,
                    on=on,
                    people=rng.randint(2, 8),
                    summary=rng.choice(VISITS),
                    recorded_by_id=by,
                    at=world.at(min(end, on + timedelta(days=rng.randint(0, 2)))),
                )
            )
    insert(ContactVisit, visits)
    return len(pairs), len(visits)
