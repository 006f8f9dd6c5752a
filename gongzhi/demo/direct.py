"""直报 in the demo street (issue 16 item 5; docs/mobilisation.md "直报", "Demo"): the street's
duty roster and a year of direct reports, written through the 直报 services under a frozen
clock as demo.mobilisation writes its incidents (they are few rows: the services are the point).

- **The roster** (`direct_roster.leader_set` / `duty_set`): the ladder is the 党政办公室主任
  (FL-POST-JD01, the street's emergency duty lead) and the block leaders (块区党的工作小组组长,
  FL-POST-K*-1, street-office staff); the duty officers rotate daily among the street cadre of
  the `street_cadre` login (FL-POST-JD02) and the block liaison cadres (FL-POST-K*-2), the day's
  leader among the block leaders; from a year ago to 30 days ahead. Every one of them already
  has a login (the demo login, or the account demo.meetingbook made for the block posts and
  JD01). `street_cadre` is on duty today, so a demo user can acknowledge.
- **The reports**: about one a week (~50 at any scale: a street's 直报 are few), from the
  committee directors, the Party secretaries and the `grid` login, at a place of their area;
  kinds and texts of the field (火灾, 人员受伤, 倒塌, 疫情接触, 群体性纠纷). Most acknowledged
  within the 15 minutes by the officer on duty, a few late after the chain climbed (the sweep
  run at the times it would have run); 续报 mostly within the hour, a few late after the
  reminder; most closed with a result, some converted into a case (in a fitting 小类) or a
  mobilisation (closed the next day), 2–3 marked misuse; two still open now — one just
  reported and unacknowledged, one acknowledged and followed up — so the command centre shows
  them and `street_cadre` can acknowledge.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.core import clock
from gongzhi.demo.communityworld import World
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct, direct_chain, direct_roster, incidents
from gongzhi.mobilisation.models import DirectKind, DirectReport, DutyDay, DutyLeader, Incident
from gongzhi.orgs.models import Category, Post

OFFICER_LOGIN_POST = "FL-POST-JD02"  # the `street_cadre` login: on duty today
LEAD_POST = "FL-POST-JD01"  # 党政办公室主任: first on the ladder
BLOCK_LEADER = "FL-POST-K{}-1"  # 块区党的工作小组组长
BLOCK_LIAISON = "FL-POST-K{}-2"  # 块区联络干部
GRID_POST = "FL-R01-E1-G1-WG"  # the `grid` login
DAYS_AHEAD = 30
REPORTS = 52  # about one a week over the year
MISUSE = 3
TO_CASE = 6
TO_MOBILISATION = 1  # a mobilisation declared over an area is the step's dearest part (docs/mobilisation.md)
KIND_WEIGHTS = (
    (DirectKind.FIRE, 12),
    (DirectKind.INJURY, 12),
    (DirectKind.CROWD, 10),
    (DirectKind.COLLAPSE, 6),
    (DirectKind.EPIDEMIC, 5),
    (DirectKind.OTHER, 5),
)
TEXTS: dict[str, tuple[str, ...]] = {
    DirectKind.FIRE: (
        "{place}一楼电瓶车充电起火，楼道内有浓烟，已拨打119，正在疏散楼上居民。",
        "{place}居民家中厨房起火，明火已被邻居用灭火器扑灭，屋内一名老人被搀扶下楼。",
        "{place}垃圾厢房着火，火势蔓延到旁边的非机动车棚，物业保安正在扑救，已报119。",
    ),
    DirectKind.INJURY: (
        "{place}楼下一名老人摔倒后昏迷，已拨打120，网格员在现场守候。",
        "{place}外墙脱落砸伤路过居民一名，头部出血，已送医，现场已拉警戒线。",
        "{place}施工人员从脚手架坠落，意识清醒但不能站立，120已到场。",
    ),
    DirectKind.CROWD: (
        "{place}约30名业主聚集在物业办公室，对停车费上涨情绪激动，有推搡，已报110。",
        "{place}拆违现场20余人围堵执法人员，现场秩序混乱，派出所民警正在赶来。",
        "{place}装修公司拖欠工人工资，十余名工人聚集在小区门口，扬言堵门。",
    ),
    DirectKind.COLLAPSE: (
        "{place}老式公房阳台局部坍塌，楼下停放车辆被砸，暂无人员受伤，已疏散周边。",
        "{place}围墙倒塌约8米，压到人行道，已用锥桶隔离，通知房管办。",
    ),
    DirectKind.EPIDEMIC: (
        "{place}一户居民为确诊病例的密切接触者，疾控已电话通知，需立即落实居家健康监测。",
        "{place}有居民从外地疫情高风险地区返回，未按要求报备，需核实行程并落实管控。",
    ),
    DirectKind.OTHER: (
        "{place}燃气管道泄漏，闻到明显燃气味，已通知燃气公司抢修，正在疏散整栋楼居民。",
        "{place}地下车库大面积进水，水深约40厘米，多辆车被淹，已通知物业抽水。",
    ),
}
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    DirectKind.FIRE: (
        "明火已扑灭，无人员伤亡，过火面积约5平方米。消防已撤离，楼道电线已断电检查，物业明日清理。",
        "火已扑灭，一名老人轻微吸入烟雾送医观察。已排查整栋楼飞线充电，居委会今晚入户走访。",
    ),
    DirectKind.INJURY: (
        "伤者已送区中心医院救治，生命体征平稳，家属已到医院。现场已清理，物业排查外墙隐患。",
        "伤者已入院，已联系家属和用工单位。施工方已停工整改，街道安全办明日检查。",
    ),
    DirectKind.CROWD: (
        "经民警和居委会劝解，聚集人员已散去，约定下周召开居务会协商，已记录诉求。",
        "现场秩序已恢复，劳资双方由司法所调解，施工方承诺三日内支付工资。",
    ),
    DirectKind.COLLAPSE: (
        "现场已隔离，房管办已到场初查，同楼层阳台暂停使用，周边三户临时安置到亲属家。",
        "倒塌围墙已清运，临时围挡已设置，产权单位明日安排修复。",
    ),
    DirectKind.EPIDEMIC: (
        "已上门告知居家健康监测要求，家庭医生已建立联系，每日两次测温上报，门磁已安装。",
        "已核实行程并报告疾控，当事人已配合核酸检测，居委会每日电话随访。",
    ),
    DirectKind.OTHER: (
        "燃气公司已关阀抢修，泄漏点已找到并修复，居民已返回，无人员受伤。",
        "物业已调来两台水泵，水位正在下降，受淹车主已登记，保险公司已联系。",
    ),
}
RESULTS = (
    "现场处置完毕，无次生事件，后续由居委会跟进回访。",
    "已处置完毕，相关单位已整改，居委会已回访当事人。",
    "事件已平息，隐患已消除，居委会将在居务会上通报。",
)
CASE_CATEGORIES = {  # 小类 a converted report takes
    DirectKind.FIRE: "LD05",
    DirectKind.INJURY: "AQ04",
    DirectKind.CROWD: "AQ02",
    DirectKind.COLLAPSE: "FW05",
    DirectKind.EPIDEMIC: "MS05",
    DirectKind.OTHER: "SS07",
}
MISUSE_TEXTS = (
    "{place}楼道里堆满杂物，多次劝说无效，居民意见很大。",
    "{place}小区门口有人占道经营卖水果，影响通行。",
    "{place}楼上住户装修噪声太大，楼下居民来居委会反映。",
)
MISUSE_REASON = "一般问题，应通过巡查上报或工单办理"


@dataclass
class Roster:
    officers: list[Any]  # Person, in rotation
    day_leaders: list[Any]
    ladder: list[tuple[Any, str]]  # (Person, title)
    today_officer: Any


def write_direct(world: World, rng: random.Random) -> dict[str, int]:
    roster = _roster()
    _keep_roster(world, roster)
    reporters = _reporters(world)
    count = _history(world, rng, reporters, roster)
    return {
        "direct_duty_days": DutyDay.objects.filter(street=world.street).count(),
        "direct_leaders": DutyLeader.objects.filter(street=world.street).count(),
        "direct_reports": count,
    }


def _person(code: str) -> Any:
    post = Post.objects.select_related("person__user").filter(code=code).first()
    if post is None or post.person.user is None:
        raise ValueError(f"demo post {code} has no login for the duty roster")
    return post.person


def _roster() -> Roster:
    blocks = sorted(
        int(code.split("-")[2][1:])
        for code in Post.objects.filter(code__regex=r"^FL-POST-K[0-9]+-1$").values_list("code", flat=True)
    )
    block_leaders = [_person(BLOCK_LEADER.format(k)) for k in blocks]
    today = _person(OFFICER_LOGIN_POST)
    liaisons = [_person(BLOCK_LIAISON.format(k)) for k in blocks]
    ladder = [(_person(LEAD_POST), "党政办公室主任（应急值守）")]
    ladder += [(p, "块区党的工作小组组长") for p in block_leaders]
    return Roster(officers=[today, *liaisons], day_leaders=block_leaders, ladder=ladder, today_officer=today)


def _keep_roster(world: World, roster: Roster) -> None:
    """The ladder, and a duty day for every day from a year ago to DAYS_AHEAD on (the demo's
    login on duty today), as the street admin keeps them."""
    with clock.freeze(world.now - timedelta(days=366)):
        for order, (person, title) in enumerate(roster.ladder, start=1):
            direct_roster.leader_set(actor=None, street=world.street, person=person, title=title, order=order)
    today = direct_roster.duty_day_of(world.now)
    start = today - timedelta(days=365)
    officers = roster.officers
    for i in range((today - start).days + DAYS_AHEAD + 1):
        day = start + timedelta(days=i)
        officer = roster.today_officer if day == today else officers[i % len(officers)]
        leader = roster.day_leaders[(i // len(officers)) % len(roster.day_leaders)]
        planned = datetime.combine(day - timedelta(days=7), time(9, 0), tzinfo=world.local(world.now).tzinfo)
        with clock.freeze(min(world.now, planned)):  # kept a week ahead
            direct_roster.duty_set(actor=None, street=world.street, day=day, officer=officer, leader=leader)


def _reporters(world: World) -> list[tuple[Any, Node]]:
    """(user, area node): the committee directors and Party secretaries, and the grid login."""
    users = get_user_model().objects.in_bulk([u for a in world.areas for u in (a.director, a.secretary)])
    out = [(users[a.director], a.node) for a in world.areas] + [
        (users[a.secretary], a.node) for a in world.areas
    ]
    grid = Post.objects.select_related("person__user", "node").filter(code=GRID_POST).first()
    if grid is not None and grid.person.user is not None:
        area = world.area_of(grid.node.path).node
        out += [(grid.person.user, area)] * 3  # the grid worker reports more often than anyone
    return out


def _place(rng: random.Random, area: Node) -> Node:
    places = list(
        Node.objects.filter(path__startswith=area.path, level__in=(Level.ESTATE, Level.BUILDING)).order_by(
            "path"
        )[:400]
    )
    return rng.choice(places) if places else area


def _moment(world: World, rng: random.Random, index: int, total: int) -> datetime:
    """Spread over the year, one every week or so, at any hour (more by day)."""
    day = world.today - timedelta(days=364) + timedelta(days=int(index * 362 / total) + rng.randint(0, 3))
    hour = rng.choices(range(24), weights=[1] * 6 + [3] * 16 + [1] * 2)[0]
    local = datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=world.local(world.now).tzinfo
    )
    return min(local, world.now - timedelta(days=1))


def _duty_users(report: DirectReport) -> tuple[Any, list[Any]]:
    """(the duty officer's user, the ladder's users in order) for the report's duty day."""
    chain = direct_roster.chain_for(report.street, report.duty_day)
    officer = chain.officer.user if chain.officer is not None else chain.first[0].user
    return officer, [leader.person.user for leader in chain.ladder]


def _history(world: World, rng: random.Random, reporters: list[tuple[Any, Node]], roster: Roster) -> int:
    total = REPORTS
    fates = ["close"] * (total - MISUSE - TO_CASE - TO_MOBILISATION)
    fates += ["misuse"] * MISUSE + ["case"] * TO_CASE + ["mobilisation"] * TO_MOBILISATION
    rng.shuffle(fates)
    categories = {c.code: c for c in Category.objects.filter(code__in=CASE_CATEGORIES.values())}
    for index, fate in enumerate(fates):
        at = _moment(world, rng, index, total)
        user, area = rng.choice(reporters)
        place = _place(rng, area)
        kind = rng.choices([k for k, _w in KIND_WEIGHTS], weights=[w for _k, w in KIND_WEIGHTS])[0]
        if fate == "misuse":
            kind = rng.choice([DirectKind.CROWD, DirectKind.OTHER])
            text = rng.choice(MISUSE_TEXTS)
        else:
            text = rng.choice(TEXTS[kind])
        with clock.freeze(at):
            report = direct.report_create(
                actor=user, kind=kind, text=text.format(place=place.name), node=place
            )
        _answer(world, rng, report, fate, categories.get(CASE_CATEGORIES[kind]))
    _open_now(world, rng, reporters, roster)
    return DirectReport.objects.filter(street=world.street).count()


def _answer(world: World, rng: random.Random, report: DirectReport, fate: str, category: Any) -> None:
    at = report.reported_at
    officer, ladder = _duty_users(report)
    late = rng.random() < 0.12 and ladder
    if late:  # nobody answered: the chain climbed, the leader it reached acknowledged
        steps = rng.randint(1, min(2, len(ladder)))
        direct_chain.advance(at + timedelta(minutes=direct_chain.ack_minutes() * steps, seconds=30))
        acker, ack_at = (
            ladder[steps - 1],
            at + timedelta(minutes=direct_chain.ack_minutes() * steps + rng.randint(2, 9)),
        )
    else:
        acker, ack_at = officer, at + timedelta(minutes=rng.randint(1, 13), seconds=rng.randrange(60))
    with clock.freeze(ack_at):
        report = direct.report_acknowledge(actor=acker, report=report)
    if fate == "misuse":
        with clock.freeze(ack_at + timedelta(minutes=rng.randint(2, 10))):
            direct.report_mark_misuse(actor=acker, report=report, reason=MISUSE_REASON)
        with clock.freeze(ack_at + timedelta(minutes=rng.randint(15, 40))):
            direct.report_close(actor=acker, report=report, result="已转居委会按一般问题办理")
        return
    reporter = report.reporter_user
    if rng.random() < 0.15:  # late: reminded by the sweep first
        due = report.follow_up_due_at
        direct_chain.advance(due + timedelta(seconds=30))
        written = due + timedelta(minutes=rng.randint(5, 50))
    else:
        written = max(ack_at, at + timedelta(minutes=rng.randint(15, 55))) + timedelta(minutes=1)
    with clock.freeze(written):
        direct.follow_up_add(actor=reporter, report=report, text=rng.choice(FOLLOW_UPS[report.kind]))
    done = written + timedelta(hours=rng.uniform(1, 20))
    with clock.freeze(done):
        if fate == "case" and category is not None:
            direct.report_convert_case(actor=officer, report=report, category=category)
        elif fate == "mobilisation":
            _mobilise(report, officer, ladder, done)
        else:
            direct.report_close(actor=officer, report=report, result=rng.choice(RESULTS))


def _mobilise(report: DirectReport, officer: Any, ladder: list[Any], at: datetime) -> None:
    """Converted by a street cadre (MOBILISE over the street: the officer when they are one,
    else the first leader), and the incident closed the next day."""
    actor = officer if officer.username == "street_cadre" else (ladder[0] if ladder else officer)
    report = direct.report_convert_mobilisation(actor=actor, report=report)
    assert report.incident_id is not None
    incident = Incident.objects.get(pk=report.incident_id)
    with clock.freeze(at + timedelta(hours=20)):
        incidents.incident_close(actor=actor, incident=incident, note="险情解除，动员结束")


def _open_now(world: World, rng: random.Random, reporters: list[tuple[Any, Node]], roster: Roster) -> None:
    """Two open now: one acknowledged by `street_cadre` and followed up (in hand), one just
    reported and waiting for them to acknowledge."""
    now = world.now
    user, area = reporters[-1]
    earlier = now - timedelta(minutes=48)
    place = _place(rng, area)
    with clock.freeze(earlier):
        text = TEXTS[DirectKind.INJURY][1].format(place=place.name)
        report = direct.report_create(actor=user, kind=DirectKind.INJURY, text=text, node=place)
    # acknowledged by whoever held the duty then: before the 08:30 handover, yesterday's officer
    acked = earlier + timedelta(minutes=4)
    shift = direct_roster.duty(world.street, direct_roster.duty_day_of(acked))
    on_duty = shift.officer.user if shift is not None else None
    officer = on_duty if on_duty is not None else roster.today_officer.user
    with clock.freeze(acked):
        report = direct.report_acknowledge(actor=officer, report=report)
    with clock.freeze(earlier + timedelta(minutes=31)):
        direct.follow_up_add(actor=user, report=report, text=FOLLOW_UPS[DirectKind.INJURY][0])
    user, area = reporters[0]
    place = _place(rng, area)
    with clock.freeze(now - timedelta(minutes=6)):
        text = TEXTS[DirectKind.FIRE][0].format(place=place.name)
        direct.report_create(actor=user, kind=DirectKind.FIRE, text=text, node=place)
