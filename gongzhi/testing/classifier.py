"""A small trained category classifier for tests: trained once per test process on a small demo
corpus (a few seconds), saved into whatever VAR_DIR the test set."""

from typing import Any

from gongzhi.cases import classify

SEED = 7
PER_CATEGORY = 16

_trained: dict[str, tuple[Any, dict[str, Any]]] = {}


def small_model() -> tuple[Any, dict[str, Any]]:
    """(pipeline, held-out figures), trained on the first call."""
    if "model" not in _trained:
        pipeline, split, _n = classify.train_on_demo(SEED, PER_CATEGORY)
        _trained["model"] = (pipeline, split)
    return _trained["model"]


def install_small_model() -> None:
    """Save the small model as the street's model (under settings.VAR_DIR) and drop the cache."""
    pipeline, split = small_model()
    classify.save(pipeline, {"n": 0, "source": "demo", "accuracy": split["top1"], "split": split})
    classify._cache.clear()
