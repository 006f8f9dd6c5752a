# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The command centre's kept figures (ADR 0045): per subject, period and rollup run in the
cache; a new run shows new figures, the live tiles follow every event, one place's figures are
never served for another, and the page's scope cut still applies."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.core import clock
from gongzhi.reports import dashboard as dash
from gongzhi.reports import rollup
from gongzhi.reports.subjects import node_subject
from gongzhi.reports.tests.conftest import DAY1, DAY3
from gongzhi.reports.tests.test_kpis import NOW, WHOLE, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

QUERY = {"start": DAY1.isoformat(), "end": DAY3.isoformat()}


def board(node, **kw):
    with clock.freeze(NOW):
        return dash.as_json(dash.dashboard(node_subject(node), WHOLE, **kw))


def figures(data):
    """The parts a rollup run fixes (the rest is live)."""
    return {k: data[k] for k in ("kpis", "trend", "categories", "areas", "units")}


def test_a_new_rollup_run_shows_new_figures_and_the_queue_stays_live(scenario):
    with clock.freeze(NOW):
        rollup.refresh()
    street = scenario.tree.street
    first = board(street)
    assert first == board(street, keep=False)
    scenario.report("J", NOW - timedelta(hours=1))
    later = board(street)  # the read's catch-up took the case in: the queue shows it now
    assert later["waiting"] == first["waiting"] + 1
    assert figures(later) == figures(first)  # the run's figures stand until the next run
    assert figures(board(street, keep=False)) != figures(first)
    with clock.freeze(NOW):
        rollup.refresh()
    assert figures(board(street)) == figures(board(street, keep=False)) != figures(first)


def test_another_place_never_gets_the_figures_kept_for_one(scenario):
    with clock.freeze(NOW):
        rollup.refresh()
    tree = scenario.tree
    kept = {node.code: board(node) for node in (tree.street, tree.k1, tree.r1, tree.r3)}
    for node in (tree.r3, tree.r1, tree.k1, tree.street):  # read again, in another order
        assert board(node) == kept[node.code] == board(node, keep=False)
    assert kept["S-R3"]["areas"] != kept["S"]["areas"]


def test_the_scope_cut_still_applies_to_kept_figures(scenario):
    with clock.freeze(NOW):
        rollup.refresh()
    street, area = Client(), Client()
    street.force_login(scenario.street)
    area.force_login(scenario.outsider)
    with clock.freeze(NOW):
        whole = street.get("/dashboard/data.json", {**QUERY, "node": "S-R1"})
        refused = area.get("/dashboard/data.json", {**QUERY, "node": "S-R1"})
        own = area.get("/dashboard/data.json", QUERY)
    assert whole.status_code == 200 and refused.status_code == 403
    assert figures(own.json()) == figures(board(scenario.tree.r3)) != figures(whole.json())
