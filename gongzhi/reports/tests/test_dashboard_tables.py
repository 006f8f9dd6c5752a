# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The command centre reads its open counts and its category mix from the KPI tables, not from
the case table: on a street with cases in several states, 大类 (more than the mix shows), areas
and days, both equal what the case table says, for every place and period, after a rebuild
too."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import OPEN_STATES, Source, State
from gongzhi.core import clock
from gongzhi.orgs.models import Category
from gongzhi.reports import dashboard as dash
from gongzhi.reports import rollup
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import node_subject, path_q
from gongzhi.reports.tests.conftest import DAY1, DAY2, DAY3, at
from gongzhi.reports.tests.test_kpis import DAY4, NOW, WHOLE, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def from_case_table(node, period):
    """What the command centre showed when it read the case table (the reference)."""
    cases = Case.objects.filter(path_q([node.path]))
    rows = (
        cases.filter(created_at__gte=period.since, created_at__lt=period.until)
        .values("category__parent__code", "category__parent__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__parent__code")
    )
    mix = [
        {
            "code": r["category__parent__code"] or "",
            "name": r["category__parent__name"] or _("未分类"),
            "count": r["n"],
            "group": r["category__parent__code"] or "none",  # the slice's drill-down
        }
        for r in rows
    ]
    if len(mix) > dash.TOP_CATEGORIES:
        rest = sum(r["count"] for r in mix[dash.TOP_CATEGORIES - 1 :])
        mix = [*mix[: dash.TOP_CATEGORIES - 1], {"code": "", "name": _("其他"), "count": rest, "group": ""}]
    waiting = cases.filter(state=State.RECEIVED).count()
    return cases.filter(state__in=list(OPEN_STATES)).count(), waiting, mix


@pytest.fixture
def busy(scenario):
    """The scenario's street, plus cases of every 大类 (a different number each, so the mix has
    an order), unclassified ones, in R1 and R3, on three days; some registered or voided."""
    w = scenario
    firsts = Category.objects.filter(parent__isnull=False).order_by("code")
    seen: set[int] = set()
    smalls = [c for c in firsts if c.parent_id not in seen and not seen.add(c.parent_id)]
    n = 0
    for i, category in enumerate([*smalls, None]):
        for j in range(i % 4 + 1):
            day = (DAY1, DAY2, DAY3)[(i + j) % 3]
            node = w.tree.b1 if (i + j) % 2 else w.tree.r3
            with clock.freeze(at(day, "14:00")):
                case = case_create(
                    actor=None,
                    intake=Intake(node=node, text=f"杂项 X{n}", source=Source.PATROL, category=category),
                )
            w.cases[f"X{n}"] = case
            n += 1

    def staff(name):  # each area's committee dispatches its own cases
        return w.dispatcher if w.cases[name].node_id == w.tree.b1.pk else w.outsider

    w.act("X0", staff("X0"), "register", at(DAY3, "15:00"), category=w.category)
    w.act("X1", staff("X1"), "void", at(DAY3, "15:10"))
    w.act("X2", staff("X2"), "register", at(DAY3, "15:20"), category=w.category)
    return w


PERIODS = (
    WHOLE,
    Period(DAY1, DAY2),
    Period(DAY2, DAY4),
    Period(DAY3, DAY4),
    Period(DAY4, DAY4 + timedelta(1)),
)


def test_open_counts_and_mix_equal_the_case_table(busy):
    t = busy.tree
    states = set(Case.objects.values_list("state", flat=True))
    assert {
        State.RECEIVED,
        State.REGISTERED,
        State.IN_PROGRESS,
        State.ESCALATED,
        State.CLOSED,
        State.VOID,
    } <= states
    with clock.freeze(NOW):
        rollup.catch_up(limit=None)
        for node in (t.street, t.k1, t.r1, t.r3):
            for period in PERIODS:
                open_now, waiting, mix = from_case_table(node, period)
                board = dash.dashboard(node_subject(node), period)
                assert (board.open_now, board.waiting) == (open_now, waiting), (node.code, str(period))
                assert board.categories == mix, (node.code, str(period))
    street = dash.category_mix(node_subject(t.street), WHOLE)
    assert len(street) == dash.TOP_CATEGORIES and street[-1]["name"] == _("其他")


def test_a_rebuild_gives_the_same_figures(busy):
    t = busy.tree
    with clock.freeze(NOW):
        rollup.catch_up(limit=None)
        before = {
            (node.code, str(p)): dash.as_json(dash.dashboard(node_subject(node), p))
            for node in (t.street, t.r1)
            for p in PERIODS
        }
        rollup.rebuild()
        after = {
            (node.code, str(p)): dash.as_json(dash.dashboard(node_subject(node), p))
            for node in (t.street, t.r1)
            for p in PERIODS
        }
    assert after == before
    assert before[(t.street.code, str(WHOLE))]["open"] == from_case_table(t.street, WHOLE)[0]
