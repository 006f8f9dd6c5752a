"""Shared pytest fixtures."""

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest

from gongzhi.testing.factories import Tree, make_tree
from gongzhi.testing.properties import THOROUGH, THOROUGH_FACTOR, thorough

# Property tests check what holds, not how fast: on a loaded CI machine Hypothesis's own timing
# checks (a 200 ms deadline per example, "data generation is too slow") fail tests that are right.
# Timings belong to `make bench`. A test may still set its own @settings.
hypothesis.settings.register_profile(
    "gongzhi",
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
# HYPOTHESIS_PROFILE=thorough: ten times the examples, for the tests that leave the count to the
# profile and for those that name theirs through gongzhi.testing.properties.examples.
hypothesis.settings.register_profile(
    THOROUGH, parent=hypothesis.settings.get_profile("gongzhi"), max_examples=100 * THOROUGH_FACTOR
)
hypothesis.settings.load_profile(THOROUGH if thorough() else "gongzhi")

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}

# Test files that share one package-scoped fixture (a generated demo street): under
# `--dist loadfile` (make test) the package is one unit of work, so one worker generates the
# street once for all of them instead of each worker that draws one of the files.
_ONE_UNIT_PACKAGES = ("gongzhi/demo/tests/street/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    from gongzhi.testing.scheduling import heavy_first

    class LoadFileKeepingPackages(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((p for p in _ONE_UNIT_PACKAGES if path.startswith(p)), path)

        def _assign_work_unit(self, node: Any) -> None:
            # The known heavy units first (gongzhi.testing.scheduling), once the queue is built.
            if not getattr(self, "_reordered", False):
                self._reordered = True
                units = {scope: self.workqueue[scope] for scope in heavy_first(self.workqueue)}
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return LoadFileKeepingPackages(config, log)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _live_server_sends_at_once() -> None:
    """Django's test server (live_server, and the LiveServerThread some modules start) answers
    with Nagle's algorithm on: it writes a response's headers and then its body, the body waits
    for the client to acknowledge the headers, and the client delays that acknowledgement by
    40 ms on Linux. Every request over real HTTP cost 40 ms more than it takes (a refused NUL:
    45 ms → 2 ms). gunicorn, which serves the product, sets TCP_NODELAY on its sockets; so does
    the test server now (socketserver's own switch, read for each connection it accepts)."""
    from django.test.testcases import QuietWSGIRequestHandler

    QuietWSGIRequestHandler.disable_nagle_algorithm = True


@pytest.fixture
def tree(db) -> Tree:
    return make_tree()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back the rows a transactional test's flush removed (see gongzhi.testing.reference)."""
    if not (request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames)):
        return
    from gongzhi.testing.reference import ensure_reference_data

    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in Chinese: a request in English through Django's test client leaves
    English active on the test's thread (LocaleMiddleware activates, nothing deactivates)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cold_reference_snapshot() -> None:
    """Each test starts with an empty reference snapshot (core.refdata), so what a test reads or
    counts never depends on the tests that ran before it in this process."""
    from gongzhi.core import refdata

    refdata.clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (locmem in tests): what a page kept for a rollup run
    or a period (the command centre, ADR 0045) belongs to the test that wrote it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="module")
def _real_clock() -> Iterator[None]:
    """Each test module starts on the real clock: a freeze a module left behind (an ExitStack
    or a generator that outlived its test) must not move the next module's "now" on the same
    worker. Per module, not per test: some modules freeze the clock once for all their tests."""
    from gongzhi.core import clock

    clock._frozen = None
    yield
    clock._frozen = None
