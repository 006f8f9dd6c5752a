"""Timing pages beside a baseline, shared by the suites that measure them (meetings, community):
a logged-in test client, a page's queries, alternating timed rounds, milliseconds at a percentile."""

import time
from collections.abc import Callable
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from bench.measure import percentile


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def page_queries(client: Any, url: str) -> tuple[int, Any, list[str]]:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(captured.captured_queries), response, [q["sql"] for q in captured.captured_queries]


def timed_beside(
    fn: Callable[[], Any], base: Callable[[], Any], rounds: int
) -> tuple[list[float], list[float]]:
    """`rounds` timings of `fn` and of its baseline, alternated so load hits both alike."""
    fn()  # warm: templates, sessions, caches
    base()
    samples, raw = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        base()
        raw.append(time.perf_counter() - start)
    return samples, raw


def ms(samples: list[float], q: float) -> float:
    return round(percentile(samples, q) * 1000, 2)
