"""Hostile files over real HTTP (live server + httpx): Excel uploads that lie about their size
are refused with a clear message before they are parsed, a long error report is cut short, and
every workbook the pages write holds no formula (docs/exports.md)."""

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import httpx
import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs.models import Unit
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, make_staff, make_tree
from gongzhi.testing.hostile import bomb, claiming_rows, xlsx

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_HEADERS = ["编码", "名称", "类型", "所在辖区编码"]
HOTLINE_HEADERS = ["工单编号", "诉求内容", "发生地址", "联系人"]
FORMULA = '=HYPERLINK("http://evil","点我")'


def session_for(user: Any, live_server: Any) -> httpx.Client:
    django_client = Client()
    django_client.force_login(user)
    http = httpx.Client(base_url=live_server.url, timeout=60)
    http.cookies.set("sessionid", django_client.cookies["sessionid"].value)
    return http


def post_file(http: httpx.Client, url: str, content: bytes, name: str, **data: str) -> httpx.Response:
    http.get("/imports/" if url == "/imports/upload/" else url)  # the form's page sets the CSRF cookie
    data["csrfmiddlewaretoken"] = http.cookies["csrftoken"]
    return http.post(url, data=data, files={"file": (name, content, "application/octet-stream")})


@pytest.fixture
def admin(live_server: Any) -> Iterator[httpx.Client]:
    tree = make_tree()
    with session_for(make_staff("admin", PostRole.STREET_ADMIN, tree.street), live_server) as http:
        yield http


def formula_cells(content: bytes) -> list[tuple[str, Any]]:
    """Cells a spreadsheet would run: formulas, or texts starting like one."""
    book = load_workbook(BytesIO(content))
    return [
        (cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    ]


def test_import_page_refuses_a_sheet_declaring_a_million_rows(admin):
    data = claiming_rows(
        xlsx(UNIT_HEADERS, [["U1", "共建单位", "共建单位", "S-R1"]], title="单位"), 1_000_000
    )
    r = post_file(admin, "/imports/upload/", data, "units.xlsx", kind="units")
    assert r.status_code == 422
    assert "表格行数超过上限（最多 20000 行数据）：请分成几个文件导入" in r.text
    assert not Unit.objects.filter(code="U1").exists()


def test_import_page_refuses_a_zip_bomb_and_lists_the_first_problems(admin, settings):
    data = bomb(xlsx(UNIT_HEADERS, [["U1", "共建单位", "共建单位", "S-R1"]], title="单位"), unpacked_mb=8)
    r = post_file(admin, "/imports/upload/", data, "units.xlsx", kind="units")
    assert r.status_code == 422 and "文件解压后过大" in r.text
    settings.IMPORT_MAX_LISTED_ERRORS = 3  # the live server reads the same settings
    bad = xlsx(UNIT_HEADERS, [[f"U{i}", f"单位{i}", "不存在", "S-R1"] for i in range(10)], title="单位")
    r = post_file(admin, "/imports/upload/", bad, "units.xlsx", kind="units")
    assert r.status_code == 422
    assert "发现 10 个问题" in r.text and "还有 7 条错误未列出" in r.text
    assert r.text.count("<td>单位</td>") == 3


def test_hotline_page_refuses_lying_workbooks_and_formula_names(admin):
    rows = [["RX1", "楼道堆物", "枫林路1号", "张"]]
    r = post_file(admin, "/cases/hotline/", claiming_rows(xlsx(HOTLINE_HEADERS, rows), 1_000_000), "h.xlsx")
    assert r.status_code == 400 and "表格行数超过上限" in r.text
    r = post_file(admin, "/cases/hotline/", bomb(xlsx(HOTLINE_HEADERS, rows), unpacked_mb=8), "h.xlsx")
    assert r.status_code == 400 and "文件解压后过大" in r.text
    named = xlsx(HOTLINE_HEADERS, [["RX1", "楼道堆物", "枫林路1号", "=1+2"]])
    r = post_file(admin, "/cases/hotline/", named, "h.xlsx", dry_run="on")
    assert r.status_code == 422 and "不能以 = + - @ 开头" in r.text


def test_workbooks_written_by_the_pages_hold_no_formula(live_server):
    tree = make_tree()
    PersonFactory(name=FORMULA, home=tree.h1)
    Unit.objects.create(code="U-EVIL", name="+SUM(1,2)", kind="co_building", node=tree.r1)
    admin = make_staff("admin", PostRole.STREET_ADMIN, tree.street)
    auditor = make_staff("auditor", PostRole.AUDITOR, tree.street)
    PiiAccessLog.objects.create(
        at=clock.now(),
        actor=admin,
        subject_model="orgs.person",
        subject_id=1,
        subject_label="@SUM(A1)",
        field="phone",
        purpose="-1+1 上门走访",
    )
    with session_for(admin, live_server) as http:
        files = {
            url: http.get(url)
            for url in (
                "/imports/people/export.xlsx",
                "/imports/units/export.xlsx",
                "/imports/people/template.xlsx",
                "/cases/hotline/template.xlsx",
            )
        }
    with session_for(auditor, live_server) as http:
        files["/audit/pii/export.xlsx"] = http.get("/audit/pii/export.xlsx")
    for url, response in files.items():
        assert response.status_code == 200, url
        assert formula_cells(response.content) == [], url
    people = load_workbook(BytesIO(files["/imports/people/export.xlsx"].content)).worksheets[0]
    assert f"'{FORMULA}" in [c.value for row in people.iter_rows() for c in row]  # shown, not run
    audit = load_workbook(BytesIO(files["/audit/pii/export.xlsx"].content)).worksheets[0]
    assert [c.value for c in audit[2]][2:] == ["'@SUM(A1)", "手机号", "'-1+1 上门走访"]
