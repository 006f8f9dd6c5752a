"""The home page's 本级解决率, escalation, rework and return figures: the KPI module's counters
over the dispatcher's places (ported from the former cases.selectors_stats tests, same world)."""

import pytest
from django.test import Client

from gongzhi.cases.states import Rung, State
from gongzhi.orgs.roles import PostRole
from gongzhi.reports.home import HomeStats, home_stats
from gongzhi.testing.factories import make_staff


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stats_world(world):
    """In R1: A closed locally; B returned once then closed locally; C rejected once at
    verification then closed locally; D escalated to the block and closed there; E pulled up by
    the street, open; F received, untouched; H closed, then reopened by an unsatisfied callback.
    In R3: G pulled up by the street, open. Everything happens now."""
    from django.utils import timezone

    w, d, h = world, world.dispatcher, world.handler
    now = timezone.now()
    for name in "ABCDEFH":
        w.report(name, now)
    w.report("G", now, node=w.tree.r3)

    def run(name, *steps):
        for who, action, *post in steps:
            w.act(name, who, action, now, **({"post": post[0]} if post else {}))

    close = [(h, "accept"), (h, "submit"), (d, "verify")]
    run("A", (d, "register"), (d, "dispatch"), *close)
    run("B", (d, "register"), (d, "dispatch"), (h, "return"), (d, "dispatch", w.post), *close)
    run(
        "C",
        (d, "register"),
        (d, "dispatch"),
        (h, "accept"),
        (h, "submit"),
        (d, "reject"),
        (h, "submit"),
        (d, "verify"),
    )
    run("D", (d, "register"), (d, "record_attempt"), (d, "escalate"))
    assert w.cases["D"].rung == Rung.BLOCK
    run("D", (w.block, "dispatch", w.post), (h, "accept"), (h, "submit"), (w.block, "verify"))
    run("E", (w.street, "pull"))
    run("H", (d, "register"), (d, "dispatch"), *close)
    w.rate("H", "unsatisfied", now)
    run("G", (w.street, "pull"))
    assert {k: v.state for k, v in w.cases.items()} == {
        **dict.fromkeys("ABCD", State.CLOSED),
        "E": State.ESCALATED,
        "F": State.RECEIVED,
        "H": State.IN_PROGRESS,
        "G": State.ESCALATED,
    }
    return w


R1 = HomeStats(received=7, closed=4, closed_locally=3, escalated=2, rework=2, returned=1)


def test_committee_figures_cover_its_area_only(stats_world):
    stats = home_stats(stats_world.dispatcher)
    assert stats == R1 and stats.local_rate_percent == 75.0


def test_street_and_block_figures(stats_world):
    street = home_stats(stats_world.street)
    assert street == HomeStats(received=8, closed=4, closed_locally=3, escalated=3, rework=2, returned=1)
    assert home_stats(stats_world.block) == R1  # K1 holds R1 and R2
    outsider = home_stats(stats_world.outsider)
    assert outsider == HomeStats(received=1, escalated=1) and outsider.local_rate_percent is None


def test_no_case_scope_no_figures(stats_world):
    assert home_stats(make_staff("partner", PostRole.PARTNER, stats_world.tree.r1)) is None


def test_home_shows_the_figures_to_dispatchers(stats_world):
    body = client_for(stats_world.dispatcher).get("/").content.decode()
    for css, value in [
        ("stats-received", "7"),
        ("stats-closed", "4"),
        ("stats-closed-locally", "3"),
        ("stats-local-rate", "75.0%"),
        ("stats-escalated", "2"),
        ("stats-rework", "2"),
        ("stats-returned", "1"),
    ]:
        assert f'class="{css}">{value}<' in body
    street = client_for(stats_world.street).get("/").content.decode()
    assert 'class="stats-received">8<' in street and 'class="stats-escalated">3<' in street


def test_home_shows_a_dash_when_nothing_is_closed(world):
    body = client_for(world.outsider).get("/").content.decode()
    assert 'class="stats-local-rate">—<' in body and 'class="stats-received">0<' in body


def test_home_hides_the_figures_from_non_dispatchers(stats_world):
    grid = make_staff("gridder", PostRole.GRID_WORKER, stats_world.tree.g1)
    response = client_for(grid).get("/")
    assert response.status_code == 200 and "stats-local-rate" not in response.content.decode()
    assert "stats-local-rate" not in client_for(stats_world.handler).get("/").content.decode()
