"""The roster sheet's optional English columns (岗位（英文）, 职责（英文）): read and written by the
template; a sheet made before they existed keeps the posts' English (issue 13 item 9)."""

import io

from openpyxl import load_workbook

from gongzhi.orgs.imports.export import export
from gongzhi.orgs.models import Post
from gongzhi.orgs.tests.test_imports import POST_HEADERS, _roster_fixtures, do, xlsx

ROW = [
    "POST1",
    "U-JW",
    "S-R1",
    "社工",
    "楼道巡查",
    "LD01",
    "P-HOLD",
    None,
    "居委会社工",
    None,
    "2024-01-01",
    None,
]
WITH_ENGLISH = [*POST_HEADERS[:5], "岗位（英文）", "职责（英文）", *POST_HEADERS[5:]]


def english_row(title_en, duty_en) -> list:
    return [*ROW[:5], title_en, duty_en, *ROW[5:]]


def test_english_columns_are_read_kept_when_absent_and_cleared_when_empty(tree):
    _roster_fixtures(tree)
    report = do("posts", xlsx("三定岗位", WITH_ENGLISH, [english_row("Social worker", "Stairwell patrols")]))
    assert report.ok and report.created == 1, report.errors
    post = Post.objects.get(code="POST1")
    assert (post.title_en, post.duty_en) == ("Social worker", "Stairwell patrols")

    old_sheet = do("posts", xlsx("三定岗位", POST_HEADERS, [ROW]))  # made before the columns
    assert old_sheet.ok and old_sheet.unchanged == 1 and old_sheet.updated == 0, old_sheet.errors
    post.refresh_from_db()
    assert (post.title_en, post.duty_en) == ("Social worker", "Stairwell patrols")

    cleared = do("posts", xlsx("三定岗位", WITH_ENGLISH, [english_row("Social worker", None)]))
    assert cleared.ok and cleared.updated == 1
    post.refresh_from_db()
    assert (post.title_en, post.duty_en) == ("Social worker", "")

    too_long = do("posts", xlsx("三定岗位", WITH_ENGLISH, [english_row("x" * 101, None)]))
    assert not too_long.ok and any(e.column == "岗位（英文）" for e in too_long.errors)
    post.refresh_from_db()
    assert post.title_en == "Social worker"


def test_the_export_writes_the_english_and_reads_back_unchanged(tree):
    _roster_fixtures(tree)
    assert do("posts", xlsx("三定岗位", WITH_ENGLISH, [english_row("Social worker", "Patrols")])).ok
    out = io.BytesIO()
    export("posts", None, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    assert row[header.index("岗位（英文）")] == "Social worker"
    assert row[header.index("职责（英文）")] == "Patrols"
    again = do("posts", out.getvalue())
    assert again.ok and again.unchanged == 1 and again.updated == 0
