"""/api/v1/audit/pii-access: only for AUDIT, scoped to the auditor's subtree, filterable."""

from datetime import UTC, date, datetime

from gongzhi.core import clock
from gongzhi.orgs import services as org_services
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff


def _reveals(world):
    with clock.freeze(datetime(2026, 1, 10, 2, 0, tzinfo=UTC)):
        org_services.person_reveal(
            actor=world.users["grid"], person=world.zhang, field="phone", purpose="上门探视"
        )
    with clock.freeze(datetime(2026, 2, 10, 2, 0, tzinfo=UTC)):
        org_services.person_reveal(
            actor=world.users["street"], person=world.li, field="phone", purpose="电话回访"
        )


def test_auditor_browses_and_filters(api, world):
    _reveals(world)
    everything = api("GET", "/audit/pii-access", as_="auditor").json()
    assert everything["count"] == 2
    assert [row["actor"] for row in everything["items"]] == ["street", "grid"]  # newest first
    assert everything["items"][1]["subject_label"].startswith("张阿婆")
    assert "13800138000" not in str(everything)
    since = api("GET", "/audit/pii-access", as_="auditor", params={"date_from": "2026-02-01"}).json()
    assert [row["actor"] for row in since["items"]] == ["street"]
    until = api("GET", "/audit/pii-access", as_="auditor", params={"date_to": "2026-01-31"}).json()
    assert [row["actor"] for row in until["items"]] == ["grid"]
    by_actor = api("GET", "/audit/pii-access", as_="auditor", params={"actor": "grid"}).json()
    assert by_actor["count"] == 1 and by_actor["items"][0]["purpose"] == "上门探视"
    window = {"date_from": date(2026, 1, 10).isoformat(), "date_to": "2026-01-10"}
    assert api("GET", "/audit/pii-access", as_="auditor", params=window).json()["count"] == 1


def test_auditor_below_the_street_sees_only_their_subtree(api, world):
    _reveals(world)
    from gongzhi.api import services as api_services

    k2_auditor = make_staff("k2-auditor", PostRole.AUDITOR, world.tree.k2)
    key = api_services.token_create(user=k2_auditor, name="t")[1]
    rows = api("GET", "/audit/pii-access", headers={"Authorization": f"Bearer {key}"}).json()
    assert rows["count"] == 1 and rows["items"][0]["subject_label"].startswith("李老伯")


def test_audit_refused_without_power(api, world):
    _reveals(world)
    for who in ("street", "admin", "block", "committee", "grid", "dept", "resident", "nobody"):
        r = api("GET", "/audit/pii-access", as_=who)
        assert r.status_code == 403, who
        assert r.json()["detail"] == "无权进行此操作"
    assert api("GET", "/audit/pii-access").status_code == 401


def test_audit_bad_dates_are_422(api, world):
    r = api("GET", "/audit/pii-access", as_="auditor", params={"date_from": "2026-13-45"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "日期格式应为 YYYY-MM-DD"
