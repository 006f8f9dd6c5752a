"""The generic writers of core.exports on plain rows: CSV pieces, Excel cells, the log's text."""

import csv
import io
from datetime import UTC, date, datetime

from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from gongzhi.core import exports
from gongzhi.core.exports import Column, Spec, column, label_column
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import MeetingRole

SPEC = Spec(
    stem="demo",
    title=gettext_lazy("工单列表"),
    columns=(
        column("文本", "text"),
        column("时间", "at", exports.local),
        column("日期", "day"),
        Column("数", ("n",), lambda r: r["n"] * 2),
        label_column("是否", "flag", exports.YesNo),
    ),
    personal=False,
)


def cells(*rows: dict) -> list[list]:
    readers = [exports.cell_reader(c) for c in SPEC.columns]
    return [[read(r) for read in readers] for r in rows]


ROW = {
    "text": '楼道,堆物\n"纸板"',
    "at": datetime(2026, 1, 31, 16, 30, tzinfo=UTC),
    "day": date(2026, 2, 1),
    "n": 21,
    "flag": True,
}


def test_csv_has_a_bom_quotes_and_local_times():
    text = b"".join(exports.csv_stream(SPEC, cells(ROW))).decode("utf-8")
    assert text.startswith(exports.BOM) and text.endswith("\r\n")
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header == ["文本", "时间", "日期", "数", "是否"]
    assert row == ['楼道,堆物\n"纸板"', "2026-02-01 00:30:00", "2026-02-01", "42", "是"]


def test_csv_comes_in_pieces_of_fixed_size():
    pieces = list(exports.csv_stream(SPEC, cells(*[ROW] * (exports.CSV_CHUNK_ROWS * 2 + 5))))
    assert len(pieces) == 3
    assert pieces[1].decode().count("\r\n") >= exports.CSV_CHUNK_ROWS


def test_csv_defuses_formulas():
    text = b"".join(
        exports.csv_stream(SPEC, [["=1+1", None, None, "-5", "+86"], ["@SUM(A1)", None, None, -5, None]])
    )
    _, first, second = list(csv.reader(io.StringIO(text.decode()[1:])))
    assert first[0] == "'=1+1" and first[3] == "'-5" and first[4] == "'+86"
    assert second[0] == "'@SUM(A1)" and second[3] == "-5" and second[4] == ""  # a number stays one


def test_xlsx_holds_typed_cells_and_no_formula():
    rows = [*cells(ROW), ["=cmd|' /C calc'!A0\x01", None, None, 1, False]]
    book = load_workbook(exports.xlsx_file(SPEC, rows))
    ws = book.worksheets[0]
    assert ws.title == "工单列表" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["文本", "时间", "日期", "数", "是否"]
    assert ws["B2"].value == datetime(2026, 2, 1, 0, 30) and ws["D2"].value == 42 and ws["E2"].value == "是"
    assert ws["A3"].data_type == "s" and ws["A3"].value == "'=cmd|' /C calc'!A0"


def test_labels_are_rendered_once_per_export_in_the_readers_language():
    gender = label_column("性别", "gender", Person.Gender)
    read = exports.cell_reader(gender)
    with translation.override("en"):
        read_english = exports.cell_reader(gender)
        assert SPEC.headers()[0] == "文本"  # plain strings stay as given
    assert read({"gender": "F"}) == "女" and read_english({"gender": "F"}) not in {"女", "F"}
    assert read({"gender": ""}) == ""
    seat = label_column("席位", "meeting_role", MeetingRole, empty=gettext_lazy("工作人员"))
    assert exports.cell_reader(seat)({"meeting_role": ""}) == "工作人员"
    assert exports.cell_reader(seat)({"meeting_role": "police"}) == "社区民警"


def test_sheet_titles_and_the_logs_description():
    assert exports.sheet_title("a/b:c*d?e[f]" + "x" * 40) == "a b c d e f " + "x" * 19
    assert (
        exports.describe("csv", {"q": "13800138000", "state": "", "node": "S-R1"})
        == "CSV：q=138****8000，node=S-R1"
    )
    assert exports.describe("xlsx", {"q": "310104199001011234"}) == "XLSX：q=3101**********1234"
    assert exports.describe("csv", {}) == "CSV：全部"
