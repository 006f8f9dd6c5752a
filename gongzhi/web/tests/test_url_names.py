"""Every page keeps its path and its name across the split into per-domain subpackages.

Templates, tests, the API, notifications and docs reverse these names ('web:<name>'), and
residents hold links to these paths, so the web package's URL list is recorded in
data/web_urls.json (taken before the split) and must stay the same: the same (pattern, name)
pairs, each path still resolved by its own pattern rather than shadowed by another one.
"""

import json
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, resolve

RECORDED = Path(__file__).parent / "data" / "web_urls.json"
SAMPLES = {"int": "7", "str": "x1"}  # a value each converter used here accepts


def _flatten(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            pairs.extend(_flatten(entry.url_patterns, prefix + str(entry.pattern)))
        else:
            pairs.append((prefix + str(entry.pattern), entry.name or ""))
    return pairs


def _sample(pattern: str) -> str:
    return "/" + re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], pattern)


def recorded() -> list[tuple[str, str]]:
    return [(pattern, name) for pattern, name in json.loads(RECORDED.read_text(encoding="utf-8"))]


def test_the_web_package_keeps_every_path_and_name() -> None:
    today = _flatten(get_resolver("gongzhi.web.urls").url_patterns)
    assert len(today) == len(set(today)), "a (pattern, name) pair is listed twice"
    assert sorted(today) == sorted(recorded())


def test_each_path_is_answered_by_its_own_name() -> None:
    # Order across the included modules must not let one pattern shadow another.
    for pattern, name in recorded():
        match = resolve(_sample(pattern))
        assert (match.namespace, match.url_name) == ("web", name), pattern
