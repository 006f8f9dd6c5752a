"""The points rules in Excel (community.rule_sheets): the street's rules exported in the import
template and imported back unchanged; an edited sheet updates by code and creates new codes;
bad rows are reported by row and column and nothing is written; an item named like a formula is
refused, and one that got in another way is exported inert; only the street's keeper imports."""

from io import BytesIO
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from gongzhi.community import rule_sheets
from gongzhi.community.choices import Direction
from gongzhi.community.models import PointRule
from gongzhi.community.tests.ledger.conftest import rule
from gongzhi.orgs.imports.templates import NOTES_SHEET


def sheet_of(data: bytes) -> Any:
    book = load_workbook(BytesIO(data))
    return book, book[rule_sheets.RULES.sheet]


def saved(book: Any) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def rows(data: bytes) -> dict[str, dict[str, Any]]:
    _, ws = sheet_of(data)
    header = [c.value for c in ws[1]]
    return {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}


def state() -> list[tuple[Any, ...]]:
    return list(
        PointRule.objects.order_by("code").values_list("code", "item", "points", "yearly_cap", "active")
    )


def test_the_export_reads_back_unchanged(cworld):
    data = rule_sheets.rules_workbook(cworld.tree.street)
    found = rows(data)
    assert set(found) == {"A01", "A02", "A10", "A11", "A12", "D01", "D02"}
    assert found["A01"]["自动记分依据"] == "参加会议" and "juwuhui" in found["A01"]["依据细分"]
    assert found["D01"]["加减"] == "扣分" and found["D01"]["违反规定"] == "垃圾分类"
    assert found["A12"]["适用党员类型"] == "在职党员（积分式）"
    assert found["D02"]["可申报的岗位角色"] == "居民区党组织书记"
    before = state()
    report = rule_sheets.run_rules_import(
        street=cworld.tree.street, data=data, actor=cworld.users["street_admin"]
    )
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 7)
    assert state() == before


def test_an_edited_sheet_updates_by_code_and_creates_new_codes(cworld):
    book, ws = sheet_of(rule_sheets.rules_workbook(cworld.tree.street))
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "A10":
            row[3].value = 4  # 每次分值
            row[11].value = "否"  # 启用
    ws.append(
        ["A20", "楼组长履职", "加分", 5, 20, "否", "居委会社工、居民区党组织书记", "在职党员、流动党员"]
    )
    report = rule_sheets.run_rules_import(
        street=cworld.tree.street, data=saved(book), actor=cworld.users["street_admin"]
    )
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 6), report.errors
    volunteer = PointRule.objects.get(code="A10")
    assert (volunteer.points, volunteer.active) == (4, False)
    new = PointRule.objects.get(code="A20")
    assert (new.direction, new.yearly_cap, new.evidence_required) == (Direction.AWARD, 20, False)
    assert new.member_types == ["in_service", "mobile"]
    assert new.awarders == ["party_secretary", "committee_staff"] and new.street == cworld.tree.street


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(cworld):
    book, ws = sheet_of(rule_sheets.rules_workbook())
    bad = [
        ["B01", "志愿服务", "加分", 2, None, "是", "居委会社工", "退休党员、外星党员"],  # 2: unknown type
        ["B02", "乱扔垃圾", "扣分", 2, None, "是", "居委会社工", "在职党员"],  # 3: no broken rule
        ["B03", '=HYPERLINK("http://x")', "加分", 2, None, "是", "居委会社工", "在职党员"],  # 4
        ["B04", "+1", "加分", 2, None, "是", "居委会社工", "在职党员"],  # 5: formula-like name
        ["B05", "结对帮扶", "加分", 0, None, "是", "居委会社工", "在职党员"],  # 6: points 0
        ["B06", "义诊", "加分", 2, None, "是", None, "在职党员"],  # 7: by hand, nobody may propose
        ["B01", "重复", "加分", 2, None, "是", "居委会社工", "在职党员"],  # 8: code twice
        ["B07", "好人好事", "加分", 2.5, None, "也许", "居委会社工", "在职党员"],  # 9: 2.5, 也许
    ]
    for row in bad:
        ws.append(row)
    ws.cell(row=4, column=2).data_type = "s"  # a text cell, as a CSV or a pasted value gives it
    before = state()
    report = rule_sheets.run_rules_import(
        street=cworld.tree.street, data=saved(book), actor=cworld.users["street_admin"]
    )
    assert not report.ok and (report.created, report.updated) == (0, 0)
    found = {(e.row, e.column): e.reason for e in report.errors}
    assert "外星党员" in found[(2, "适用党员类型")]
    assert found[(3, "违反规定")] == "扣分项目须写明违反的规定"
    assert "公式" in found[(4, "积分项目")] and "公式" in found[(5, "积分项目")]
    assert (6, "每次分值") in found and (7, "可申报的岗位角色") in found
    assert "重复" in found[(8, "编码")]
    assert found[(9, "每次分值")] == "应为整数" and (9, "须附佐证") in found
    assert state() == before


def test_a_formula_in_a_stored_item_is_exported_inert(cworld):
    rule(cworld.tree.street, "Z99", item="=1+1")  # written around the import (as the admin might)
    _, ws = sheet_of(rule_sheets.rules_workbook(cworld.tree.street))
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[0].value == "Z99")
    assert cell.value == "'=1+1" and cell.data_type == "s"


def test_only_the_streets_keeper_imports(cworld):
    data = rule_sheets.rules_workbook(cworld.tree.street)
    book, ws = sheet_of(data)
    ws.append(["C01", "新项目", "加分", 1, None, "是", "居委会社工", "在职党员"])
    report = rule_sheets.run_rules_import(
        street=cworld.tree.street, data=saved(book), actor=cworld.users["committee"]
    )
    assert not report.ok and "无权" in report.errors[0].reason
    assert not PointRule.objects.filter(code="C01").exists()


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_rules_page(cworld):
    admin = client(cworld.users["street_admin"])
    page = admin.get("/community/rules/")
    assert page.status_code == 200 and 'data-code="A10"' in page.content.decode()
    template = admin.get("/community/rules/template.xlsx")
    book = load_workbook(BytesIO(template.content))
    assert [c.value for c in book[rule_sheets.RULES.sheet][1]][:4] == ["编码", "积分项目", "加减", "每次分值"]
    assert NOTES_SHEET in book.sheetnames
    exported = admin.get("/community/rules/export.xlsx?street=S")
    book, ws = sheet_of(exported.content)
    ws.append(["A30", "垃圾分类督导", "加分", 2, 10, "否", "居委会社工", "在职党员"])
    upload = BytesIO(saved(book))
    upload.name = "rules.xlsx"
    done = admin.post("/community/rules/", {"street": "S", "file": upload})
    assert done.status_code == 200 and PointRule.objects.filter(code="A30").exists()
    ws.append(["A31", "@SUM(1)", "加分", 2, 10, "否", "居委会社工", "在职党员"])
    upload = BytesIO(saved(book))
    upload.name = "rules.xlsx"
    refused = admin.post("/community/rules/", {"street": "S", "file": upload})
    assert refused.status_code == 422 and "import-errors" in refused.content.decode()
    assert not PointRule.objects.filter(code="A31").exists()
    # an area's committee keeps no street's rules; it may read them
    committee = client(cworld.users["committee"])
    assert committee.get("/community/rules/").status_code == 403
    assert committee.get("/community/rules/export.xlsx").status_code == 200
    assert committee.get("/community/rules/export.xlsx?street=X").status_code == 403
