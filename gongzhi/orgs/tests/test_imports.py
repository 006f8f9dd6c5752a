"""Excel import/export of the tree, units, people and the 三定 roster (workbooks built here with openpyxl)."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.export import export
from gongzhi.orgs.imports.run import run_import
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_district

TREE_HEADERS = ["编码", "名称", "层级", "上级编码", "地址", "经度", "纬度"]
PEOPLE_HEADERS = ["编码", "姓名", "性别", "出生日期", "手机号", "身份证号", "居住户编码", "独居"]
POST_HEADERS = [
    "编码",
    "单位编码",
    "辖区编码",
    "岗位",
    "职责",
    "负责事项编码",
    "责任人编码",
    "AB岗编码",
    "角色",
]
POST_HEADERS += ["居务会席位", "起始日期", "截止日期"]


def xlsx(sheet: str, headers: list, rows: list, mark: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if mark:
        hidden = wb.create_sheet("_gongzhi")
        hidden.sheet_state = "hidden"
        hidden.append([mark])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def tree_file(rows: list, **kw) -> bytes:
    return xlsx("辖区", TREE_HEADERS, rows, **kw)


def do(kind: str, data: bytes, dry_run: bool = False, user=None):
    return run_import(kind=kind, data=data, actor=user, scope_user=user, dry_run=dry_run)


def errors(report) -> list[tuple]:
    return [(e.row, e.column, e.reason) for e in report.errors]


def counts() -> tuple[int, ...]:
    return (
        Node.objects.count(),
        NodeChange.objects.count(),
        Unit.objects.count(),
        Person.objects.count(),
        Post.objects.count(),
    )


# --- the tree ---------------------------------------------------------------------------------------

GOOD_TREE = [
    # children before their parents: the importer sorts them
    ["X-R1-E1", "新华一村", "小区", "X-R1", "新华路1号", 121.43, 31.2],
    ["X-R1", "新华居民区", "居民区", "X", None, None, None],
    ["X", "新华街道", "街道", None, None, None, None],
    ["X-R1-G1", "第1网格", "网格", "X-R1-E1", None, None, None],
]


def test_good_tree_creates_nodes_with_paths(db):
    report = do("tree", tree_file(GOOD_TREE))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert Node.objects.get(code="X-R1-G1").path == "/X/X-R1/X-R1-E1/X-R1-G1/"
    estate = Node.objects.get(code="X-R1-E1")
    assert estate.geometry == {"type": "Point", "coordinates": [121.43, 31.2]}
    assert estate.address == "新华路1号"
    assert NodeChange.objects.filter(kind=NodeChange.Kind.CREATE).count() == 4


def test_reimport_renames_and_moves_without_duplicates(tree):
    before = Node.objects.count()
    report = do(
        "tree",
        tree_file(
            [
                ["S-R1", "东安新村居民区", "居民区", "S-K2", None, None, None],  # rename + move
                ["S-R2", "西岸居民区", "居民区", "S-K1", None, None, None],  # unchanged
            ]
        ),
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Node.objects.count() == before
    r1 = Node.objects.get(code="S-R1")
    assert r1.name == "东安新村居民区"
    assert Node.objects.get(code="S-R1-H101").path.startswith("/S/S-K2/S-R1/")
    kinds = set(NodeChange.objects.filter(node=r1).values_list("kind", flat=True))
    assert {NodeChange.Kind.RENAME, NodeChange.Kind.MOVE} <= kinds


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # unknown parent
        ([["S-R9", "新居民区", "居民区", "NOPE", None, None, None]], (2, "上级编码", "NOPE 不存在")),
        # duplicate code in the file
        (
            [
                ["S-R8", "甲", "居民区", "S-K1", None, None, None],
                ["S-R8", "乙", "居民区", "S-K1", None, None, None],
            ],
            (3, "编码", "重复（第 2 行已有）"),
        ),
        # a move under its own descendant
        ([["S-K1", "第一块区", "块区", "S-R1", None, None, None]], (2, "上级编码", "循环")),
        # wrong level under its parent
        ([["S-X1", "错层户", "户", "S-R1", None, None, None]], (2, "上级编码", "户不能挂在居民区下")),
        # unknown level label
        ([["S-X2", "某某", "村", "S", None, None, None]], (2, "层级", "层级“村”无效")),
        # latitude without longitude
        ([["S-X3", "某某", "块区", "S", None, None, 31.2]], (2, "经度", "一起填写")),
        # bad code characters
        ([["S X4", "某某", "块区", "S", None, None, None]], (2, "编码", "编码")),
        # a required cell left empty
        ([["S-X5", None, "块区", "S", None, None, None]], (2, "名称", "不能为空")),
        # longer than the model field holds
        ([["S-X6", "长" * 101, "块区", "S", None, None, None]], (2, "名称", "最多 100 个字")),
        # a level change is refused
        ([["S-R1", "东安居民区", "小区", "S-K1", None, None, None]], (2, "层级", "不能通过导入修改")),
    ],
)
def test_bad_tree_rows_report_and_write_nothing(tree, rows, expected):
    good_row = ["S-NEW", "新块区", "块区", "S", None, None, None]  # must not be written either
    before = counts()
    report = do("tree", tree_file([*rows, good_row]))
    assert not report.ok
    row, column, reason = expected
    assert any(r == row and c == column and reason in msg for r, c, msg in errors(report)), errors(report)
    assert counts() == before
    assert not Node.objects.filter(code="S-NEW").exists()


def test_a_move_into_another_street_is_a_row_error(tree):
    """node_move refuses it (docs/tenancy.md "Moving a node"); the import files the refusal
    under the row's 上级编码 and writes nothing of the file."""
    make_district()  # street T with its area T-R1 beside the standalone street S
    before = counts()
    report = do("tree", tree_file([["S-R1-E1", "东安一村", "小区", "T-R1", None, None, None]]))
    assert not report.ok
    assert any(r == 2 and c == "上级编码" and "另一个街道" in m for r, c, m in errors(report)), errors(report)
    assert counts() == before
    assert Node.objects.get(code="S-R1-E1").path == "/S/S-K1/S-R1/S-R1-E1/"


def test_cycle_within_the_file_is_reported_on_each_row(tree):
    report = do(
        "tree",
        tree_file(
            [
                ["S-A", "甲", "块区", "S", None, None, None],
                ["S-R1", "东安居民区", "居民区", "S-R2", None, None, None],
                ["S-R2", "西岸居民区", "居民区", "S-R1", None, None, None],
            ]
        ),
    )
    assert {(r, c) for r, c, _m in errors(report)} >= {(3, "上级编码"), (4, "上级编码")}
    assert not Node.objects.filter(code="S-A").exists()


def test_file_level_refusals(db, settings):
    before = counts()
    not_xlsx = do("tree", b"this is not a spreadsheet")
    assert "无法打开" in not_xlsx.errors[0].reason

    good = tree_file(GOOD_TREE)
    corrupted = do("tree", good[: len(good) // 2])
    assert corrupted.errors[0].reason.startswith(("文件无法打开", "文件已损坏"))

    people_template = xlsx("人员", PEOPLE_HEADERS, [["P1", "张三"]], mark="gongzhi:people")
    wrong = do("tree", people_template)
    assert "这是“人员”模板，不是“辖区”模板" in wrong.errors[0].reason

    unmarked_people = xlsx("Sheet", PEOPLE_HEADERS, [["P1", "张三"]])
    assert "这是“人员”表" in do("tree", unmarked_people).errors[0].reason

    missing = do(
        "tree", xlsx("辖区", ["编码", "名称", "上级编码"], [["X", "新华街道", None]], mark="gongzhi:tree")
    )
    assert (1, "层级", "缺少必需的列“层级”") in errors(missing)

    settings.IMPORT_MAX_BYTES = 100
    too_big = do("tree", tree_file(GOOD_TREE))
    assert "文件太大" in too_big.errors[0].reason
    assert counts() == before


def test_new_parent_and_move_into_it_in_one_file(tree):
    report = do(
        "tree",
        tree_file(
            [
                [
                    "S-R2",
                    "西岸居民区",
                    "居民区",
                    "S-K3",
                    None,
                    None,
                    None,
                ],  # move under a block defined below
                ["S-K3", "第三块区", "块区", "S", None, None, None],
            ]
        ),
    )
    assert report.ok and (report.created, report.updated) == (1, 1), report.errors
    assert Node.objects.get(code="S-R2").path == "/S/S-K3/S-R2/"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_read_in_every_accepted_spelling(day):
    spellings = [
        day,
        f"{day:%Y-%m-%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
    ]
    spellings.append(int(f"{day:%Y%m%d}"))
    assert {cells.day(s) for s in spellings} == {day}


def test_dry_run_counts_but_writes_nothing(db):
    report = do("tree", tree_file(GOOD_TREE), dry_run=True)
    assert report.ok and report.created == 4
    assert not Node.objects.exists()


# --- people, units, posts -----------------------------------------------------------------------------


def test_people_import_validates_numbers_by_column(tree):
    rows = [
        ["P1", "张阿婆", "女", "1940-05-01", "13800138000", "310104194005011234", "S-R1-H101", "是"],
        ["P2", "李老伯", "男", "1941/13/01", "12345", "3101", "S-R1", "也许"],
        ["P3", "王某", None, "2999-01-01", None, 310104194005011234, "NOPE", None],
    ]
    report = do("people", xlsx("人员", PEOPLE_HEADERS, rows))
    found = errors(report)
    assert any(r == 3 and c == "出生日期" for r, c, _m in found)
    assert any(r == 3 and c == "手机号" and "11位" in m for r, c, m in found)
    assert any(r == 3 and c == "身份证号" and "18位" in m for r, c, m in found)
    assert any(r == 3 and c == "居住户编码" and "应为“户”" in m for r, c, m in found)
    assert any(r == 3 and c == "独居" for r, c, _m in found)
    assert any(r == 4 and c == "身份证号" and "文本" in m for r, c, m in found)
    assert (4, "出生日期", "出生日期不能晚于今天") in found
    assert any(r == 4 and c == "居住户编码" and "不存在" in m for r, c, m in found)
    assert not Person.objects.exists()


def test_people_import_and_masked_round_trip(tree):
    rows = [["P1", "张阿婆", "女", date(1940, 5, 1), "13800138000", "310104194005011234", "S-R1-H101", "是"]]
    report = do("people", xlsx("人员", PEOPLE_HEADERS, rows))
    assert report.ok and report.created == 1, report.errors
    person = Person.objects.get(code="P1")
    assert person.lives_alone and person.phone_masked == "138****8000" and person.home == tree.h1

    exported = io.BytesIO()
    export("people", None, exported)
    sheet = load_workbook(io.BytesIO(exported.getvalue()))["人员"]
    cells = [c.value for c in sheet[2]]
    assert "138****8000" in cells and "13800138000" not in cells
    assert not any(str(v) == "310104194005011234" for v in cells)

    again = do("people", exported.getvalue())
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1), again.errors
    person.refresh_from_db()
    assert person.phone_hash and person.id_masked == "3101**********1234"


def test_masked_number_for_a_new_person_is_refused(tree):
    rows = [["P9", "新人", "男", None, "138****8000", None, None, None]]
    report = do("people", xlsx("人员", PEOPLE_HEADERS, rows))
    assert (2, "手机号", "新增人员不能填写打码的号码，请填写完整号码") in errors(report)


def _roster_fixtures(tree):
    unit = UnitFactory(code="U-JW", node=tree.r1)
    holder = PersonFactory(code="P-HOLD")
    deputy = PersonFactory(code="P-DEP")
    return unit, holder, deputy


def test_posts_import_and_unknown_references(tree):
    _roster_fixtures(tree)
    good = ["POST1", "U-JW", "S-R1", "社工", "楼道堆物", "LD01，HJ01", "P-HOLD", "P-DEP", "居委会社工"]
    good += ["居委会", "2024-01-01", None]
    bad = ["POST2", "U-NONE", "S-R1", "社工", None, "ZZ99", "P-NONE", None, "居委会社工", None, "2024-13-01"]
    bad += [None]
    report = do("posts", xlsx("三定岗位", POST_HEADERS, [good, bad]))
    found = errors(report)
    assert (3, "单位编码", "单位编码 U-NONE 不存在") in found
    assert (3, "责任人编码", "责任人编码 P-NONE 不存在") in found
    assert any(r == 3 and c == "负责事项编码" and "ZZ99" in m for r, c, m in found)
    assert any(r == 3 and c == "起始日期" for r, c, _m in found)
    assert not Post.objects.exists()

    report = do("posts", xlsx("三定岗位", POST_HEADERS, [good]))
    assert report.ok and report.created == 1, report.errors
    post = Post.objects.get(code="POST1")
    assert {c.code for c in post.categories.all()} == {"LD01", "HJ01"}
    assert (post.role, post.meeting_role, post.deputy.code) == (
        "committee_staff",
        "residents_committee",
        "P-DEP",
    )


def test_service_refusal_is_mapped_to_its_column_and_rolls_back(tree):
    _roster_fixtures(tree)
    rows = [
        ["POST1", "U-JW", "S-R1", "社工", None, None, "P-HOLD", None, "居委会社工", None, "2024-01-01", None],
        ["POST2", "U-JW", "S-R1", "社工", None, None, "P-HOLD", "P-HOLD", "网格员", None, "2024-02-01"],
    ]
    rows[1].append("2023-01-01")
    report = do("posts", xlsx("三定岗位", POST_HEADERS, rows))
    found = errors(report)
    assert (3, "AB岗编码", "替补不能是责任人本人") in found
    assert (3, "截止日期", "截止日期不能早于起始日期") in found
    assert not Post.objects.exists()  # the good first row was rolled back too
    assert report.created == 0


def test_units_import_updates_by_code(tree):
    headers = ["编码", "名称", "类型", "所在辖区编码", "办公电话", "地址"]
    first = do("units", xlsx("单位", headers, [["U1", "东安居委会", "居民委员会", "S-R1", "021-1", None]]))
    assert first.ok and first.created == 1
    second = do(
        "units", xlsx("单位", headers, [["U1", "东安居民委员会", "居民委员会", "S-R1", "021-1", None]])
    )
    assert second.ok and second.updated == 1
    assert Unit.objects.get(code="U1").name == "东安居民委员会"
    bad = do("units", xlsx("单位", headers, [["U2", "某单位", "小卖部", "S-R1", None, None]]))
    assert any(c == "类型" and "应为" in m for _r, c, m in errors(bad))


@pytest.mark.parametrize("kind", ["tree", "units", "people", "posts"])
def test_export_then_reimport_is_a_no_op(tree, kind):
    _roster_fixtures(tree)
    PersonFactory(code="P-RES", home=tree.h1, id_number="310104194005011234", lives_alone=True)
    post = ["POST1", "U-JW", "S-R1", "社工", "职责", "LD01", "P-HOLD", "P-DEP", "居委会社工", "居委会"]
    assert do("posts", xlsx("三定岗位", POST_HEADERS, [[*post, "2024-01-01", "2030-12-31"]])).ok
    Node.objects.filter(code="S-R1-B1").update(geometry={"type": "Point", "coordinates": [121.4, 31.2]})
    Node.objects.filter(code="S-R1").update(
        geometry={"type": "Polygon", "coordinates": [[[121, 31], [121.1, 31], [121.1, 31.1], [121, 31]]]}
    )
    before = counts()
    out = io.BytesIO()
    export(kind, None, out)
    report = do(kind, out.getvalue())
    assert report.ok, report.errors
    assert report.created == report.updated == 0 and report.unchanged > 0
    assert counts() == before


def test_commands_round_trip(tree, tmp_path):
    template = tmp_path / "tree-template.xlsx"
    call_command("import_template", "tree", str(template))
    sheet = load_workbook(template)["辖区"]
    assert sheet["A1"].value == "编码"
    assert any("居民区" in v.formula1 for v in sheet.data_validations.dataValidation)  # 层级 pick list

    exported = tmp_path / "tree.xlsx"
    call_command("export", "tree", str(exported))
    out = io.StringIO()
    call_command("import", "tree", str(exported), "--dry-run", stdout=out)
    assert "未变 11 条" in out.getvalue()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(tree_file([["S-R9", "新居民区", "居民区", "NOPE", None, None, None]]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "tree", str(bad), stdout=out)
    assert "NOPE 不存在" in out.getvalue()
