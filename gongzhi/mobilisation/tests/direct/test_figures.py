"""直报 figures (reports.direct_figures): acknowledged within 15 minutes, followed up within the
hour, misuse counted; the command centre's tile and list (places and posts only, every open
report until closed) and the KPI page's section, for those who see 直报 at the place."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.core import clock
from gongzhi.mobilisation import direct
from gongzhi.mobilisation.tests.direct.conftest import T0
from gongzhi.reports import direct_figures, periods
from gongzhi.reports.dashboard import as_json, dashboard
from gongzhi.reports.subjects import node_subject

MONTH = periods.Period(T0.date().replace(day=1), T0.date().replace(day=31))


def at(minutes: int):
    return clock.freeze(T0 + timedelta(minutes=minutes))


@pytest.fixture
def three(world):
    """fast: acknowledged at 5 min, followed up at 30; slow: acknowledged at 20, followed up at
    70; misuse: an ordinary problem, acknowledged at 2 and marked, never followed up."""
    fast, slow = world.report(), world.report(kind="collapse", node=world.tree.r3)
    misuse = world.report(kind="other", text="楼道灯坏了", node=world.tree.r2)
    officer, grid = world.users["officer"], world.users["grid"]
    with at(2):
        direct.report_acknowledge(actor=officer, report=misuse)
        direct.report_mark_misuse(actor=officer, report=misuse, reason="一般报修")
    with at(5):
        direct.report_acknowledge(actor=officer, report=fast)
    with at(20):
        direct.report_acknowledge(actor=officer, report=slow)
    with at(30):
        direct.follow_up_add(actor=grid, report=fast, text="已扑灭")
    with at(70):
        direct.follow_up_add(actor=grid, report=slow, text="围挡已设")
    with at(80):
        direct.report_close(actor=officer, report=fast, result="无人员伤亡")
    return fast, slow, misuse


@pytest.mark.django_db
def test_the_rates_and_the_misuse_count(world, three):
    found = direct_figures.figures(node_subject(world.tree.street), MONTH, T0 + timedelta(hours=2))
    assert found.reported == 3 and found.misuse == 1
    assert (found.acked_on_time.numerator, found.acked_on_time.denominator) == (2, 3)
    assert (found.followed_up_on_time.numerator, found.followed_up_on_time.denominator) == (1, 2)
    assert found.acked_on_time.value == 66.7 and found.followed_up_on_time.value == 50.0
    assert found.open_now == 2 and found.unacknowledged_now == 0
    assert {k.kind: (k.reported, k.misuse) for k in found.by_kind} == {
        "fire": (1, 0),
        "collapse": (1, 0),
        "other": (1, 1),
    }
    # a young report counts in neither rate
    world.report(at=T0 + timedelta(hours=2))
    young = direct_figures.figures(node_subject(world.tree.street), MONTH, T0 + timedelta(hours=2, minutes=1))
    assert young.acked_on_time.denominator == 3 and young.unacknowledged_now == 1
    area = direct_figures.figures(node_subject(world.tree.r3), MONTH, T0 + timedelta(hours=2))
    assert area.reported == 1 and area.followed_up_on_time.numerator == 0


@pytest.mark.django_db
def test_the_command_centre_lists_every_open_report_places_only(world, three):
    _fast, slow, misuse = three
    with at(90):
        board = dashboard(node_subject(world.tree.street), MONTH, viewer=world.users["officer"])
        data = as_json(board)
    listed = data["direct"]["reports"]
    assert [r["id"] for r in listed] == [slow.pk, misuse.pk]  # the closed one is gone
    assert listed[0]["place"] == "南丹居民区" and listed[0]["post"].endswith("网格员")
    assert listed[1]["misuse"] is True
    assert data["direct"]["open"] == 2 and data["direct"]["ack"]["numerator"] == 2
    text = str(data["direct"])
    assert "围挡" not in text and "楼道灯坏了" not in text and "grid" not in text


@pytest.mark.django_db
def test_who_sees_the_figures(world, three):
    street = node_subject(world.tree.street)
    assert direct_figures.may_see(world.users["admin"], street)
    assert direct_figures.may_see(world.users["officer"], street)
    assert not direct_figures.may_see(world.users["block"], street)  # K1 only
    assert direct_figures.may_see(world.users["block"], node_subject(world.tree.k1))
    assert not direct_figures.may_see(world.users["property"], node_subject(world.tree.e1))
    assert not direct_figures.may_see(world.users["grid_t"], street)


@pytest.mark.django_db
def test_the_pages_show_them(world, three):
    client = Client()
    client.force_login(world.users["officer"])
    with at(90):
        board = client.get("/dashboard/").content.decode()
        kpis = client.get("/reports/kpis/?node=S&start=2026-03-01&end=2026-03-31").content.decode()
    assert 'id="dash-direct-list"' in board and "南丹居民区" in board and "围挡" not in board
    assert "kpi-direct-ack" in kpis and "66.7%" in kpis and "50.0%" in kpis
    client.force_login(world.users["property"])
    assert "dash-direct" not in client.get("/dashboard/?node=S-R1").content.decode()
