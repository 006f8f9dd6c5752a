"""双公示 for the demo street: a handful of resident-paid repairs (leaking roofs and walls,
bicycle sheds and charging points) decided by the year's 居务会, so the public board has them.

Each follows one of the meeting book's binding or done slips on a repair topic: the plan and
its budget are published a few days after the slip binds, by the area's residents' committee
(whose director convened the meeting), and the result a few days after the slip is done, at
a cost near the budget; one of them carries a correction with its reason. Rows are written raw
(demo.bulk) with the same values and events meetings.disclosures would write.
"""

from decimal import Decimal
from typing import Any

from gongzhi.demo import bulk
from gongzhi.demo.meetingbook import MeetingBook, SlipPlan
from gongzhi.meetings.models import Disclosure, DisclosureEvent, DisclosureState, Payer, SlipState

COUNT = 12
DAY = 86400
REPAIR_TOPICS = (0, 4)  # meetingbook.TOPICS: leaks and non-self-contained flats; bicycle sheds
PLANS = {
    0: (
        "对漏水楼栋屋面重做防水层，外墙裂缝修补，施工期间物业做好安全围挡，预计施工20天。",
        (30_000, 400_000),
    ),
    4: ("拆除旧车棚，新建非机动车棚并加装集中充电桩，施工期间临时停车点设在小区广场。", (20_000, 150_000)),
}
OTHER_PLAN = ("按居务会决定组织维修，费用按户分摊，施工方案见居委会公告栏。", (10_000, 80_000))
RESULT = "已完工，经业委会、居民代表现场验收合格；费用明细已在居委会公告栏张贴。"
PAYERS = (Payer.REPAIR_FUND, Payer.BUILDING_OWNERS, Payer.ALL_OWNERS)


def _candidates(book: MeetingBook) -> list[SlipPlan]:
    """Decided repairs, newest first (the board shows the latest); any decision if too few."""
    decided = [s for s in book.slips if s.state in (SlipState.BINDING, SlipState.DONE) and s.bound_at]
    repairs = [s for s in decided if s.topic.template in REPAIR_TOPICS]
    chosen = repairs if len(repairs) >= COUNT // 2 else decided
    return sorted(chosen, key=lambda s: -(s.bound_at or 0))[:COUNT]


def write_disclosures(book: MeetingBook) -> dict[str, int]:
    rng = book.s.rng("disclosures")
    ts = bulk.ts
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    slips = [s for s in _candidates(book) if book._convener(s.meeting) is not None]
    first = bulk.reserve_ids(Disclosure, max(len(slips), 1))
    corrected = False
    for offset, slip in enumerate(slips):
        pk = first + offset
        user = book._convener(slip.meeting)
        post = book.area_post(slip.node, "ZR")
        unit = (post.unit.name if post is not None else slip.node.name)[:120]
        text, (low, high) = PLANS.get(slip.topic.template, OTHER_PLAN)  # type: ignore[arg-type]
        plan_amount = Decimal(rng.randrange(low, high, 500))
        plan_at = (slip.bound_at or 0) + rng.randint(1, 5) * DAY
        if plan_at > book.now:
            plan_at = book.now - 3600
        payer = rng.choice(PAYERS)
        households = rng.randint(12, 160)
        case = slip.cases[0].pk if slip.cases else None
        events.append(
            (
                pk,
                "publish_plan",
                user,
                ts(plan_at),
                "",
                bulk.js(
                    {
                        "title": slip.topic.title,
                        "payer": payer,
                        "households": households,
                        "amount": f"{plan_amount:.2f}",
                        "text": text,
                        "unit": unit,
                        "case": case,
                        "slip": slip.pk + book.bases["slip"],
                    }
                ),
            )
        )
        result_at = None
        result_amount: Decimal | None = None
        amended = 0
        if slip.state == SlipState.DONE and slip.done_at:
            result_at = max(slip.done_at, plan_at + 7 * DAY) + rng.randint(1, 4) * DAY
            if result_at > book.now:
                result_at = None
        if result_at is not None:
            # a cost near the budget, to the ten yuan: most come in a little under it
            result_amount = Decimal(round(int(plan_amount) * rng.uniform(0.86, 1.07) / 10) * 10)
            published = result_amount
            if not corrected and result_at + DAY <= book.now:
                corrected, amended = True, 1
                published = result_amount + 900  # the amount first published had a typo
            events.append(
                (
                    pk,
                    "publish_result",
                    user,
                    ts(result_at),
                    "",
                    bulk.js({"amount": f"{published:.2f}", "text": RESULT, "unit": unit}),
                )
            )
            if amended:
                change = {
                    "stage": "result",
                    "before": {"amount": f"{published:.2f}", "text": RESULT},
                    "after": {"amount": f"{result_amount:.2f}", "text": RESULT},
                }
                reason = "发票金额录入有误，按决算单更正"
                events.append((pk, "amend", user, ts(result_at + DAY), reason, bulk.js(change)))
        done = result_at is not None
        rows.append(
            (
                pk,
                slip.node.pk,
                slip.node.path,
                slip.topic.title[:120],
                case,
                slip.pk + book.bases["slip"],
                payer,
                households,
                DisclosureState.DONE if done else DisclosureState.PLANNED,
                str(plan_amount),
                text,
                ts(plan_at),
                user,
                unit,
                str(result_amount) if done else None,
                RESULT if done else "",
                ts(result_at),
                user if done else None,
                unit if done else "",
                amended,
            )
        )
    bulk.insert(
        Disclosure,
        [
            "id",
            "node_id",
            "node_path",
            "title",
            "case_id",
            "slip_id",
            "payer",
            "households",
            "state",
            "plan_amount",
            "plan_text",
            "plan_at",
            "plan_by_id",
            "plan_unit",
            "result_amount",
            "result_text",
            "result_at",
            "result_by_id",
            "result_unit",
            "amendments",
        ],
        rows,
    )
    bulk.insert(DisclosureEvent, ["disclosure_id", "action", "actor_id", "at", "reason", "data"], events)
    return {"disclosures": len(rows), "disclosure_events": len(events)}
