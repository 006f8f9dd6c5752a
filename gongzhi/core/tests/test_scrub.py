"""The one scrubber of the public surfaces against the corpus of personal-data variants
(data/pii_corpus.tsv): no secret survives, and everyday sentences (data/innocent.tsv) keep
their words."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.scrub import MASK, fold, numbers_masked, public_text

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[tuple[str, list[str]]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, *words = line.split("\t")
            out.append((text, words))
    return out


CORPUS = rows("pii_corpus.tsv")
INNOCENT = rows("innocent.tsv")


def test_the_corpus_is_large_and_well_formed() -> None:
    assert len(CORPUS) >= 100
    for text, secrets in CORPUS:
        assert secrets, text
        for secret in secrets:
            assert secret in text, (text, secret)


@pytest.mark.parametrize(("text", "secrets"), CORPUS, ids=[t for t, _ in CORPUS])
def test_no_secret_of_the_corpus_survives(text: str, secrets: list[str]) -> None:
    out = public_text(text, limit=0)
    for secret in secrets:
        assert secret not in out and fold(secret) not in out, out
    assert MASK in out


@pytest.mark.parametrize(("text", "kept"), INNOCENT, ids=[t for t, _ in INNOCENT])
def test_everyday_sentences_keep_their_words(text: str, kept: list[str]) -> None:
    out = public_text(text, limit=0)
    for word in kept:
        assert word in out, out
    assert MASK not in out


def test_a_long_text_is_cut_with_an_ellipsis() -> None:
    out = public_text("路灯" * 100)
    assert len(out) == 61 and out.endswith("…")
    assert public_text("") == "" and public_text(None) == ""


def test_full_width_text_is_read_folded() -> None:
    assert public_text("３号楼楼道（东侧）", limit=0) == "3号楼楼道(东侧)"
    assert public_text("楼道堆物，影响通行；请处理！", limit=0) == "楼道堆物，影响通行；请处理！"


def test_numbers_masked_keeps_names_and_rooms_and_drops_numbers() -> None:
    out = numbers_masked("王阿姨 3号楼502室 电话138 1234 5678 微信 wang_88 邮箱 w@example.com")
    assert "王阿姨" in out and "3号楼502室" in out
    assert "5678" not in out and "wang_88" not in out and "example" not in out
    assert numbers_masked("楼道堆物") == "楼道堆物" and numbers_masked(None) == ""


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.sampled_from(["", " ", "-", "."]))
def test_no_mobile_number_survives_in_any_grouping(phone: str, sep: str) -> None:
    grouped = sep.join((phone[:3], phone[3:7], phone[7:]))
    out = public_text(f"楼道堆物，联系{grouped}，谢谢", limit=0)
    assert phone[3:7] not in out and phone[7:] not in out


@given(st.from_regex(r"[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d)\d{3}[0-9X]", fullmatch=True))
def test_no_id_number_survives(number: str) -> None:
    out = public_text(f"身份证号{number}。", limit=0)
    assert number not in out and number[6:14] not in out
