"""A year of the points ledger (积分) in the demo street (issue 15 item 8, ADR 0022).

The street's rules and grade bands go through `community.rulebook` (they are few). Then, built
in memory and written raw (demo.bulk), every entry as `community.ledger` and `community.awards`
would have posted it, after the same checks (`ledger.check_applies`, the yearly caps counted
as `ledger.over_cap` counts them, the evidence through `community.evidence`):

- automatic entries for the Party members present at the year's meetings and answering for a
  slip done, keyed as `community.awards` keys them (`meeting:<id>:participant:<id>:r<rule>`,
  `slip:<id>:party:<id>:r<rule>`), so announcing those facts again awards nothing;
- claims by hand proposed by the committee director and approved by the area's Party
  secretary, each with its entry; a few pending (the secretary's queue) and a few rejected;
- deductions (never for a member in difficulty: 帮扶式) with evidence, some appealed — upheld,
  overturned by a reversing entry, or waiting — and a few corrections (reversing entries);
- how much each member earns follows their type (docs/community.md "Member types").
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.community import evidence, ledger, rulebook
from gongzhi.community.choices import AppealState, BrokenRule, ClaimState, Direction, EntryKind
from gongzhi.community.member_types import treatment
from gongzhi.community.models import Appeal, GradeBand, PointClaim, PointEntry, PointRule
from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE
from gongzhi.demo.communityworld import DEMO_AREA, Area, World, insert, weighted
from gongzhi.demo.rows import new
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import Participant, Signature, Slip, SlipParty
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Person
from gongzhi.orgs.roles import MemberType, PartyOrgKind, PostRole

T = MemberType
ALL = list(T.values)
DEDUCTIBLE = [t for t in ALL if treatment(t).deductible]
SERVING = [T.IN_SERVICE, T.MOBILE, T.NEW_ORG]
BY_STAFF = [PostRole.COMMITTEE_STAFF, PostRole.PARTY_SECRETARY]
AREA_MEETINGS = ["juwuhui", "joint", "hearing", "coordination", "evaluation"]  # 居务会 and the 三会

# code, item, direction, points, yearly cap, evidence, awarders, member types, fact, details, broken rule
RULES: tuple[tuple[Any, ...], ...] = (
    ("A01", "参加居务会及“三会”", Direction.AWARD, 2, 12, False, [], ALL, ATTEND_MEETING, AREA_MEETINGS, ""),
    ("A02", "完成任务流转单", Direction.AWARD, 5, 20, False, [], ALL, SLIP_DONE, [], ""),
    ("A10", "志愿服务", Direction.AWARD, 2, 24, False, BY_STAFF, ALL, "", [], ""),
    ("A11", "结对帮扶困难群众", Direction.AWARD, 5, 20, True, BY_STAFF, DEDUCTIBLE, "", [], ""),
    ("A12", "在职党员进社区服务", Direction.AWARD, 3, 24, False, BY_STAFF, SERVING, "", [], ""),
    ("A13", "楼组长履职", Direction.AWARD, 2, 24, False, BY_STAFF, DEDUCTIBLE, "", [], ""),
    ("A14", "参加组织生活（主题党日）", Direction.AWARD, 3, 12, False, [PostRole.PARTY_SECRETARY], ALL, "", [], ""),
    ("A15", "参加社区文体活动", Direction.AWARD, 2, 10, False, BY_STAFF, ALL, "", [], ""),
    ("A16", "好人好事", Direction.AWARD, 5, 10, True, [PostRole.PARTY_SECRETARY], ALL, "", [], ""),
    ("D01", "垃圾分类不到位", Direction.DEDUCT, 2, 10, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.WASTE_SORTING),
    ("D02", "违规饲养宠物", Direction.DEDUCT, 3, 9, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.PETS),
    ("D03", "扰乱公共秩序", Direction.DEDUCT, 3, 9, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.PUBLIC_ORDER),
    ("D04", "违反居民公约", Direction.DEDUCT, 5, 10, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.CONVENTION),
    ("D05", "乱堆乱放影响环境卫生", Direction.DEDUCT, 2, 10, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.ENVIRONMENT),
    ("D06", "邻里纠纷不听劝解", Direction.DEDUCT, 3, 9, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.NEIGHBOURS),
    ("D07", "违背家庭美德", Direction.DEDUCT, 5, 10, True, BY_STAFF, DEDUCTIBLE, "", [], BrokenRule.FAMILY_VIRTUE),
)  # fmt: skip
BANDS = (("优秀", 40), ("良好", 25), ("合格", 10), ("基本合格", 0), ("不合格", -1000))
# Occurrences a year of each manual award by member type (before the member's own activity).
MEANS: dict[str, dict[str, float]] = {
    T.IN_SERVICE: {"A10": 4, "A11": 0.3, "A12": 5, "A14": 3, "A15": 1, "A16": 0.1},
    T.RETIRED: {"A10": 3, "A11": 0.4, "A14": 3.5, "A15": 2, "A16": 0.1},
    T.MOBILE: {"A10": 1, "A12": 2, "A14": 2},
    T.NEW_ORG: {"A10": 2, "A12": 3, "A14": 3, "A15": 1},
    T.IN_DIFFICULTY: {"A14": 2, "A15": 0.5},
}
NOTES = {
    "A10": ("协助社区垃圾分类值守", "参加“敲门行动”走访独居老人", "疫苗接种点秩序引导", "社区环境清洁日"),
    "A11": ("结对帮扶困难家庭，上门送去米油", "陪同独居老人就医", "为困难家庭孩子辅导功课"),
    "A12": ("到居住地社区报到服务", "参加在职党员进社区志愿活动", "认领“微心愿”并完成"),
    "A13": ("楼组长例会并传达事项", "组织楼道议事", "楼组巡查并上报隐患"),
    "A14": ("参加支部主题党日", "参加“三会一课”", "参加组织生活会"),
    "A15": ("参加社区文艺汇演", "参加邻里节活动", "参加社区运动会"),
    "A16": ("拾金不昧", "救助突发疾病的邻居", "劝阻高空抛物"),
    "D01": ("未按时段投放垃圾，经劝导仍未改正",),
    "D02": ("遛狗未牵绳，被居民投诉",),
    "D03": ("在小区内占道停车影响通行",),
    "D04": ("违反居民公约私占公共绿地",),
    "D05": ("楼道堆放杂物，经提醒未清理",),
    "D06": ("邻里纠纷拒绝调解",),
    "D07": ("家庭矛盾激化，被多次投诉",),
}
DECISIONS = {AppealState.UPHELD: "经核实扣分属实，维持", AppealState.OVERTURNED: "经核实情况属实，撤销扣分"}
APPEALS = ("当日系家人投放，本人已批评教育并整改", "占道系临时卸货，已立即挪走", "已清理完毕，请求撤销扣分")


@dataclass
class Member:
    pk: int
    person_id: int
    member_type: str
    branch: int
    path: str  # the branch's node path: the entries' scope
    area: Area
    building_head: bool  # committed to 楼组长 (双报到)
    registered: bool


class Book:
    """The entries being written, with what the caps count (net points per member, rule, year)."""

    def __init__(self, world: World, rules: dict[str, PointRule]) -> None:
        self.world = world
        self.rules = rules
        self.net: Counter[tuple[int, int, int]] = Counter()
        self.claims: list[PointClaim] = []
        self.entries: list[PointEntry] = []
        self.claim_entry: list[tuple[PointClaim, PointEntry]] = []

    def room(self, m: "Member", rule: PointRule, year: int) -> bool:
        """`ledger.over_cap`'s rule: one more occurrence must stay within the yearly cap."""
        net = abs(self.net[(m.pk, rule.pk, year)])
        return rule.yearly_cap is None or net + rule.points <= rule.yearly_cap

    def entry(
        self,
        m: Member,
        rule: PointRule,
        kind: str,
        on: date,
        label: str,
        at: datetime,
        by: int | None,
        **extra: Any,
    ) -> PointEntry:
        points = extra.pop("points", rule.signed_points)
        year = extra.pop("year", on.year)
        self.net[(m.pk, rule.pk, year)] += points
        row = new(
            PointEntry,
            member_id=m.pk,
            branch_id=m.branch,
            node_path=m.path,
            member_type=m.member_type,
            rule_id=rule.pk,
            kind=kind,
            year=year,
            occurred_on=on,
            points=points,
            label=label[:300],
            recorded_by_id=by,
            recorded_at=at,
            **extra,
        )
        self.entries.append(row)
        return row

    def claim(
        self, m: Member, rule: PointRule, on: date, note: str, state: str, file: str, proposed: datetime
    ) -> PointClaim:
        decided = self.world.after(proposed, days=4) if state != ClaimState.PENDING else None
        row = new(
            PointClaim,
            member_id=m.pk,
            rule_id=rule.pk,
            occurred_on=on,
            note=note,
            evidence=file,
            node_path=m.path,
            state=state,
            proposed_by_id=m.area.director,
            proposed_at=proposed,
            decided_by_id=m.area.secretary if decided else None,
            decided_at=decided,
            reason="佐证不足，请补充材料后重新申报" if state == ClaimState.REJECTED else "",
        )
        self.claims.append(row)
        if state == ClaimState.APPROVED:
            assert decided is not None
            entry = self.entry(m, rule, EntryKind.MANUAL, on, note, decided, m.area.secretary)
            self.claim_entry.append((row, entry))
        return row

    def reverse(self, entry: PointEntry, m: Member, reason: str, at: datetime) -> PointEntry:
        """`ledger._reverse`: the opposite points in the year of what it corrects, dated that
        day, or the year's last day once the year is over."""
        on = max(min(self.world.local(at).date(), date(entry.year, 12, 31)), entry.occurred_on)
        rule = self.rules_by_pk[entry.rule_id]
        return self.entry(
            m,
            rule,
            EntryKind.REVERSAL,
            on,
            f"冲正：{entry.label}",
            at,
            m.area.secretary,
            points=-entry.points,
            year=entry.year,
            reverses_id=entry.pk,
            reason=reason,
        )

    @property
    def rules_by_pk(self) -> dict[int, PointRule]:
        return {r.pk: r for r in self.rules.values()}


def write_ledger(world: World, showcase: PartyMember, rng: random.Random) -> dict[str, int]:
    book = Book(world, _rules(world))
    members = _members(world)
    files = EvidenceFiles()
    _automatic(book, members)
    for m in members.values():
        _by_hand(book, rng, m, files, showcase=m.pk == showcase.pk)
    _pending(book, rng, members, files)
    deducted = _deductions(book, rng, members, showcase, files)
    _flush(book)  # reversals and appeals name the entries' ids
    appeals = _appeals(book, rng, deducted, showcase)
    _corrections(book, rng, members)
    _flush(book)
    insert(Appeal, appeals)
    kinds = Counter(e.kind for e in book.entries)
    return {
        "community_point_entries": len(book.entries),
        "community_point_auto": kinds[EntryKind.AUTO],
        "community_point_reversals": kinds[EntryKind.REVERSAL],
        "community_point_claims": len(book.claims),
        "community_appeals": len(appeals),
    }


def _flush(book: Book) -> None:
    """Insert the claims and entries not yet written (an approved claim's entry names it)."""
    insert(PointClaim, [c for c in book.claims if c.pk is None])
    for claim, entry in book.claim_entry:
        entry.claim_id = claim.pk
    insert(PointEntry, [e for e in book.entries if e.pk is None])


def _rules(world: World) -> dict[str, PointRule]:
    """The street's rules and grade bands, saved through the rulebook (which checks them)."""
    out = {}
    for code, item, direction, points, cap, proof, awarders, types, fact, details, broken in RULES:
        rule = PointRule(
            street=world.street,
            code=code,
            item=item,
            direction=direction,
            points=points,
            yearly_cap=cap,
            evidence_required=proof,
            awarders=awarders,
            member_types=types,
            fact=fact,
            fact_details=details,
            broken_rule=broken,
        )
        out[code] = rulebook.rule_save(actor=None, rule=rule)
    for grade, low in BANDS:
        rulebook.band_save(actor=None, band=GradeBand(street=world.street, grade=grade, min_points=low))
    return out


def _members(world: World) -> dict[int, Member]:
    """Person id → the member with the branch that keeps their ledger, as `places.branch_of`
    finds it: the area's Party organisation where they are registered, else their own
    organisation (a 党小组 rolled up into its 支部)."""
    orgs = {
        o.pk: o
        for o in PartyOrg.objects.filter(node__path__startswith=world.street.path).select_related("node")
    }
    registered = dict(
        DualRegistration.objects.filter(member__isnull=False, state=DualRegistration.State.CONFIRMED)
        .order_by("registered_on", "id")
        .values_list("member_id", "node__path")
    )
    heads = set(
        DualRegistration.objects.filter(
            commitments__title="楼组长", state=DualRegistration.State.CONFIRMED
        ).values_list("member_id", flat=True)
    )
    out: dict[int, Member] = {}
    rows = PartyMember.objects.filter(org__node__path__startswith=world.street.path).order_by("pk")
    for pk, person, member_type, org_id in rows.values_list("pk", "person_id", "member_type", "org_id"):
        if pk in registered:
            area = world.by_path[registered[pk]]
            org = orgs[area.org_id]
        else:
            org = orgs[org_id]
            if org.kind == PartyOrgKind.GROUP and org.parent_id is not None:
                org = orgs[org.parent_id]
        area = world.area_of(org.node.path)
        out[person] = Member(
            pk, person, member_type, org.pk, org.node.path, area, pk in heads, pk in registered
        )
    return out


# --- automatic entries from the year's recorded facts ---------------------------------------------


def _automatic(book: Book, members: dict[int, Member]) -> None:
    world = book.world
    attend, slip_rule = book.rules["A01"], book.rules["A02"]
    present = (
        Participant.objects.filter(
            meeting__node_path__startswith=world.street.path,
            attendance=Attendance.PRESENT,
            meeting__starts_at__lt=world.now,
        )
        .order_by("meeting__starts_at", "pk")
        .values_list(
            "pk",
            "meeting_id",
            "person_id",
            "post__person_id",
            "meeting__starts_at",
            "meeting__kind",
            "meeting__title",
        )
    )
    for pk, meeting, person, holder, starts, kind, title in present:
        m = members.get(person or holder)
        if m is None or kind not in attend.fact_details or m.member_type not in attend.member_types:
            continue
        on = timezone.localtime(starts).date()
        if book.room(m, attend, on.year):
            book.entry(
                m,
                attend,
                EntryKind.AUTO,
                on,
                title or attend.item,
                world.after(starts, days=0.2),
                None,
                source_key=f"meeting:{meeting}:participant:{pk}:r{attend.pk}",
            )
    for slip, party_id, person, on in _slip_facts(world):
        m = members.get(person)
        if m is None or m.member_type not in slip_rule.member_types or not book.room(m, slip_rule, on.year):
            continue
        label = f"{slip.number} {slip.action[:60]}"
        assert slip.done_at is not None
        book.entry(
            m,
            slip_rule,
            EntryKind.AUTO,
            on,
            label,
            slip.done_at,
            None,
            source_key=f"slip:{slip.pk}:party:{party_id}:r{slip_rule.pk}",
        )


def _slip_facts(world: World) -> list[tuple[Slip, int, int, date]]:
    """(slip, party id, person, day) for every slip done: the person answering for each bound
    unit, as `meetings.facts._answering` finds them (the post named, else the unit's signer)."""
    slips = {
        s.pk: s
        for s in Slip.objects.filter(
            node_path__startswith=world.street.path, state="done", done_at__lt=world.now
        )
    }
    signers: dict[tuple[int, int], int] = {}
    for slip_id, version, unit, user in Signature.objects.filter(slip_id__in=slips).values_list(
        "slip_id", "slip_version", "unit_id", "signer_id"
    ):
        if version == slips[slip_id].version:
            signers[(slip_id, unit)] = user
    people = dict(Person.objects.filter(user_id__in=set(signers.values())).values_list("user_id", "pk"))
    out = []
    parties = SlipParty.objects.filter(slip_id__in=slips).order_by("slip_id", "pk")
    for pk, slip_id, unit, holder in parties.values_list("pk", "slip_id", "unit_id", "post__person_id"):
        person = holder if holder is not None else people.get(signers.get((slip_id, unit), -1))
        if person is not None:
            slip = slips[slip_id]
            assert slip.done_at is not None
            out.append((slip, pk, person, timezone.localtime(slip.done_at).date()))
    return sorted(out, key=lambda row: (row[3], row[1]))


# --- points by hand -------------------------------------------------------------------------------


def evidence_png() -> bytes:
    """A small "photo" for the evidence: a doorway, a bin, a figure."""
    image = Image.new("RGB", (160, 120), (214, 222, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 30, 70, 110), fill=(150, 110, 80))
    draw.rectangle((100, 70, 130, 110), fill=(60, 140, 90))
    draw.ellipse((80, 30, 95, 45), fill=(230, 190, 160))
    draw.line((87, 45, 87, 85), fill=(40, 40, 80), width=4)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class EvidenceFiles:
    """The evidence photo, checked once as `community.evidence` checks an upload, and stored
    once per area (the same picture; a file per member meant thousands of writes at scale 1); the
    claims name it as an uploaded file's path. demo.reset deletes what the claims name."""

    def __init__(self) -> None:
        self.png = evidence_png()
        evidence.validate(SimpleUploadedFile("佐证.png", self.png, content_type="image/png"))
        self.saved: dict[str, str] = {}

    def of(self, m: Member) -> str:
        code = m.area.node.code
        if code not in self.saved:
            self.saved[code] = default_storage.save(
                f"community/evidence/demo/{code}.png", ContentFile(self.png)
            )
        return self.saved[code]


def _by_hand(
    book: Book, rng: random.Random, m: Member, files: EvidenceFiles, *, showcase: bool = False
) -> None:
    """The member's approved claims over the year (and a few rejected), each checked as
    `ledger.check_applies` checks it, stopped at the caps."""
    world = book.world
    activity = weighted(rng, ((0.0, 0.15), (0.5, 0.35), (1.0, 0.35), (1.6, 0.15)))
    if showcase:  # the `member` login has a ledger worth opening
        activity = max(activity, 1.0)
    means = dict(MEANS[m.member_type])
    if m.building_head:
        means["A13"] = 10
    if m.member_type == T.IN_SERVICE and not m.registered:
        means = {"A10": 1, "A14": 2.5}
    occurrences: list[tuple[date, str]] = []
    for code, mean in means.items():
        n = int(activity * mean * rng.uniform(0.6, 1.4) + rng.random())
        occurrences += [
            (world.day_between(world.year_ago, world.today - timedelta(days=2)), code) for _ in range(n)
        ]
    for on, code in sorted(occurrences):
        rule = book.rules[code]
        if not _applies(m, rule) or not book.room(m, rule, on.year):
            continue
        state = ClaimState.REJECTED if rng.random() < 0.005 else ClaimState.APPROVED
        file = files.of(m) if rule.evidence_required else ""
        proposed = world.at(min(world.today, on + timedelta(days=rng.randint(0, 6))))
        book.claim(m, rule, on, rng.choice(NOTES[code]), state, file, proposed)


def _applies(m: Member, rule: PointRule) -> bool:
    """Whether `ledger.check_applies` lets the rule fall on the member (active, the street's,
    the member's type, no deduction for 帮扶式). Every member here is on the street's tree."""
    try:
        ledger.check_applies(m, rule, _OnTheStreet(rule.street))  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


class _OnTheStreet:
    """The part of a branch `ledger.check_applies` reads: its node, for the street's code."""

    def __init__(self, street: Any) -> None:
        self.node = street


def _pending(book: Book, rng: random.Random, members: dict[int, Member], files: EvidenceFiles) -> None:
    """Claims proposed in the last days, waiting for the secretary: three in the demo area, a
    few elsewhere."""
    world = book.world
    for area in world.areas:
        local = [m for m in members.values() if m.area is area and m.member_type != T.IN_DIFFICULTY]
        n = 3 if area.node.code == DEMO_AREA else int(rng.random() < 0.4)
        for m in rng.sample(local, min(n, len(local))):
            code = rng.choice(
                ("A10", "A11", "A12", "A16") if m.member_type in SERVING else ("A10", "A11", "A16")
            )
            rule = book.rules[code]
            on = world.day_between(world.today - timedelta(days=10), world.today - timedelta(days=1))
            if _applies(m, rule) and book.room(m, rule, on.year):
                file = files.of(m) if rule.evidence_required else ""
                proposed = world.at(min(world.today, on + timedelta(days=1)))
                book.claim(m, rule, on, rng.choice(NOTES[code]), ClaimState.PENDING, file, proposed)


# --- deductions, appeals and corrections -------------------------------------------------------------


def _deductions(
    book: Book, rng: random.Random, members: dict[int, Member], showcase: PartyMember, files: EvidenceFiles
) -> list[tuple[Member, PointEntry]]:
    """Deductions with their evidence, approved: 1.5% of the members who may have one (never
    帮扶式), one for the showcase member (the `member` login's, theirs to appeal) and one for
    another member of the demo area (whose appeal waits in the secretary's queue)."""
    world = book.world
    deducted: list[tuple[Member, PointEntry]] = []
    rules = [r for code, r in book.rules.items() if code.startswith("D")]
    deductible = [m for m in members.values() if treatment(m.member_type).deductible]
    demo = [m.pk for m in deductible if m.area.node.code == DEMO_AREA and m.pk != showcase.pk][:1]
    for m in deductible:
        if not (rng.random() < 0.015 or m.pk == showcase.pk or m.pk in demo):
            continue
        rule = rng.choice(rules)
        on = world.day_between(world.year_ago, world.today - timedelta(days=12))
        if not _applies(m, rule) or not book.room(m, rule, on.year):
            continue
        proposed = world.at(min(world.today, on + timedelta(days=rng.randint(0, 3))))
        book.claim(m, rule, on, NOTES[rule.code][0], ClaimState.APPROVED, files.of(m), proposed)
        deducted.append((m, book.claim_entry[-1][1]))
    return deducted


def _appeals(
    book: Book, rng: random.Random, deducted: list[tuple[Member, PointEntry]], showcase: PartyMember
) -> list[Appeal]:
    """A third of the deductions appealed (by the committee for the member): upheld, overturned
    (a reversing entry) or waiting; one waits in the demo area's queue, and the street has at
    least one of each outcome."""
    world = book.world
    appeals: list[Appeal] = []
    demo_open = False
    wanted = [AppealState.UPHELD, AppealState.OVERTURNED]
    for m, entry in deducted:
        demo = m.area.node.code == DEMO_AREA and not demo_open
        if m.pk == showcase.pk or (rng.random() >= 0.35 and not demo and not wanted):
            continue
        filed = world.after(entry.recorded_at, days=10)
        outcome = weighted(
            rng, ((AppealState.UPHELD, 0.5), (AppealState.OVERTURNED, 0.3), (AppealState.OPEN, 0.2))
        )
        if demo:
            outcome, demo_open = AppealState.OPEN, True
        elif wanted:
            outcome = wanted.pop(0)
        decided = world.after(filed, days=7) if outcome != AppealState.OPEN else None
        reason = DECISIONS.get(outcome, "")
        appeals.append(
            new(
                Appeal,
                entry_id=entry.pk,
                statement=rng.choice(APPEALS),
                node_path=entry.node_path,
                state=outcome,
                filed_by_id=m.area.director,
                filed_at=filed,
                decided_by_id=m.area.secretary if decided else None,
                decided_at=decided,
                reason=reason,
            )
        )
        if outcome == AppealState.OVERTURNED:
            assert decided is not None
            book.reverse(entry, m, f"申诉成立：{reason}", decided)
    return appeals


def _corrections(book: Book, rng: random.Random, members: dict[int, Member]) -> None:
    """The secretary corrects one award in 250 (entered twice): a reversing entry with a reason."""
    by_pk = {m.pk: m for m in members.values()}
    awards = [e for _c, e in book.claim_entry if e.points > 0]
    for entry in rng.sample(awards, max(1, len(awards) // 250)) if awards else []:
        at = book.world.after(entry.recorded_at, days=20)
        book.reverse(entry, by_pk[entry.member_id], "重复申报，予以冲正", at)
