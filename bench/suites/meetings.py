"""Meetings: the slip follow-up page for a street with 2,000 open slips, and the follow-up sweep.

The world (bulk inserts, consistent rows): a street of 5 blocks and 31 residential areas; per
area a residents' committee and a property company, each with a staffed post; four district
departments (police, urban management, housing, market supervision) at the street. Over the
last two years the areas held ~1,700 居务会 (final minutes, quorate), one topic per slip and
5,000 slips: 3,000 done (history) and 2,000 open (signing, binding, a few returned or draft,
about a quarter past their deadline). Each slip names 2-3 units (a lead and assistants), holds
the signatures its state implies (binding and done: every unit on the current version, a tenth
revised once, so their first signatures are superseded; signing: some units), 1-5 linked cases
in mixed states (done slips: all finished; about a fifth of the binding ones too, so that the
sweep completes them) and its events (issue, bind, complete, some recent reminders).

1. The page. GET /meetings/slips/ (open slips, first page of SLIP_PAGE rows, overdue first) and its
   state filter (binding), logged in (force_login) as a street cadre and as an area's committee
   staff, p50/p95 over the rounds, with the SQL statements per page. The page has no overdue
   filter: that lives in the API (GET /api/v1/meetings/slips?overdue=true, 50 a page), timed
   the same way. Baseline: the same slips' rows and case counts by one hand-written query.
   Whether the page's statements grow with its rows is checked on a page narrowed to one area.
2. The sweep. meetings.slips.slips_follow_up() over those slips (each round in a transaction
   rolled back afterwards, so every round does the same work), beside one raw query finding
   the binding slips whose cases are all finished.
"""

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from bench.measure import Results, load_average, no_query_log
from bench.pages import client_for, longest_on, ms, page_queries, staff_post, timed_beside, tree_level

NAME = "meetings"
SEED = 2027
STREET = "BM"
AREAS_PER_BLOCK = (6, 6, 6, 6, 7)  # 31 residential areas, as the demo street
OPEN_SLIPS = 2000
DONE_SLIPS = 3000
SLIPS_PER_MEETING = 3
OPEN_MIX = {"binding": 0.70, "signing": 0.25, "returned": 0.03, "draft": 0.02}
API_PAGE = 50
DEPARTMENTS = (
    ("police", "派出所"),
    ("urban_management", "城管中队"),
    ("housing", "房管办"),
    ("market_supervision", "市场监管所"),
)


class _Rollback(Exception):
    pass


def run(results: Results, options: dict[str, Any]) -> None:
    rounds = max(5, int(options.get("list_rounds", 30)))
    sweep_rounds = min(5, max(3, int(options.get("rounds", 10))))  # a sweep takes seconds
    with no_query_log():
        start = time.perf_counter()
        world = _build()
        world.load_seconds = time.perf_counter() - start
        print(f"  world: {world.counts} in {world.load_seconds:.1f} s", flush=True)
        _pages(results, world, rounds)
        _api(results, world, rounds)
        _sweep(results, world, sweep_rounds)


# --- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    root: Any
    areas: list[Any]
    street_user: Any
    area_user: Any  # committee staff of the first area
    area_person_id: int
    now: datetime
    today: date
    counts: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0


def _build() -> World:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.cases.models import Case
    from gongzhi.cases.states import State
    from gongzhi.geo.levels import Level
    from gongzhi.meetings.kinds import Business, MeetingKind
    from gongzhi.meetings.models import (
        Meeting,
        MeetingEvent,
        MeetingState,
        PartyRole,
        Signature,
        Slip,
        SlipParty,
        SlipState,
        Topic,
        TopicSource,
        TopicState,
        Verdict,
    )
    from gongzhi.orgs.models import Category, Person
    from gongzhi.orgs.roles import PostRole, UnitKind

    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    today = timezone.localtime(now).date()
    user_model = get_user_model()

    def staff(username: str, node: Any, kind: str, role: str, name: str) -> tuple[Any, Any]:
        return staff_post(username, node, kind, role, prefix="BM", unit_name=name)

    with transaction.atomic():
        (root,) = tree_level(Level.STREET, [(STREET, "会议基准街道", None)])
        blocks = tree_level(Level.BLOCK, [(f"{STREET}-K{k + 1}", f"第{k + 1}块区", root) for k in range(5)])
        area_items = []
        for k, n in enumerate(AREAS_PER_BLOCK):
            for _ in range(n):
                a = len(area_items) + 1
                area_items.append((f"{STREET}-R{a:02d}", f"第{a}居民区", blocks[k]))
        areas = tree_level(Level.AREA, area_items)

    street_user, _ = staff("bm-street", root, UnitKind.STREET_OFFICE, PostRole.STREET_CADRE, "街道办")
    departments = [
        staff(f"bm-{kind}", root, kind, PostRole.DEPARTMENT, name)[1] for kind, name in DEPARTMENTS
    ]
    committees, properties, users_of_unit = [], [], {}
    for i, area in enumerate(areas):
        user, post = staff(
            f"bm-jwh{i + 1:02d}",
            area,
            UnitKind.RESIDENTS_COMMITTEE,
            PostRole.COMMITTEE_STAFF,
            f"{area.name}居委会",
        )
        committees.append((user, post))
        pm_user, pm_post = staff(
            f"bm-wy{i + 1:02d}", area, UnitKind.PROPERTY, PostRole.PROPERTY_STAFF, f"{area.name}物业"
        )
        properties.append((pm_user, pm_post))
    for _user, post in committees + properties:
        users_of_unit[post.unit_id] = (_user, post)
    for post in departments:
        users_of_unit[post.unit_id] = (user_model.objects.get(person__posts=post), post)
    area_user = committees[0][0]
    area_person_id = Person.objects.get(user=area_user).pk
    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))

    # Which slips: states, areas (some busier), ages.
    specs: list[dict[str, Any]] = []
    weights = [rng.uniform(0.4, 1.6) for _ in areas]
    open_states = rng.choices(list(OPEN_MIX), weights=list(OPEN_MIX.values()), k=OPEN_SLIPS)
    for state in ["done"] * DONE_SLIPS + open_states:
        area = rng.choices(range(len(areas)), weights=weights)[0]
        if state == "done":
            created = now - timedelta(days=rng.uniform(60, 720))
            due = (created + timedelta(days=rng.randint(14, 45))).date()
        else:
            created = now - timedelta(days=rng.uniform(1, 90))
            due = today + timedelta(days=rng.randint(-20, 60))  # about a quarter overdue
        specs.append({"state": state, "area": area, "created": created, "due": due})
    specs.sort(key=lambda s: (s["area"], s["created"]))

    meetings, topics, slips = [], [], []
    with transaction.atomic():
        for a in range(len(areas)):
            mine = [s for s in specs if s["area"] == a]
            for j in range(0, len(mine), SLIPS_PER_MEETING):
                group = mine[j : j + SLIPS_PER_MEETING]
                held = group[0]["created"] - timedelta(hours=2)
                meetings.append(
                    Meeting(
                        kind=MeetingKind.JUWUHUI,
                        node=areas[a],
                        node_path=areas[a].path,
                        title=f"{areas[a].name}居务会 {held:%Y-%m-%d}",
                        starts_at=held,
                        place="居委会议室",
                        chair=committees[a][1],
                        state=MeetingState.FINAL,
                        quorum_met=True,
                        created_at=held - timedelta(days=7),
                    )
                )
                for s in group:
                    s["meeting"] = len(meetings) - 1
        Meeting.objects.bulk_create(meetings, batch_size=1000)
        businesses = [b for b in Business.values if b != Business.EVALUATION]
        for s in specs:
            area = areas[s["area"]]
            topics.append(
                Topic(
                    node=area,
                    node_path=area.path,
                    meeting=meetings[s["meeting"]],
                    title=f"{area.name}议题",
                    detail="楼道堆物、车辆停放、加装电梯等事项的情况说明。",
                    business=rng.choice(businesses),
                    source=TopicSource.FREE,
                    state=TopicState.DISCUSSED,
                    discussion="与会各方充分讨论，形成决定。",
                    created_at=s["created"] - timedelta(days=10),
                )
            )
        Topic.objects.bulk_create(topics, batch_size=1000)

        for s, topic in zip(specs, topics, strict=True):
            area = areas[s["area"]]
            state = s["state"]
            revised = state in ("binding", "done", "signing") and rng.random() < 0.1
            s["version"] = 2 if revised else 1
            bound = s["created"] + timedelta(days=rng.uniform(1, 5)) if state in ("binding", "done") else None
            done_at = bound + timedelta(days=rng.uniform(5, 60)) if state == "done" and bound else None
            s["bound"], s["done_at"] = bound, done_at
            slips.append(
                Slip(
                    meeting=meetings[s["meeting"]],
                    topic=topic,
                    node=area,
                    node_path=area.path,
                    action=f"{area.name}：清理楼道堆物并建立长效机制，限期完成后向居务会报告。",
                    due=s["due"],
                    state=state,
                    version=s["version"],
                    seq=0,
                    created_at=s["created"],
                    bound_at=bound,
                    done_at=done_at,
                )
            )
        Slip.objects.bulk_create(slips, batch_size=1000)

        parties, signatures, events, cases, links = [], [], [], [], []
        case_slip: list[int] = []
        for s, slip in zip(specs, slips, strict=True):
            a, state = s["area"], s["state"]
            lead, other = (
                (committees[a], properties[a]) if rng.random() < 0.5 else (properties[a], committees[a])
            )
            named = [lead[1], *rng.sample([other[1], *departments], rng.randint(1, 2))]
            for k, post in enumerate(named):
                parties.append(
                    SlipParty(
                        slip=slip,
                        unit_id=post.unit_id,
                        post=post,
                        role=PartyRole.LEAD if k == 0 else PartyRole.ASSIST,
                        task="牵头落实" if k == 0 else "配合",
                    )
                )
            seq = 0

            def event(
                action: str, at: datetime, from_state: str, to_state: str, actor: Any = None, slip: Any = slip
            ) -> None:
                nonlocal seq
                seq += 1
                events.append(
                    MeetingEvent(
                        meeting_id=slip.meeting_id,
                        topic_id=slip.topic_id,
                        slip=slip,
                        action=action,
                        from_state=from_state,
                        to_state=to_state,
                        actor=actor,
                        at=at,
                    )
                )

            convener = committees[a][0]
            event("create", s["created"], "", SlipState.DRAFT, convener)
            if state == "draft":
                signers: list[Any] = []
            else:
                event(
                    "issue",
                    s["created"] + timedelta(minutes=30),
                    SlipState.DRAFT,
                    SlipState.SIGNING,
                    convener,
                )
                signers = named
            if s["version"] == 2:  # first version signed by all but the objector, then revised
                first = s["created"] + timedelta(hours=2)
                for k, post in enumerate(named):
                    user, _ = users_of_unit[post.unit_id]
                    verdict = Verdict.OBJECT if k == len(named) - 1 else Verdict.AGREE
                    signatures.append(_signature(slip, 1, post, user, verdict, first + timedelta(minutes=k)))
                event("revise", first + timedelta(hours=1), SlipState.RETURNED, SlipState.SIGNING, convener)
            sign_at = s["created"] + timedelta(hours=6)
            if state == "signing":
                signers = rng.sample(named, rng.randint(0, len(named) - 1))
                if rng.random() < 0.5:  # half were reminded lately (the sweep skips them)
                    event("remind", now - timedelta(hours=rng.uniform(0, 40)), state, state)
            elif state == "returned":
                signers = named[-1:]
            for k, post in enumerate(signers):
                user, _ = users_of_unit[post.unit_id]
                verdict = Verdict.OBJECT if state == "returned" else Verdict.AGREE
                signatures.append(
                    _signature(slip, s["version"], post, user, verdict, sign_at + timedelta(minutes=k))
                )
                event(
                    "object" if verdict == Verdict.OBJECT else "sign",
                    sign_at,
                    SlipState.SIGNING,
                    SlipState.SIGNING,
                )
            if s["bound"]:
                event("bind", s["bound"], SlipState.SIGNING, SlipState.BINDING)
            if s["done_at"]:
                event("complete", s["done_at"], SlipState.BINDING, SlipState.DONE)
            slip.seq = seq

            # Cases: done slips and a fifth of the binding ones have every case finished.
            finished = state == "done" or (state == "binding" and rng.random() < 0.2)
            n = rng.randint(1, 5)
            for k in range(n):
                if finished:
                    cstate = (
                        State.CLOSED
                        if k == 0
                        else rng.choice([State.CLOSED] * 4 + [State.MERGED, State.VOID])
                    )
                else:
                    cstate = rng.choice(
                        [
                            State.DISPATCHED,
                            State.IN_PROGRESS,
                            State.AWAITING_VERIFICATION,
                            State.CLOSED,
                            State.CLOSED,
                        ]
                    )
                    if k == n - 1 and state == "binding":
                        cstate = State.IN_PROGRESS  # at least one open: not yet done
                created = s["created"] - timedelta(days=rng.uniform(1, 30))
                closed = created + timedelta(days=rng.uniform(1, 30)) if cstate == State.CLOSED else None
                category = rng.choice(categories)
                cases.append(
                    Case(
                        node=areas[a],
                        node_path=areas[a].path,
                        category=category,
                        text=f"{category.name}：居民反映的问题，需多部门协同处置。",
                        source="patrol",
                        state=cstate,
                        version=4,
                        rung=3,
                        post=committees[a][1],
                        dispatch_due=created + timedelta(days=1),
                        handle_due=created + timedelta(days=5),
                        created_at=created,
                        updated_at=closed or created,
                        closed_at=closed,
                    )
                )
                case_slip.append(len(links))
                links.append(slip)
        SlipParty.objects.bulk_create(parties, batch_size=2000)
        Signature.objects.bulk_create(signatures, batch_size=2000)
        MeetingEvent.objects.bulk_create(events, batch_size=2000)
        Slip.objects.bulk_update(slips, ["seq"], batch_size=1000)
        Case.objects.bulk_create(cases, batch_size=2000)
        through = Slip.cases.through
        through.objects.bulk_create(
            [through(slip_id=links[i].pk, case_id=c.pk) for i, c in zip(case_slip, cases, strict=True)],
            batch_size=2000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    counts = {
        "areas": len(areas),
        "meetings": len(meetings),
        "slips_open": OPEN_SLIPS,
        "slips_done": DONE_SLIPS,
        "parties": len(parties),
        "signatures": len(signatures),
        "cases": len(cases),
        "events": len(events),
    }
    return World(root, areas, street_user, area_user, area_person_id, now, today, counts)


def _signature(slip: Any, version: int, post: Any, user: Any, verdict: str, at: datetime) -> Any:
    from gongzhi.meetings.models import Signature

    return Signature(
        slip=slip,
        slip_version=version,
        unit_id=post.unit_id,
        signer=user,
        signer_name=user.username,
        signer_post=post,
        verdict=verdict,
        reason="需先认定责任" if verdict == "object" else "",
        content_hash=f"{slip.pk:064x}",
        at=at,
    )


# --- 1. the page ----------------------------------------------------------------------------------

# The hand-written floor: the page's slips (scope, state filter, overdue first then by deadline,
# the first page of SLIP_PAGE) with their place's name and case counts, in one statement.
RAW_SLIPS = """
SELECT s.id, s.action, s.due, s.state, s.created_at, n.name,
       COUNT(sc.case_id) AS case_total,
       SUM(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END) AS case_done
FROM meetings_slip s
JOIN geo_node n ON n.id = s.node_id
LEFT JOIN meetings_slip_cases sc ON sc.slip_id = s.id
LEFT JOIN cases_case c ON c.id = sc.case_id
WHERE ({scope}) AND s.state IN ({states}) {extra}
GROUP BY s.id, s.action, s.due, s.state, s.created_at, n.name
ORDER BY CASE WHEN s.state IN ('draft', 'signing', 'returned', 'binding') AND s.due < %s THEN 0 ELSE 1 END,
         s.due, s.id
LIMIT %s
"""
# An area's staff also see the slips naming a unit they hold a post in (selectors.slip_q).
AREA_SCOPE = (
    "s.node_path LIKE %s OR EXISTS (SELECT 1 FROM meetings_slipparty p WHERE p.slip_id = s.id AND p.unit_id IN "
    "(SELECT unit_id FROM orgs_post WHERE (person_id = %s OR deputy_id = %s) AND active_from <= %s "
    "AND (active_until IS NULL OR active_until >= %s)))"
)


def _raw_slips(
    world: World, who: str, states: list[str], limit: int, overdue: bool = False
) -> Callable[[], int]:
    today: Any = world.today if connection.vendor == "postgresql" else world.today.isoformat()
    if who == "street":
        scope, scope_params = "s.node_path LIKE %s", [world.root.path + "%"]
    else:
        scope = AREA_SCOPE
        scope_params = [world.areas[0].path + "%", world.area_person_id, world.area_person_id, today, today]
    extra, extra_params = ("AND s.due < %s", [today]) if overdue else ("", [])
    sql = RAW_SLIPS.format(scope=scope, states=", ".join(["%s"] * len(states)), extra=extra)
    params = [*scope_params, *states, *extra_params, today, limit]
    if overdue:  # the API's page: its total too, in the same statement
        sql = sql.replace("AS case_done", "AS case_done, COUNT(*) OVER () AS total")

    def fetch() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return fetch


def _pages(results: Results, world: World, rounds: int) -> None:
    from gongzhi.meetings.selectors import OPEN_SLIP_STATES
    from gongzhi.web.meetings.common import SLIP_PAGE as MAX_SLIPS

    open_states = [str(s) for s in OPEN_SLIP_STATES]
    users = {"street": world.street_user, "area": world.area_user}
    variants = {
        "open": ("/meetings/slips/", open_states),
        "binding": ("/meetings/slips/?state=binding", ["binding"]),
    }
    one_area = world.areas[0]
    for who, user in users.items():
        client = client_for(user)
        for variant, (url, states) in variants.items():
            queries, response, sqls = page_queries(client, url)
            body = response.content.decode()
            shown = body.count('class="slip-row')
            shown_overdue = body.count('class="slip-row overdue"')
            raw = _raw_slips(world, who, states, MAX_SLIPS)
            matched = _count(world, who, states)
            overdue_all = _count(world, who, states, overdue=True)
            assert raw() == shown, (who, variant, raw(), shown)
            load_start = load_average()
            samples, base = timed_beside(lambda c=client, u=url: c.get(u), raw, rounds)
            # Do the statements grow with the rows? The same page narrowed to one area.
            narrow_q, narrow, _ = page_queries(
                client, f"{url}{'&' if '?' in url else '?'}node={one_area.code}"
            )
            narrow_rows = narrow.content.decode().count('class="slip-row')
            results.add(
                f"meetings.slips_page.{who}.{variant}.p95",
                value=ms(samples, 95),
                unit="ms",
                baseline=ms(base, 95),
                baseline_is="one raw SQL statement: the same slips (scope, states, overdue first, by due, "
                f"LIMIT {MAX_SLIPS}) with the place's name and case total / closed counts, p95",
                p50=ms(samples, 50),
                baseline_p50=ms(base, 50),
                url=url,
                user=f"{who} ({user.get_username()})",
                slips_matched=matched,
                slips_shown=shown,
                overdue_shown=shown_overdue,
                overdue_matched=overdue_all,
                bytes=len(body),
                queries_per_page=queries,
                queries_one_area_page={"rows": narrow_rows, "queries": narrow_q},
                # the narrowed page looks its node up: one statement more, never fewer with fewer rows
                queries_grow_with_rows=narrow_rows < shown and narrow_q < queries,
                slowest_statement=longest_on(sqls, "meetings_slip"),
                samples=rounds,
                load_average_start=load_start,
                load_average_end=load_average(),
                world=world.counts,
                world_seconds=round(world.load_seconds, 1),
            )


def _count(world: World, who: str, states: list[str], overdue: bool = False) -> int:
    return _raw_slips(world, who, states, 10**6, overdue)()


def _api(results: Results, world: World, rounds: int) -> None:
    """The overdue filter (API only; the page has none), first page of 50."""
    from django.test import Client

    from gongzhi.api import services as api_services
    from gongzhi.meetings.selectors import OPEN_SLIP_STATES

    open_states = [str(s) for s in OPEN_SLIP_STATES]
    url = f"/api/v1/meetings/slips?overdue=true&limit={API_PAGE}"
    for who, user in {"street": world.street_user, "area": world.area_user}.items():
        _, key = api_services.token_create(user=user, name="bench-meetings")
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
        client.get(url)  # the first call stamps the token's last use: one UPDATE more
        queries, response, _sqls = page_queries(client, url)
        data = response.json()
        small_q, _small, _ = page_queries(client, "/api/v1/meetings/slips?overdue=true&limit=5")
        raw = _raw_slips(world, who, open_states, API_PAGE, overdue=True)
        load_start = load_average()
        samples, base = timed_beside(lambda c=client: c.get(url), raw, rounds)
        results.add(
            f"meetings.slips_api_overdue.{who}.p95",
            value=ms(samples, 95),
            unit="ms",
            baseline=ms(base, 95),
            baseline_is="one raw SQL statement: the overdue open slips in scope with place name, case counts "
            f"and the total (COUNT(*) OVER ()), LIMIT {API_PAGE}, p95 (parties not included)",
            p50=ms(samples, 50),
            baseline_p50=ms(base, 50),
            url=url,
            user=f"{who} ({user.get_username()})",
            count=data["count"],
            items=len(data["items"]),
            queries_per_page=queries,
            queries_page_of_5=small_q,
            queries_grow_with_rows=small_q < queries,
            samples=rounds,
            load_average_start=load_start,
            load_average_end=load_average(),
        )


# --- 2. the sweep ---------------------------------------------------------------------------------

RAW_FINISHED = """
SELECT s.id FROM meetings_slip s
WHERE s.state = 'binding'
  AND EXISTS (SELECT 1 FROM meetings_slip_cases sc JOIN cases_case c ON c.id = sc.case_id
              WHERE sc.slip_id = s.id AND c.state = 'closed')
  AND NOT EXISTS (SELECT 1 FROM meetings_slip_cases sc JOIN cases_case c ON c.id = sc.case_id
                  WHERE sc.slip_id = s.id AND c.state NOT IN ('closed', 'merged', 'void'))
"""


def _sweep(results: Results, world: World, rounds: int) -> None:
    from gongzhi.meetings import slips
    from gongzhi.meetings.models import Slip, SlipState

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute(RAW_FINISHED)
            return len(cursor.fetchall())

    expected = raw()
    binding = Slip.objects.filter(state=SlipState.BINDING).count()
    signing = Slip.objects.filter(state=SlipState.SIGNING).count()
    overdue = Slip.objects.filter(state=SlipState.BINDING, due__lt=world.today).count()

    def once(capture: bool = False) -> tuple[float, Any, int]:
        out: dict[str, Any] = {}
        try:
            with transaction.atomic():
                statements = [0]

                def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                    statements[0] += 1
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count) if capture else contextlib.nullcontext():
                    start = time.perf_counter()
                    out["result"] = slips.slips_follow_up(world.now)
                    out["seconds"] = time.perf_counter() - start
                out["queries"] = statements[0]
                raise _Rollback
        except _Rollback:
            pass
        return out["seconds"], out["result"], out["queries"]

    # Count the statements on one round of their own (the query log stops at 9,000).
    _, first, queries = once(capture=True)
    assert first.done == expected, (first.done, expected)
    load_start = load_average()
    samples, base = [], []
    for _ in range(rounds):
        seconds, _result, _ = once()
        samples.append(seconds)
        start = time.perf_counter()
        raw()
        base.append(time.perf_counter() - start)
    results.add(
        "meetings.follow_up.p50",
        value=ms(samples, 50),
        unit="ms",
        baseline=ms(base, 50),
        baseline_is="one raw SQL statement: the binding slips with a closed case and no unfinished one, p50",
        p95=ms(samples, 95),
        baseline_p95=ms(base, 95),
        slips_open=OPEN_SLIPS,
        binding=binding,
        signing=signing,
        binding_overdue=overdue,
        done_by_sweep=first.done,
        reminded_by_sweep=first.reminded,
        raw_found=expected,
        queries_per_sweep=queries,
        note="each round in a transaction rolled back afterwards (every round completes and reminds "
        "the same slips); the time excludes the rollback",
        samples=rounds,
        load_average_start=load_start,
        load_average_end=load_average(),
    )
