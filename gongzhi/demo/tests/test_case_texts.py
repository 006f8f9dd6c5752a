"""The demo's case texts: deterministic, varied, every 小类, never a hand-written eval text."""

import random

from gongzhi.cases.classify import eval_set
from gongzhi.cases.off_topic import off_topic_texts
from gongzhi.demo.case_texts import CATEGORIES, CODES, case_texts, sample_corpus
from gongzhi.orgs.categories import SEED


def test_every_seed_category_has_texts():
    seed_codes = {code for _, _, children in SEED for code, _ in children}
    assert set(CODES) == seed_codes == set(CATEGORIES)


def test_deterministic_for_a_seed():
    assert sample_corpus(5, 4) == sample_corpus(5, 4)
    assert sample_corpus(5, 4) != sample_corpus(6, 4)
    assert case_texts(random.Random(1), "HJ01", 10) == case_texts(random.Random(1), "HJ01", 10)


def test_texts_are_varied_and_fully_filled():
    rng = random.Random(42)
    for code in CODES:
        texts = case_texts(rng, code, 300)
        assert len(set(texts)) >= 285, code  # at least 95% distinct
        for text in texts:
            assert text.strip() and not any(mark in text for mark in "{}[]|"), text


def test_registers_are_mixed():
    texts = [t for _, t in sample_corpus(3, 100)]
    assert any(
        t.startswith(("市民", "来电人", "12345", "热线", "网友", "【12345】", "诉求", "转办件"))
        for t in texts
    )
    assert any("巡查" in t for t in texts)
    assert sum(len(t) < 30 for t in texts) > 100  # terse notes and chat posts
    assert sum(len(t) > 50 for t in texts) > 100  # long messages and hotline summaries


def test_no_generated_text_is_an_eval_text():
    """The independent eval file never reaches training: not through the demo corpus (either
    half of the phrasings), nor through the off-topic texts."""
    held_out = {text for _, text in eval_set()}
    generated = {text for _, text in sample_corpus(2026, 300)}
    generated |= {text for part in (0, 1) for _, text in sample_corpus(2027, 100, part)}
    generated |= set(off_topic_texts(2026, 20_000))
    assert len(held_out) >= 700
    assert not held_out & generated
