"""The personal-data access log for the street auditor: list, filters, Excel export, and denials."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from gongzhi.core import clock
from gongzhi.orgs import services
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def logs(world):
    committee = make_staff("r1-staff", PostRole.COMMITTEE_STAFF, world.tree.r1)
    grid = make_staff("g1-worker", PostRole.GRID_WORKER, world.tree.g1)
    with clock.freeze(datetime(2026, 3, 1, 9, 0, tzinfo=SH)):
        services.person_reveal(actor=committee, person=world.old_alone, field="phone", purpose="上门走访")
    with clock.freeze(datetime(2026, 3, 5, 23, 30, tzinfo=SH)):  # late evening: 15:30 UTC
        services.person_reveal(actor=grid, person=world.young, field="id_number", purpose="核实身份")
    with clock.freeze(datetime(2026, 3, 9, 8, 0, tzinfo=SH)):
        services.person_reveal(actor=committee, person=world.old, field="phone", purpose="电话联系")
    return {"committee": committee, "grid": grid}


def test_auditor_sees_all_rows_newest_first(as_role, logs):
    client, _user = as_role("auditor")
    response = client.get("/audit/pii/")
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [r.purpose for r in rows] == ["电话联系", "核实身份", "上门走访"]
    body = response.content.decode()
    assert "共 3 条" in body and "r1-staff" in body and "身份证号" in body
    for clear in ("13800138000", "13800138001", "310104199001011234"):
        assert clear not in body


@pytest.mark.parametrize(
    ("query", "purposes"),
    [
        ({"date_from": "2026-03-05"}, ["电话联系", "核实身份"]),
        ({"date_to": "2026-03-05"}, ["核实身份", "上门走访"]),  # a local day, though 15:30 UTC
        ({"date_from": "2026-03-02", "date_to": "2026-03-08"}, ["核实身份"]),
        ({"actor": "g1-worker"}, ["核实身份"]),
        ({"subject": "张阿婆"}, ["上门走访"]),
        ({"actor": "r1-staff", "subject": "李"}, ["电话联系"]),
    ],
)
def test_filters(as_role, logs, query, purposes):
    client, _user = as_role("auditor")
    response = client.get("/audit/pii/", query)
    assert [r.purpose for r in response.context["rows"]] == purposes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "去年"}, "日期格式应为"),
        ({"date_from": "2026-03-09", "date_to": "2026-03-01"}, "截止日期不能早于起始日期"),
    ],
)
def test_bad_filter_is_400_with_chinese_message(as_role, logs, query, message):
    client, _user = as_role("auditor")
    for url in ("/audit/pii/", "/audit/pii/export.xlsx"):
        response = client.get(url, query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_export_xlsx_with_same_filters_and_no_clear_numbers(as_role, logs):
    client, _user = as_role("auditor")
    response = client.get("/audit/pii/export.xlsx", {"actor": "r1-staff"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "查看人", "对象", "字段", "用途")
    assert [(r[1], r[3], r[4]) for r in rows[1:]] == [
        ("r1-staff", "手机号", "电话联系"),
        ("r1-staff", "手机号", "上门走访"),
    ]
    assert rows[1][0] == "2026-03-09 08:00:00"  # shown in Asia/Shanghai
    assert rows[2][2].startswith("张阿婆")
    text = repr(rows)
    for clear in ("13800138000", "13800138001", "310104199001011234"):
        assert clear not in text


def test_list_is_paginated(as_role, world):
    staff = make_staff("busy", PostRole.COMMITTEE_STAFF, world.tree.r1)
    for i in range(55):
        services.person_reveal(actor=staff, person=world.old, field="phone", purpose=f"随访{i}")
    client, _user = as_role("auditor")
    first = client.get("/audit/pii/", {"actor": "busy"})
    assert len(first.context["rows"]) == 50 and first.context["rows"].paginator.count == 55
    assert "actor=busy" in first.content.decode() and "page=2" in first.content.decode()
    assert len(client.get("/audit/pii/", {"actor": "busy", "page": 2}).context["rows"]) == 5


@pytest.mark.parametrize("key", ["street", "committee", "grid", "department", "resident"])
def test_others_get_403_and_no_rows(as_role, logs, key):
    client, _user = as_role(key)
    for url in ("/audit/pii/", "/audit/pii/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 403
        assert "r1-staff" not in response.content.decode()
