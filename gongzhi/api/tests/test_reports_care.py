"""/api/v1/reports over real HTTP, care (关爱): the care rates among the KPIs and the care counts
of a place, the alerts behind them scoped to the caller's care subjects (ids and homes, never
names), no care figures for a department or for a unit, bad input a 422 naming the field.

2026-03-10: 张阿婆 (S-R1-H101, served by the grid worker of G1): 门磁 10:00 taken at 10:05,
一键呼叫 11:00 nobody; 李老伯 (S-R3-H301, served by the street admin's post): 燃气 12:00 closed
at 12:20 as a false alarm after a visit. The clock: 00:00 the next day."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.care import services as care_services
from gongzhi.care.choices import AlertState, Duty, Outcome, RuleKind, SubjectKind, VisitKind
from gongzhi.care.models import Alert, CareSubject, Visit
from gongzhi.core import clock
from gongzhi.orgs.models import Post

SH = ZoneInfo("Asia/Shanghai")
DAY = {"start": "2026-03-10", "end": "2026-03-11"}  # the API's end is not included
NOW = datetime(2026, 3, 11, 0, 0, tzinfo=SH)


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, 10, hh, mm, tzinfo=SH)


def _enrol(world: Any, person: Any, by: str, post: str, duty: str) -> CareSubject:
    with clock.freeze(datetime(2026, 3, 2, 9, tzinfo=SH)):
        return care_services.subject_enrol(
            actor=world.users[by],
            person=person,
            kind=SubjectKind.ALONE_80,
            posts=[(Post.objects.get(code=post), duty)],
        )


@pytest.fixture
def care(world: Any) -> Any:
    zhang = _enrol(world, world.zhang, "committee", "POST-grid", Duty.GRID)
    li = _enrol(world, world.li, "admin", "POST-admin", Duty.OTHER)

    def alert(subject: CareSubject, kind: str, opened: datetime, **kw: Any) -> Alert:
        return Alert.objects.create(
            subject=subject,
            kind=kind,
            node_path=subject.node_path,
            opened_at=opened,
            notified_at=opened,
            **kw,
        )

    alert(zhang, RuleKind.NO_DOOR, at(10), state=AlertState.ACKNOWLEDGED, acknowledged_at=at(10, 5))
    alert(zhang, RuleKind.SOS, at(11))
    gas = alert(
        li,
        RuleKind.GAS,
        at(12),
        state=AlertState.CLOSED,
        closed_at=at(12, 20),
        closed_by=world.users["admin"],
        outcome=Outcome.SAFE,
        false_alarm=True,
    )
    Visit.objects.create(subject=li, kind=VisitKind.VISIT, at=at(12, 20), alert=gas)
    with clock.freeze(NOW):
        yield world


def kpi(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(k for k in body["kpis"] if k["key"] == key)


def test_the_care_figures_of_the_street_and_of_a_grid(api, care):
    street = api("GET", "/reports/kpis", as_="street", params={"node": "S", **DAY}).json()
    ack = kpi(street, "care_ack_on_time")
    assert (ack["numerator"], ack["denominator"], ack["value"], ack["unit"]) == (2, 3, 66.7, "%")
    assert kpi(street, "care_false_alarm")["numerator"] == 1
    assert kpi(street, "care_false_alarm")["higher_is_better"] is False
    assert street["care"]["raised"] == 3 and street["care"]["open_alerts"] == 2
    assert {r["kind"]: r["false_alarms"] for r in street["care"]["by_rule"]} == {
        "no_door": 0,
        "sos": 0,
        "gas": 1,
    }
    grid = api("GET", "/reports/kpis", as_="grid", params={"node": "S-R1-G1", **DAY}).json()
    assert grid["care"]["raised"] == 2
    assert kpi(grid, "care_ack_on_time")["denominator"] == 2


def test_the_alerts_behind_a_figure_are_the_callers_own_and_carry_no_name(api, care):
    listed = api("GET", "/reports/kpis/care_ack_on_time/cases", as_="grid", params={"node": "S-R1-G1", **DAY})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["count"] == 2 and {i["type"] for i in body["items"]} == {"alert"}
    assert {i["node"] for i in body["items"]} == {"S-R1-H101"}
    assert "张阿婆" not in listed.text and "李老伯" not in listed.text
    by_rule = api(
        "GET", "/reports/figures/care_raised/cases", as_="admin", params={"node": "S", "rule": "gas", **DAY}
    ).json()
    assert by_rule["count"] == 1 and by_rule["items"][0]["title"] == "燃气报警"
    false = api("GET", "/reports/figures/care_false_alarms/cases", as_="admin", params={"node": "S", **DAY})
    assert false.json()["count"] == 1
    # the committee's reach ends at its area: the street's figures are a 403
    assert (
        api("GET", "/reports/figures/care_raised/cases", as_="committee", params={"node": "S"}).status_code
        == 403
    )


def test_visits_due_are_listed_as_dues(api, care):
    march = {"node": "S", "start": "2026-03-01", "end": "2026-03-11"}
    body = api("GET", "/reports/kpis/care_visits_on_time/cases", as_="admin", params=march).json()
    # both enrolled 03-02 09:00, weekly: due 03-09 09:00, nobody visited in the week before
    assert body["count"] == 2 and {i["state"] for i in body["items"]} == {"missed"}
    figures = api("GET", "/reports/kpis", as_="admin", params=march).json()
    assert (
        kpi(figures, "care_visits_on_time")["numerator"],
        kpi(figures, "care_visits_on_time")["denominator"],
    ) == (
        0,
        2,
    )


def test_no_care_figures_for_a_department_or_a_unit(api, care):
    assert api("GET", "/reports/kpis", as_="dept", params={"node": "S", **DAY}).status_code == 403
    unit = Post.objects.get(code="POST-committee").unit.code
    own = api("GET", "/reports/kpis", as_="admin", params={"unit": unit, **DAY})
    assert own.status_code == 200 and own.json()["care"] is None
    assert not [k for k in own.json()["kpis"] if k["key"].startswith("care_")]
    refused = api("GET", "/reports/figures/care_raised/cases", as_="admin", params={"unit": unit, **DAY})
    assert refused.status_code == 422 and "node" in refused.text
    bad = api("GET", "/reports/figures/care_raised/cases", as_="admin", params={"node": "S", "rule": "nope"})
    assert bad.status_code == 422 and "rule" in bad.text
    long = api(
        "GET", "/reports/figures/care_raised/cases", as_="admin", params={"node": "S", "rule": "x" * 21}
    )
    assert long.status_code == 422
