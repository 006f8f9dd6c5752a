"""Category suggestion: cold-start rules, training end to end, confidences, triage, the command.

Calibration, off-topic texts and held-out accuracy: test_classify_quality.py."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.cases import classify

# through the setting, as the command does: the generator lives in a higher layer (demo)
sample_corpus = classify.demo_corpus


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    classify._cache.clear()
    yield tmp_path
    classify._cache.clear()


def _train_small(seed: int = 1) -> None:
    rows = sample_corpus(seed, 12)
    pipeline, split = classify.train([t for _, t in rows], [c for c, _ in rows], seed=seed)
    classify.save(pipeline, {"n": len(rows), "source": "demo", "accuracy": split["top1"]})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("楼道里堆满了纸箱和旧家具，走路都要侧身", "LD01"),
        ("电梯又坏了，老人被困在里面", "WY02"),
        ("楼上半夜还在装修，电钻声吵得睡不着", "SG03"),
        ("楼下饭店油烟直接排到我家窗口", "HJ07"),
        ("马路上的井盖不见了，太危险", "SS03"),
        ("有人在人行道上摆摊卖菜，占道经营", "JY01"),
    ],
)
def test_cold_start_rules_suggest_the_obvious(text, code):
    result = classify.classify(text)
    assert result.source == "rules"
    assert code in [s.code for s in result.suggestions]
    assert result.suggestions[0].name


def test_no_evidence_means_triage():
    result = classify.classify("今天天气不错")
    assert result.suggestions == [] and result.needs_triage


def test_trained_model_is_saved_loaded_and_used(model_dir):
    _train_small()
    path = model_dir / "models" / classify.MODEL_FILE
    assert path.exists()
    info = classify.model_info()
    n_codes = len(classify.PARENTS)
    assert info is not None and info["n"] == n_codes * 12 and info["trained_at"]
    assert sorted(info["labels"]) == sorted([*classify.PARENTS, classify.OFF_TOPIC])
    suggestions = classify.suggest("楼上渗水到我家，天花板都泡烂了")
    assert len(suggestions) == 3
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) <= 1.0 + 1e-6 and all(c > 0 for c in confidences)
    assert len({s.code for s in suggestions}) == 3
    assert all(s.code in classify.NAMES and s.parent == s.code[:2] for s in suggestions)
    result = classify.classify("楼上渗水到我家")
    assert result.source == "model" and 0 <= result.off_topic <= 1


def test_fast_path_gives_the_pipelines_probabilities(model_dir):
    """Intake classifies one text per request; the fast path must be the same arithmetic."""
    import numpy as np

    _train_small()
    bundle = classify.load_model()
    assert bundle is not None and isinstance(bundle["_fast"], classify.FastPredictor)
    texts = [t for _, t in classify.eval_set()[:120]] + ["", "！！", "qqq zzz", "楼道" * 300]
    slow = classify._proba(bundle["pipeline"], texts)
    fast = np.array([bundle["_fast"].proba(t) for t in texts])
    assert fast.shape == slow.shape and np.abs(fast - slow).max() < 1e-9
    assert np.allclose(fast.sum(axis=1), 1.0)


def test_an_unexpected_pipeline_falls_back_to_sklearn(model_dir):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = sample_corpus(1, 6)
    pipeline = make_pipeline(TfidfVectorizer(analyzer="char"), LogisticRegression(max_iter=200))
    pipeline.fit([t for _, t in rows], [c for c, _ in rows])
    classify.save(pipeline, {"n": len(rows)})
    bundle = classify.load_model()
    assert bundle is not None and bundle["_fast"] is None
    result = classify.classify("电梯坏了，老人被困在里面")
    assert result.source == "model" and len(result.suggestions) == 3


def test_model_reloads_when_the_file_changes(model_dir):
    _train_small(1)
    first = classify.load_model()
    assert classify.load_model() is first  # cached
    _train_small(2)
    path = model_dir / "models" / classify.MODEL_FILE
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert classify.load_model() is not first


def test_threshold_decides_triage(settings):
    _train_small()
    settings.CLASSIFIER_TRIAGE_THRESHOLD = 1.01  # above any probability
    assert classify.classify("电梯坏了").needs_triage
    settings.CLASSIFIER_TRIAGE_THRESHOLD = 0.0
    assert not classify.classify("电梯坏了").needs_triage


def test_scores_report_the_three_figures():
    rows = sample_corpus(4, 12)
    _pipeline, split = classify.train([t for _, t in rows], [c for c, _ in rows])
    assert {"top1", "parent_top1", "top3", "n", "ece", "triage", "off_topic_triaged", "temperature"} <= set(
        split
    )
    assert 0 < split["top1"] <= split["top3"] <= 1 and split["top1"] <= split["parent_top1"]
    assert split["off_topic_n"] > 0 and 0 <= split["off_topic_triaged"] <= 1 and split["temperature"] > 0


@pytest.mark.django_db
def test_command_trains_on_the_demo_corpus_when_cases_are_few(model_dir):
    out = StringIO()
    call_command("train_classifier", "--per-category", "8", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    # 8 a 小类 from one half of the phrasings, 5 (the floor) from the other to calibrate on
    assert figures["source"] == "demo" and figures["n"] == len(classify.PARENTS) * (8 + 5)
    for part in ("split", "eval"):
        assert {"top1", "parent_top1", "top3", "n", "ece", "triage"} <= set(figures[part])
    assert figures["eval"]["n"] >= 600 and figures["eval"]["off_topic_n"] >= 30
    voices = figures["eval"]["voices"]
    assert set(voices) == {"resident", "hotline", "patrol", "ambiguous", "offtopic"}
    assert sum(v["n"] for v in voices.values()) == figures["eval"]["n"]
    assert (model_dir / "models" / classify.MODEL_FILE).exists()


@pytest.mark.django_db
def test_command_prints_chinese_figures():
    out = StringIO()
    call_command("train_classifier", "--source", "demo", "--per-category", "6", stdout=out)
    text = out.getvalue()
    assert "留出集" in text and "独立评测集" in text and "大类 top-1" in text and "ECE" in text
    assert "resident（" in text and "offtopic（" in text
