# ruff: noqa: F811 (mworld, the imported fixture, is each test's argument)
"""The task-slip list's export: the list's slips with their units and progress, its filters,
its scope; no personal data, so no access-log row."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog
from gongzhi.meetings import selectors
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.web.tests.test_meeting_pages import client_for, issued_slip


@pytest.fixture(autouse=True)
def _frozen():
    with clock.freeze(NOW):
        yield


def table(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:500]
    text = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader)
    return [dict(zip(header, r, strict=True)) for r in reader]


def test_slips_export_is_the_list_with_units_and_progress(mworld):
    _, slip = issued_slip(mworld)
    jwh = client_for(mworld.users["jwh"])
    found = table(jwh.get("/meetings/slips/export.csv"))
    expected = selectors.slip_list(
        user=mworld.users["jwh"], states=[str(s) for s in selectors.OPEN_SLIP_STATES]
    )
    assert [r["编号"] for r in found] == [s.number for s in expected] == [slip.number]
    row = found[0]
    assert row["状态"] == "会签中" and row["已超期"] == "否"
    assert row["主办单位"] == mworld.units["wy"].name and row["协办单位"] == mworld.units["cg"].name
    assert row["关联工单"] == "1" and row["已结案"] == "0" and row["完成时限"] == "2026-12-15"
    assert row["决定事项"] == slip.action and row["辖区"] == mworld.tree.r1.name

    assert table(jwh.get("/meetings/slips/export.csv?node=S-R1&state=signing"))[0]["编号"] == slip.number
    assert table(jwh.get("/meetings/slips/export.csv?state=done")) == []
    with clock.freeze(NOW + timedelta(days=40)):
        assert table(jwh.get("/meetings/slips/export.csv"))[0]["已超期"] == "是"

    book = load_workbook(io.BytesIO(b"".join(jwh.get("/meetings/slips/export.xlsx").streaming_content)))
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][0] == "编号" and values[1][0] == slip.number
    assert not PiiAccessLog.objects.exists()  # units, not people: nothing personal to log
    assert "导出Excel" in jwh.get("/meetings/slips/").content.decode()


@pytest.mark.parametrize(
    "query, message",
    [("node=S-R3", "没有找到该辖区"), ("node=NOPE", "没有找到该辖区"), ("state=bogus", "状态取值无效")],
)
def test_slips_export_refuses_bad_filters(mworld, query, message):
    issued_slip(mworld)
    response = client_for(mworld.users["jwh"]).get(f"/meetings/slips/export.csv?{query}")
    assert response.status_code == 400 and message in response.content.decode()


def test_slips_export_needs_the_export_power(mworld):
    issued_slip(mworld)
    # the police seat follows the slips that bind its unit but downloads no lists
    assert client_for(mworld.users["mj"]).get("/meetings/slips/").status_code == 200
    assert client_for(mworld.users["mj"]).get("/meetings/slips/export.csv").status_code == 403
