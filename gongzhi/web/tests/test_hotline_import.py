"""The 12345 hotline import page through the real URLs: who may use it, the template, the
report of bad rows, all-or-nothing, re-import by external id, bad files as clear 400s."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.cases import hotline
from gongzhi.cases.models import Case
from gongzhi.geo import locate
from gongzhi.geo import services as geo_services
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

ADDRESS = "枫林路100弄1号"
PAGE = "/cases/hotline/"


def xlsx(rows, headers=("工单编号", "诉求内容", "发生地址", "联系电话", "分类")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "hotline.xlsx", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("web:hotline_import"), {"file": file, **extra})


@pytest.fixture
def addressed(tree):
    geo_services.node_update(actor=None, node=tree.b1, address=ADDRESS)
    locate.clear_cache()
    yield tree
    locate.clear_cache()


@pytest.fixture
def street(client, addressed):
    """A street cadre: DISPATCH over the street node."""
    client.force_login(make_staff("streetcadre", PostRole.STREET_CADRE, addressed.street))
    return client


GOOD = [
    ("H001", "楼道里堆满杂物", ADDRESS, "13800138000", "LD01"),
    ("H002", "晚上广场舞太吵", ADDRESS, "", "噪音扰民"),
]


def test_page_and_template_link(street):
    response = street.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body and "csrfmiddlewaretoken" in body
    assert reverse("web:hotline_template") in body
    assert 'accept=".xlsx,.csv"' in body


def test_template_downloads_and_round_trips(street):
    response = street.get(reverse("web:hotline_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb.worksheets[0]
    assert sheet.title == hotline.SHEET
    assert [c.value for c in sheet[1]] == hotline.COLUMNS
    assert "工单编号" in [row[0] for row in wb["填写说明"].iter_rows(values_only=True)]
    # fill the template in and upload it
    sheet.append(
        ["T-1", "小区门口路灯不亮", ADDRESS, None, None, "王先生", "13900139000", "", "2026-01-05 09:00"]
    )
    out = io.BytesIO()
    wb.save(out)
    result = upload(street, out.getvalue())
    assert result.status_code == 200, result.content.decode()
    case = Case.objects.get(external_id="T-1")
    assert case.source == "hotline" and case.contact_phone_masked == "139****9000"


def test_import_then_reimport_reports_new_and_already_imported(street, addressed):
    first = upload(street, xlsx(GOOD))
    assert first.status_code == 200
    body = first.content.decode()
    assert 'class="created-count">2<' in body and 'class="unchanged-count">0<' in body
    assert Case.objects.count() == 2
    third = ("H003", "路面坑洼", ADDRESS, "", "")
    again = upload(street, xlsx([*GOOD, third]))
    assert again.status_code == 200
    body = again.content.decode()
    assert 'class="created-count">1<' in body and 'class="unchanged-count">2<' in body
    assert Case.objects.count() == 3
    case = Case.objects.get(external_id="H001")
    assert case.node == addressed.b1 and case.category.code == "LD01" and case.reporter_user is not None


def test_every_bad_row_is_reported_and_nothing_is_written(street):
    rows = [
        ("H001", "楼道堆物", ADDRESS, "", ""),
        ("", "没有编号", ADDRESS, "", ""),
        ("H003", "地址不明", "火星路1号", "", ""),
        ("H004", "分类不对", ADDRESS, "", "不存在的分类"),
        ("H005", "电话不对", ADDRESS, "123", ""),
        ("H001", "重复", ADDRESS, "", ""),
    ]
    response = upload(street, xlsx(rows))
    assert response.status_code == 422
    body = response.content.decode()
    assert "发现 5 个问题，没有导入任何工单" in body
    for row, column, reason in [
        (3, "工单编号", "必填"),
        (4, "发生地址", "在本街道找不到这个地址"),
        (5, "分类", "没有这个小类"),
        (6, "联系电话", "手机号应为11位数字"),
        (7, "工单编号", "与第2行重复"),
    ]:
        assert f"<td>{row}</td><td>{column}</td><td>{reason}" in body
    assert not Case.objects.exists()


def test_missing_column_is_reported(street):
    response = upload(street, xlsx([("H1", ADDRESS)], headers=("工单编号", "发生地址")))
    assert response.status_code == 422
    assert "缺少列：诉求内容" in response.content.decode()
    assert not Case.objects.exists()


def test_dry_run_writes_nothing(street):
    response = upload(street, xlsx(GOOD), dry_run="on")
    assert response.status_code == 200
    assert "检查通过" in response.content.decode()
    assert not Case.objects.exists()


def test_csv_in_gbk(street):
    text = f"工单编号,诉求内容,发生地址\nH9,路灯不亮,{ADDRESS}\n"
    response = upload(street, text.encode("gb18030"), name="export.csv")
    assert response.status_code == 200
    assert Case.objects.filter(external_id="H9").exists()


def test_oversized_upload_is_400(street, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(street, xlsx(GOOD * 20) + b"\0" * 2048)
    assert response.status_code == 400
    assert "文件太大" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("hotline.pdf", b"%PDF-1.4 a pdf", "只能上传 .xlsx 或 .csv 文件"),
        ("hotline.xls", b"\xd0\xcf\x11\xe0 old excel", "只能上传 .xlsx 或 .csv 文件"),
        ("hotline.xlsx", b"this is not a workbook", "文件不是有效的 Excel"),
        ("hotline.csv", b"MZ\x90\x00\x03\x00\x00\x00 binary", "不是文本格式的 CSV"),
        ("hotline.csv", "工单编号,诉求内容\n".encode("utf-16"), "不是文本格式的 CSV"),
        ("hotline.xlsx", b"PK\x03\x04 a zip but no workbook", "文件不是有效的 Excel"),
    ],
)
def test_wrong_type_is_400(street, name, content, message):
    response = upload(street, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_no_file_and_empty_file_are_400(street):
    response = street.post(reverse("web:hotline_import"), {})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()
    response = upload(street, xlsx([]))
    assert response.status_code == 400 and "表中没有数据行" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "at"),
    [
        (PostRole.COMMITTEE_STAFF, "r1"),
        (PostRole.BLOCK_CADRE, "k1"),
        (PostRole.GRID_WORKER, "g1"),
        (PostRole.AUDITOR, "street"),
    ],
)
def test_only_street_dispatchers_may_import(client, addressed, role, at):
    client.force_login(make_staff("someone", role, getattr(addressed, at)))
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("web:hotline_template")).status_code == 403
    assert upload(client, xlsx(GOOD)).status_code == 403
    assert not Case.objects.exists()


def test_street_admin_may_import_and_anonymous_is_sent_to_login(client, addressed):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_staff("admin", PostRole.STREET_ADMIN, addressed.street))
    assert upload(client, xlsx(GOOD)).status_code == 200
    assert Case.objects.count() == 2


def test_pages_in_english(street):
    street.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = street.get(PAGE).content.decode()
    assert "Hotline" in body and "Download the template" in body
    report = upload(street, xlsx([("", "没有编号", ADDRESS, "", "")])).content.decode()
    assert "Required" in report and "no case was imported" in report
