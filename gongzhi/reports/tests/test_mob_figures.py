"""Volunteer hours and mobilisation coverage (reports.volunteer_figures, mobilisation_figures) on
hand-built data (reports/tests/mob_world.py, every figure worked out there): each figure for the
street and its areas, the cut to a place, who sees them (a department none), the list behind
the hours, the KPI page's sections and the command centre's tile (counts, no names)."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from lxml import html

from gongzhi.core import clock
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.reports import dashboard, drill, mobilisation_figures, volunteer_figures
from gongzhi.reports.subjects import node_subject
from gongzhi.reports.tests.mob_world import NOW, WEEK, Built, build


@pytest.fixture
def b(db: None) -> Built:
    return build()


def test_volunteer_hours_of_the_street_and_its_areas(b):
    with clock.freeze(NOW):
        found = volunteer_figures.figures(node_subject(b.w.tree.street), WEEK)
    total = found.total
    assert float(total.hours) == 18.0
    assert {k: float(v) for k, v in total.by_source.items()} == {"order": 2.0, "shift": 8.0, "task": 8.0}
    assert (total.registered, total.active, total.median) == (9, 3, 5.0)
    assert found.entries == 4  # the reversed entry, its reversal and the one before the week are out
    areas = {a.code: a for a in found.areas}
    assert (float(areas["S-R1"].hours), areas["S-R1"].active, areas["S-R1"].median) == (13.0, 2, 6.5)
    assert areas["S-R1"].registered == 8
    assert (float(areas["S-R3"].hours), areas["S-R3"].active, areas["S-R3"].registered) == (5.0, 1, 1)
    assert float(areas["S-R2"].hours) == 0 and areas["S-R2"].median is None
    one = volunteer_figures.figures(node_subject(b.w.tree.r1), WEEK, NOW)
    assert float(one.total.hours) == 13.0 and one.areas == []


def test_who_sees_the_volunteer_figures_and_the_list_behind_them(b):
    users, t = b.w.users, b.w.tree
    street, r1 = node_subject(t.street), node_subject(t.r1)
    assert volunteer_figures.may_see(users["street"], street)
    assert volunteer_figures.may_see(users["committee"], r1)
    assert not volunteer_figures.may_see(users["committee"], street)  # not the whole street
    assert not volunteer_figures.may_see(users["dept"], street)
    with clock.freeze(NOW):
        everyone = drill.figure(street, WEEK, "volunteer_hours", user=users["street"])
        assert sorted(float(e.hours) for e in everyone.rows) == [2.0, 3.0, 5.0, 8.0]
        mine = drill.figure(r1, WEEK, "volunteer_hours", user=users["committee"], source="shift")
        assert [(e.volunteer.person.name, float(e.hours)) for e in mine.rows] == [("v1", 8.0)]
        with pytest.raises(PermissionDeniedError):
            drill.figure(street, WEEK, "volunteer_hours", user=users["dept"])
        with pytest.raises(ValidationError, match="时长来源"):
            drill.figure(street, WEEK, "volunteer_hours", user=users["street"], source="reversal")


def test_each_incident_figure_by_hand(b):
    with clock.freeze(NOW):
        rows = mobilisation_figures.figures(node_subject(b.w.tree.street), WEEK)
    assert [r.number for r in rows] == [b.incident.number]  # the one closed before the week is out
    r = rows[0]
    assert (r.shifts, r.shifts_manned) == (4, 2)
    assert (r.slots_needed, r.slots_filled, r.slots_checked_in) == (8, 6, 4)
    assert (r.filled_share, r.checked_in_share) == (75.0, 50.0)
    assert (r.households, r.supplies, r.doors) == ((1, 2), (10, 15), (0, 1))
    assert {k: float(v) for k, v in r.hours_by_unit.items()} == {"志愿者": 16.0, "东安物业": 7.5}
    assert float(r.hours) == 23.5
    # the last week: only the old incident, nothing begun in it
    earlier = mobilisation_figures.figures(
        node_subject(b.w.tree.street), WEEK.__class__(WEEK.start.replace(day=16, month=2), WEEK.start), NOW
    )
    assert [x.number for x in earlier] == [b.old.number]


def test_the_incident_is_cut_to_the_place(b):
    t = b.w.tree
    assert mobilisation_figures.figures(node_subject(t.r3), WEEK, NOW) == []  # not touched
    grid = mobilisation_figures.figures(node_subject(t.g2), WEEK, NOW)  # touched: the zone holds it
    assert len(grid) == 1 and (grid[0].shifts, grid[0].households, grid[0].hours_by_unit) == (0, (0, 0), {})
    area = mobilisation_figures.figures(node_subject(t.r1), WEEK, NOW)[0]
    assert (area.shifts, area.slots_filled) == (4, 6)


def test_who_sees_the_mobilisation_figures(b):
    users, t = b.w.users, b.w.tree
    assert mobilisation_figures.may_see(users["street"], node_subject(t.street))
    assert mobilisation_figures.may_see(users["committee"], node_subject(t.r1))
    assert mobilisation_figures.may_see(users["grid"], node_subject(t.g1))
    assert not mobilisation_figures.may_see(users["committee_r3"], node_subject(t.r1))
    assert not mobilisation_figures.may_see(users["dept"], node_subject(t.street))


def test_the_command_centre_tile_counts_now_without_names(b):
    users, t = b.w.users, b.w.tree
    with clock.freeze(NOW):
        board = dashboard.dashboard(node_subject(t.street), WEEK, viewer=users["street"])
        hidden = dashboard.dashboard(node_subject(t.street), WEEK, viewer=users["dept"])
    assert board.mobilisation == {
        "running": 1,
        "entrances_to_guard": 2,  # 东门 and 西门 shifts running at noon
        "entrances_manned": 1,
        "households_reached": 1,
        "households_to_reach": 2,
        "supplies_delivered": 10,
        "supplies_to_deliver": 15,
        "gaps": 1,  # v2's no-show on the 西门 shift still running
    }
    assert hidden.mobilisation is None and dashboard.as_json(hidden)["mobilisation"] is None
    text = json.dumps(dashboard.as_json(board), ensure_ascii=False)
    for name in ("v2", "张阿婆", "东安一村周边疫情", "东安物业"):
        assert name not in text


def page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    with clock.freeze(NOW):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_kpi_page_and_the_command_centre_show_the_sections(b):
    users = b.w.users
    q = f"node=S&start={WEEK.start}&end={WEEK.last_day}"
    doc = html.fromstring(page(users["street"], f"/reports/kpis/?{q}"))
    assert doc.xpath("string(//a[@class='volunteer-hours'])") == "18.0"
    assert doc.xpath("string(//a[@class='volunteer-source-task'])") == "8.0"
    assert doc.xpath("string(//dd[@class='volunteer-median'])") == "5.0"
    assert doc.xpath("count(//table[contains(@class, 'volunteer-areas')]//tbody/tr)") == 3
    row = doc.xpath(f"//tr[@data-number='{b.incident.number}']")[0]
    assert row.xpath("string(td[@class='filled'])") == "6/8（75.0%）"
    assert row.xpath("string(td[@class='checked-in'])") == "4/8（50.0%）"
    assert row.xpath("string(td[@class='households'])") == "1/2"
    hidden = page(users["property"], f"/reports/kpis/?node=S-R1&start={WEEK.start}&end={WEEK.last_day}")
    assert "kpi-volunteers" not in hidden and "kpi-mobilisation" not in hidden
    listed = page(users["street"], f"/reports/figures/volunteer_hours/cases/?{q}&source=order")
    assert html.fromstring(listed).xpath("count(//li[@class='hours-row'])") == 1
    centre = html.fromstring(page(users["street"], "/dashboard/?node=S&range=week"))
    assert centre.xpath("string(//*[@id='dash-mob-manned'])") == "1/2"
    assert centre.xpath("string(//*[@id='dash-mob-gaps'])") == "1"
