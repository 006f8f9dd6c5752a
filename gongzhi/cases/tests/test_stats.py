"""本级解决率, escalation, rework and return counts from a small world driven through the real
workflow, per user scope and per node; and their figures on the home page."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.cases.selectors_stats import ALL, CaseStats, case_stats, case_stats_by_path
from gongzhi.cases.services import Act, Intake, case_act, case_create, case_rate
from gongzhi.cases.states import Rung, Source, State
from gongzhi.core import clock
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff


def photo() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def act(user, case, action, **kw):
    case.refresh_from_db()
    return case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))


def new_case(world, node=None, text="3楼楼道堆满纸板"):
    intake = Intake(node=node or world.tree.b1, text=text, source=Source.PATROL, category=world.category)
    return case_create(actor=None, intake=intake)


def handle_and_close(world, case, dispatcher):
    case = act(world.handler, case, "accept")
    case = act(world.handler, case, "submit", note="已清理", files=[photo()])
    return act(dispatcher, case, "verify", files=[photo()])


@pytest.fixture
def stats_world(world, settings, tmp_path):
    """In R1: A closed locally; B returned once then closed locally; C rejected once at
    verification then closed locally; D escalated to the block and closed there; E pulled up by
    the street, open; F received, untouched; H closed, then reopened by an unsatisfied callback.
    In R3: G pulled up by the street, open."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    d, street = world.dispatcher, world.street

    a = act(d, new_case(world), "register")
    a = handle_and_close(world, act(d, a, "dispatch"), d)

    b = act(d, act(d, new_case(world), "register"), "dispatch")
    b = act(world.handler, b, "return", note="不归物业管")
    b = handle_and_close(world, act(d, b, "dispatch", post=world.post), d)

    c = act(d, act(d, new_case(world), "register"), "dispatch")
    c = act(world.handler, c, "accept")
    c = act(world.handler, c, "submit", note="已清理", files=[photo()])
    c = act(d, c, "reject", note="还没清干净")
    c = act(world.handler, c, "submit", note="已清理干净", files=[photo()])
    c = act(d, c, "verify", files=[photo()])

    e1 = act(d, new_case(world), "register")
    e1 = act(d, e1, "record_attempt", note="联系了物业和业委会，涉及公共部位改造，本级无法解决")
    e1 = act(d, e1, "escalate", note="需块区协调")
    assert e1.rung == Rung.BLOCK
    e1 = handle_and_close(world, act(world.block, e1, "dispatch", post=world.post), world.block)

    e2 = act(street, new_case(world), "pull", note="街道直接督办")
    f = new_case(world)

    h = act(d, new_case(world), "register")
    h = handle_and_close(world, act(d, h, "dispatch"), d)
    h = case_rate(case=h, satisfaction="unsatisfied", note="又堆上了")

    g = act(street, new_case(world, node=world.tree.r3, text="南丹小区门口积水"), "pull", note="街道直接处理")
    cases = {"a": a, "b": b, "c": c, "d": e1, "e": e2, "f": f, "h": h, "g": g}
    assert {k: v.state for k, v in cases.items()} == {
        "a": State.CLOSED,
        "b": State.CLOSED,
        "c": State.CLOSED,
        "d": State.CLOSED,
        "e": State.ESCALATED,
        "f": State.RECEIVED,
        "h": State.IN_PROGRESS,
        "g": State.ESCALATED,
    }
    return world


R1_FIGURES = CaseStats(
    received=7, closed=4, escalated=2, closed_locally=3, escalations=2, rework=2, returned=1
)


def test_committee_figures_cover_its_area_only(stats_world):
    stats = case_stats(user=stats_world.dispatcher)
    assert stats == R1_FIGURES
    assert stats.local_rate == 0.75 and stats.local_rate_percent == 75.0


def test_street_figures_cover_every_area(stats_world):
    stats = case_stats(user=stats_world.street)
    assert stats == CaseStats(
        received=8, closed=4, escalated=3, closed_locally=3, escalations=3, rework=2, returned=1
    )
    assert stats.local_rate_percent == 75.0


def test_other_area_sees_its_own_case(stats_world):
    stats = case_stats(user=stats_world.outsider)
    assert stats == CaseStats(received=1, escalated=1, escalations=1)
    assert stats.local_rate is None and stats.local_rate_percent is None


def test_figures_by_node(stats_world):
    t = stats_world.tree
    by_path = case_stats_by_path(user=stats_world.street, paths=[t.k1.path, t.k2.path, t.r2.path])
    assert by_path[t.k1.path] == R1_FIGURES
    assert by_path[t.k2.path] == CaseStats(received=1, escalated=1, escalations=1)
    assert by_path[t.r2.path] == CaseStats()
    assert by_path[ALL].received == 8
    # a path outside the user's scope counts nothing
    outside = case_stats_by_path(user=stats_world.dispatcher, paths=[t.r3.path])
    assert outside[t.r3.path] == CaseStats()


def test_period_is_on_the_report_date(stats_world):
    now = clock.now()
    assert case_stats(user=stats_world.street, since=now - timedelta(days=1)).received == 8
    assert case_stats(user=stats_world.street, since=now + timedelta(minutes=1)) == CaseStats()
    assert case_stats(user=stats_world.street, until=now - timedelta(days=1)) == CaseStats()


def test_no_posts_no_figures(stats_world):
    nobody = make_staff("property2", PostRole.PARTNER, stats_world.tree.r1)
    assert case_stats(user=nobody) == CaseStats()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_shows_the_figures_to_dispatchers(stats_world):
    body = client_for(stats_world.dispatcher).get("/").content.decode()
    assert 'class="stats-received">7<' in body
    assert 'class="stats-closed">4<' in body
    assert 'class="stats-closed-locally">3<' in body
    assert 'class="stats-local-rate">75.0%<' in body
    assert 'class="stats-escalated">2<' in body
    assert 'class="stats-rework">2<' in body
    assert 'class="stats-returned">1<' in body
    street = client_for(stats_world.street).get("/").content.decode()
    assert 'class="stats-received">8<' in street and 'class="stats-escalated">3<' in street
    block = client_for(stats_world.block).get("/").content.decode()
    assert 'class="stats-received">7<' in block  # K1 holds R1 and R2


def test_home_shows_a_dash_when_nothing_is_closed(world):
    body = client_for(world.outsider).get("/").content.decode()
    assert 'class="stats-local-rate">—<' in body and 'class="stats-received">0<' in body


def test_home_hides_the_figures_from_non_dispatchers(stats_world):
    grid = make_staff("gridder", PostRole.GRID_WORKER, stats_world.tree.g1)
    response = client_for(grid).get("/")
    assert response.status_code == 200 and "stats-local-rate" not in response.content.decode()
    assert "stats-local-rate" not in client_for(stats_world.handler).get("/").content.decode()


def test_home_figures_in_english(stats_world):
    c = client_for(stats_world.dispatcher)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get("/").content.decode()
    for label in ("Local resolution rate", "Escalated", "Times reworked", "Times sent back"):
        assert label in body


def test_home_figures_are_one_query_and_agree_with_work_counts(stats_world, django_assert_num_queries):
    from gongzhi.cases import selectors
    from gongzhi.cases.selectors_stats import home_figures

    now = clock.now()
    for user in (stats_world.dispatcher, stats_world.street, stats_world.block):
        expected = selectors.work_counts(user=user, now=now)
        stats = case_stats(user=user, since=now - timedelta(days=30))
        with django_assert_num_queries(1):
            figures = home_figures(
                user=user, now=now, received=True, overdue=True, stats_since=now - timedelta(days=30)
            )
        assert figures.work == expected and figures.stats == stats
    assert (
        home_figures(user=stats_world.street, now=now, received=False, overdue=False, stats_since=None).work
        == {}
    )
