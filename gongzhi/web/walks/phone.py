"""The phone a runnable walk holds: Debian's chromium (Playwright's own browser where it is
absent) at a phone's width, in Chinese. The walk commands run against `make demo`."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def phone_page(viewport: dict[str, int], *, timeout_ms: int | None = None) -> Iterator[Any]:
    """A fresh page at `viewport`; the browser closes when the block ends."""
    # Playwright's sync API runs an event loop; a command's ORM reads are plain blocking calls
    # between its steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launch: dict[str, Any] = {"executable_path": CHROMIUM} if os.path.exists(CHROMIUM) else {}
        browser = pw.chromium.launch(args=["--no-sandbox", "--disable-gpu"], **launch)
        try:
            context = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
            if timeout_ms is not None:
                context.set_default_timeout(timeout_ms)
            yield context.new_page()
        finally:
            browser.close()
