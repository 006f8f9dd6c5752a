import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gongzhi.cases.hotline import import_hotline
from gongzhi.cases.models import Case
from gongzhi.geo import locate
from gongzhi.geo import services as geo_services


@pytest.fixture
def addressed(tree):
    geo_services.node_update(actor=None, node=tree.b1, address="枫林路100弄1号")
    locate.clear_cache()
    return tree


def xlsx(rows, headers=("工单编号", "诉求内容", "发生地址", "联系电话", "分类")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_is_idempotent(addressed):
    data = xlsx(
        [
            ("H001", "楼道里堆满杂物", "枫林路100弄1号", "13800138000", "LD01"),
            ("H002", "晚上广场舞太吵", "枫林路100弄1号", "", "噪音扰民"),
        ]
    )
    report = import_hotline(actor=None, data=data, filename="a.xlsx")
    assert report.ok and report.created == 2
    again = import_hotline(actor=None, data=data, filename="a.xlsx")
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    assert Case.objects.count() == 2
    case = Case.objects.get(external_id="H001")
    assert case.node == addressed.b1 and case.category.code == "LD01" and case.source == "hotline"
    assert case.contact_phone_masked == "138****8000"


def test_bad_rows_are_reported_and_nothing_is_written(addressed):
    data = xlsx(
        [
            ("H001", "楼道堆物", "枫林路100弄1号", "", ""),
            ("", "没有编号", "枫林路100弄1号", "", ""),
            ("H003", "地址不明", "火星路1号", "", ""),
            ("H004", "分类不对", "枫林路100弄1号", "", "不存在的分类"),
            ("H005", "电话不对", "枫林路100弄1号", "123", ""),
            ("H001", "重复", "枫林路100弄1号", "", ""),
        ]
    )
    report = import_hotline(actor=None, data=data, filename="a.xlsx")
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "工单编号"), (4, "发生地址"), (5, "分类"), (6, "联系电话"), (7, "工单编号")}
    assert not Case.objects.exists()


def test_csv_in_gbk_and_corrupt_files(addressed):
    text = "工单编号,诉求内容,发生地址\nH9,路灯不亮,枫林路100弄1号\n"
    report = import_hotline(actor=None, data=text.encode("gb18030"), filename="a.csv")
    assert report.ok and report.created == 1
    broken = import_hotline(actor=None, data=b"not a workbook", filename="a.xlsx")
    assert not broken.ok and "Excel" in broken.errors[0].reason


def test_command_dry_run_and_errors(addressed, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([("H1", "暴露垃圾", "枫林路100弄1号", "", "")]))
    call_command("import_hotline", str(good), "--dry-run")
    assert not Case.objects.exists()
    call_command("import_hotline", str(good))
    assert Case.objects.count() == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([("H2", "", "", "", "")]))
    with pytest.raises(CommandError):
        call_command("import_hotline", str(bad))
