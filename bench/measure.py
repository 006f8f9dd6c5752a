"""Timing helpers and the results file shared by every benchmark suite.

results.json maps a figure's name to {"value", "unit", "baseline", "ratio", ...details}:
each figure stands beside a baseline measured in the same run on the same database, so the
ratio says how far the product's path is from the plainest way of doing the same work.
"""

import json
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def seconds(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def load_average() -> list[float] | None:
    """The machine's 1/5/15-minute load: figures taken on a busy machine say so."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


@dataclass
class Results:
    path: Path = RESULTS_PATH
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, *, value: float, unit: str, baseline: float, **details: Any) -> None:
        ratio = round(value / baseline, 3) if baseline else None
        self.figures[name] = {
            "value": round(value, 4),
            "unit": unit,
            "baseline": round(baseline, 4),
            "ratio": ratio,
            **details,
        }
        print(f"  {name}: {value:.4g} {unit} (baseline {baseline:.4g}, ratio {ratio})", flush=True)

    def write(self) -> None:
        out = {"_run": self.run, **self.figures}
        self.path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@contextmanager
def no_query_log() -> Iterator[None]:
    """Time queries without DEBUG's query log (make bench runs with DEBUG=1 for the dev keys)."""
    from django.conf import settings

    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug
