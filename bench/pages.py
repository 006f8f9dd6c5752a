"""Timing pages beside a baseline, shared by the suites that measure them (cases, meetings,
community): a bulk-built tree level, a logged-in test client, a page's queries and its longest
statement on a table, a statement's plan, alternating timed rounds, milliseconds at a percentile."""

import re
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


def tree_level(level: int, items: list[tuple[str, str, Any]]) -> list[Any]:
    """Nodes of one level in bulk: (code, name, parent) each, with their materialised paths."""
    from gongzhi.geo.models import Node
    from gongzhi.geo.services import path_for

    objs = [Node(code=c, name=n, level=level, parent=p, path=path_for(c, p)) for c, n, p in items]
    return Node.objects.bulk_create(objs, batch_size=1000)


def staff_post(
    username: str,
    node: Any,
    kind: str,
    role: str,
    *,
    prefix: str,
    unit_name: str | None = None,
    categories: list[Any] | None = None,
) -> tuple[Any, Any]:
    """A user with a person and one active post of `role` at `node`, through the roster's services:
    (user, post). Codes are `{prefix}-{username}`, `{prefix}-U-…`, `{prefix}-P-…` (a suite's own
    prefix keeps its rows apart); the unit is named after the node unless `unit_name` says."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from gongzhi.orgs import services as org_services
    from gongzhi.orgs.models import Person
    from gongzhi.orgs.roles import PostRole

    user = get_user_model().objects.create_user(username=username)
    person = org_services.person_upsert(actor=None, code=f"{prefix}-{username}", name=username)
    Person.objects.filter(pk=person.pk).update(user=user)
    unit = org_services.unit_upsert(
        actor=None, code=f"{prefix}-U-{username}", name=unit_name or node.name, kind=kind, node=node
    )
    post = org_services.post_upsert(
        actor=None,
        code=f"{prefix}-P-{username}",
        unit=unit,
        node=node,
        title=str(PostRole(role).label),
        person=person,
        role=role,
        active_from=date(2020, 1, 1),
        categories=categories,
    )
    return user, post


def longest_on(sqls: list[str], table: str) -> str:
    """A page's longest statement reading `table`, on one line, shortened for the results file."""
    mine = [s for s in sqls if table in s]
    return re.sub(r"\s+", " ", max(mine, key=len) if mine else "")[:2000]


def explain(sql: str, params: list[Any] | None = None) -> str:
    """The statement's plan: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, the query plan on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(r[-1]) for r in cursor.fetchall())
