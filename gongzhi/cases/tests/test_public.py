"""The public board's scrubber: no phone, ID number, e-mail or name survives; the problem does."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.cases.public import MASK, public_text


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("3号楼王阿姨家门口堆了纸板，联系13812345678", ["王阿姨", "13812345678"], ["3号楼", "纸板"]),
        ("电话 138 1234 5678 或 +86-139-1234-5678", ["1234", "5678"], ["电话"]),
        ("身份证310104199001011234，老证号310104900101123", ["310104"], ["身份证"]),
        ("ID 31010419900101123X 报修", ["31010419900101123X"], ["报修"]),
        ("座机021-64001234，(021)64001234", ["64001234"], ["座机"]),
        (
            "李先生、赵女士、孙老伯、张大爷、刘师傅反映噪音",
            ["李先生", "赵女士", "孙老伯", "张大爷", "刘师傅"],
            ["噪音"],
        ),
        ("小李说楼道灯坏了，老王家也是", ["小李", "老王"], ["楼道灯坏了"]),
        ("我叫张三，联系人：李四，邮箱 zs@example.com", ["张三", "李四", "example"], ["我叫"]),
        ("小区小高层路灯坏了一小时，老年活动室漏水", [], ["小区小高层路灯坏了一小时", "老年活动室漏水"]),
        ("12号楼3单元502室楼道堆物", [], ["12号楼3单元502室楼道堆物"]),
    ],
)
def test_scrubs_personal_data_and_keeps_the_problem(text, gone, kept):
    out = public_text(text, limit=0)
    for g in gone:
        assert g not in out, out
    for k in kept:
        assert k in out, out
    if gone:
        assert MASK in out


def test_short_text_is_cut_with_an_ellipsis():
    out = public_text("路灯" * 100)
    assert len(out) == 61 and out.endswith("…")
    assert public_text("") == ""


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.text(alphabet="楼道堆物路灯坏了，。 ", max_size=20))
def test_no_mobile_number_survives(phone, around):
    assert phone not in public_text(around + phone + around, limit=0)


@given(st.from_regex(r"[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d)\d{3}[0-9X]", fullmatch=True))
def test_no_id_number_survives(number):
    out = public_text(f"身份证号{number}。", limit=0)
    assert number not in out and number[6:14] not in out
