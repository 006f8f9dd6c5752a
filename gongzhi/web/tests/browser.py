"""What every page test in Debian's chromium shares: where chromium and the screenshots live,
the markers that skip the tests without chromium, and the launch itself."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from gongzhi.web.walks.s1 import menu  # noqa: F401  (re-exported: the page tests open pages from the menu)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium for the length of a test (use it inside a fixture that also asks
    for live_server and transactional_db)."""
    # Playwright's sync API runs an event loop; Django's ORM refuses that unless told it is safe
    # (only while the loop runs: later tests in this worker keep Django's async-safety checks).
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
                # With that loop running, this thread's ORM calls (the test building its data)
                # get connections of their own (asgiref.Local keeps a context-local set while a
                # loop runs), which neither the test's teardown nor the database teardown sees:
                # left open, one kept PostgreSQL from dropping the test database at the end of
                # the run ("is being accessed by other users"). Close them while in sight.
                connections.close_all()
    finally:
        if allowed is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@contextmanager
def phone_page(browser: Any, viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """A page in a fresh context at phone size (375 × 800 unless told), in Chinese."""
    context = browser.new_context(viewport=viewport or {"width": 375, "height": 800}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()
