"""The import/export pages through the real URLs: powers, scope, the report, the size limit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs.models import Unit
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

UNIT_HEADERS = ["编码", "名称", "类型", "所在辖区编码", "办公电话", "地址"]


def xlsx(sheet: str, headers: list, rows: list) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, kind: str, content: bytes, **extra):
    file = SimpleUploadedFile("data.xlsx", content, content_type="application/octet-stream")
    return client.post(reverse("web:import_upload"), {"kind": kind, "file": file, **extra})


@pytest.fixture
def committee(client, tree):
    """Staff of residential area R1: MANAGE_ROSTER and IMPORT over R1 only."""
    client.force_login(make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1))
    return client


def test_page_shows_kinds_and_form(committee):
    response = committee.get(reverse("web:imports"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body and "csrfmiddlewaretoken" in body
    assert reverse("web:import_template", args=["posts"]) in body
    assert reverse("web:import_export", args=["people"]) in body


def test_upload_without_import_power_is_403(client, tree):
    client.force_login(make_staff("cadre", PostRole.STREET_CADRE, tree.street))  # EXPORT, no IMPORT
    before = Unit.objects.count()
    response = upload(client, "units", xlsx("单位", UNIT_HEADERS, [["U1", "某单位", "共建单位", "S-R1"]]))
    assert response.status_code == 403
    assert Unit.objects.count() == before
    assert client.get(reverse("web:import_template", args=["units"])).status_code == 403
    assert client.get(reverse("web:import_export", args=["units"])).status_code == 200


def test_export_without_power_is_403(client, tree):
    client.force_login(make_staff("gridder", PostRole.GRID_WORKER, tree.g1))
    assert client.get(reverse("web:imports")).status_code == 403
    assert client.get(reverse("web:import_export", args=["tree"])).status_code == 403


def test_committee_imports_its_own_area_not_a_neighbours(committee, tree):
    before = Unit.objects.count()
    rows = [["U-OWN", "东安共建单位", "共建单位", "S-R1-E1"], ["U-NEIGH", "南丹共建单位", "共建单位", "S-R3"]]
    response = upload(committee, "units", xlsx("单位", UNIT_HEADERS, rows))
    assert response.status_code == 422
    body = response.content.decode()
    assert "无权导入：“南丹居民区”不在您的管辖范围内" in body
    assert "<td>3</td>" in body
    assert Unit.objects.count() == before  # the in-scope row is not written either

    response = upload(committee, "units", xlsx("单位", UNIT_HEADERS, rows[:1]))
    assert response.status_code == 200
    assert "新增" in response.content.decode()
    assert Unit.objects.filter(code="U-OWN").exists()


def test_tree_import_needs_manage_tree_in_scope(committee, client, tree):
    rows = [["S-R1-E2", "东安二村", "小区", "S-R1"]]
    content = xlsx("辖区", ["编码", "名称", "层级", "上级编码"], rows)
    response = upload(committee, "tree", content)  # committee staff hold no MANAGE_TREE
    assert response.status_code == 422 and not Node.objects.filter(code="S-R1-E2").exists()

    client.force_login(make_staff("admin", PostRole.STREET_ADMIN, tree.street))
    response = upload(client, "tree", content)
    assert response.status_code == 200, response.content.decode()
    node = Node.objects.get(code="S-R1-E2")
    assert node.path == "/S/S-K1/S-R1/S-R1-E2/"
    assert NodeChange.objects.get(node=node).actor.username == "admin"


def test_report_lists_every_bad_row(committee):
    rows = [["U1", "甲", "共建单位", "NOPE"], ["U2", None, "小卖部", "S-R1"]]
    response = upload(committee, "units", xlsx("单位", UNIT_HEADERS, rows))
    body = response.content.decode()
    assert response.status_code == 422
    assert "辖区编码 NOPE 不存在" in body and "“名称”不能为空" in body and "小卖部" in body


def test_oversized_upload_gets_a_clear_message(committee, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(committee, "units", b"x" * 2048)
    assert response.status_code == 422
    assert "文件太大" in response.content.decode()


def test_not_an_xlsx_and_missing_file(committee):
    response = upload(committee, "units", b"plain text, not a workbook")
    assert response.status_code == 422 and "文件无法打开" in response.content.decode()
    response = committee.post(reverse("web:import_upload"), {"kind": "units"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()


def test_export_is_scoped_and_reimports_unchanged(committee, tree):
    response = committee.get(reverse("web:import_export", args=["tree"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["辖区"]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "S-R1" in codes and "S-R3" not in codes and "S" not in codes

    response = committee.get(reverse("web:import_export", args=["units"]))
    again = upload(committee, "units", response.content)
    assert again.status_code == 200, again.content.decode()


def test_empty_template_downloads(committee):
    response = committee.get(reverse("web:import_template", args=["people"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["人员"][1]][:2] == ["编码", "姓名"]
    assert book["_gongzhi"].sheet_state == "hidden"
    assert committee.get(reverse("web:import_template", args=["nope"])).status_code == 404
