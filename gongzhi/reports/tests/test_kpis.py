"""Each KPI on a hand-built sequence of case events, with numerators and denominators known by
hand, read three ways: from the daily totals, from the facts (a place below the area), and
recomputed straight from the events; and its drill-down lists the exact cases."""

import math

import pytest

from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.reports import drill, kpis, rollup
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import Subject, node_subject
from gongzhi.reports.tests.conftest import DAY1, DAY2, DAY3, at

DAY4 = DAY3.replace(day=DAY3.day + 1)
NOW = at(DAY3, "18:00")


@pytest.fixture
def scenario(world):
    """R1 (cases on building B1, routed to the property post):
    A closed on day 1 within every deadline, rated 满意 on day 2.
    B dispatched late on day 2, returned, dispatched again, closed late on day 3, rated 基本满意.
    C rejected once at verification, closed on day 1.
    D escalated to the block on day 1, dispatched by the block and closed on day 2.
    E voided. F untouched. H closed on day 1, rated 不满意 on day 2: reopened, open.
    I dispatched, reassigned to the second post before acceptance, closed by it on day 1.
    R3: G pulled up by the street on day 1, open."""
    w, d, h = world, world.dispatcher, world.handler
    for name in "ABCDEFHI":
        w.report(name, at(DAY1, "09:00"))
    w.report("G", at(DAY1, "09:00"), node=w.tree.r3)
    for name, steps in {
        "A": [(d, "register", "09:05"), (d, "dispatch", "09:10"), (h, "accept", "09:20"), (h, "submit", "09:50"), (d, "verify", "10:30")],
        "C": [(d, "register", "09:05"), (d, "dispatch", "09:10"), (h, "accept", "09:15"), (h, "submit", "09:30"), (d, "reject", "09:40"), (h, "submit", "10:00"), (d, "verify", "10:20")],
        "H": [(d, "register", "09:05"), (d, "dispatch", "09:10"), (h, "accept", "09:20"), (h, "submit", "09:40"), (d, "verify", "10:00")],
    }.items():  # fmt: skip
        for who, action, hhmm in steps:
            w.act(name, who, action, at(DAY1, hhmm))
    w.act("B", d, "register", at(DAY1, "09:05"))
    w.act("B", d, "dispatch", at(DAY2, "09:00"))
    w.act("B", h, "return", at(DAY2, "09:30"))
    w.act("B", d, "dispatch", at(DAY2, "10:00"), post=w.post)
    w.act("B", h, "accept", at(DAY2, "10:10"))
    w.act("B", h, "submit", at(DAY2, "11:00"))
    w.act("B", d, "verify", at(DAY3, "16:00"))
    w.act("D", d, "register", at(DAY1, "09:05"))
    w.act("D", d, "record_attempt", at(DAY1, "09:10"))
    w.act("D", d, "escalate", at(DAY1, "09:20"))
    w.act("D", w.block, "dispatch", at(DAY2, "09:00"), post=w.post)
    w.act("D", h, "accept", at(DAY2, "09:10"))
    w.act("D", h, "submit", at(DAY2, "09:30"))
    w.act("D", w.block, "verify", at(DAY2, "10:00"))
    w.act("E", d, "void", at(DAY1, "09:30"))
    w.act("I", d, "register", at(DAY1, "09:05"))
    w.act("I", d, "dispatch", at(DAY1, "09:10"))
    w.act("I", d, "reassign", at(DAY1, "09:20"), post=w.post2)
    w.act("I", world.handler2, "accept", at(DAY1, "09:30"))
    w.act("I", world.handler2, "submit", at(DAY1, "09:40"))
    w.act("I", d, "verify", at(DAY1, "10:00"))
    w.act("G", w.street, "pull", at(DAY1, "09:30"))
    w.rate("A", "satisfied", at(DAY2, "10:00"))
    w.rate("H", "unsatisfied", at(DAY2, "11:00"))
    w.rate("B", "basically", at(DAY3, "17:00"))
    states = {k: c.state for k, c in w.cases.items()}
    assert states == {
        **dict.fromkeys("ABCDI", State.CLOSED),
        "E": State.VOID,
        "F": State.RECEIVED,
        "H": State.IN_PROGRESS,
        "G": State.ESCALATED,
    }
    return w


def figures(subject, period):
    with clock.freeze(NOW):
        return kpis.kpi_set(subject, period)


def pair(value):
    return (value.numerator, value.denominator, value.value)


WHOLE = Period(DAY1, DAY4)


def test_each_rate_over_the_whole_period(scenario):
    k = figures(node_subject(scenario.tree.r1), WHOLE)
    assert pair(k["dispatch_on_time"]) == (4, 6, 66.7)  # B and D first dispatched the next day
    assert pair(k["dispatch_accuracy"]) == (6, 8, 75.0)  # B returned, I reassigned
    assert pair(k["close_on_time"]) == (4, 5, 80.0)  # B closed after its deadline
    assert pair(k["close_rate"]) == (5, 7, 71.4)  # E void is no work; F and H are open
    assert pair(k["rework_rate"]) == (2, 8, 25.0)  # C rejected, H reopened
    assert pair(k["satisfaction"]) == (2, 3, 66.7)  # A 满意, B 基本满意, H 不满意
    assert pair(k["local_rate"]) == (4, 5, 80.0)  # D went up to the block
    assert k["close_hours_median"].value == 1.5  # A: of 1.0 (I), 1.3 (C), 1.5, 25 (D), 55 (B)
    assert k["close_hours_p90"].value == 55.0
    assert k["close_hours_median"].denominator == 5
    assert k.counts["escalations"] == 1 and k.counts["returns"] == 1 and k.counts["received"] == 8


@pytest.mark.parametrize(
    ("period", "median", "p90"),
    [
        (Period(DAY1, DAY2), 1.3, 1.5),  # I 1.0, C 1.3, A 1.5: one bucket; p90 counted from its top
        (Period(DAY1, DAY3), 1.3, 25.0),  # ... and D, closed on day 2
        (Period(DAY2, DAY4), 25.0, 55.0),  # D and B: day 1's closures are not read
        (Period(DAY3, DAY4), 55.0, 55.0),
        (Period(DAY4, DAY4.replace(day=DAY4.day + 1)), None, None),  # nothing closed
    ],
)
def test_percentiles_read_only_the_period(scenario, period, median, p90):
    """Exact nearest-rank percentiles for periods that cut through the closures: each equals
    the recount from the events, whichever bucket and end of the bucket it is read from."""
    r1 = scenario.tree.r1
    k = figures(node_subject(r1), period)
    assert (k["close_hours_median"].value, k["close_hours_p90"].value) == (median, p90)
    hours = rollup.closing_hours(paths=[r1.path], start=period.start, end=period.end)
    for key, p in (("close_hours_median", 0.5), ("close_hours_p90", 0.9)):
        expected = round(hours[max(1, math.ceil(p * len(hours))) - 1], 1) if hours else None
        assert k[key].value == expected
        # the same from the facts (a place below the area), with no buckets
        assert figures(node_subject(scenario.tree.e1), period)[key].value == expected


def test_grades_follow_the_settings(scenario, settings):
    k = figures(node_subject(scenario.tree.r1), WHOLE)
    assert (k["close_on_time"].grade, k["close_rate"].grade, k["rework_rate"].grade) == (
        "B",
        "C",
        "C",
    )  # 返工率 25%: scores 75
    settings.REPORTS_GRADES = [("优", 75), ("良", 50), ("差", 0)]
    k = figures(node_subject(scenario.tree.r1), WHOLE)
    assert (k["close_on_time"].grade, k["close_rate"].grade, k["rework_rate"].grade) == ("优", "良", "优")


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (
            Period(DAY1, DAY2),
            {"received": 8, "dispatched": 4, "dispatched_on_time": 4, "settled": 5, "settled_accurate": 4,
             "closed": 3, "closed_on_time": 3, "closed_local": 3, "verdicts": 5, "reworks": 1, "rated": 0,
             "escalations": 1, "returns": 0},
        ),
        (
            Period(DAY2, DAY3),
            {"received": 0, "dispatched": 2, "dispatched_on_time": 0, "settled": 3, "settled_accurate": 2,
             "closed": 1, "closed_on_time": 1, "closed_local": 0, "verdicts": 2, "reworks": 1, "rated": 2,
             "satisfied": 1, "returns": 1},
        ),
        (
            Period(DAY3, DAY4),
            {"closed": 1, "closed_on_time": 0, "closed_local": 1, "verdicts": 1, "rated": 1, "satisfied": 1},
        ),
    ],
)  # fmt: skip
def test_each_fact_is_attributed_to_its_own_day(scenario, period, expected):
    counts = figures(node_subject(scenario.tree.r1), period).counts
    assert {k: counts[k] for k in expected} == expected


def test_the_street_adds_the_other_area(scenario):
    k = figures(node_subject(scenario.tree.street), WHOLE)
    assert k.counts["received"] == 9 and k.counts["escalations"] == 2
    assert pair(k["close_rate"]) == (5, 8, 62.5)
    r3 = figures(node_subject(scenario.tree.r3), WHOLE)
    assert r3.counts["received"] == 1 and r3["close_on_time"].value is None  # nothing closed: no rate


def test_a_post_and_a_unit(scenario):
    w = scenario
    second = Subject(paths=(), label="", post=w.post2, post_ids=frozenset({w.post2.pk}))
    k = figures(second, WHOLE)
    assert pair(k["dispatch_accuracy"]) == (1, 1, 100.0)  # it accepted I
    assert pair(k["close_on_time"]) == (1, 1, 100.0) and k.counts["received"] == 0
    first = Subject(paths=(), label="", post=w.post, post_ids=frozenset({w.post.pk}))
    k = figures(first, WHOLE)
    assert pair(k["dispatch_accuracy"]) == (5, 7, 71.4)  # I's first dispatch was to it
    assert k.counts["received"] == 8  # the R1 cases were routed to it


def test_backlog_by_age(scenario):
    k = figures(node_subject(scenario.tree.r1), WHOLE)
    backlog = k["backlog"]
    assert backlog.denominator == 2 and backlog.numerator == 0  # F and H, two days old
    assert {b.key: b.count for b in backlog.buckets} == {"d1": 0, "d3": 2, "d7": 0, "d30": 0, "older": 0}


def test_totals_equal_the_recount_from_events(scenario):
    t = scenario.tree
    rollup.catch_up()
    for node in (t.street, t.k1, t.r1, t.r3, t.e1, t.g1):
        for period in (WHOLE, Period(DAY1, DAY2), Period(DAY2, DAY4)):
            with clock.freeze(NOW):
                stored = kpis.counters(node_subject(node), period)
                assert stored == rollup.recount(paths=[node.path], start=period.start, end=period.end)


def test_below_the_area_reads_the_facts(scenario):
    """The estate is below the totals' grain: the same figures come from the facts."""
    t = scenario.tree
    assert node_subject(t.e1).by_area is False
    assert figures(node_subject(t.e1), WHOLE).counts == figures(node_subject(t.r1), WHOLE).counts


def superuser():
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(username="root", defaults={"is_superuser": True})
    return user


def drilled(subject, key, part, **kw):
    with clock.freeze(NOW):
        rows = drill.drill(subject, WHOLE, key, part, user=superuser(), **kw).rows
        return sorted(c.text.split()[-1] for c in rows)


def test_drill_down_lists_the_exact_cases(scenario):
    r1 = node_subject(scenario.tree.r1)
    assert drilled(r1, "close_on_time", "denominator") == ["A", "B", "C", "D", "I"]
    assert drilled(r1, "close_on_time", "numerator") == ["A", "C", "D", "I"]
    assert drilled(r1, "dispatch_on_time", "numerator") == ["A", "C", "H", "I"]
    assert drilled(r1, "close_rate", "denominator") == ["A", "B", "C", "D", "F", "H", "I"]
    assert drilled(r1, "rework_rate", "numerator") == ["C", "H"]
    assert drilled(r1, "satisfaction", "denominator") == ["A", "B", "H"]
    assert drilled(r1, "local_rate", "numerator") == ["A", "B", "C", "I"]
    assert drilled(r1, "close_hours_median", "numerator") == ["B", "D"]  # slower than 1.5 h
    assert drilled(r1, "backlog", "denominator") == ["F", "H"]
    assert drilled(r1, "backlog", "numerator", bucket="d3") == ["F", "H"]


@pytest.mark.parametrize(
    ("key", "part", "bucket", "field"),
    [
        ("nope", "numerator", "", "kpi"),
        ("close_rate", "half", "", "part"),
        ("backlog", "numerator", "x", "bucket"),
    ],
)
def test_bad_drill_requests_name_the_field(scenario, key, part, bucket, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        drill.drill(node_subject(scenario.tree.r1), WHOLE, key, part, user=superuser(), bucket=bucket)
    assert field in caught.value.message_dict
