"""Import limits, checked before and while a workbook is parsed: a small file that unpacks to
megabytes, a sheet declaring a million rows, rows beyond the cap, a report truncated to its
first problems, and names a spreadsheet would run as formulas."""

import pytest

from gongzhi.core.workbook_limits import bounded_rows, open_workbook
from gongzhi.orgs.imports.run import run_import
from gongzhi.orgs.models import Unit
from gongzhi.testing.hostile import bomb, claiming_rows, with_far_row, xlsx

UNIT_HEADERS = ["编码", "名称", "类型", "所在辖区编码"]
PEOPLE_HEADERS = ["编码", "姓名", "性别", "出生日期", "手机号", "身份证号", "居住户编码", "独居"]
TOO_MANY = "表格行数超过上限（最多 %d 行数据）：请分成几个文件导入"


def units(rows: list[list[object]]) -> bytes:
    return xlsx(UNIT_HEADERS, rows, title="单位")


def unit_rows(n: int) -> list[list[object]]:
    return [[f"U{i}", f"共建单位{i}", "共建单位", "S-R1"] for i in range(n)]


def do(kind: str, data: bytes):
    return run_import(kind=kind, data=data, actor=None, scope_user=None, dry_run=True)


def reasons(report) -> list[str]:
    return [e.reason for e in report.errors]


def test_a_sheet_declaring_a_million_rows_is_refused_before_its_rows_are_read(tree):
    data = claiming_rows(units(unit_rows(2)), 1_000_000)
    assert len(data) < 10_000
    # two rows are really there: the refusal comes from the declared dimension, before reading
    assert reasons(do("units", data)) == [TOO_MANY % 20000]


def test_rows_beyond_the_cap_are_refused_whatever_the_dimension_says(tree, settings):
    settings.IMPORT_MAX_ROWS = 30
    assert reasons(do("units", units(unit_rows(31)))) == [TOO_MANY % 30]
    # the dimension claims two rows; a value on row 1,000,000 still counts
    far = with_far_row(claiming_rows(units(unit_rows(3)), 2), 1_000_000)
    assert reasons(do("units", far)) == [TOO_MANY % 30]


def test_rows_up_to_the_cap_are_all_read_even_when_the_dimension_claims_fewer(tree, settings):
    settings.IMPORT_MAX_ROWS = 30
    report = do("units", claiming_rows(units(unit_rows(30)), 2))
    assert report.ok, reasons(report)
    assert report.created == 30 and not Unit.objects.filter(code="U0").exists()  # a dry run


def test_a_bomb_is_refused_from_the_zip_directory(tree, settings):
    data = bomb(units(unit_rows(2)), unpacked_mb=8)
    assert len(data) < 50_000
    assert reasons(do("units", data)) == [
        "文件解压后过大（8 MB，上限 64 MB），可能已损坏：请另存为新的 .xlsx 或分成几个文件导入"
    ]
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024  # and plain size, below the ratio check
    assert reasons(do("units", units(unit_rows(2)))) == []  # a small file is under both
    big = xlsx(UNIT_HEADERS, [[f"U{i}", "名" * 40, "共建单位", "S-R1"] for i in range(5000)], title="单位")
    assert "文件解压后过大" in reasons(do("units", big))[0]


def test_the_report_lists_the_first_problems_and_counts_the_rest(tree, settings):
    settings.IMPORT_MAX_LISTED_ERRORS = 5
    report = do("units", units([[f"U{i}", f"单位{i}", "不存在的类型", "S-R1"] for i in range(12)]))
    assert len(report.errors) == 5 and report.omitted == 7 and report.error_count == 12
    assert report.omitted_note == "还有 7 条错误未列出"
    assert not report.ok


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点")', "+1+1", "-2+3", "@SUM(A1)"])
def test_names_a_spreadsheet_would_run_are_refused(tree, name):
    report = do("units", units([["U1", name, "共建单位", "S-R1"]]))
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "名称", "不能以 = + - @ 开头（表格软件会把它当作公式）")
    ]
    people = xlsx(PEOPLE_HEADERS, [["P1", name, "女", "1950-01-01", "", "", "S-R1-H101", "否"]], title="居民")
    assert ("姓名", "不能以 = + - @ 开头（表格软件会把它当作公式）") in [
        (e.column, e.reason) for e in do("people", people).errors
    ]


def test_bounded_rows_pads_no_more_than_the_cap(settings):
    settings.IMPORT_MAX_ROWS = 10
    book = open_workbook(units(unit_rows(10)))
    rows = list(bounded_rows(book.worksheets[0]))
    assert len(rows) == 11 and rows[1][:2] == ("U0", "共建单位0")
